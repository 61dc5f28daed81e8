from odoo import models

from odoo.addons.loyalty_lifecycle.models.pos_order import PAID_STATES


class PosOrder(models.Model):
    """A paid POS order pays the referrers of its customer; its refund takes
    their points back with the customer's own (loyalty_lifecycle reverses
    every ledger entry the refunded order earned, on every card), or reduces
    the rewards still held for a manager's review."""

    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        order_id = super()._process_saved_order(draft)
        if not draft and self.state in PAID_STATES:
            self._referral_pay_paid_orders()
            self._referral_reduce_held_refunded()
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

    def _referral_reduce_held_refunded(self):
        """A refund reduces the held rewards of the orders it refunds by the
        share of them refunded so far, by all their refunds."""
        Reward = self.env["referral.reward"]
        for original in self.lines.refunded_orderline_id.order_id:
            if original.amount_total <= 0:
                continue
            # the refunds of an order, whoever rang them up
            refunds = (
                self.env["pos.order.line"]
                .sudo()
                .search([("refunded_orderline_id.order_id", "=", original.id)])
                .order_id.filtered(lambda order: order.state in PAID_STATES)
            )
            refunded = -sum(refunds.mapped("amount_total"))
            Reward._referral_reduce_held(original, refunded / original.amount_total)
