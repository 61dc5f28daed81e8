# Kept apart from res_partner.py (referral codes) on purpose:
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    """A customer registered at the till may give the referral code of the
    customer who recommended us: checked before the customer is created,
    recorded as their referrer right after."""

    _inherit = "res.partner"

    @api.model
    def _pos_quick_customer_keys(self):
        return super()._pos_quick_customer_keys() | {"referral_code"}

    @api.model
    def _pos_quick_customer_referrer(self, vals):
        """The customer whose code the till sent, or an empty recordset when none was typed."""
        code = vals.get("referral_code")
        if code is None or code is False or (isinstance(code, str) and not code.strip()):
            return self.browse()
        if not isinstance(code, str):
            raise self._pos_quick_customer_invalid()
        # cashiers do not read referral codes; the code is the customer's to give
        return self.sudo()._find_by_referral_code(code).sudo(False)

    @api.model
    def _pos_quick_customer_values(self, vals):
        values = super()._pos_quick_customer_values(vals)
        self._pos_quick_customer_referrer(vals)  # an unknown code registers nobody
        return values

    def _pos_quick_customer_created(self, vals):
        super()._pos_quick_customer_created(vals)
        referrer = self._pos_quick_customer_referrer(vals)
        if not referrer:
            return
        if referrer == self:
            raise UserError(_("%(name)s cannot use their own referral code.", name=referrer.display_name))
        # only the server writes referrers; the code and the caller were checked
        self.sudo().referred_by_id = referrer
