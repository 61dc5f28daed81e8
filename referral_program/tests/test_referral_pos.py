from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .common_referral import ReferralRewardsMixin


@tagged("post_install", "-at_install")
class TestReferralPos(TestPoSCommon, ReferralRewardsMixin):
    """A paid POS order pays the referrers of its customer, once; its refund
    takes the same share back down the chain. Orders go through sync_from_ui,
    as the till sends them."""


    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.setup_referral_chain(pos_config_ids=[Command.set(cls.config.ids)])
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 100.0)

    def _sync(self, lines, customer, refund_of=None):
        data = self.create_ui_order_data(lines, customer=customer)
        if refund_of:
            for command, line in zip(data["lines"], refund_of.lines, strict=False):
                command[2]["refunded_orderline_id"] = line.id
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def test_paid_order_pays_the_chain_once(self):
        self.open_new_session()
        order = self._sync([(self.visit, 10)], self.dora)  # 1,000 untaxed
        self.assertEqual(order.state, "paid")
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [50, 30, 10])
        entry = self.referral_entries(self.boris)
        self.assertEqual((entry.order_model, entry.order_id, entry.points), ("pos.order", order.id, 30))
        self.assertEqual(entry.history_id.issued, 30, "the referrer's card history shows it")
        # the same order saved again pays nothing more
        order._referral_pay_paid_orders()
        self.assertEqual(len(self.referral_rewards([("source_id", "=", order.id)])), 3)
        self.assertEqual(self.referral_points(self.carl), 50)

    def test_a_cashier_pays_the_chain_and_a_payment_is_paid_once(self):
        cashier = new_test_user(self.env, login="rp_cashier", groups="base.group_user,point_of_sale.group_pos_user")
        self.open_new_session()
        data = self.create_ui_order_data([(self.visit, 2)], customer=self.dora)
        result = self.env["pos.order"].with_user(cashier).sync_from_ui([data])
        order = self.env["pos.order"].browse(result["pos.order"][0]["id"])
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [10, 6, 2])
        with self.assertRaises(AccessError):
            self.env["referral.reward"].with_user(cashier).search([])
        # the database refuses a second reward for the same payment and level
        reward = self.referral_rewards([("source_id", "=", order.id), ("level", "=", 1)])
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            reward.sudo().copy()

    def test_draft_order_pays_nothing(self):
        self.open_new_session()
        data = self.create_ui_order_data([(self.visit, 10)], customer=self.dora)
        data["state"] = "draft"
        data["payment_ids"] = []
        data["amount_paid"] = 0
        self.env["pos.order"].sync_from_ui([data])
        self.assertFalse(self.referral_rewards())

    def test_refund_claws_back_down_the_chain(self):
        self.open_new_session()
        order = self._sync([(self.visit, 10)], self.dora)
        self.referral_card(self.carl)._points_consume(50, kind="spend")  # Carl spent everything
        refund = self._sync([(self.visit, -4)], self.dora, refund_of=order)  # 40% comes back
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [-20, 18, 6])
        reverse = self.referral_card(self.boris).points_entry_ids.filtered(lambda e: e.kind == "reverse")
        self.assertEqual(
            (reverse.points, reverse.order_id, reverse.refund_of), (-12, refund.id, f"pos.order,{order.id}")
        )
        self.assertFalse(self.referral_rewards([("source_id", "=", refund.id)]), "a refund pays nobody")
        # the rest comes back: everything is taken back, never more
        self._sync([(self.visit, -6)], self.dora, refund_of=order)
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [-50, 0, 0])
        self.assertLedgerMatches(self.referral_card(self.carl))

    def test_refund_under_the_blocking_policy_keeps_spent_points(self):
        self.program.sudo().points_refund_policy = "block"
        self.open_new_session()
        order = self._sync([(self.visit, 10)], self.dora)
        self.referral_card(self.carl)._points_consume(50, kind="spend")
        self._sync([(self.visit, -10)], self.dora, refund_of=order)
        reverse = self.referral_card(self.carl).points_entry_ids.filtered(lambda e: e.kind == "reverse")
        self.assertEqual((reverse.points, reverse.shortfall, reverse.needs_review), (0, 50, True))
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [0, 0, 0])
