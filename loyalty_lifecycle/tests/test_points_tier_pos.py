from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .common import CustomerBaseGroupsMixin
from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPointsTierPos(CustomerBaseGroupsMixin, TestPoSCommon, PointsLedgerMixin):
    """One rule for tiers: the tier the customer holds before the order
    multiplies what the order earns, on the till (which counts it), in the
    ledger (which checks it) and on sales orders and invoices."""

    customer_base_group = "loyalty_lifecycle.loyalty_lifecycle_group_user"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 10.0)
        cls.program = cls.create_points_program(
            pos_config_ids=[Command.set(cls.config.ids)],
            points_tier_ids=[
                Command.create({"name": "Silver", "min_spend": 500, "multiplier": 1.5}),
                Command.create({"name": "Gold", "min_spend": 1000, "multiplier": 2}),
            ],
        )
        cls.anna = cls.env["res.partner"].create({"name": "Anna"})
        cls.card = cls.create_card(cls.program, cls.anna, points=100)
        cls.cashier = new_test_user(
            cls.env, login="lc_tier_cashier", groups="base.group_user,point_of_sale.group_pos_user"
        )

    def _sync(self, lines, customer):
        data = self.create_ui_order_data(lines, customer=customer)
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def _confirm(self, order, won, user=None):
        """pos_loyalty's confirmation after the order is saved, as the till sends it."""
        return (
            order.with_user(user or self.cashier)
            .confirm_coupon_programs(
                {
                    self.card.id: {
                        "points": won,
                        "program_id": self.program.id,
                        "coupon_id": self.card.id,
                        "barcode": False,
                        "partner_id": self.anna.id,
                        "line_codes": [],
                    }
                }
            )
        )

    def test_till_and_ledger_count_the_tier_held_before_the_order(self):
        self.open_new_session()
        self._sync([(self.visit, 55)], self.anna)  # 550 spent: Silver from now on
        self.env.invalidate_all()
        self.assertEqual(self.card.points_tier_multiplier, 1.5, "what the till loads with the card")
        self.assertIn("points_tier_multiplier", self.env["loyalty.card"]._load_pos_data_fields(self.config.id))
        self.assertIn("points_has_tiers", self.env["loyalty.program"]._load_pos_data_fields(self.config.id))
        self.assertTrue(self.program.points_has_tiers)
        # the till: 3 visits of 10, one point per unit of money, times 1.5
        order = self._sync([(self.visit, 3)], self.anna)
        payload = self._confirm(order, won=45)
        earn = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn" and e.order_id == order.id)
        self.assertEqual(earn.points, 45, "the ledger credits what the till showed and printed")
        self.assertEqual(self.card.points, 145)
        self.assertEqual(payload["coupon_updates"][0]["points"], 145)
        order.add_loyalty_history_lines(
            [{"order_id": order.id, "card_id": self.card.id, "spent": 0, "won": 45, "total": 145}],
            [{"id": u["id"], "old_id": u["old_id"]} for u in payload["coupon_updates"]],
        )
        history = self.card.history_ids.filtered(lambda h: h.order_id == order.id)
        self.assertEqual(history.issued, 45, "the card's history says the same")
        self.assertLedgerMatches(self.card)

    def test_the_order_that_reaches_a_tier_earns_at_the_tier_before_it(self):
        self.open_new_session()
        self._sync([(self.visit, 45)], self.anna)  # 450: no tier yet
        order = self._sync([(self.visit, 10)], self.anna)  # 550 with this order
        with self.assertRaises(UserError):
            self._confirm(order, won=150)
        self._confirm(order, won=100)
        earn = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn" and e.order_id == order.id)
        self.assertEqual(earn.points, 100, "no multiplier: the tier came with this order")
        self.assertEqual(self.card.points_tier_id.name, "Silver", "the next order earns at Silver")
        self.env.invalidate_all()
        self.assertEqual(self.card.points_tier_multiplier, 1.5)

    def test_cashier_claiming_more_than_rules_and_tier_allow_is_refused(self):
        self.open_new_session()
        self._sync([(self.visit, 55)], self.anna)
        order = self._sync([(self.visit, 3)], self.anna)
        with self.assertRaises(UserError) as caught:
            self._confirm(order, won=46)
        self.assertEqual(
            str(caught.exception),
            f"The till claimed 46.0 points for {self.card.display_name}; the programme's rules and the "
            "customer's tier allow at most 45.0.",
        )
        self.assertFalse(self.card.points_entry_ids.filtered(lambda e: e.kind == "earn" and e.order_id == order.id))
        self.assertEqual(self.card.points, 100, "nothing credited")
        self._confirm(order, won=45)
        self.assertEqual(self.card.points, 145)
        self._confirm(order, won=45)  # a replayed confirmation earns nothing more
        self.assertEqual(self.card.points, 145)
        self.assertLedgerMatches(self.card)
