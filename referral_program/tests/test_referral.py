from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon


@tagged("post_install", "-at_install")
class TestReferral(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create({"name": "Anna", "referral_code": "ANNA2345"})
        cls.boris = Partner.create({"name": "Boris"})
        cls.carl = Partner.create({"name": "Carl"})

    def test_newcomer_gives_the_code_of_a_customer(self):
        referrer = self.boris.action_apply_referral_code(" anna-2345 ")
        self.assertEqual(referrer, self.anna)
        self.assertEqual(self.boris.referred_by_id, self.anna)
        self.assertEqual(self.anna.referral_count, 1)
        # the same code twice is a safe no-op
        self.boris.action_apply_referral_code("ANNA2345")
        self.assertEqual(self.anna.referral_count, 1)

    def test_unknown_empty_and_own_codes_are_refused(self):
        with self.assertRaisesRegex(UserError, "No customer has the referral code ZZZZ9999"):
            self.boris.action_apply_referral_code("zzzz-9999")
        with self.assertRaises(UserError):
            self.boris.action_apply_referral_code("  ")
        with self.assertRaisesRegex(UserError, "own referral code"):
            self.anna.action_apply_referral_code("ANNA2345")
        self.assertFalse(self.boris.referred_by_id)
        self.assertFalse(self.anna.referred_by_id)

    def test_a_referred_customer_keeps_the_first_referrer(self):
        self.carl.action_generate_referral_code()
        self.boris.action_apply_referral_code("ANNA2345")
        with self.assertRaisesRegex(UserError, "already referred by Anna"), self.cr.savepoint():
            self.boris.action_apply_referral_code(self.carl.referral_code)
        self.assertEqual(self.boris.referred_by_id, self.anna)

    def test_self_referral_and_circles_are_refused(self):
        with self.assertRaises(ValidationError):
            self.anna.referred_by_id = self.anna
        self.boris.referred_by_id = self.anna
        self.carl.referred_by_id = self.boris
        with self.assertRaises(ValidationError):
            self.anna.referred_by_id = self.carl

    def test_generate_codes_for_many_customers_at_once(self):
        partners = self.env["res.partner"].create([{"name": f"Member {i}"} for i in range(30)])
        partners.action_generate_referral_code()
        codes = partners.mapped("referral_code")
        self.assertEqual(len(set(codes)), 30)
        before = partners[0].referral_code
        partners.action_generate_referral_code()  # second run keeps existing codes
        self.assertEqual(partners[0].referral_code, before)

    def test_referral_menu_for_loyalty_users_only(self):
        self.assertMenuVisible(self.user_loyalty, "referral_program.res_partner_menu_referred")
        self.assertMenuVisible(self.user_employee, "referral_program.res_partner_menu_referred", visible=False)
        self.assertIn('name="referral_code"', self.form_arch(self.user_loyalty))
