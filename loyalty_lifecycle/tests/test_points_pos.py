from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .common import CustomerBaseGroupsMixin
from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPointsPos(CustomerBaseGroupsMixin, TestPoSCommon, PointsLedgerMixin):
    """POS orders through sync_from_ui and pos_loyalty's confirmation calls,
    as the till makes them: the ledger earns, spends and reverses points."""

    customer_base_group = "loyalty_lifecycle.loyalty_lifecycle_group_user"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 10.0)
        cls.program = cls.create_points_program(pos_config_ids=[Command.set(cls.config.ids)])
        cls.reward = cls.program.reward_ids
        cls.anna = cls.env["res.partner"].create({"name": "Anna"})
        cls.card = cls.create_card(cls.program, cls.anna, points=100)
        cls.cashier = new_test_user(cls.env, login="lc_cashier", groups="base.group_user,point_of_sale.group_pos_user")

    def _order_data(self, lines, customer, reward_points=0, card=None, refund_of=None):
        """The till's order: product lines, and a reward line paying
        ``reward_points`` points of ``card`` as a discount."""
        data = self.create_ui_order_data(lines, customer=customer)
        if reward_points:
            data["lines"].append(
                Command.create(
                    {
                        "product_id": self.reward.discount_line_product_id.id,
                        "qty": 1,
                        "price_unit": -reward_points,
                        "price_subtotal": -reward_points,
                        "price_subtotal_incl": -reward_points,
                        "tax_ids": [],
                        "is_reward_line": True,
                        "reward_id": self.reward.id,
                        "coupon_id": (card or self.card).id,
                        "points_cost": reward_points,
                        "reward_identifier_code": "reward-1",
                    }
                )
            )
            data["amount_total"] -= reward_points
            data["amount_paid"] -= reward_points
            data["payment_ids"][0][2]["amount"] -= reward_points
        if refund_of:
            for command, line in zip(data["lines"], refund_of.lines, strict=False):
                command[2]["refunded_orderline_id"] = line.id
        return data

    def _sync(self, data):
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def _confirm(self, order, card_key, won, spent, program=None, partner=None):
        """What pos_loyalty's payment screen sends after the order is saved."""
        program = program or self.program
        payload = order.confirm_coupon_programs(
            {
                card_key: {
                    "points": won - spent,
                    "program_id": program.id,
                    "coupon_id": card_key,
                    "barcode": False,
                    "partner_id": (partner or order.partner_id).id,
                    "line_codes": ["reward-1"] if spent else [],
                }
            }
        )
        updates = payload["coupon_updates"]
        order.add_loyalty_history_lines(
            [{"order_id": order.id, "card_id": card_key, "spent": spent, "won": won, "total": 0}],
            [{"id": u["id"], "old_id": u["old_id"]} for u in updates],
        )
        return payload

    def test_paid_order_earns_and_spends_points(self):
        self.open_new_session()
        # 3 visits, 20 points as a discount: 10 paid by cash, 10 points won
        order = self._sync(self._order_data([(self.visit, 3)], self.anna, reward_points=20))
        self.assertEqual(order.state, "paid")
        spend = self.card.points_entry_ids.filtered(lambda e: e.kind == "spend")
        self.assertEqual((spend.points, spend.order_id, self.card.points), (-20, order.id, 80), "spent when paid")
        payload = self._confirm(order, self.card.id, won=10, spent=20)
        earn = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn")
        self.assertEqual((earn.points, earn.origin, earn.order_id), (10, "purchase", order.id))
        self.assertEqual(self.card.points, 90)
        self.assertEqual(payload["coupon_updates"][0]["points"], 90, "the till is told the server's balance")
        # pos_loyalty's history line is linked to the order's entries
        history = self.card.history_ids.filtered(lambda h: h.order_id == order.id)
        self.assertEqual((history.issued, history.used), (10, 20))
        self.assertEqual(history.points_entry_ids, spend | earn)
        self.assertLedgerMatches(self.card)

    def test_the_till_cannot_claim_more_points_than_the_rules_give(self):
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 3)], self.anna))
        with self.assertRaisesRegex(UserError, "claimed 1000.0 points .* allow at most 30.0"):
            self._confirm(order, self.card.id, won=1000, spent=0)
        self.assertFalse(self.card.points_entry_ids.filtered(lambda e: e.kind == "earn"), "nothing credited")
        self._confirm(order, self.card.id, won=30, spent=0)
        earn = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn")
        self.assertEqual((earn.points, self.card.points), (30, 130), "3 visits of 10 at one point per unit of money")
        # a second confirmation of the same order earns nothing more
        self._confirm(order, self.card.id, won=30, spent=0)
        self.assertEqual(self.card.points, 130)

    def test_new_customer_gets_a_card_with_pending_points(self):
        self.program.points_pending_days = 14
        boris = self.env["res.partner"].create({"name": "Boris"})
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 5)], boris))
        self._confirm(order, -1, won=50, spent=0, partner=boris)
        card = self.env["loyalty.card"].search([("partner_id", "=", boris.id), ("program_id", "=", self.program.id)])
        self.assertEqual((card.points, card.points_pending), (0, 50), "pending points are not spendable")
        self.assertEqual((boris.loyalty_points_available, boris.loyalty_points_pending), (0, 50))
        self.assertLedgerMatches(self.card)

    def test_points_cannot_be_spent_twice(self):
        self.open_new_session()
        self._sync(self._order_data([(self.visit, 10)], self.anna, reward_points=70))
        self.assertEqual(self.card.points, 30)
        # 30 points left, 30 more earned by this order: not the 70 the till offered
        data = self._order_data([(self.visit, 3)], self.anna, reward_points=70)
        message = (
            "Anna does not have enough points in Club Points for the rewards of this order: 60.0 available, "
            "70.0 needed. The points may just have been spent at another till: remove the reward and validate again."
        )
        with self.assertRaises(UserError) as refused, self.cr.savepoint():
            self._sync(data)
        self.assertEqual(str(refused.exception), message, "names the customer and the programme, not a card code")
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", data["uuid"])]), "the order was refused")
        self.assertEqual(self.card.points, 30)

    def test_refund_reverses_points_and_policy_decides_when_spent(self):
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 4)], self.anna))
        self._confirm(order, self.card.id, won=40, spent=0)
        self.assertEqual(self.card.points, 140)
        # half the order comes back: half its points go
        refund = self._sync(self._order_data([(self.visit, -2)], self.anna, refund_of=order))
        reverse = self.card.points_entry_ids.filtered(lambda e: e.kind == "reverse")
        self.assertEqual(
            (reverse.points, reverse.order_id, reverse.refund_of), (-20, refund.id, f"pos.order,{order.id}")
        )
        self.assertEqual(self.card.points, 120)
        # the customer spends everything, then returns the rest: blocked and flagged
        self._sync(self._order_data([(self.visit, 12)], self.anna, reward_points=120))
        self.assertEqual(self.card.points, 0)
        self._sync(self._order_data([(self.visit, -2)], self.anna, refund_of=order))
        blocked = self.card.points_entry_ids.filtered(lambda e: e.kind == "reverse") - reverse
        self.assertEqual((blocked.points, blocked.shortfall, blocked.needs_review), (0, 20, True))
        self.assertEqual(self.card.points, 0, "never below zero under the blocking policy")
        self.assertIn("already spent", self.card.message_ids[0].body)
        self.assertLedgerMatches(self.card)

    def test_refunded_reward_gives_its_points_back(self):
        self.open_new_session()
        # 3 visits, 20 points as a discount
        order = self._sync(self._order_data([(self.visit, 3)], self.anna, reward_points=20))
        self.assertEqual(self.card.points, 80)
        # everything comes back, the discount line too: the customer pays the
        # discount back, the 20 points return to the card, once
        data = self._order_data([(self.visit, -3)], self.anna, refund_of=order)
        reward_line = order.lines.filtered("is_reward_line")
        data["lines"].append(
            Command.create(
                {
                    "product_id": reward_line.product_id.id,
                    "qty": -1,
                    "price_unit": -20,
                    "price_subtotal": 20,
                    "price_subtotal_incl": 20,
                    "tax_ids": [],
                    "refunded_orderline_id": reward_line.id,
                }
            )
        )
        data["amount_total"] += 20
        data["amount_paid"] += 20
        data["payment_ids"][0][2]["amount"] += 20
        refund = self._sync(data)
        back = self.card.points_entry_ids.filtered(lambda e: e.origin == "reward_refund")
        self.assertEqual((back.kind, back.points, back.order_id), ("earn", 20, refund.id))
        self.assertIn(order.name, back.reason)
        self.assertEqual(self.card.points, 100)
        refund._points_return_refunded_rewards()  # saved again: nothing more
        self.assertEqual(len(self.card.points_entry_ids.filtered(lambda e: e.origin == "reward_refund")), 1)
        self.assertLedgerMatches(self.card)

    def test_refund_within_the_pending_period(self):
        """Points earned by an order refunded before they became spendable
        are simply taken back from the pending lot."""
        self.program.points_pending_days = 14
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 4)], self.anna))
        self._confirm(order, self.card.id, won=40, spent=0)
        lot = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn")
        self.assertEqual((self.card.points, self.card.points_pending, lot.is_pending), (100, 40, True))
        self._sync(self._order_data([(self.visit, -1)], self.anna, refund_of=order))
        reverse = self.card.points_entry_ids.filtered(lambda e: e.kind == "reverse")
        self.assertEqual((reverse.points, reverse.allocation_ids.lot_id, reverse.needs_review), (-10, lot, False))
        self.assertEqual((self.card.points, self.card.points_pending), (100, 30), "the available points are untouched")
        self.assertEqual(reverse.history_id.used, 10, "mirrored in the card history")
        self.assertLedgerMatches(self.card)

    def test_refund_with_negative_policy(self):
        self.program.points_refund_policy = "negative"
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 4)], self.anna))
        self._confirm(order, self.card.id, won=40, spent=0)
        self._sync(self._order_data([(self.visit, 14)], self.anna, reward_points=140))
        self._sync(self._order_data([(self.visit, -4)], self.anna, refund_of=order))
        self.assertEqual(self.card.points, -40)
        debt = self.card.points_entry_ids.filtered(lambda e: e.kind == "reverse")
        self.assertEqual((debt.points, debt.remaining, debt.needs_review), (-40, -40, False))
        # the next purchase pays the debt back first
        order = self._sync(self._order_data([(self.visit, 5)], self.anna))
        self._confirm(order, self.card.id, won=50, spent=0)
        self.assertEqual((self.card.points, debt.remaining), (10, 0))
        self.assertLedgerMatches(self.card)

    def test_cashier_spends_through_orders_only(self):
        card = self.card.with_user(self.cashier)
        self.assertEqual(card.points, 100, "cashiers see the points")
        with self.assertRaises(AccessError):
            card.points = 1000
        with self.assertRaises(AccessError):
            card.write({"points": 0})
        with self.assertRaises(AccessError):
            self.env["loyalty.points.entry"].with_user(self.cashier).search([])
        summary = self.env["res.partner"].with_user(self.cashier).get_loyalty_points_summary([self.anna.id])
        self.assertEqual(summary[self.anna.id][0]["available"], 100)
        # Odoo's own "update balance" wizard is no way around it
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(self.cashier)
            .create({"card_id": self.card.id, "new_balance": 500, "description": "friend"})
        )
        with self.assertRaises(AccessError):
            wizard.action_update_card_point()
        self.assertEqual(self.card.points, 100)

    # ------------------------------------------------------------------
    # Only the server's facts
    # ------------------------------------------------------------------

    def test_replayed_confirmation_cannot_touch_another_customers_card(self):
        """pos_loyalty's confirmation replayed by a cashier with another
        customer's card: refused, nothing spent nor credited."""
        boris = self.env["res.partner"].create({"name": "Boris"})
        boris_card = self.create_card(self.program, boris, points=500)
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 3)], self.anna))
        cashier_order = order.with_user(self.cashier)
        refused = "cannot use the Club Points card of Boris: only the cards of the order.s customer \\(Anna\\)"
        forged = (
            # Boris's card by its id: spend 400 of his points, or credit him
            {boris_card.id: {"points": -400, "program_id": self.program.id, "coupon_id": boris_card.id}},
            {boris_card.id: {"points": 30, "program_id": self.program.id, "coupon_id": boris_card.id}},
            # a "new" card for Boris, which pos_loyalty maps to his existing one
            {-1: {"points": -400, "program_id": self.program.id, "coupon_id": -1, "partner_id": boris.id}},
        )
        for coupon_data in forged:
            with self.subTest(coupon_data=coupon_data), self.assertRaisesRegex(UserError, refused):
                cashier_order.confirm_coupon_programs(coupon_data)
        with self.assertRaisesRegex(UserError, refused):
            cashier_order.add_loyalty_history_lines(
                [{"order_id": order.id, "card_id": boris_card.id, "spent": 400, "won": 0, "total": 0}],
                [{"id": boris_card.id, "old_id": boris_card.id}],
            )
        self.assertEqual(boris_card.points, 500)
        self.assertEqual(boris_card.points_entry_ids.mapped("origin"), ["opening"])
        self.assertFalse(boris_card.history_ids.filtered(lambda h: h.order_id == order.id))
        # the order's own customer confirms as usual
        self._confirm(cashier_order, self.card.id, won=30, spent=0)
        self.assertEqual(self.card.points, 130)

    def test_reward_paid_with_another_customers_card_is_refused(self):
        boris = self.env["res.partner"].create({"name": "Boris"})
        boris_card = self.create_card(self.program, boris, points=500)
        self.open_new_session()
        data = self._order_data([(self.visit, 3)], self.anna, reward_points=20, card=boris_card)
        with self.assertRaisesRegex(UserError, "cannot use the Club Points card of Boris"), self.cr.savepoint():
            self.env["pos.order"].with_user(self.cashier).sync_from_ui([data])
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", data["uuid"])]))
        self.assertEqual(boris_card.points, 500)

    def test_gift_card_presented_at_the_till_is_spent_by_anyone(self):
        """Gift cards are bearer cards (no ledger): whoever presents the
        code pays with it, through a reward line on that card; a gift card
        no reward line of the order names is refused."""
        gift_program = self.env["loyalty.program"].create(
            {
                "name": "Gift Cards",
                "program_type": "gift_card",
                "applies_on": "future",
                "trigger": "auto",
                "pos_ok": False,  # sold elsewhere: the till's printing set-up is not the point here
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [
                    Command.create(
                        {"reward_type": "discount", "discount_mode": "per_point", "discount": 1, "required_points": 1}
                    )
                ],
            }
        )
        gift_card = self.env["loyalty.card"].create({"program_id": gift_program.id, "points": 50})
        other_gift_card = self.env["loyalty.card"].create({"program_id": gift_program.id, "points": 50})
        gift_reward = gift_program.reward_ids
        self.open_new_session()
        data = self.create_ui_order_data([(self.visit, 3)], customer=self.anna)
        data["lines"].append(
            Command.create(
                {
                    "product_id": gift_reward.discount_line_product_id.id,
                    "qty": 1,
                    "price_unit": -20,
                    "price_subtotal": -20,
                    "price_subtotal_incl": -20,
                    "tax_ids": [],
                    "is_reward_line": True,
                    "reward_id": gift_reward.id,
                    "coupon_id": gift_card.id,
                    "points_cost": 20,
                    "reward_identifier_code": "gift-1",
                }
            )
        )
        data["amount_total"] -= 20
        data["amount_paid"] -= 20
        data["payment_ids"][0][2]["amount"] -= 20
        order = self._sync(data).with_user(self.cashier)
        with self.assertRaisesRegex(UserError, "cannot use the Gift Cards card"):
            order.confirm_coupon_programs(
                {other_gift_card.id: {"points": -50, "program_id": gift_program.id, "coupon_id": other_gift_card.id}}
            )
        order.confirm_coupon_programs(
            {
                gift_card.id: {
                    "points": -20,
                    "program_id": gift_program.id,
                    "coupon_id": gift_card.id,
                    "line_codes": ["gift-1"],
                }
            }
        )
        self.assertEqual((gift_card.points, other_gift_card.points), (30, 50))

    def test_forged_lower_reward_cost_is_charged_in_full(self):
        """The till says a 20-point discount costs 1 point: the server charges
        20, writes it on the line and logs the correction on the order."""
        self.open_new_session()
        data = self._order_data([(self.visit, 3)], self.anna, reward_points=20)
        data["lines"][-1][2]["points_cost"] = 1
        order = self._sync(data)
        spend = self.card.points_entry_ids.filtered(lambda e: e.kind == "spend")
        self.assertEqual((spend.points, self.card.points), (-20, 80))
        self.assertEqual(order.lines.filtered("is_reward_line").points_cost, 20)
        self.assertIn("The till counted 1.0 points", order.message_ids[0].body)
        # the till's net figure (won 30 - 1 "spent") does not turn the
        # difference into earned points: 30 won, at most
        self._confirm(order, self.card.id, won=30, spent=1)
        self.assertEqual(self.card.points, 110)
        self.assertLedgerMatches(self.card)

    def test_forged_product_reward_cost(self):
        """A free product costs its points per unit given: two free visits
        at 4 points each cost 8 points, whatever the till says."""
        reward = self.env["loyalty.reward"].create(
            {
                "program_id": self.program.id,
                "reward_type": "product",
                "reward_product_id": self.visit.id,
                "reward_product_qty": 1,
                "required_points": 4,
            }
        )
        self.open_new_session()
        data = self.create_ui_order_data([(self.visit, 3)], customer=self.anna)
        data["lines"].append(
            Command.create(
                {
                    "product_id": reward.discount_line_product_id.id,
                    "qty": 2,
                    "price_unit": -10,
                    "price_subtotal": -20,
                    "price_subtotal_incl": -20,
                    "tax_ids": [],
                    "is_reward_line": True,
                    "reward_id": reward.id,
                    "coupon_id": self.card.id,
                    "points_cost": 0.5,
                    "reward_identifier_code": "free-1",
                }
            )
        )
        data["amount_total"] -= 20
        data["amount_paid"] -= 20
        data["payment_ids"][0][2]["amount"] -= 20
        self._sync(data)
        self.assertEqual(self.card.points, 92)

    def test_reward_paid_with_the_points_of_the_same_order(self):
        """pos_loyalty offers a reward paid with what the purchase earns (buy
        3 visits: 30 points; 5 on the card; a 20-point discount): the part
        the balance does not cover is a debt the order's earning settles."""
        carl = self.env["res.partner"].create({"name": "Carl"})
        card = self.create_card(self.program, carl, points=5)
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 3)], carl, reward_points=20, card=card))
        spend = card.points_entry_ids.filtered(lambda e: e.kind == "spend")
        self.assertEqual((spend.points, spend.remaining, card.points), (-20, -15, -15), "15 owed until confirmed")
        self._confirm(order.with_user(self.cashier), card.id, won=30, spent=20)
        self.assertEqual((card.points, spend.remaining), (15, 0))
        self.assertLedgerMatches(card)

    def test_new_customer_pays_a_reward_with_the_points_of_the_first_order(self):
        dora = self.env["res.partner"].create({"name": "Dora"})
        self.open_new_session()
        data = self._order_data([(self.visit, 3)], dora, reward_points=20)
        del data["lines"][-1][2]["coupon_id"]  # the till's card does not exist yet
        order = self._sync(data)
        self._confirm(order.with_user(self.cashier), -1, won=30, spent=20, partner=dora)
        card = self.env["loyalty.card"].search([("partner_id", "=", dora.id)])
        self.assertEqual(order.lines.filtered("is_reward_line").coupon_id, card)
        self.assertEqual(sorted(card.points_entry_ids.mapped("points")), [-20, 30])
        self.assertEqual(card.points, 10)
        history = card.history_ids.filtered(lambda h: h.order_id == order.id)
        self.assertEqual((history.issued, history.used), (30, 20))
        self.assertLedgerMatches(card)

    def test_refund_returns_what_the_ledger_spent_not_the_lines_figure(self):
        """A cashier raises the points cost written on an old reward line, then
        refunds it: only the 20 points the order really spent come back."""
        self.open_new_session()
        order = self._sync(self._order_data([(self.visit, 3)], self.anna, reward_points=20))
        reward_line = order.lines.filtered("is_reward_line")
        reward_line.with_user(self.cashier).points_cost = 5000
        for _attempt in range(2):  # two refunds of the same reward: still 20 in all
            data = self._order_data([], self.anna, refund_of=None)
            data["lines"] = [
                Command.create(
                    {
                        "product_id": reward_line.product_id.id,
                        "qty": -1,
                        "price_unit": -20,
                        "price_subtotal": 20,
                        "price_subtotal_incl": 20,
                        "tax_ids": [],
                        "refunded_orderline_id": reward_line.id,
                    }
                )
            ]
            data["amount_total"] = data["amount_paid"] = 20
            data["payment_ids"][0][2]["amount"] = 20
            self._sync(data)
        back = self.card.points_entry_ids.filtered(lambda e: e.origin == "reward_refund")
        self.assertEqual((back.points, back.refund_of), (20, f"pos.order,{order.id}"))
        self.assertEqual(self.card.points, 100)
        self.assertLedgerMatches(self.card)

    def test_check_before_validate_names_customer_and_programme(self):
        result = self.env["pos.order"].with_user(self.cashier).validate_coupon_programs({str(self.card.id): -500}, [])
        self.assertFalse(result["successful"])
        self.assertEqual(
            result["payload"]["message"],
            "Anna does not have enough points in Club Points for the rewards of this order: 100.0 available. "
            "Remove a reward or change it.",
        )
        self.assertEqual(result["payload"]["updated_points"], {self.card.id: 100})
