# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, models
from odoo.exceptions import AccessError, UserError

from .res_partner import CUSTOMER_BASE_USER

try:
    import phonenumbers
except ImportError:  # phone_validation declares it
    phonenumbers = None

POS_USER = "point_of_sale.group_pos_user"
NAME_MAX_LENGTH = 128


class ResPartner(models.Model):
    """A customer registered at the till in seconds: name, phone (the
    loyalty card), consent to offers; other addons add to it (the referral
    code) through ``_pos_quick_customer_keys`` / ``_pos_quick_customer_values``
    / ``_pos_quick_customer_created``."""

    _inherit = "res.partner"

    @api.model
    def _pos_quick_customer_keys(self):
        """The values the till may send."""
        return {"name", "phone", "marketing_consent", "config_id"}

    @api.model
    def _pos_quick_customer_invalid(self):
        return UserError(_("The till sent an invalid customer."))

    @api.model
    def _pos_quick_customer_region(self, config_id):
        """The country code a phone is read in: the POS's company's, else the user's company's."""
        config = self.env["pos.config"]
        if config_id is not None:
            if not isinstance(config_id, int) or isinstance(config_id, bool):
                raise self._pos_quick_customer_invalid()
            config = config.browse(config_id).exists()
        country = config.company_id.country_id or self.env.company.country_id
        return (country.code or "").upper() or None

    @api.model
    def _pos_quick_customer_phone(self, phone, region):
        """(E.164, international format) of the phone typed as the customer
        says it, read in ``region``'s local format; a clear error otherwise."""
        if phone is not None and not isinstance(phone, str):
            raise self._pos_quick_customer_invalid()
        phone = (phone or "").strip()
        if not phone:
            raise UserError(_("Type the customer's phone number: it is their loyalty card."))
        parsed = None
        if phonenumbers and len(phone) <= 40:
            try:
                parsed = phonenumbers.parse(phone, region)
            except phonenumbers.NumberParseException:
                parsed = None
        if not parsed or not phonenumbers.is_valid_number(parsed):
            example = "+7 912 345-67-89"
            if phonenumbers and region:
                sample = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
                if sample:
                    example = phonenumbers.format_number(sample, phonenumbers.PhoneNumberFormat.NATIONAL)
            shown = phone if len(phone) <= 40 else phone[:40] + "…"
            raise UserError(
                _(
                    "%(phone)s is not a valid phone number. Type it as the customer says it, like %(example)s, "
                    "or with the country code.",
                    phone=shown,
                    example=example,
                )
            )
        return (
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        )

    @api.model
    def _pos_quick_customer_values(self, vals):
        """The values of the new customer, each checked; extended by other addons."""
        name = vals.get("name")
        if name is not None and not isinstance(name, str):
            raise self._pos_quick_customer_invalid()
        name = " ".join((name or "").split())
        if not name:
            raise UserError(_("Type the customer's name."))
        if len(name) > NAME_MAX_LENGTH:
            raise UserError(_("A name has at most %(length)s characters.", length=NAME_MAX_LENGTH))
        consent = vals.get("marketing_consent", False)
        if not isinstance(consent, bool):
            raise self._pos_quick_customer_invalid()
        e164, phone = self._pos_quick_customer_phone(
            vals.get("phone"), self._pos_quick_customer_region(vals.get("config_id"))
        )
        # every customer, whoever registers (a name and a phone already given by the customer)
        existing = self.sudo().with_context(active_test=False).search([("phone_sanitized", "=", e164)], limit=1)
        if existing:
            raise UserError(
                _(
                    "%(name)s already has the phone %(phone)s: find them with the phone search.",
                    name=existing.display_name,
                    phone=phone,
                )
            )
        return {"name": name, "phone": phone, "marketing_consent": consent, "customer_rank": 1}

    def _pos_quick_customer_created(self, vals):
        """After the customer ``self`` is created from the till's ``vals``: a hook."""

    @api.model
    def pos_create_customer(self, vals):
        """Register a customer at the till; returns ``{"id": ...}`` and what
        the till loads of a customer (the fields the caller may read)."""
        user = self.env.user
        if not (user.has_group(POS_USER) or user.has_group(CUSTOMER_BASE_USER)):
            raise AccessError(_("Only cashiers and Customer Base users register customers at the till."))
        if not isinstance(vals, dict) or set(vals) - self._pos_quick_customer_keys():
            raise self._pos_quick_customer_invalid()
        values = self._pos_quick_customer_values(vals)
        # the caller's group was checked above; only the checked values are written
        partner = self.sudo().create(values)
        partner._pos_quick_customer_created(vals)
        partner = partner.sudo(False)
        config_id = vals.get("config_id")
        names = [
            name
            for name in self._load_pos_data_fields(config_id)
            if name in self._fields and self._fields[name].is_accessible(self.env)
        ]
        return partner.read(sorted(set(names) | {"id", "name", "phone"}))[0]
