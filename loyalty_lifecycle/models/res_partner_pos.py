import re

from odoo import _, api, fields, models
from odoo.osv import expression
from odoo.tools import create_index

try:
    import phonenumbers
except ImportError:  # phone_validation declares it; without it, plain search
    phonenumbers = None

PHONE_QUERY = re.compile(r"[\d\s()+\-./]+")
BIRTHDAY_HINT_DAYS = 7


class ResPartner(models.Model):
    """The phone is the card: cashiers find a customer by the number typed in
    any local format, and see where the customer stands."""

    _inherit = "res.partner"

    marketing_consent = fields.Boolean(
        "Accepts Offers",
        tracking=True,
        copy=False,
        help="The customer agreed to receive offers by SMS and email. Without it, only transactional "
        "messages (receipts, points about to expire) are sent.",
    )
    marketing_consent_date = fields.Datetime("Consent Changed On", readonly=True, copy=False)
    pos_lifecycle_stage = fields.Char(related="lifecycle_stage_id.name", string="Stage (POS)")
    pos_birthday_hint = fields.Char(compute="_compute_pos_birthday_hint", string="Birthday Hint")

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("marketing_consent"):
                vals.setdefault("marketing_consent_date", now)
        return super().create(vals_list)

    def write(self, vals):
        if "marketing_consent" in vals and "marketing_consent_date" not in vals:
            changed = self.filtered(lambda p: p.marketing_consent != bool(vals["marketing_consent"]))
            if changed and changed != self:
                super(ResPartner, self - changed).write(vals)
                return super(ResPartner, changed).write(dict(vals, marketing_consent_date=fields.Datetime.now()))
            if changed:
                vals = dict(vals, marketing_consent_date=fields.Datetime.now())
        return super().write(vals)

    def init(self):
        super().init()
        # Prefix search on the normalised number: "+7916555%".
        create_index(
            self.env.cr,
            "res_partner_phone_sanitized_prefix_index",
            self._table,
            ["phone_sanitized text_pattern_ops"],
            where="phone_sanitized IS NOT NULL",
        )

    @api.depends("birthday")
    @api.depends_context("tz")
    def _compute_pos_birthday_hint(self):
        today = fields.Date.context_today(self)
        for partner in self:
            days = partner._days_until_birthday(today)
            if days is None or days > BIRTHDAY_HINT_DAYS:
                partner.pos_birthday_hint = False
            elif days == 0:
                partner.pos_birthday_hint = _("Birthday today")
            elif days == 1:
                partner.pos_birthday_hint = _("Birthday tomorrow")
            else:
                partner.pos_birthday_hint = _("Birthday in %(days)s days", days=days)

    def _days_until_birthday(self, today):
        """Days to the next birthday, 0 on the day; 29 February is kept on
        28 February in other years (as in the stage rules)."""
        if not self.birthday:
            return None
        for year in (today.year, today.year + 1):
            try:
                next_birthday = self.birthday.replace(year=year)
            except ValueError:
                next_birthday = self.birthday.replace(year=year, day=28)
            if next_birthday >= today:
                return (next_birthday - today).days
        return None  # unreachable

    @api.model
    def _phone_search_prefixes(self, value):
        """E.164 prefixes a typed number may stand for, in the company's
        country: '8 916 555' in Russia is '+7916555', '0044 20' is '+4420'.
        Empty when the value does not look like a phone number."""
        value = (value or "").strip().rstrip("%").strip()
        if not value or not PHONE_QUERY.fullmatch(value):
            return []
        digits = re.sub(r"\D", "", value)
        if len(digits) < 3:
            return []
        if value.startswith("+"):
            return ["+" + digits]
        if digits.startswith("00"):
            return ["+" + digits[2:]]
        country = self.env.company.country_id
        if not country or not phonenumbers:
            return []
        prefixes = set()
        try:
            parsed = phonenumbers.parse(value, country.code)
            if phonenumbers.is_valid_number(parsed):
                prefixes.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        except phonenumbers.NumberParseException:
            pass
        calling_code = str(phonenumbers.country_code_for_region(country.code) or country.phone_code or "")
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(country.code)
        national_prefix = metadata.national_prefix if metadata else None
        if calling_code:
            if national_prefix and digits.startswith(national_prefix):
                prefixes.add("+" + calling_code + digits[len(national_prefix) :])
            elif digits.startswith(calling_code):
                prefixes.add("+" + digits)  # typed with the country code, without '+'
            else:
                prefixes.add("+" + calling_code + digits)  # typed without the national prefix
        return sorted(prefixes)

    def _search_phone_mobile_search(self, operator, value):
        domain = super()._search_phone_mobile_search(operator, value)
        if operator not in ("=", "like", "ilike", "=like", "=ilike") or not isinstance(value, str):
            return domain
        prefixes = self._phone_search_prefixes(value)
        if not prefixes:
            return domain
        return expression.OR([domain] + [[("phone_sanitized", "=like", prefix + "%")] for prefix in prefixes])

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + [
            "pos_lifecycle_stage",
            "abc_xyz_class",
            "pos_birthday_hint",
        ]
