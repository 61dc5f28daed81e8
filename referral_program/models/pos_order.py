from odoo import models

from odoo.addons.loyalty_lifecycle.models.pos_order import PAID_STATES


class PosOrder(models.Model):
    """A paid POS order pays the referrers of its customer; its refund takes
    their points back with the customer's own (loyalty_lifecycle reverses
    every ledger entry the refunded order earned, on every card)."""

    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        order_id = super()._process_saved_order(draft)
        if not draft and self.state in PAID_STATES:
            self._referral_pay_paid_orders()
        return order_id

    def _referral_pay_paid_orders(self):
        Reward = self.env["referral.reward"]
        for order in self:
            if not order.partner_id or order.lines.refunded_orderline_id or order.amount_total <= 0:
                continue
            untaxed = order.amount_total - order.amount_tax
            Reward._referral_pay(
                order.partner_id,
                order,
                f"{order._name},{order.id}",
                untaxed,
                order.currency_id,
                order.company_id,
                date=order.date_order.date(),
            )
