from collections import defaultdict

from odoo import _, models

from ..tools.ledger_call import with_ledger_call
from ..tools.points_ledger import round_points

PAID_STATES = ("paid", "done", "invoiced")


class PosOrder(models.Model):
    """POS orders and the points ledger.

    The till sends the order (``sync_from_ui``), then pos_loyalty confirms
    the points it computed (``confirm_coupon_programs``) in a second call.
    The ledger consumes the points of the order's rewards when the paid order
    is saved, in the same transaction, with the card locked: a till that
    spends points another till just spent fails there, before the order
    exists. The points the order earned are then posted when pos_loyalty
    confirms them; a refund takes back the points its order earned.
    """

    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        order_id = super()._process_saved_order(draft)
        if not draft and self.state in PAID_STATES:
            self._points_spend_rewards()
            self._points_reverse_refunded()
            self._points_return_refunded_rewards()
        return order_id

    def _points_reward_costs(self):
        """{card: points} the order's reward lines cost, on ledger cards."""
        self.ensure_one()
        costs = defaultdict(float)
        for line in self.lines.filtered(lambda line: line.is_reward_line and line.coupon_id and line.points_cost):
            costs[line.coupon_id] += line.points_cost
        return {card: cost for card, cost in costs.items() if card.program_id.uses_points_ledger}

    def _points_spent_by_card(self):
        """{card id: points this order already spent through the ledger}."""
        self.ensure_one()
        # the ledger is read by the order's own processing
        rows = (
            self.env["loyalty.points.entry"]
            .sudo()
            ._read_group(
                [("order_model", "=", self._name), ("order_id", "=", self.id), ("kind", "=", "spend")],
                ["card_id"],
                ["points:sum"],
            )
        )
        return {card.id: round_points(-points) for card, points in rows}

    def _points_spend_rewards(self):
        """Consume the points of the reward lines (once, even if the order is
        saved again); refuses the order if the card lacks them."""
        for order in self:
            spent = order._points_spent_by_card()
            for card, cost in order._points_reward_costs().items():
                to_spend = round_points(cost - spent.get(card.id, 0.0))
                if to_spend > 0:
                    card._points_consume(to_spend, kind="spend", source=order)

    def _points_refunded_orders(self):
        self.ensure_one()
        return self.lines.refunded_orderline_id.order_id

    def _points_reverse_refunded(self):
        """A refund takes back the share of points its original order earned:
        the refunded amount over the original amount."""
        Card = self.env["loyalty.card"]
        for refund in self:
            for original in refund._points_refunded_orders():
                Card._points_reverse_refund(original, refund, original.amount_total, -refund.amount_total)

    def _points_return_refunded_rewards(self):
        """A refunded reward line gives its points back: the customer pays the
        discount back, so the points it cost return to the card, as a new lot
        (the lots it used may have expired since). The refunded share of the
        line, once per refund order."""
        Entry = self.env["loyalty.points.entry"].sudo()
        for refund in self:
            due = defaultdict(float)
            for line in refund.lines:
                original = line.refunded_orderline_id
                if not (original.is_reward_line and original.coupon_id and original.points_cost and original.qty):
                    continue
                if not original.coupon_id.program_id.uses_points_ledger:
                    continue
                due[original.coupon_id] += original.points_cost * min(1.0, abs(line.qty) / abs(original.qty))
            if not due:
                continue
            returned = dict(
                Entry._read_group(
                    [
                        ("order_model", "=", refund._name),
                        ("order_id", "=", refund.id),
                        ("kind", "=", "earn"),
                        ("origin", "=", "reward_refund"),
                    ],
                    ["card_id"],
                    ["points:sum"],
                )
            )
            for card, points in due.items():
                to_return = round_points(points - returned.get(card, 0.0))
                if to_return > 0:
                    card._points_earn(
                        to_return,
                        origin="reward_refund",
                        source=refund,
                        reason=_("Reward of %(order)s refunded", order=refund._points_rewarded_order_names(card)),
                    )

    def _points_rewarded_order_names(self, card):
        """Names of the orders whose reward lines on ``card`` this refund returns."""
        self.ensure_one()
        originals = self.lines.refunded_orderline_id.filtered(lambda line: line.coupon_id == card).order_id
        return ", ".join(originals.mapped("name"))

    def _points_earn_bound(self, program):
        """The most points this order can earn in ``program``: every active
        rule at its most generous (taxes included, thresholds ignored), on
        the order's sold lines. An upper bound for what the till claims, not
        a second computation of it."""
        self.ensure_one()
        lines = self.lines.filtered(lambda line: not line.is_reward_line and line.qty > 0)
        bound = 0.0
        for rule in program.rule_ids.filtered("active"):
            domain = rule._get_valid_product_domain()
            products = lines.product_id.filtered_domain(domain) if domain else lines.product_id
            valid = lines.filtered(lambda line, products=products: line.product_id in products)
            if not valid:
                continue
            if rule.reward_point_mode == "order":
                bound += rule.reward_point_amount
            elif rule.reward_point_mode == "money":
                bound += rule.reward_point_amount * sum(
                    max(line.price_subtotal_incl, line.price_subtotal) for line in valid
                )
            elif rule.reward_point_mode == "unit":
                bound += rule.reward_point_amount * sum(valid.mapped("qty"))
        return round_points(bound)

    def confirm_coupon_programs(self, coupon_data):
        # pos_loyalty writes each card's points as "points + what the order
        # won - what it spent": tell the ledger which order that is and what
        # it already spent, so that only the earning is posted now.
        self.ensure_one()
        return super(
            PosOrder,
            with_ledger_call(self, source=(self._name, self.id), prespent=tuple(self._points_spent_by_card().items())),
        ).confirm_coupon_programs(coupon_data)
