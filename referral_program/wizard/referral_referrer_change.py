from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ReferralReferrerChange(models.TransientModel):
    """Change who brought a customer, with a reason logged on the customer.
    Once the customer has paid for a purchase (their referrers may have been
    paid for it), only a Customer Base manager may change it."""

    _name = "referral.referrer.change"
    _description = "Change the Referrer of a Customer"

    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True, ondelete="cascade")
    current_referrer_id = fields.Many2one(
        "res.partner", "Current Referrer", compute="_compute_current_referrer_id", readonly=True
    )
    referrer_id = fields.Many2one("res.partner", "New Referrer", help="Leave empty: the customer has no referrer.")
    reason = fields.Text(required=True, help="Why the referrer changes; logged on the customer.")
    locked = fields.Boolean(
        compute="_compute_current_referrer_id", help="The customer has paid: only a manager changes the referrer."
    )

    @api.depends("partner_id")
    def _compute_current_referrer_id(self):
        for wizard in self:
            # the wizard shows what the customer's form shows
            wizard.current_referrer_id = wizard.partner_id.sudo().referred_by_id
            wizard.locked = wizard.partner_id._referral_has_paid_purchase()

    @api.model
    def action_open(self, partner):
        partner._referral_check_change_rights()
        return {
            "type": "ir.actions.act_window",
            "name": _("Change Referrer"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": partner.id},
        }

    def action_confirm(self):
        self.ensure_one()
        partner = self.partner_id
        partner._referral_check_change_rights()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Give the reason why the referrer of %(name)s changes.", name=partner.display_name))
        old = partner.sudo().referred_by_id
        new = self.referrer_id
        if new == old:
            raise UserError(
                _("%(referrer)s already referred %(name)s.", referrer=new.display_name, name=partner.display_name)
                if new
                else _("%(name)s has no referrer.", name=partner.display_name)
            )
        if new:
            new.check_access("read")
            partner._referral_check_referrer(new)
        # only the server writes referrers; the rights, the lock and the referrer were checked above
        partner.sudo().referred_by_id = new
        body = _(
            "Referrer changed from %(old)s to %(new)s by %(user)s. Reason: %(reason)s",
            old=old.display_name or _("nobody"),
            new=new.display_name or _("nobody"),
            user=self.env.user.name,
            reason=reason,
        )
        partner.sudo()._message_log(body=Markup("<p>%s</p>") % body)
        return {"type": "ir.actions.act_window_close"}
