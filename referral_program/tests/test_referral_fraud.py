from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon


@tagged("post_install", "-at_install")
class TestReferralFraud(LoyaltyLifecycleCommon):
    """Nobody refers themselves, under another contact, phone or email, and
    nobody is moved under someone they brought."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create(
            {"name": "Anna", "phone": "+7 903 123-45-67", "email": "Anna@Example.com", "referral_code": "ANNA2345"}
        )
        cls.boris = Partner.create({"name": "Boris", "phone": "+7 903 765-43-21", "email": "boris@example.com"})
        cls.carl = Partner.create({"name": "Carl"})
        cls.dora = Partner.create({"name": "Dora"})

    def _apply(self, partner, code="ANNA2345"):
        return partner.with_user(self.user_loyalty).action_apply_referral_code(code)

    def test_same_phone_is_the_same_person(self):
        twin = self.env["res.partner"].create({"name": "Anna's other card", "phone": "8 (903) 123 45 67"})
        with (
            self.assertRaisesRegex(ValidationError, "cannot be referred by Anna: they have the same phone number"),
            self.cr.savepoint(),
        ):
            self._apply(twin)
        self.assertFalse(twin.referred_by_id)

    def test_same_email_is_the_same_person(self):
        twin = self.env["res.partner"].create({"name": "A. Petrova", "email": '"Anna P." <anna@example.COM>'})
        with self.assertRaisesRegex(ValidationError, "they have the same email address"), self.cr.savepoint():
            self._apply(twin)

    def test_contact_of_the_same_company(self):
        company = self.env["res.partner"].create({"name": "Fitness Ltd", "is_company": True})
        self.anna.parent_id = company
        colleague = self.env["res.partner"].create({"name": "Colleague", "parent_id": company.id})
        with self.assertRaisesRegex(ValidationError, "contacts of the same company"), self.cr.savepoint():
            self._apply(colleague)
        with self.assertRaisesRegex(ValidationError, "contacts of the same company"), self.cr.savepoint():
            self._apply(company)
        self.assertFalse((colleague | company).referred_by_id)

    def test_own_code_and_cycles(self):
        with self.assertRaisesRegex(UserError, "cannot use their own referral code"), self.cr.savepoint():
            self._apply(self.anna)
        # Anna brought Boris, Boris brought Carl, Carl brought Dora
        self._apply(self.boris)
        self.boris.referral_code = "BRSX2345"
        self.carl.with_user(self.user_loyalty).action_apply_referral_code("BRSX2345")
        self.carl.referral_code = "CRMX2345"
        self.dora.with_user(self.user_loyalty).action_apply_referral_code("CRMX2345")
        # Anna cannot be moved under anyone of her own chain
        for descendant in (self.boris, self.dora):
            with (
                self.assertRaisesRegex(ValidationError, "Anna brought .*, directly or through others"),
                self.cr.savepoint(),
            ):
                self.anna.referred_by_id = descendant
        self.assertFalse(self.anna.referred_by_id)
        # an outsider with a distinct phone and email is fine
        outsider = self.env["res.partner"].create({"name": "Olga", "phone": "+7 905 000-00-01"})
        self.anna.referred_by_id = outsider
        self.assertEqual(self.dora._referral_chain(), [self.carl, self.boris, self.anna])
