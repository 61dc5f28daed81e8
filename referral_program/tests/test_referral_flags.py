"""Suspicious referrals are flagged on the friend when the referral is
recorded: many sign-ups through one referrer or from one internet address
in a day, a phone, email or address of the referrer's household; a clean
sign-up is not."""

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon
from odoo.addons.loyalty_lifecycle.tests.common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestReferralFlags(LoyaltyLifecycleCommon, PointsLedgerMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        # the programme is configured by an administrator: two sign-ups a day are fine, a third is not
        cls.program = cls.create_points_program(
            referral_enabled=True, referral_flag_signups_per_referrer=2, referral_flag_signups_per_address=2
        )
        Partner = cls.env["res.partner"]
        cls.home = Partner.create(
            {"name": "Invites Family", "is_company": True, "street": "Lenina St. 5", "zip": "101000", "city": "Moscow"}
        )
        cls.anna = Partner.create(
            {
                "name": "Anna Invites",
                "parent_id": cls.home.id,
                "phone": "+7 916 111-11-11",
                "email": "anna@example.com",
                "referral_code": "ANNA2345",
            }
        )
        cls.husband = Partner.create(
            {"name": "Ivan Invites", "parent_id": cls.home.id, "phone": "+7 916 999-99-99", "email": "ivan@example.com"}
        )
        cls.vlad = Partner.create({"name": "Vlad Other", "phone": "+7 916 444-44-44", "referral_code": "VKDR2345"})
        cls.Signup = cls.env["referral.signup"].sudo()

    def sign_up(self, phone, code="ANNA2345", ip="10.0.0.1", **values):
        page = self.Signup._sign_up(
            code, name=values.pop("name", "Friend"), phone=phone, email=values.pop("email", ""), consent="1",
            ip_address=ip,
        )
        self.assertEqual(page["state"], "done", page.get("error"))
        return page["partner"]

    def flags(self, partner):
        return self.env["referral.flag"].with_user(self.user_loyalty).search([("partner_id", "in", partner.ids)])

    def test_clean_sign_up_is_not_flagged(self):
        boris = self.sign_up("+7 916 222-22-22", name="Boris Friend", email="boris@example.com")
        self.assertEqual(boris.sudo().referred_by_id, self.anna)
        self.assertTrue(boris.sudo().referral_date, "the day of the referral is recorded")
        self.assertFalse(self.flags(boris))
        self.assertFalse(self.env["referral.reward"].sudo()._referral_holds(boris))
        # a second friend through the same referrer, from another address, is still fine
        self.assertFalse(self.flags(self.sign_up("+7 916 222-22-23", ip="10.0.0.2")))

    def test_many_sign_ups_through_one_referrer_in_a_day(self):
        with freeze_time("2026-03-02 09:00:00"):
            first = self.sign_up("+7 916 200-00-01", ip="10.0.0.1")
        with freeze_time("2026-03-02 10:00:00"):
            second = self.sign_up("+7 916 200-00-02", ip="10.0.0.2")
            self.assertFalse(self.flags(first | second), "two a day are allowed")
            # the third arrives through the back office: the same referral, another path
            third = self.env["res.partner"].create({"name": "Third", "phone": "+7 916 200-00-03"})
            third.with_user(self.user_loyalty).action_apply_referral_code("ANNA2345")
        for friend in first | second | third:
            flag = self.flags(friend)
            self.assertEqual((flag.kind, flag.referrer_id, flag.signup_count), ("referrer_day", self.anna, 3))
        self.assertEqual(
            self.flags(third).with_context(lang="en_US").name,
            "3 friends signed up through Invites Family, Anna Invites within 24 hours (more than 2).",
        )
        # the next day starts afresh
        with freeze_time("2026-03-03 11:00:00"):
            self.assertFalse(self.flags(self.sign_up("+7 916 200-00-04", ip="10.0.0.4")))

    def test_many_sign_ups_from_one_address_in_a_day(self):
        self.program.referral_flag_signups_per_referrer = 0  # only the address counts here
        friends = self.env["res.partner"]
        for number, code in (("01", "ANNA2345"), ("02", "VKDR2345"), ("03", "VKDR2345")):
            friends |= self.sign_up(f"+7 916 300-00-{number}", code=code, ip="203.0.113.7")
        self.assertEqual(self.flags(friends).mapped("kind"), ["address_day"] * 3)
        flag = self.flags(friends[0])
        self.assertEqual((flag.referrer_id, flag.detail, flag.signup_count), (self.anna, "203.0.113.7", 3))
        self.assertIn("from the internet address 203.0.113.7", flag.with_context(lang="en_US").name)
        # a sign-up from another address is not
        self.assertFalse(self.flags(self.sign_up("+7 916 300-00-09", code="VKDR2345", ip="203.0.113.8")))

    def test_household_phone_email_and_address(self):
        self.program.referral_flag_signups_per_referrer = 0  # only the household counts here
        Partner = self.env["res.partner"]
        by_phone = Partner.create({"name": "Phone Twin", "phone": "8 (916) 999-99-99"})
        by_email = Partner.create({"name": "Email Twin", "email": "Ivan <IVAN@example.com>"})
        by_address = Partner.create({"name": "Neighbour", "street": "lenina st 5", "zip": "101000"})
        elsewhere = Partner.create({"name": "Elsewhere", "street": "Lenina St. 5", "zip": "190000"})
        for partner in by_phone | by_email | by_address | elsewhere:
            partner.with_user(self.user_loyalty).action_apply_referral_code("ANNA2345")
        self.assertEqual(
            [(f.kind, f.contact_id) for f in self.flags(by_phone) | self.flags(by_email)],
            [("household_phone", self.husband), ("household_email", self.husband)],
        )
        self.assertEqual(self.flags(by_address).kind, "household_address")
        self.assertIn(self.flags(by_address).contact_id, self.home | self.anna | self.husband)
        self.assertEqual(
            self.flags(by_phone).with_context(lang="en_US").name,
            "Same phone number as Invites Family, Ivan Invites, of the household of Invites Family, Anna Invites.",
        )
        self.assertFalse(self.flags(elsewhere), "the same street in another town is not the same address")
        self.assertTrue(self.env["referral.reward"].sudo()._referral_holds(by_phone))

    def test_flags_shown_to_users_cleared_by_managers_only(self):
        twin = self.env["res.partner"].create({"name": "Phone Twin", "phone": "+7 916 999-99-99"})
        twin.with_user(self.user_loyalty).action_apply_referral_code("ANNA2345")
        self.assertEqual(twin.with_user(self.user_loyalty).referral_flag_ids.kind, "household_phone")
        self.assertIn('name="referral_flag_ids"', self.form_arch(self.user_loyalty))
        self.assertNotIn("action_referral_clear_flags", self.form_arch(self.user_loyalty))
        with self.assertRaises(AccessError):
            twin.with_user(self.user_loyalty).action_referral_clear_flags()
        with self.assertRaises(AccessError):
            self.flags(twin).with_user(self.user_loyalty).unlink()
        with self.assertRaises(AccessError):
            twin.with_user(self.user_loyalty).write({"referral_date": False})
        twin.with_user(self.user_manager).action_referral_clear_flags()
        self.assertFalse(self.flags(twin))
        self.assertFalse(self.env["referral.reward"].sudo()._referral_holds(twin))
        self.assertTrue(any("Referral flags cleared by Loyalty Manager" in m.body for m in twin.sudo().message_ids))
        # recorded again, the same pattern does not come back
        twin.sudo()._referral_flag_suspicious()
        self.assertFalse(self.flags(twin))
