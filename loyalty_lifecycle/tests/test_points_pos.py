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
        self._confirm(order, self.card.id, won=1000, spent=0)
        earn = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn")
        self.assertEqual((earn.points, self.card.points), (30, 130), "3 visits of 10 at one point per unit of money")
        self.assertIn("claimed 1000", order.message_ids[0].body)
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
        data = self._order_data([(self.visit, 10)], self.anna, reward_points=70)
        with self.assertRaisesRegex(UserError, "Not enough points"), self.cr.savepoint():
            self._sync(data)
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
