import re
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL, create_index, format_date

try:
    import phonenumbers
except ImportError:  # phone_validation declares it; without it, plain search
    phonenumbers = None

from .abc_xyz_snapshot import ABC_CLASSES, ABC_XYZ_CLASSES, XYZ_CLASSES

PHONE_QUERY = re.compile(r"[\d\s()+\-./]+")
BIRTHDAY_HINT_DAYS = 7
HOLD_FIELDS = ("lifecycle_manual_date", "lifecycle_hold_until")


class _StageMove:
    """An automatic stage move as server code describes it: the reason and
    the rule logged in the history, and the company whose rules moved the
    customer. Only server code builds one (a JSON-RPC client sends JSON, never
    a Python object, and cannot call private methods)."""

    __slots__ = ("company", "reason", "rule")

    def __init__(self, reason=None, rule=None, company=None):
        self.reason = reason
        self.rule = rule
        self.company = company


# Who reads the customer base on a contact: its staff, and the cashiers for
# what the till shows. Portal and public users, and employees without either
# right, read none of it.
CUSTOMER_BASE_USER = "loyalty_lifecycle.loyalty_lifecycle_group_user"
CUSTOMER_BASE_OR_POS = "loyalty_lifecycle.loyalty_lifecycle_group_user,point_of_sale.group_pos_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    lifecycle_stage_id = fields.Many2one(
        "lifecycle.stage",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        group_expand="_read_group_lifecycle_stage_ids",
        copy=False,
        groups=CUSTOMER_BASE_USER,
    )
    birthday = fields.Date(
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,
        help="For birthday greetings and the 'days until birthday' condition of the stage rules.",
    )
    lifecycle_stage_date = fields.Datetime(
        string="In Stage Since",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="When the customer entered the current lifecycle stage.",
    )
    lifecycle_manual_date = fields.Datetime(
        "Stage Set by Hand On",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="When a user last moved the customer to a stage by hand; empty once the rules move them.",
    )
    lifecycle_hold_until = fields.Date(
        "Rules Paused Until",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="The stage was set by hand: the stage rules leave the customer in it until this day (excluded), "
        "or until their next purchase.",
    )

    # Classes of the last ABC-XYZ run, per company (company-dependent: a
    # customer of two companies has a class in each). Written by abc.xyz.run.
    abc_class = fields.Selection(
        ABC_CLASSES,
        "ABC Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="A: the customers who make the bulk of revenue; C: the long tail.",
    )
    xyz_class = fields.Selection(
        XYZ_CLASSES,
        "XYZ Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="X: buys regularly; Z: irregularly.",
    )
    abc_xyz_class = fields.Selection(
        ABC_XYZ_CLASSES,
        "ABC-XYZ Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,  # a badge at the till
    )
    abc_xyz_new = fields.Boolean(
        "New (no XYZ yet)",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="Too little purchase history for an XYZ class.",
    )
    abc_xyz_date = fields.Date("Last Segmentation", compute="_compute_abc_xyz_date", groups=CUSTOMER_BASE_USER)
    lifecycle_history_ids = fields.One2many(
        "lifecycle.stage.history", "partner_id", string="Stage History", groups=CUSTOMER_BASE_USER
    )

    ltv_currency_id = fields.Many2one(
        related="company_id.currency_id", string="LTV Currency", groups=CUSTOMER_BASE_USER
    )
    ltv_revenue = fields.Monetary(
        "Revenue in Window",
        compute="_compute_ltv",
        currency_field="ltv_currency_id",
        groups=CUSTOMER_BASE_USER,
        help="Net revenue over the analysis window of the last segmentation.",
    )
    ltv_monthly = fields.Monetary(
        "Revenue per Month", compute="_compute_ltv", currency_field="ltv_currency_id", groups=CUSTOMER_BASE_USER
    )
    ltv_trend = fields.Float("Revenue Trend (%)", compute="_compute_ltv", digits=(16, 1), groups=CUSTOMER_BASE_USER)

    # The cashier asks for the consent when registering a customer at the till.
    marketing_consent = fields.Boolean(
        "Accepts Offers",
        tracking=True,
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,
        help="The customer agreed to receive offers by SMS and email. Without it, only transactional "
        "messages (receipts, points about to expire) are sent.",
    )
    marketing_consent_date = fields.Datetime(
        "Consent Changed On", readonly=True, copy=False, groups=CUSTOMER_BASE_OR_POS
    )
    pos_lifecycle_stage = fields.Char(
        related="lifecycle_stage_id.name", string="Stage (POS)", groups=CUSTOMER_BASE_OR_POS
    )
    pos_birthday_hint = fields.Char(
        compute="_compute_pos_birthday_hint", string="Birthday Hint", groups=CUSTOMER_BASE_OR_POS
    )

    def _compute_abc_xyz_date(self):
        last_run = self.env["abc.xyz.run"].search([("company_id", "=", self.env.company.id)], limit=1)
        for partner in self:
            partner.abc_xyz_date = last_run.run_date.date() if last_run and partner.abc_class else False

    def _compute_ltv(self):
        """Lifetime-value figures from the last segmentation of the current company."""
        last_run = self.env["abc.xyz.run"].search([("company_id", "=", self.env.company.id)], limit=1)
        snapshots = {}
        if last_run and self.ids:
            snapshots = {
                snap.partner_id.id: snap
                for snap in self.env["abc.xyz.snapshot"].search(
                    [("run_id", "=", last_run.id), ("partner_id", "in", self.ids)]
                )
            }
        for partner in self:
            snap = snapshots.get(partner.id)
            partner.ltv_revenue = snap.revenue if snap else 0.0
            partner.ltv_monthly = snap.monthly_revenue if snap else 0.0
            partner.ltv_trend = snap.revenue_trend if snap else 0.0

    @api.model
    def _read_group_lifecycle_stage_ids(self, stages, domain):
        # Show every active stage as a kanban column, empty ones included.
        return stages.search([], order=stages._order)

    # ------------------------------------------------------------------
    # Who may set what: the fields' groups decide who reads and writes them
    # (Odoo checks them on write, not on create); some are the server's alone.
    # ------------------------------------------------------------------
    @api.model
    def _customer_base_fields(self):
        """Names of the fields the customer base adds to contacts (extended
        by the other Customer Base addons)."""
        return {
            "lifecycle_stage_id",
            "lifecycle_stage_date",
            "birthday",
            "abc_class",
            "xyz_class",
            "abc_xyz_class",
            "abc_xyz_new",
            "lifecycle_history_ids",
            "marketing_consent",
            "marketing_consent_date",
        }

    @api.model
    def _customer_base_server_fields(self):
        """{field name: why no user sets it}: fields only the server writes."""
        segmentation = _("The ABC-XYZ classes are set by the segmentation runs, not by hand.")
        return {
            "lifecycle_stage_date": _("The date a customer entered a stage is set when the stage changes."),
            "lifecycle_history_ids": _("The stage history is written when a customer changes stage."),
            "marketing_consent_date": _("The date of the consent is set when the consent changes."),
            "abc_class": segmentation,
            "xyz_class": segmentation,
            "abc_xyz_class": segmentation,
            "abc_xyz_new": segmentation,
        }

    @api.model
    def _check_customer_base_values(self, vals_list):
        """Refuse the values of ``vals_list`` the current user may not set."""
        if self.env.su:
            return
        names = {name for vals in vals_list for name in vals} & self._customer_base_fields()
        if not names:
            return
        self.check_field_access_rights("write", sorted(names))
        server_fields = self._customer_base_server_fields()
        refused = sorted(names & set(server_fields))
        if refused:
            raise AccessError(server_fields[refused[0]])

    @api.model_create_multi
    def create(self, vals_list):
        self._check_customer_base_values(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("lifecycle_stage_id") and not vals.get("lifecycle_stage_date"):
                vals["lifecycle_stage_date"] = now
            if vals.get("marketing_consent") and not vals.get("marketing_consent_date"):
                vals["marketing_consent_date"] = now
            # Whoever creates a customer in a stage chose it by hand; the hold
            # is the server's to set, never the client's.
            for key in HOLD_FIELDS:
                vals.pop(key, None)
        partners = super().create(vals_list)
        staged = partners.filtered("lifecycle_stage_id")
        if staged:
            staged._lifecycle_hold()
            staged._log_stage_changes(dict.fromkeys(staged, (False, False)))
        return partners

    def write(self, vals):
        self._check_customer_base_values([vals])
        if "marketing_consent" in vals:
            # The date the consent was given or withdrawn, set by the server.
            changed = self.filtered(lambda p: p.marketing_consent != bool(vals["marketing_consent"]))
            if changed:
                super(ResPartner, changed).write({"marketing_consent_date": fields.Datetime.now()})
        if "lifecycle_manual_date" in vals or "lifecycle_hold_until" in vals:
            # The hold is the server's (moves by hand set it, the rules lift it).
            vals = {key: value for key, value in vals.items() if key not in HOLD_FIELDS}
        if "lifecycle_stage_id" not in vals:
            return super().write(vals)
        # A stage written through write() is a move by hand (the kanban, the
        # form, an import, any RPC client), whatever the context says.
        return self._write_lifecycle_stage(vals)

    def _lifecycle_move(self, stage, reason=None, rule=None, company=None):
        """Move these customers to ``stage`` from server code: the stage rules,
        or another addon's server code. The reason and the rule are logged in
        the stage history; the move does not hold the stage the way a move by
        hand does.

        Private on purpose: RPC clients cannot call it, and a context key
        cannot stand in for it, so no client can forge the reason or the rule
        of a move.

        :param stage: a ``lifecycle.stage`` record, or empty to clear the stage
        :param rule: the ``lifecycle.stage.rule`` that moved them, if any
        :param company: the company whose rules moved them (the history's
            company); default: each customer's company, else the current one
        """
        move = _StageMove(reason=reason, rule=rule, company=company)
        return self._write_lifecycle_stage({"lifecycle_stage_id": stage.id if stage else False}, move=move)

    def _write_lifecycle_stage(self, vals, move=None):
        """Write ``vals`` (with a stage); only customers that really change
        stage get a new entry date and a history line. ``move`` is the
        server's description of an automatic move, None for a move by hand."""
        vals = {key: value for key, value in vals.items() if key not in HOLD_FIELDS}
        new_stage_id = vals["lifecycle_stage_id"] or False
        moving = self.filtered(lambda p: p.lifecycle_stage_id.id != new_stage_id)
        staying = self - moving
        before = {partner: (partner.lifecycle_stage_id, partner.lifecycle_stage_date) for partner in moving}
        if staying:
            super(ResPartner, staying).write(vals)
        if moving:
            moving_vals = dict(vals)
            if "lifecycle_stage_date" not in vals:
                moving_vals["lifecycle_stage_date"] = fields.Datetime.now() if new_stage_id else False
            if move:
                # The rules moved them: a hold from an older move by hand is over.
                moving_vals.update(lifecycle_manual_date=False, lifecycle_hold_until=False)
            super(ResPartner, moving).write(moving_vals)
            if not move:
                moving._lifecycle_hold()
            moving._log_stage_changes(before, move)
        return True

    def _lifecycle_home_company(self):
        """The company whose settings apply to a move by hand of this
        customer: the customer's company, else the one the user works in."""
        self.ensure_one()
        return self.company_id or self.env.company

    def _lifecycle_hold(self):
        """A stage set by hand holds: the stage rules skip the customer for
        the days of the company's setting, or until their next purchase."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        by_days = defaultdict(self.browse)
        for partner in self:
            by_days[partner._lifecycle_home_company().lifecycle_manual_hold_days] |= partner
        for days, partners in by_days.items():
            super(ResPartner, partners).write(
                {
                    "lifecycle_manual_date": now,
                    "lifecycle_hold_until": today + timedelta(days=days) if days > 0 else False,
                }
            )

    def _log_stage_changes(self, before, move=None):
        """One history line per partner of ``self``; ``before`` maps each to
        its previous (stage, date entered); ``move`` describes an automatic
        move (reason, rule, company), None for a move by hand."""
        now = fields.Datetime.now()
        vals_list = []
        for partner in self:
            company = (move and move.company) or partner._lifecycle_home_company()
            if move:
                reason = move.reason or False
            elif partner.lifecycle_hold_until:
                reason = _(
                    "Moved by hand: the stage rules leave the customer here until %(date)s or their next purchase.",
                    date=format_date(self.env, partner.lifecycle_hold_until),
                )
            else:
                reason = _("Moved by hand.")
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "from_stage_id": before[partner][0].id if before[partner][0] else False,
                    "to_stage_id": partner.lifecycle_stage_id.id,
                    "date": now,
                    "user_id": self.env.uid,
                    "manual": not move,
                    "reason": reason,
                    "rule_id": move.rule.id if move and move.rule else False,
                    "days_in_previous_stage": (now - before[partner][1]).days if before[partner][1] else 0,
                }
            )
        # Append-only log: users who may move a customer may not forge its history.
        self.env["lifecycle.stage.history"].sudo().create(vals_list)

    # ------------------------------------------------------------------
    # The phone is the card: cashiers find a customer by the number typed in
    # any local format, and see where the customer stands.
    # ------------------------------------------------------------------
    def init(self):
        res = super().init()
        # Prefix search on the normalised number: "+7916555%".
        create_index(
            self.env.cr,
            "res_partner_phone_sanitized_prefix_index",
            self._table,
            ["phone_sanitized text_pattern_ops"],
            where="phone_sanitized IS NOT NULL",
        )
        return res

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
        """E.164 prefixes a typed number may stand for: '8 916 555' in Russia
        is '+7916555', '0044 20' is '+4420'. The local format is read in the
        countries of the user's companies and of the customers, and a whole
        number in every country where it is a valid number (a Russian number
        typed the Russian way finds its customer in a company set in the
        USA). Empty when the value does not look like a phone number."""
        value = (value or "").strip().rstrip("%").strip()
        if not value or not PHONE_QUERY.fullmatch(value):
            return []
        digits = re.sub(r"\D", "", value)
        if len(digits) < 3:
            return []
        if value.startswith("+"):
            return ["+" + digits] if digits[0] != "0" else []
        if digits.startswith("00"):
            # the international prefix: what follows is a country code
            return ["+" + digits[2:]] if len(digits) > 3 and digits[2] != "0" else []
        if not phonenumbers:
            return []
        prefixes = set()
        for region in self._phone_search_regions():
            prefixes.update(self._phone_local_prefixes(value, digits, region))
        for region in phonenumbers.SUPPORTED_REGIONS if len(digits) >= 8 else ():
            try:
                parsed = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number_for_region(parsed, region):
                prefixes.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        return sorted(prefixes)

    @api.model
    def _phone_search_regions(self):
        """Regions whose local format a typed number is read in: the
        countries of the user's companies, then those of the customers with
        a phone (the ten most common)."""
        regions = [country.code for country in self.env.companies.country_id]
        # counts over every contact with a phone, whoever searches (codes only)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT country.code
                  FROM res_partner partner
                  JOIN res_country country ON country.id = partner.country_id
                 WHERE partner.phone_sanitized IS NOT NULL
                 GROUP BY country.code
                 ORDER BY COUNT(*) DESC
                 LIMIT 10
                """
            )
        )
        regions += [code for (code,) in rows if code not in regions]
        return [region.upper() for region in regions if region]

    @api.model
    def _phone_local_prefixes(self, value, digits, region):
        """E.164 prefixes of ``value`` (``digits``) typed in ``region``'s
        local format, whole or the first digits only."""
        prefixes = set()
        try:
            parsed = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            parsed = None  # a partial number: the prefixes below still apply
        if parsed and phonenumbers.is_valid_number(parsed):
            prefixes.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        calling_code = str(phonenumbers.country_code_for_region(region) or "")
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        national_prefix = metadata.national_prefix if metadata else None
        if calling_code:
            if national_prefix and digits.startswith(national_prefix):
                prefixes.add("+" + calling_code + digits[len(national_prefix) :])
            elif digits.startswith(calling_code):
                prefixes.add("+" + digits)  # typed with the country code, without '+'
            else:
                prefixes.add("+" + calling_code + digits)  # typed without the national prefix
        return prefixes

    def _search_phone_mobile_search(self, operator, value):
        if isinstance(value, str) and "\x00" in value:
            # no stored number holds a NUL, and PostgreSQL refuses one in a query
            value = value.replace("\x00", "")
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
            "loyalty_points_expiring",
            "loyalty_points_tier",
        ]
