from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..tools.ledger_call import with_ledger_call
from ..tools.points_ledger import round_points


class SaleOrder(models.Model):
    """Sale orders and the points ledger.

    sale_loyalty writes ``points + earned - cost`` on each card when an order
    is confirmed, and the reverse when it is cancelled, as the salesperson.
    On ledger cards the order posts its points itself, from the server's own
    facts: what the order earns is recomputed by sale_loyalty's rules on the
    order's lines (``_program_check_compute_points``, times the customer's
    tier before the order), what its rewards cost
    is at least what the reward's definition asks (a cost written on a line
    is never trusted below that). The earning is posted first, so that a
    reward may spend what the same order earns, as sale_loyalty allows. A
    cancelled order takes back what it earned (by the programme's refund
    policy) and gives back what it spent. An invoice of such an order earns
    nothing more (``account_move.py``).
    """

    _inherit = "sale.order"

    def action_confirm(self):
        to_post = self.filtered(lambda order: order.state != "sale")
        # sale_loyalty's own write of the card points is replaced by the
        # ledger entries posted right after it, in the same transaction
        res = super(SaleOrder, with_ledger_call(self, sync=True)).action_confirm()
        to_post.filtered(lambda order: order.state == "sale")._points_post_order()
        return res

    def _action_cancel(self):
        # sale_loyalty drops the order's reward lines and points: note the cards first
        cards = {order: order._points_ledger_cards() for order in self.filtered(lambda order: order.state == "sale")}
        # sale_loyalty's write is replaced by the reversal below
        res = super(SaleOrder, with_ledger_call(self, sync=True))._action_cancel()
        for order, order_cards in cards.items():
            if order.state == "cancel":
                order._points_cancel_order(order_cards)
        return res

    # ------------------------------------------------------------------
    # What the order earns and spends, by the server
    # ------------------------------------------------------------------

    def _program_check_compute_points(self, programs):
        """sale_loyalty's points of the order, times the multiplier of the
        tier the customer holds before the order: the order shows the points
        the ledger credits."""
        result = super()._program_check_compute_points(programs)
        for program, status in result.items():
            if not program.points_has_tiers or not status.get("points"):
                continue
            multiplier = self._points_tier_multiplier(program)
            if multiplier != 1.0:
                status["points"] = [round_points(points * multiplier) for points in status["points"]]
        return result

    def _points_tier_multiplier(self, program):
        """The multiplier of the customer's tier in ``program`` (1 without a card or a tier)."""
        self.ensure_one()
        if not self.partner_id:
            return 1.0
        # the tier is the ledger's figure, read for whoever quotes the order
        card = (
            self.env["loyalty.card"]
            .sudo()
            .search([("program_id", "=", program.id), ("partner_id", "=", self.partner_id.id)], limit=1)
        )
        return card._points_tier_multipliers()[card.id] if card else 1.0

    def _points_ledger_cards(self):
        """The ledger cards the order earns on or spends from."""
        self.ensure_one()
        cards = self.coupon_point_ids.coupon_id | self.order_line.coupon_id
        return cards.filtered(lambda card: card.program_id.uses_points_ledger)

    def _points_earned(self, card):
        """Points the order earns on ``card`` by the programme's rules."""
        self.ensure_one()
        if card not in self.coupon_point_ids.coupon_id:
            return 0.0
        status = self._program_check_compute_points(card.program_id).get(card.program_id, {})
        return round_points(max(status.get("points", [0.0])[0], 0.0))

    def _points_reward_cost(self, card):
        """Points the order's rewards on ``card`` cost: per claim (a reward
        code, whose cost sale_loyalty puts on one of its lines), what the
        lines say, but never less than the reward's definition asks."""
        self.ensure_one()
        cost = 0.0
        claims = self.order_line.filtered(lambda line: line.reward_id and line.coupon_id == card).grouped(
            "reward_identifier_code"
        )
        for lines in claims.values():
            cost += max(sum(lines.mapped("points_cost")), self._points_claim_minimum_cost(lines))
        return round_points(cost)

    def _points_claim_minimum_cost(self, lines):
        """The least points a claim of a reward (its reward lines) costs by
        the reward's definition: its points per free product unit, per
        currency unit of a per-point discount, else per claim."""
        reward = lines.reward_id[:1]
        if reward.clear_wallet:
            return 0.0
        if reward.reward_type == "product":
            return sum(lines.mapped("product_uom_qty")) / (reward.reward_product_qty or 1.0) * reward.required_points
        if reward.discount_mode == "per_point" and reward.discount:
            amount = sum(abs(line.price_unit * line.product_uom_qty) for line in lines)
            currency = reward.currency_id
            if currency and currency != self.currency_id:
                amount = self.currency_id._convert(amount, currency, self.company_id, self.date_order)
            return amount / reward.discount
        return reward.required_points

    def _points_posted(self, card):
        """(net points earned, net points spent) by the order on ``card`` so far."""
        self.ensure_one()
        # the ledger is read by the order's own processing
        Entry = self.env["loyalty.points.entry"].sudo()
        earned = spent = 0.0
        for entry in Entry.search(
            [("card_id", "=", card.id), ("order_model", "=", self._name), ("order_id", "=", self.id)]
        ):
            if entry.kind == "earn" and entry.origin == "purchase":
                earned += entry.points
            elif entry.kind == "reverse":
                earned += entry.points - entry.shortfall
            elif entry.kind == "spend":
                spent -= entry.points
            elif entry.kind == "earn" and entry.origin == "reward_refund":
                spent -= entry.points
        return round_points(earned), round_points(spent)

    def _points_post_order(self):
        """Post what each confirmed order earns and spends that is not
        posted yet (confirming again, or a reward added to a confirmed
        order, posts only the difference)."""
        for order in self:
            for card in order._points_ledger_cards():
                card._points_lock()
                earned, spent = order._points_posted(card)
                if float_compare(earned, 0.0, precision_digits=2) <= 0:
                    to_earn = order._points_earned(card)
                    if to_earn > 0:
                        # sale_loyalty's points count the tier already
                        card._points_earn(to_earn, origin="purchase", source=order, apply_tier=False)
                to_spend = round_points(order._points_reward_cost(card) - spent)
                if to_spend > 0:
                    order._points_spend(card, to_spend)
                card._points_sync()
        # sale_loyalty wrote the orders' card history before the ledger posted
        # (the history is read by whoever confirms)
        self.env["loyalty.history"].sudo().search(
            [("order_model", "=", self._name), ("order_id", "in", self.ids)]
        )._points_link_entries()

    def _points_spend(self, card, points):
        """Spend ``points`` on ``card`` for the order: the card's available
        points first; what the order itself earned but is still pending (the
        programme's pending period) may cover the rest, as a debt that the
        lot pays back when it becomes available."""
        self.ensure_one()
        card._points_bring_up_to_date()
        balance = card._points_balances()[card.id]
        pending = sum(
            self.env["loyalty.points.entry"]
            .sudo()
            .search(
                [
                    ("card_id", "=", card.id),
                    ("order_model", "=", self._name),
                    ("order_id", "=", self.id),
                    ("is_pending", "=", True),
                ]
            )
            .mapped("remaining")
        )
        if float_compare(points, balance + pending, precision_digits=2) > 0:
            raise UserError(
                _(
                    "%(customer)s does not have enough %(program)s points for the rewards of %(order)s: "
                    "%(balance)s available, %(points)s needed. Remove a reward or update the order.",
                    customer=card.partner_id.display_name,
                    program=card.program_id.name,
                    order=self.name,
                    balance=balance,
                    points=points,
                )
            )
        card._points_consume(
            points, kind="spend", source=self, allow_negative=float_compare(points, balance, precision_digits=2) > 0
        )

    def _points_cancel_order(self, cards):
        """The cancelled order takes back from ``cards`` what it earned and
        gives back what it spent. Odoo drops the order's lines of the card
        history (the order never happened); the ledger keeps its entries,
        without writing new history lines."""
        self.ensure_one()
        Card = with_ledger_call(self.env["loyalty.card"], no_history=True)
        Card._points_reverse_refund(self, self, 1.0, 1.0)
        for card in cards.with_env(Card.env):
            _earned, spent = self._points_posted(card)
            if spent > 0:
                card._points_earn(
                    spent,
                    origin="reward_refund",
                    source=self,
                    reason=_("Rewards of %(order)s cancelled", order=self.name),
                )
        cards._points_sync()
