from odoo import api, models

from ..tools.ledger_call import with_ledger_call


class SaleOrderLine(models.Model):
    """Reward lines of sale orders and the points ledger: a reward added to
    (or changed on) a confirmed order spends through the ledger, like the
    order's confirmation (see ``sale_order.py``)."""

    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        # sale_loyalty spends a reward added to a confirmed order by writing
        # the card; the ledger posts it instead, right after
        lines = super(SaleOrderLine, with_ledger_call(self, sync=True)).create(vals_list)
        lines._points_post_confirmed_orders()
        return lines.with_env(self.env)

    def write(self, vals):
        if "points_cost" not in vals:
            return super().write(vals)
        # as in create: a changed cost on a confirmed order goes through the ledger
        res = super(SaleOrderLine, with_ledger_call(self, sync=True)).write(vals)
        self._points_post_confirmed_orders()
        return res

    def _points_post_confirmed_orders(self):
        orders = self.filtered(lambda line: line.coupon_id and line.state == "sale").order_id
        if orders:
            orders._points_post_order()
