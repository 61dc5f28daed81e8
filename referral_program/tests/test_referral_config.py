from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon
from odoo.addons.loyalty_lifecycle.tests.common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestReferralConfig(LoyaltyLifecycleCommon, PointsLedgerMixin):
    """The loyalty programme that pays referrals: its levels and rates, their
    rules and who may change them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.create_points_program(referral_enabled=True)

    def test_a_programme_paying_referrals_gets_three_default_levels(self):
        self.assertEqual(
            [(rate.level, rate.percent) for rate in self.program.referral_rate_ids], [(1, 5), (2, 3), (3, 1)]
        )
        other = self.create_points_program(name="No referrals")
        self.assertFalse(other.referral_rate_ids)
        other.referral_enabled = True
        self.assertEqual(len(other.referral_rate_ids), 3)

    def test_levels_and_rates_are_checked(self):
        rate = self.program.referral_rate_ids.filtered(lambda r: r.level == 3)
        with self.assertRaisesRegex(ValidationError, "Referral level 4 does not exist"), self.cr.savepoint():
            rate.level = 4
        with self.assertRaisesRegex(ValidationError, "a referral rate is between 0% and 100%"), self.cr.savepoint():
            rate.percent = 150
        with self.assertRaisesRegex(ValidationError, "between 0% and 100%"), self.cr.savepoint():
            rate.percent = -1
        with self.assertRaisesRegex(ValidationError, "already has a rate for referral level 1"), self.cr.savepoint():
            rate.level = 1
        with self.assertRaisesRegex(ValidationError, "already has a rate for referral level 2"), self.cr.savepoint():
            self.env["referral.rate"].create({"program_id": self.program.id, "level": 2, "percent": 2})
        with self.assertRaisesRegex(ValidationError, "Referral level 0 does not exist"), self.cr.savepoint():
            self.env["referral.rate"].create({"program_id": self.program.id, "level": 0, "percent": 2})
        self.assertEqual(sorted(self.program.referral_rate_ids.mapped("percent")), [1, 3, 5])
        self.assertEqual(sorted(self.program.referral_rate_ids.mapped("level")), [1, 2, 3])

    def test_only_loyalty_programmes_with_the_ledger_pay_referrals(self):
        with self.assertRaisesRegex(ValidationError, "cannot pay referrals"), self.cr.savepoint():
            self.env["loyalty.program"].create(
                {"name": "Coupons", "program_type": "coupons", "referral_enabled": True}
            )
        with self.assertRaisesRegex(ValidationError, "cannot pay referrals"), self.cr.savepoint():
            self.program.points_ledger = False

    def test_users_read_the_rates_managers_change_them(self):
        rates = self.program.referral_rate_ids
        self.assertEqual(len(rates.with_user(self.user_loyalty).read(["level", "percent"])), 3)
        with self.assertRaises(AccessError):
            rates[0].with_user(self.user_loyalty).percent = 10
        with self.assertRaises(AccessError):
            rates.with_user(self.user_employee).create({"program_id": self.program.id, "level": 3, "percent": 1})
        rates[0].with_user(self.user_manager).percent = 10
        self.assertEqual(rates[0].percent, 10)
        # rewards are written by the server only
        with self.assertRaises(AccessError):
            self.env["referral.reward"].with_user(self.user_manager).create(
                {
                    "program_id": self.program.id,
                    "friend_id": self.user_manager.partner_id.id,
                    "referrer_id": self.user_loyalty.partner_id.id,
                    "level": 1,
                    "source_model": "res.partner",
                    "source_id": 1,
                    "payment_ref": "forged",
                }
            )
