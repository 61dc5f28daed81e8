import math
from collections import defaultdict

from markupsafe import Markup

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

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

    The server only trusts its own facts: a reward's cost is recomputed from
    the reward and the order's lines, the points the till says the order won
    (the till counts the customer's tier) above what the programme's rules
    and that tier allow are refused, and an order only touches the cards
    of its customer, the cards it creates and the bearer cards (gift cards,
    coupons) presented for its rewards.
    """

    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        order_id = super()._process_saved_order(draft)
        if not draft and self.state in PAID_STATES:
            self._points_check_reward_cards()
            self._points_price_rewards()
            self._points_spend_rewards()
            self._points_reverse_refunded()
            self._points_return_refunded_rewards()
        return order_id

    # ------------------------------------------------------------------
    # Whose cards an order may touch
    # ------------------------------------------------------------------

    def _points_customer_name(self):
        self.ensure_one()
        return self.partner_id.display_name or _("no customer")

    def _points_card_refused(self, card=None, program=None):
        """The error for a card (or a new card of ``program``) this order may
        not use: it names the order's customer and the programme."""
        program = program or card.program_id
        return UserError(
            _(
                "This order cannot use the %(program)s card of %(holder)s: only the cards of the order's "
                "customer (%(customer)s), the cards the order creates and the gift cards or coupons presented "
                "for its rewards are accepted.",
                program=program.name,
                holder=(card and card.partner_id.display_name) or _("another customer"),
                customer=self._points_customer_name(),
            )
        )

    def _points_card_is_customers(self, card):
        """Nominative cards (loyalty, eWallet, every ledger card) belong to
        the order's customer or to a contact of the same company."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        return bool(customer) and card.partner_id.commercial_partner_id == customer

    def _points_check_reward_cards(self):
        """Reward lines are paid with the customer's own nominative card (a
        bearer card, a gift card or a coupon, may be anyone's), in the
        reward's programme."""
        for order in self:
            for line in order.lines.filtered(lambda line: line.is_reward_line and line.coupon_id):
                card = line.coupon_id
                nominative = card.program_id.is_nominative or card.program_id.uses_points_ledger
                if nominative and not order._points_card_is_customers(card):
                    raise order._points_card_refused(card)
                if line.reward_id and line.reward_id.program_id != card.program_id:
                    raise UserError(
                        _(
                            "The reward %(reward)s is not one of %(program)s: it cannot be paid with that card.",
                            reward=line.reward_id.description or line.reward_id.display_name,
                            program=card.program_id.name,
                        )
                    )

    # ------------------------------------------------------------------
    # What the rewards cost
    # ------------------------------------------------------------------

    def _points_ledger_reward_lines(self):
        """Reward lines of ledger programmes that this order sells (not the
        refund of an earlier reward)."""
        self.ensure_one()
        return self.lines.filtered(
            lambda line: (
                line.is_reward_line
                and line.reward_id.program_id.uses_points_ledger
                and not line.refunded_orderline_id
                and line.qty > 0
            )
        )

    def _points_reward_cost(self, lines, claimed):
        """What one application of a reward (its lines share a
        ``reward_identifier_code``) costs by the reward's definition, as
        pos_loyalty computes it (``_getRewardLineValuesDiscount`` /
        ``_getRewardLineValuesProduct``): a product reward costs its points
        per ``reward_product_qty`` given, a per-point discount the discount
        amount over the value of a point, any other discount its points, a
        reward that clears the wallet the card's available points (at
        least)."""
        reward = lines.reward_id[:1]
        if reward.clear_wallet:
            card = lines.coupon_id[:1]
            balance = card._points_balances()[card.id] if card else 0.0
            return round_points(max(claimed, balance))
        if reward.reward_type == "product":
            given = sum(lines.mapped("qty")) / (reward.reward_product_qty or 1)
            # 2.0000001 units are two applications, not three
            return round_points(reward.required_points * math.ceil(round(given, 6)))
        if reward.discount_mode == "per_point" and reward.discount > 0:
            amount = sum(-line.price_unit * line.qty for line in lines)
            return round_points(max(amount, 0.0) / reward.discount)
        return round_points(reward.required_points)

    def _points_price_rewards(self):
        """Write the server's cost on the reward lines of ledger programmes
        (on the first line of each application, as the till does); a till
        that counted another cost is logged on the order."""
        for order in self:
            lines = order._points_ledger_reward_lines()
            if not lines:
                continue
            lines.coupon_id._points_lock()  # a reward clearing the wallet reads the balance
            notes = []
            for application in lines.grouped(lambda line: line.reward_identifier_code or f"line-{line.id}").values():
                group = application.sorted("id")
                claimed = round_points(sum(group.mapped("points_cost")))
                cost = order._points_reward_cost(group, claimed)
                if float_compare(cost, claimed, precision_digits=2) == 0:
                    continue
                group[0].points_cost = cost
                group[1:].points_cost = 0.0
                notes.append(
                    _(
                        "The till counted %(claimed)s points for the reward %(reward)s; by the programme's rules it "
                        "costs %(cost)s points, which the card is charged.",
                        claimed=claimed,
                        reward=group.reward_id[:1].description or group.reward_id[:1].display_name,
                        cost=cost,
                    )
                )
            if notes:
                # the order's own processing logs what it corrected
                order.sudo()._message_log(body=Markup("<br/>").join(Markup("%s") % note for note in notes))

    def _points_reward_costs(self):
        """{card: points} the order's reward lines cost, on ledger cards."""
        self.ensure_one()
        costs = defaultdict(float)
        for line in self._points_ledger_reward_lines().filtered(lambda line: line.coupon_id and line.points_cost):
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
                    order._points_spend_on_card(card, to_spend)

    def _points_earn_credit(self, card):
        """Points this order may still spend on ``card`` beyond its balance:
        what the order can earn in the card's programme (the server's bound),
        less what it already earned or owes there. pos_loyalty offers a
        reward paid with the points of the same purchase ("buy 4, get 1
        free"); purchase points with a pending period are not spendable yet."""
        self.ensure_one()
        program = card.program_id
        if program.points_pending_days:
            return 0.0
        entries = (
            self.env["loyalty.points.entry"]
            .sudo()
            .search([("card_id", "=", card.id), ("order_model", "=", self._name), ("order_id", "=", self.id)])
        )
        earned = sum(entries.filtered(lambda e: e.kind == "earn").mapped("points"))
        owed = -sum(entries.filtered(lambda e: e.kind == "spend").mapped("remaining"))
        bound = self._points_earn_bound(program)
        if program.points_has_tiers:
            bound *= card._points_tier_multipliers(exclude=self)[card.id]
        return round_points(max(bound - earned - owed, 0.0))

    def _points_spend_on_card(self, card, points):
        """Spend ``points`` of ``card`` for this order's rewards: from its
        balance, then from what the order earns (a debt on the spending
        entry, settled by the order's earning when pos_loyalty confirms it).
        Refused with a message the cashier can act on."""
        self.ensure_one()
        card._points_lock()
        card._points_bring_up_to_date()
        balance = card._points_balances()[card.id]
        if float_compare(points, balance, precision_digits=2) <= 0:
            return card._points_consume(points, kind="spend", source=self)
        available = round_points(balance + self._points_earn_credit(card))
        if float_compare(points, available, precision_digits=2) > 0:
            raise UserError(
                _(
                    "%(customer)s does not have enough points in %(program)s for the rewards of this order: "
                    "%(available)s available, %(points)s needed. The points may just have been spent at another "
                    "till: remove the reward and validate again.",
                    customer=card._points_holder_name(),
                    program=card.program_id.name,
                    available=max(available, 0.0),
                    points=points,
                )
            )
        return card._points_consume(points, kind="spend", source=self, allow_negative=True)

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
        line, once per refund order, and never more than the ledger says the
        rewarded order spent on the card (a line's ``points_cost`` is only
        what the order carries)."""
        Entry = self.env["loyalty.points.entry"].sudo()
        for refund in self:
            due = defaultdict(float)
            for line in refund.lines:
                original = line.refunded_orderline_id
                if not (original.is_reward_line and original.coupon_id and original.points_cost and original.qty):
                    continue
                if not original.coupon_id.program_id.uses_points_ledger:
                    continue
                share = min(1.0, abs(line.qty) / abs(original.qty))
                due[original.coupon_id, original.order_id] += original.points_cost * share
            for (card, rewarded), points in due.items():
                entries = Entry.search(
                    [
                        ("card_id", "=", card.id),
                        "|",
                        "&",
                        ("order_model", "=", rewarded._name),
                        ("order_id", "=", rewarded.id),
                        ("refund_of", "=", f"{rewarded._name},{rewarded.id}"),
                    ]
                )
                spent = -sum(
                    entries.filtered(lambda e, r=rewarded: e.kind == "spend" and e.order_id == r.id).mapped("points")
                )
                returns = entries.filtered(lambda e: e.origin == "reward_refund" and e.kind == "earn")
                by_this_refund = sum(returns.filtered(lambda e, r=refund: e.order_id == r.id).mapped("points"))
                to_return = round_points(min(points - by_this_refund, spent - sum(returns.mapped("points"))))
                if to_return > 0:
                    card._points_earn(
                        to_return,
                        origin="reward_refund",
                        source=refund,
                        refund_of=rewarded,
                        reason=_("Reward of %(order)s refunded", order=rewarded.name),
                    )

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

    # ------------------------------------------------------------------
    # pos_loyalty's calls after the order is saved
    # ------------------------------------------------------------------

    def _points_int(self, value):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise UserError(_("The till sent an invalid card or programme: %(value)s.", value=value)) from None

    def _points_check_coupon_data(self, coupon_data):
        """Refuse the cards pos_loyalty's confirmation names that this order
        may not touch: a nominative card (every ledger card) must be the
        customer's, a bearer card must be presented for one of the order's
        rewards or created by the order, a new card goes to the customer,
        and reward lines are only linked to the card that paid them."""
        self.ensure_one()
        cards = {card.id: card for card in self.env["loyalty.card"].browse([k for k in coupon_data if k > 0]).exists()}
        reward_lines = self.lines.filtered("is_reward_line")
        for key, values in coupon_data.items():
            if not isinstance(values, dict):
                raise UserError(_("The till sent invalid loyalty data for this order."))
            codes = values.get("line_codes") or []
            lines = reward_lines.filtered(lambda line, codes=codes: line.reward_identifier_code in codes)
            if key > 0:
                if key in cards:  # pos_loyalty ignores cards that no longer exist
                    self._points_check_existing_card(cards[key], lines, reward_lines)
            else:
                self._points_check_new_card(values, lines)

    def _points_check_existing_card(self, card, lines, reward_lines):
        program = card.program_id
        if program.is_nominative or program.uses_points_ledger:
            if not self._points_card_is_customers(card):
                raise self._points_card_refused(card)
        elif card not in reward_lines.coupon_id and card.source_pos_order_id != self:
            raise self._points_card_refused(card)
        if lines.coupon_id - card or lines.reward_id.program_id - program:
            raise self._points_card_refused(card)

    def _points_check_new_card(self, values, lines):
        program = self.env["loyalty.program"].browse(self._points_int(values.get("program_id"))).exists()
        if not program:
            raise UserError(_("The till sent an invalid card or programme: %(value)s.", value=values.get("program_id")))
        partner = self.env["res.partner"].browse(self._points_int(values.get("partner_id") or 0)).exists()
        if partner and partner.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise self._points_card_refused(program=program)
        if lines.coupon_id or lines.reward_id.program_id - program:
            raise self._points_card_refused(program=program)
        if values.get("giftCardId"):
            # pos_loyalty sets the points of a gift card sold from stock
            gift_card = self.env["loyalty.card"].browse(self._points_int(values["giftCardId"])).exists()
            if (
                not gift_card
                or gift_card.program_id != program
                or program.program_type != "gift_card"
                or gift_card.points
                or (gift_card.partner_id and not self._points_card_is_customers(gift_card))
            ):
                raise self._points_card_refused(gift_card or None, program)

    def _points_ledger_claims(self, coupon_data):
        """{key: points the till says the order won} for the ledger cards of
        ``coupon_data``, whose points the ledger posts itself: pos_loyalty's
        figure is the points won less the rewards' cost, and the server's
        cost counts (the reward lines carry it)."""
        self.ensure_one()
        Card = self.env["loyalty.card"]
        Program = self.env["loyalty.program"]
        reward_lines = self.lines.filtered("is_reward_line")
        claims = {}
        for key, values in coupon_data.items():
            if key > 0:
                program = Card.browse(key).exists().program_id
            else:
                program = Program.browse(self._points_int(values.get("program_id"))).exists()
            if not program.uses_points_ledger:
                continue
            try:
                net = float(values.get("points") or 0.0)
            except (TypeError, ValueError):
                net = math.nan
            if not math.isfinite(net):
                raise UserError(
                    _("The till sent an invalid number of points: %(points)s.", points=values.get("points"))
                )
            codes = values.get("line_codes") or []
            lines = reward_lines.filtered(lambda line, codes=codes: line.reward_identifier_code in codes)
            spent = sum(lines.mapped("points_cost"))
            claims[key] = (round_points(net + spent), round_points(net))
            values["points"] = 0
        return claims

    def confirm_coupon_programs(self, coupon_data):
        # pos_loyalty writes each card's points as "points + what the order
        # won - what it spent" and links the reward lines to the cards. On
        # ledger cards the server posts the points itself: the spending at
        # the server's cost, the earning checked against the rules and the tier.
        self.ensure_one()
        coupon_data = {self._points_int(key): values for key, values in coupon_data.items()}
        self._check_existing_loyalty_cards(coupon_data)
        self._points_check_coupon_data(coupon_data)
        claims = self._points_ledger_claims(coupon_data)
        result = super(PosOrder, with_ledger_call(self, source=(self._name, self.id))).confirm_coupon_programs(
            coupon_data
        )
        if not claims:
            return result
        Card = self.env["loyalty.card"]
        new_ids = {update["old_id"]: update["id"] for update in result.get("coupon_updates", [])}
        cards = {}
        for key in claims:
            card = Card.browse(new_ids.get(key, key)).exists() if key > 0 or key in new_ids else Card
            if not card:
                # a new card of a programme pos_loyalty does not report back
                card = Card.search(
                    [("source_pos_order_id", "=", self.id), ("program_id", "=", coupon_data[key]["program_id"])],
                    order="id desc",
                    limit=1,
                )
            cards[key] = card
        self._points_spend_rewards()  # the reward lines linked to new cards just now
        source = (self._name, self.id)
        for key, (won, net) in claims.items():
            card = cards[key]
            earning = card._points_claim_to_earn(won, source, till_figure=net) if card and won > 0 else 0.0
            if earning > 0:
                # the till multiplied the points by the customer's tier, as the server checked
                card._points_earn(earning, origin="purchase", source=source, apply_tier=False)
        points = {card.id: card.points for card in cards.values() if card}
        for update in result.get("coupon_updates", []):
            if update["id"] in points:
                update["points"] = points[update["id"]]
        return result

    def add_loyalty_history_lines(self, coupon_data, coupon_updates):
        """pos_loyalty's history rows of the order: only on the cards the
        order touched, and on ledger cards with the points the ledger
        posted (not the till's figures), once per card."""
        self.ensure_one()
        Entry = self.env["loyalty.points.entry"].sudo()
        id_mapping = {self._points_int(item["old_id"]): self._points_int(item["id"]) for item in coupon_updates}
        cards = self.env["loyalty.card"].browse(list(set(id_mapping.values()))).exists()
        touched = (
            self.lines.coupon_id
            | Entry.search([("order_model", "=", self._name), ("order_id", "=", self.id)]).card_id
            | self.env["loyalty.card"].search([("source_pos_order_id", "=", self.id)])
        )
        for card in cards - touched:
            if card.program_id.is_nominative or card.program_id.uses_points_ledger:
                if not self._points_card_is_customers(card):
                    raise self._points_card_refused(card)
            else:
                raise self._points_card_refused(card)
        ledger = cards.filtered(lambda card: card.program_id.uses_points_ledger)
        posted = defaultdict(lambda: {"won": 0.0, "spent": 0.0})
        for entry in Entry.search(
            [("card_id", "in", ledger.ids), ("order_model", "=", self._name), ("order_id", "=", self.id)]
        ):
            if entry.kind == "earn":
                posted[entry.card_id.id]["won"] += entry.points
            elif entry.kind == "spend":
                posted[entry.card_id.id]["spent"] -= entry.points
        logged = set(
            self.env["loyalty.history"]
            .sudo()
            .search([("card_id", "in", ledger.ids), ("order_model", "=", self._name), ("order_id", "=", self.id)])
            .card_id.ids
        )
        rows = []
        for row in coupon_data:
            card_id = id_mapping.get(self._points_int(row.get("card_id")))
            if card_id in ledger.ids:
                if card_id in logged:
                    continue
                logged.add(card_id)
                figures = posted[card_id]
                rows.append({**row, "won": round_points(figures["won"]), "spent": round_points(figures["spent"])})
                continue
            rows.append(row)
        return super().add_loyalty_history_lines(rows, coupon_updates)

    def validate_coupon_programs(self, point_changes, new_codes):
        """pos_loyalty's check before Validate: on a ledger card, a refusal
        names the customer and the programme, not the card's code."""
        result = super().validate_coupon_programs(point_changes, new_codes)
        if result.get("successful") or "updated_points" not in result.get("payload", {}):
            return result
        changes = {self._points_int(key): value for key, value in point_changes.items()}
        for card in self.env["loyalty.card"].browse(list(changes)).exists():
            if card.program_id.uses_points_ledger and float_compare(card.points, -changes[card.id], 2) < 0:
                result["payload"]["message"] = _(
                    "%(customer)s does not have enough points in %(program)s for the rewards of this order: "
                    "%(available)s available. Remove a reward or change it.",
                    customer=card._points_holder_name(),
                    program=card.program_id.name,
                    available=card.points,
                )
                break
        return result
