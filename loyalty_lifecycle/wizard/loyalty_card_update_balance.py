from odoo import _, models
from odoo.exceptions import AccessError

from ..tools.ledger_call import with_ledger_call

MANAGER_GROUP = "loyalty_lifecycle.loyalty_lifecycle_group_manager"


class LoyaltyCardUpdateBalance(models.TransientModel):
    """Odoo's "update balance" on a card: on a ledger card the change is an
    adjustment with the wizard's description as reason, and the history row
    the wizard writes is the one linked to it. Only Customer Base managers
    change a ledger card's balance (in stock Odoo, POS users may)."""

    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        card = self.card_id
        if not card.program_id.uses_points_ledger:
            return super().action_update_card_point()
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                _(
                    "Only Customer Base managers change the points of %(customer)s in %(program)s; "
                    "ask a manager to adjust them with a reason.",
                    customer=card._points_holder_name(),
                    program=card.program_id.name,
                )
            )
        history_before = card.history_ids
        res = super(
            LoyaltyCardUpdateBalance,
            with_ledger_call(self, reason=self.description, no_history=True),
        ).action_update_card_point()
        new_history = (card.history_ids - history_before)[:1]
        # the ledger links its own entries
        entry = (
            self.env["loyalty.points.entry"]
            .sudo()
            .search([("card_id", "=", card.id), ("history_id", "=", False)], order="id desc", limit=1)
        )
        if new_history and entry:
            entry.history_id = new_history
        return res
