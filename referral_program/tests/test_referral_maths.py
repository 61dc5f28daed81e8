"""Three-level referral maths: rates, points per currency unit, the first
purchase bonus and the monthly cap; the formulas alone, then through paid POS
orders."""

import unittest

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from ..tools import referral_rewards as rr
from .common_referral import ReferralRewardsMixin


class TestReferralRewardsTool(unittest.TestCase):
    def test_level_points(self):
        self.assertEqual(rr.level_points(1000, 5), 50)
        self.assertEqual(rr.level_points(333.33, 3, 2), 20)
        self.assertEqual(rr.level_points(1000, 0), 0)
        self.assertEqual(rr.level_points(-100, 5), 0, "a refund pays nothing")

    def test_cap(self):
        self.assertEqual(rr.capped(50, 0, 1000), 50, "no cap")
        self.assertEqual(rr.capped(50, 60, 30), 30)
        self.assertEqual(rr.capped(50, 60, 70), 0, "never negative")

    def test_paid_share(self):
        self.assertEqual(rr.paid_share(300, 1200), 0.25)
        self.assertEqual(rr.paid_share(1200, 1200, already=0.25), 0.75, "never more than what is left")
        self.assertEqual(rr.paid_share(100, 0), 0)


@tagged("post_install", "-at_install")
class TestReferralMaths(TestPoSCommon, ReferralRewardsMixin):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.setup_referral_chain(
            pos_config_ids=[Command.set(cls.config.ids)],
            referral_first_purchase_bonus=20,
            referral_monthly_cap=60,
        )
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 100.0)

    def _pay(self, customer, quantity=10):
        data = self.create_ui_order_data([(self.visit, quantity)], customer=customer)
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def test_default_rates(self):
        self.assertEqual(
            [(rate.level, rate.percent) for rate in self.program.referral_rate_ids], [(1, 5), (2, 3), (3, 1)]
        )
        self.assertEqual(self.program.referral_points_per_currency, 1)

    def test_three_levels_with_bonus_and_monthly_cap(self):
        with freeze_time("2026-03-02 10:00:00"):
            self.open_new_session()
            self._pay(self.dora)  # 1,000 untaxed
            # Carl: 50 (5%) + 20 bonus = 70, capped at 60; Boris 30 (3%); Anna 10 (1%)
            self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [60, 30, 10])
            bonus = self.referral_rewards([("kind", "=", "bonus")])
            self.assertEqual((bonus.referrer_id, bonus.points, bonus.capped_points), (self.carl, 10, 10))
            self._pay(self.dora)  # the same month: no second bonus, Carl is at his cap
            self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [60, 60, 20])
            self._pay(self.dora)
            self.assertEqual(self.referral_points(self.boris), 60, "Boris reached the cap too")
            # Eva's first purchase: Dora brought her (level 1, with the bonus), Carl is level 2 but capped,
            # Boris level 3 capped; Anna is four levels up: nothing
            self._pay(self.eva)
            self.assertEqual(
                [self.referral_points(p) for p in (self.dora, self.carl, self.boris, self.anna)], [60, 60, 60, 30]
            )
        with freeze_time("2026-04-01 10:00:00"):
            self._pay(self.dora)  # a new month: the cap starts again
            self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [110, 90, 40])
        self.assertLedgerMatches(self.referral_card(self.carl))

    @freeze_time("2026-03-02 10:00:00")
    def test_no_bonus_for_a_customer_who_paid_before_being_referred(self):
        self.program.sudo().referral_monthly_cap = 0
        fedor = self.env["res.partner"].sudo().create({"name": "Fedor"})
        self.open_new_session()
        self._pay(fedor)
        fedor.referred_by_id = self.anna  # recorded after his first purchase
        self._pay(fedor, quantity=2)
        self.assertEqual(self.referral_points(self.anna), 10, "5% of 200, no first purchase bonus")
        self.assertFalse(self.referral_rewards([("kind", "=", "bonus")]))
        # a newcomer's first purchase pays it
        self._pay(self.eva, quantity=2)
        self.assertEqual(self.referral_points(self.dora), 30, "5% of 200 and the bonus of 20")

    @freeze_time("2026-03-02 10:00:00")
    def test_points_per_currency_unit(self):
        self.program.sudo().write(
            {"referral_points_per_currency": 0.5, "referral_monthly_cap": 0, "referral_first_purchase_bonus": 0}
        )
        self.open_new_session()
        self._pay(self.dora, quantity=3)  # 300: 15 / 9 / 3 in money, half of it in points
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [7.5, 4.5, 1.5])

    @freeze_time("2026-03-02 10:00:00")
    def test_programme_without_referrals_pays_nothing(self):
        self.program.sudo().referral_enabled = False
        self.open_new_session()
        self._pay(self.dora)
        self.assertFalse(self.referral_rewards())
        self.assertFalse(self.referral_card(self.carl))
