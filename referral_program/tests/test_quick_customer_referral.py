from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon, warm_pos_assets
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


@tagged("post_install", "-at_install")
class TestQuickCustomerReferral(LoyaltyLifecycleCommon):
    """The newcomer registered at the till gives the code of who recommended us."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.cashier = new_test_user(
            cls.env, login="rp_quick_cashier", groups="base.group_user,point_of_sale.group_pos_user"
        )
        cls.anna = cls.env["res.partner"].create({"name": "Anna", "referral_code": "ANNA2345"})

    def _create(self, **vals):
        return self.env["res.partner"].with_user(self.cashier).pos_create_customer(vals)

    def test_cashier_records_the_referrer_from_the_code(self):
        data = self._create(name="Boris", phone="8 903 123-45-67", referral_code=" anna-2345 ")
        boris = self.env["res.partner"].browse(data["id"])
        self.assertEqual(boris.referred_by_id, self.anna)
        self.assertEqual(self.anna.referral_count, 1)
        # no code: no referrer
        data = self._create(name="Carl", phone="8 903 123-45-68", referral_code="")
        self.assertFalse(self.env["res.partner"].browse(data["id"]).referred_by_id)

    def test_unknown_or_malformed_code_registers_nobody(self):
        with self.assertRaisesRegex(UserError, "No customer has the referral code ZZZZ9999"):
            self._create(name="Boris", phone="8 903 123-45-67", referral_code="zzzz-9999")
        with self.assertRaisesRegex(UserError, "is not a referral code"):
            self._create(name="Boris", phone="8 903 123-45-67", referral_code="A")
        with self.assertRaisesRegex(UserError, "The till sent an invalid customer."):
            self._create(name="Boris", phone="8 903 123-45-67", referral_code=2345)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Boris")]))


@tagged("post_install", "-at_install")
class TestQuickCustomerTour(TestPointOfSaleHttpCommon):
    """At the till, as a cashier (a POS user only): New customer, name,
    phone, consent, referral code."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.main_pos_config.company_id.country_id = cls.env.ref("base.ru")
        cls.anna = cls.env["res.partner"].sudo().create({"name": "Anna Referrer", "referral_code": "ANNA2345"})
        cls.env["res.partner"].create({"name": "Boris Ivanov", "phone": "+7 916 555-12-34"})

    def test_tour_quick_customer_with_referral_code(self):
        warm_pos_assets(self.env)
        self.start_pos_tour("ReferralQuickCustomer", login="pos_user")
        nina = self.env["res.partner"].sudo().search([("name", "=", "Nina Newcomer")])
        self.assertEqual(len(nina), 1)
        self.assertEqual(nina.phone_sanitized, "+79031234567")
        self.assertTrue(nina.marketing_consent)
        self.assertEqual(nina.referred_by_id, self.anna)
        self.assertEqual(nina.create_uid, self.pos_user)
