from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.sale.tests.common import SaleCommon

from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPointsSale(SaleCommon, PointsLedgerMixin):
    """Sale orders earn and spend loyalty points through the ledger, as the
    salesperson who confirms them (no Customer Base right), with what the
    server computes: the earning by the programme's rules, the rewards at
    no less than their definition's cost; an invoice of the order earns
    nothing more; cancelling gives everything back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env, login="points_salesperson", groups="sales_team.group_sale_salesman", name="Sam Seller"
        )
        # Odoo lets only sales managers cancel an order that earned points
        cls.sales_manager = new_test_user(
            cls.env, login="points_sales_manager", groups="sales_team.group_sale_manager", name="Mia Manager"
        )
        cls.program = cls.create_points_program(name="Club Points", points_earn_on_invoice=True)
        cls.customer = cls.env["res.partner"].create({"name": "Olga Petrova"})
        cls.product = cls.env["product.product"].create(
            {"name": "Membership", "list_price": 100.0, "taxes_id": [Command.clear()], "invoice_policy": "order"}
        )

    def _order(self, price=100.0):
        return (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": price, "tax_id": False})
                    ],
                }
            )
        )

    def _card(self):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", self.customer.id), ("program_id", "=", self.program.id)]
        )

    def _claim(self, order):
        order._update_programs_and_rewards()
        card = order.coupon_point_ids.coupon_id.filtered(lambda c: c.program_id == self.program)
        status = order._apply_program_reward(self.program.reward_ids, card)
        self.assertNotIn("error", status)
        return order.order_line.filtered("is_reward_line")

    def _entries(self, card, order):
        return card.points_entry_ids.filtered(lambda e: e.order_model == "sale.order" and e.order_id == order.id)

    def test_confirmed_order_earns_through_the_ledger(self):
        order = self._order(100.0)
        order._update_programs_and_rewards()
        order.action_confirm()
        card = self._card()
        entries = self._entries(card, order)
        self.assertEqual([(e.kind, e.origin, e.points) for e in entries], [("earn", "purchase", 100.0)])
        self.assertEqual(card.points, 100.0)
        self.assertLedgerMatches(card)
        # confirming is idempotent for the ledger: a second posting adds nothing
        order._points_post_order()
        self.assertEqual(len(self._entries(card, order)), 1)

    def test_order_spends_what_it_earns_and_a_forged_cost_is_not_trusted(self):
        card = self.create_card(self.program, self.customer, points=50)
        order = self._order(100.0)
        reward_lines = self._claim(order)
        self.assertEqual(sum(reward_lines.mapped("points_cost")), 100.0, "50 on the card + 100 this order earns")
        # the salesperson (over RPC) lowers the cost of the reward
        reward_lines.with_user(self.salesperson).write({"points_cost": 1.0})
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        entries = self._entries(card, order)
        self.assertEqual(
            sorted((e.kind, e.points) for e in entries),
            [("earn", 100.0), ("spend", -100.0)],
            "the earning first, then the reward at its full cost",
        )
        self.assertEqual(card.points, 50.0)
        self.assertLedgerMatches(card)

    def test_invoice_of_a_confirmed_order_earns_once(self):
        order = self._order(100.0)
        order._update_programs_and_rewards()
        order.with_user(self.salesperson).action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {}
        )._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        card = self._card()
        self.assertEqual(card.points, 100.0, "earned at confirmation, not again when the invoice is paid")
        self.assertFalse(card.points_entry_ids.filtered(lambda e: e.order_model == "account.move"))
        self.assertLedgerMatches(card)

    def test_cancelled_order_gives_back_what_it_spent_and_earned(self):
        card = self.create_card(self.program, self.customer, points=50)
        order = self._order(30.0)
        self._claim(order)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(card.points, 50.0 + 30.0 - 30.0)
        order.with_user(self.sales_manager)._action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(card.points, 50.0)
        self.assertLedgerMatches(card)
        # confirmed again (Odoo dropped its reward when cancelling): earns again, once
        order.action_draft()
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(card.points, 80.0)
        self.assertEqual(
            sorted((e.kind, e.origin, e.points) for e in self._entries(card, order)),
            [
                ("earn", "purchase", 30.0),
                ("earn", "purchase", 30.0),
                ("earn", "reward_refund", 30.0),
                ("reverse", False, -30.0),
                ("spend", False, -30.0),
            ],
        )
        self.assertLedgerMatches(card)

    def test_points_gone_meanwhile_refuse_the_order_with_a_clear_message(self):
        self.program.rule_ids.reward_point_amount = 0.1
        self.program.points_validity_months = 1
        with freeze_time("2026-01-10"):
            card = self.create_card(self.program, self.customer, points=50)
        with freeze_time("2026-03-01"):
            # the nightly run has not expired the lot yet: the card still shows 50
            self.assertEqual(card.points, 50.0)
            order = self._order(100.0)
            self._claim(order)
            with self.assertRaisesRegex(UserError, "Olga Petrova does not have enough Club Points points"):
                order.with_user(self.salesperson).action_confirm()

    def test_tier_before_the_order_multiplies_the_order_points_and_the_ledger(self):
        self.program.points_tier_ids = [Command.create({"name": "Silver", "min_spend": 500, "multiplier": 1.5})]
        first = self._order(600.0)
        first._update_programs_and_rewards()
        first.action_confirm()
        card = self._card()
        self.assertEqual(self._entries(card, first).points, 600, "no tier before the first order")
        first._create_invoices().action_post()  # 600 spent: Silver
        order = self._order(100.0)
        order._update_programs_and_rewards()
        shown = order.coupon_point_ids.filtered(lambda p: p.coupon_id == card).points
        self.assertEqual(shown, 150, "the order shows the points at the customer's tier")
        order.action_confirm()
        self.assertEqual(self._entries(card, order).points, 150, "the ledger credits what the order showed")
        self.assertLedgerMatches(card)
