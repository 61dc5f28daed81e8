from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "loyalty_lifecycle.loyalty_lifecycle_group_manager"


class LoyaltyPointsAdjust(models.TransientModel):
    """Adjust a customer's points by hand (managers only): a positive
    adjustment is a new lot, a negative one consumes the oldest lots; the
    reason and the user are kept in the ledger."""

    _name = "loyalty.points.adjust"
    _description = "Adjust Loyalty Points"

    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    program_id = fields.Many2one(
        "loyalty.program",
        "Programme",
        required=True,
        domain=[("program_type", "=", "loyalty"), ("points_ledger", "=", True)],
    )
    card_id = fields.Many2one("loyalty.card", compute="_compute_card_id")
    current_points = fields.Float("Available Now", compute="_compute_card_id", digits=(16, 2))
    points = fields.Float("Points to Add", digits=(16, 2), help="Negative to remove points.")
    reason = fields.Char(required=True)

    @api.depends("partner_id", "program_id")
    def _compute_card_id(self):
        for wizard in self:
            card = self.env["loyalty.card"]
            if wizard.partner_id and wizard.program_id:
                card = card.sudo().search(
                    [("partner_id", "=", wizard.partner_id.id), ("program_id", "=", wizard.program_id.id)], limit=1
                )
            wizard.card_id = card
            wizard.current_points = card.points

    @api.model
    def action_open(self, partner):
        """The adjustment form for ``partner`` (a customer or its id)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Customer Base managers adjust loyalty points."))
        if isinstance(partner, int) and not isinstance(partner, bool):
            partner = self.env["res.partner"].browse(partner)
        if not isinstance(partner, models.BaseModel) or partner._name != "res.partner" or len(partner) != 1:
            raise UserError(_("Choose the customer whose points to adjust."))
        partner.check_access("read")
        programs = self.env["loyalty.program"].search(
            [("program_type", "=", "loyalty"), ("points_ledger", "=", True)], limit=2
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Adjust Points"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_program_id": programs.id if len(programs) == 1 else False,
            },
        }

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Customer Base managers adjust loyalty points."))
        if not round(self.points, 2):
            raise UserError(_("Enter the number of points to add, or a negative number to remove."))
        if abs(self.points) > self.program_id.points_max_per_entry:
            raise UserError(
                _(
                    "%(points)s points in one entry is more than the programme %(program)s allows (%(limit)s). "
                    "Check the figure; a manager sets the limit on the programme.",
                    points=self.points,
                    program=self.program_id.name,
                    limit=self.program_id.points_max_per_entry,
                )
            )
        card = self.card_id
        if not card:
            if self.points < 0:
                raise UserError(_("%(partner)s has no card to remove points from.", partner=self.partner_id.name))
            # managers adjust points; creating the card is part of it
            card = (
                self.env["loyalty.card"]
                .sudo()
                .with_context(loyalty_no_mail=True)
                .create({"program_id": self.program_id.id, "partner_id": self.partner_id.id, "points": 0})
            )
        card._points_post_difference(self.points, origin="manual", reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
