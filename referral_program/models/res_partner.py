from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import referral_code


class ResPartner(models.Model):
    _inherit = "res.partner"

    referral_code = fields.Char(
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The customer's personal code: a newcomer who gives it is recorded as brought by this customer.",
    )
    referred_by_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        copy=False,
        tracking=True,
        ondelete="set null",
        help="The customer who brought this one.",
    )
    referral_ids = fields.One2many("res.partner", "referred_by_id", string="Referred Customers")
    referral_count = fields.Integer(compute="_compute_referral_count", string="Referrals")

    _sql_constraints = [
        ("referral_code_unique", "UNIQUE(referral_code)", "This referral code is already used by another customer."),
    ]

    def _compute_referral_count(self):
        counts = dict(self._read_group([("referred_by_id", "in", self.ids)], ["referred_by_id"], ["__count"]))
        for partner in self:
            partner.referral_count = counts.get(partner, 0)

    @api.constrains("referred_by_id")
    def _check_referred_by(self):
        for partner in self:
            if partner.referred_by_id == partner:
                raise ValidationError(_("%(name)s cannot refer themselves.", name=partner.display_name))
        if self._has_cycle("referred_by_id"):
            raise ValidationError(_("Referrals cannot go round in a circle."))

    def action_generate_referral_code(self):
        """Give a code to every customer of ``self`` that has none yet."""
        missing = self.filtered(lambda p: not p.referral_code)
        if not missing:
            return True
        codes = referral_code.generate_unique_codes(len(missing))
        # Fresh codes collide with existing ones about never; check all at once.
        taken = set(
            self.sudo().with_context(active_test=False).search([("referral_code", "in", codes)]).mapped("referral_code")
        )
        if taken:
            codes = referral_code.generate_unique_codes(len(missing), taken=taken | set(codes))
        for partner, code in zip(missing, codes, strict=True):
            partner.referral_code = code  # flushed as one UPDATE
        return True

    @api.model
    def _find_by_referral_code(self, raw_code):
        """The customer whose code a person typed, or a clear UserError."""
        code = referral_code.normalize_code(raw_code)
        if not code:
            raise UserError(_("Type the referral code of the customer who recommended us."))
        referrer = self.search([("referral_code", "=", code)], limit=1)
        if not referrer:
            raise UserError(_("No customer has the referral code %(code)s.", code=code))
        return referrer

    def action_apply_referral_code(self, raw_code):
        """Record who referred this newcomer, from the code they gave.

        Applying the same referrer again is a no-op; a customer already
        referred by someone else keeps their referrer.
        """
        self.ensure_one()
        referrer = self._find_by_referral_code(raw_code)
        if referrer == self:
            raise UserError(_("%(name)s cannot use their own referral code.", name=self.display_name))
        if self.referred_by_id == referrer:
            return referrer
        if self.referred_by_id:
            raise UserError(
                _(
                    "%(name)s was already referred by %(referrer)s.",
                    name=self.display_name,
                    referrer=self.referred_by_id.display_name,
                )
            )
        self.referred_by_id = referrer
        return referrer

    def action_view_referrals(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Referred by %(name)s", name=self.display_name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("referred_by_id", "=", self.id)],
            "context": {"default_referred_by_id": self.id},
        }
