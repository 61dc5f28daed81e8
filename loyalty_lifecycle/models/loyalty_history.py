from odoo import api, fields, models

from ..tools.ledger_call import ledger_call


class LoyaltyHistory(models.Model):
    """Odoo's card history, tied to the points ledger: each history row that
    pos_loyalty (or another order flow) writes for an order is linked to the
    ledger entries that order posted on the card; the ledger writes its own
    rows for everything else (adjustments, expiry, refunds)."""

    _inherit = "loyalty.history"

    points_entry_ids = fields.One2many("loyalty.points.entry", "history_id", "Ledger Entries", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        rows = super().create(vals_list)
        if not ledger_call(self.env).no_link:
            rows._points_link_entries()
        return rows

    def _points_link_entries(self):
        rows = self.filtered(lambda h: h.order_model and h.order_id and h.card_id.program_id.uses_points_ledger)
        if not rows:
            return
        # ledger entries are written by the ledger only
        entries = (
            self.env["loyalty.points.entry"]
            .sudo()
            .search(
                [
                    ("card_id", "in", rows.card_id.ids),
                    ("order_model", "in", list(set(rows.mapped("order_model")))),
                    ("order_id", "in", rows.mapped("order_id")),
                    ("history_id", "=", False),
                ]
            )
        )
        for row in rows:
            entries.filtered(
                lambda e, r=row: e.card_id == r.card_id and e.order_model == r.order_model and e.order_id == r.order_id
            ).history_id = row
