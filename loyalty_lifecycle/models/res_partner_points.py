# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.points_ledger import round_points
from .res_partner import CUSTOMER_BASE_OR_POS, CUSTOMER_BASE_USER

CUSTOMER_BASE_MANAGER = "loyalty_lifecycle.loyalty_lifecycle_group_manager"


class ResPartner(models.Model):
    """Loyalty points of a customer, from the ledger of their cards."""

    _inherit = "res.partner"

    loyalty_points_available = fields.Float(
        "Available Points",
        compute="_compute_loyalty_points",
        digits=(16, 2),
        groups=CUSTOMER_BASE_USER,
        help="Points the customer can spend.",
    )
    loyalty_points_pending = fields.Float(
        "Pending Points",
        compute="_compute_loyalty_points",
        digits=(16, 2),
        groups=CUSTOMER_BASE_USER,
        help="Earned, spendable once the pending period is over.",
    )
    # the till shows these two as badges
    loyalty_points_expiring = fields.Float(
        "Expiring within 30 Days", compute="_compute_loyalty_points", digits=(16, 2), groups=CUSTOMER_BASE_OR_POS
    )
    loyalty_points_tier = fields.Char("Loyalty Tier", compute="_compute_loyalty_points", groups=CUSTOMER_BASE_OR_POS)
    loyalty_points_entry_ids = fields.One2many(
        "loyalty.points.entry", "partner_id", "Points Ledger", readonly=True, groups=CUSTOMER_BASE_USER
    )

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {"loyalty_points_entry_ids"}

    @api.model
    def _customer_base_server_fields(self):
        return dict(
            super()._customer_base_server_fields(),
            loyalty_points_entry_ids=_("Points are earned, spent and adjusted through the points ledger only."),
        )

    def _loyalty_points_cards(self):
        # points are shown to whoever sees the customer; the cards' own
        # access rules (cashiers, loyalty managers) do not matter here
        return (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    ("program_id.program_type", "=", "loyalty"),
                    ("program_id.points_ledger", "=", True),
                    ("company_id", "in", [False, *self.env.companies.ids]),
                ]
            )
        )

    @api.depends("loyalty_points_entry_ids.remaining", "loyalty_points_entry_ids.is_pending")
    def _compute_loyalty_points(self):
        cards = self._loyalty_points_cards() if self.ids else self.env["loyalty.card"]
        figures = cards._points_figures()
        cards_by_partner = cards.grouped("partner_id")
        for partner in self:
            own = cards_by_partner.get(partner, cards.browse())
            partner.loyalty_points_available = round_points(sum(figures[c.id]["available"] for c in own))
            partner.loyalty_points_pending = round_points(sum(figures[c.id]["pending"] for c in own))
            partner.loyalty_points_expiring = round_points(sum(figures[c.id]["expiring"] for c in own))
            partner.loyalty_points_tier = ", ".join(own.points_tier_id.mapped("name")) or False

    @api.model
    def get_loyalty_points_summary(self, partner_ids):
        """For the till: {partner id: [one dict per loyalty card]} with the
        available, pending and soon-expiring points and the tier."""
        if not self.env.user.has_group(CUSTOMER_BASE_USER) and not self.env.user.has_group(
            "point_of_sale.group_pos_user"
        ):
            raise AccessError(_("Only cashiers and Customer Base users see the points of customers."))
        if not isinstance(partner_ids, (list, tuple)) or not all(
            isinstance(pid, int) and not isinstance(pid, bool) for pid in partner_ids
        ):
            raise UserError(_("Give the customers as a list of their ids."))
        partners = self.browse(partner_ids).exists()
        partners.check_access("read")
        cards = partners._loyalty_points_cards()
        summary = {partner.id: [] for partner in partners}
        for row in cards.points_summary():
            summary[row["partner_id"]].append(row)
        return summary

    def action_loyalty_points_adjust(self):
        if not self.env.user.has_group(CUSTOMER_BASE_MANAGER):
            raise AccessError(_("Only Customer Base managers adjust loyalty points."))
        self.ensure_one()
        return self.env["loyalty.points.adjust"].action_open(partner=self)
