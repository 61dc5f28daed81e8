from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyLifecycleCommon


@tagged("post_install", "-at_install")
class TestPosQuickCustomer(LoyaltyLifecycleCommon):
    """A cashier registers a customer at the till: name, phone as the
    customer says it, consent; every value checked by the server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.cashier = new_test_user(
            cls.env, login="lc_quick_cashier", groups="base.group_user,point_of_sale.group_pos_user"
        )
        cls.boris = cls.env["res.partner"].create({"name": "Boris Ivanov", "phone": "+7 916 555-12-34"})

    def _create(self, user=None, **vals):
        return self.env["res.partner"].with_user(user or self.cashier).pos_create_customer(vals)

    def test_cashier_registers_a_customer_in_the_local_format(self):
        data = self._create(name="  Nina   Newcomer ", phone="8 (903) 123-45-67", marketing_consent=True)
        nina = self.env["res.partner"].browse(data["id"])
        self.assertEqual(nina.name, "Nina Newcomer")
        self.assertEqual(nina.phone_sanitized, "+79031234567")
        self.assertEqual(nina.phone, "+7 903 123-45-67")
        self.assertTrue(nina.marketing_consent)
        self.assertTrue(nina.marketing_consent_date)
        self.assertEqual(nina.create_uid, self.cashier)
        self.assertEqual((data["name"], data["phone"]), ("Nina Newcomer", "+7 903 123-45-67"))
        self.assertIn("pos_lifecycle_stage", data, "what the till loads of a customer")
        # found by the phone search, as typed
        found = self.env["res.partner"].with_user(self.cashier).search([("phone_mobile_search", "ilike", "8 903 123")])
        self.assertIn(nina, found)

    def test_customer_base_user_registers_without_consent(self):
        data = self._create(user=self.user_loyalty, name="Olga", phone="+380 50 123 4567")
        olga = self.env["res.partner"].browse(data["id"])
        self.assertEqual(olga.phone_sanitized, "+380501234567")
        self.assertFalse(olga.marketing_consent)

    def test_other_employees_cannot(self):
        with self.assertRaisesRegex(AccessError, "Only cashiers and Customer Base users register customers"):
            self._create(user=self.user_employee, name="Eve", phone="8 903 000-00-01")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Eve")]))

    def test_bad_input_is_refused_with_a_clear_message(self):
        cases = [
            ({"name": "", "phone": "8 903 123-45-67"}, "Type the customer's name."),
            ({"name": "   ", "phone": "8 903 123-45-67"}, "Type the customer's name."),
            ({"name": "N" * 300, "phone": "8 903 123-45-67"}, "A name has at most 128 characters."),
            ({"name": "Nina", "phone": ""}, "Type the customer's phone number: it is their loyalty card."),
            (
                {"name": "Nina", "phone": "8 903 12"},
                "8 903 12 is not a valid phone number. Type it as the customer says it, like 8 (912) 345-67-89, "
                "or with the country code.",
            ),
            ({"name": "Nina", "phone": "call me maybe"}, "call me maybe is not a valid phone number"),
            (
                {"name": "Nina", "phone": "8 (916) 555 12 34"},
                "Boris Ivanov already has the phone +7 916 555-12-34: find them with the phone search.",
            ),
            ({"name": ["Nina"], "phone": "8 903 123-45-67"}, "The till sent an invalid customer."),
            ({"name": "Nina", "phone": 89031234567}, "The till sent an invalid customer."),
            ({"name": "Nina", "phone": "8 903 123-45-67", "marketing_consent": "yes"}, "The till sent an invalid"),
            ({"name": "Nina", "phone": "8 903 123-45-67", "config_id": "1"}, "The till sent an invalid customer."),
            ({"name": "Nina", "phone": "8 903 123-45-67", "is_company": True}, "The till sent an invalid customer."),
        ]
        for vals, message in cases:
            with self.subTest(vals=str(vals)[:60]), self.assertRaises(UserError) as caught:
                self._create(**vals)
            self.assertIn(message, str(caught.exception))
        with self.assertRaisesRegex(UserError, "invalid customer"):
            self.env["res.partner"].with_user(self.cashier).pos_create_customer(["Nina"])
        self.assertFalse(self.env["res.partner"].search([("name", "ilike", "Nina")]))
