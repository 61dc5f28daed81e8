from odoo import models

from ..tools.ledger_call import with_ledger_call


class LoyaltyCardUpdateBalance(models.TransientModel):
    """Odoo's "update balance" on a card: on a ledger card the change is an
    adjustment with the wizard's description as reason, and the history row
    the wizard writes is the one linked to it."""

    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        card = self.card_id
        if not card.program_id.uses_points_ledger:
            return super().action_update_card_point()
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
