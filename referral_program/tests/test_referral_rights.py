"""Referrers through the referral code only; codes made by the server; and
whatever a caller sends as a code gets a clear message."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon

from ..tools import referral_code as rc

FUZZ = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
# strings near real codes: the alphabet, lower case, lookalikes, separators
CODE_LIKE = st.text(alphabet=rc.ALPHABET + string.ascii_lowercase + "01OIL -_.АВЕКМНРСТУХавекмнрстух", max_size=12)


@tagged("post_install", "-at_install")
class TestReferralRights(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = new_test_user(
            cls.env,
            login="ref_cashier",
            groups="base.group_user,base.group_partner_manager,point_of_sale.group_pos_user",
            name="Cashier",
        )
        cls.portal = new_test_user(cls.env, login="ref_portal", groups="base.group_portal")
        Partner = cls.env["res.partner"]
        cls.anna = Partner.create({"name": "Anna", "referral_code": "ANNA2345"})
        cls.elena = Partner.create({"name": "Elena", "referral_code": "ENA77GYM"})
        cls.boris = Partner.create(
            {
                "name": "Boris",
                "referred_by_id": cls.anna.id,
                "lifecycle_stage_id": cls.env.ref("loyalty_lifecycle.lifecycle_stage_activation").id,
            }
        )
        cls.carl = Partner.create({"name": "Carl"})

    def test_cashier_with_contact_creation_changes_no_referral_nor_stage(self):
        """The reported case: a cashier who may create contacts moved a
        customer to another stage, changed their referrer and their code,
        down to taking another customer's code."""
        boris = self.boris.with_user(self.cashier)
        for vals in (
            {"lifecycle_stage_id": self.env.ref("loyalty_lifecycle.lifecycle_stage_lost").id},
            {"referred_by_id": self.elena.id},
            {"referred_by_id": False},
            {"referral_code": "BORIS234"},
            {"referral_code": "ANNA2345"},
            {"referred_by_code": "ENA77GYM"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                boris.write(vals)
        with self.assertRaises(AccessError):
            self.carl.with_user(self.cashier).action_apply_referral_code("ENA77GYM")
        with self.assertRaises(AccessError):
            self.carl.with_user(self.cashier).action_generate_referral_code()
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.cashier).create({"name": "Eve", "referred_by_id": self.anna.id})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.cashier).create({"name": "Eve", "referral_code": "EVE23456"})
        self.assertEqual(self.boris.referred_by_id, self.anna)
        self.assertEqual(self.boris.lifecycle_stage_id.code, "activation")
        self.assertFalse(self.boris.referral_code)
        self.assertEqual(self.anna.referral_code, "ANNA2345")
        with self.assertRaises(AccessError):
            self.boris.with_user(self.cashier).read(["referral_code"])

    def test_portal_reads_no_referral(self):
        for name in ("referral_code", "referred_by_id", "referred_by_code", "referral_ids", "referral_count"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                self.portal.partner_id.with_user(self.portal).read([name])

    def test_referrer_only_through_the_code(self):
        for user in (self.user_loyalty, self.user_manager):
            carl = self.carl.with_user(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carl.write({"referred_by_id": self.anna.id})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                carl.write({"referral_code": "CARL2345"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.anna.with_user(user).write({"referral_ids": [(4, self.carl.id)]})
        self.assertFalse(self.carl.referred_by_id)
        # a Customer Base user types the code the newcomer gave
        self.assertEqual(self.carl.with_user(self.user_loyalty).action_apply_referral_code("ena-77gym"), self.elena)
        self.assertEqual(self.carl.referred_by_id, self.elena)
        self.assertEqual(self.elena.referral_count, 1)

    def test_referrer_code_on_the_form(self):
        with Form(self.carl.with_user(self.user_loyalty)) as form:
            form.referred_by_code = " ena 77 gym "
        self.assertEqual(self.carl.referred_by_id, self.elena)
        self.assertEqual(self.carl.referred_by_code, "ENA77GYM")
        with self.assertRaisesRegex(UserError, "already referred by Anna"):
            self.boris.with_user(self.user_loyalty).write({"referred_by_code": "ENA77GYM"})
        self.assertEqual(self.boris.referred_by_id, self.anna)

    def test_no_self_referral_nor_circle_through_codes(self):
        anna = self.anna.with_user(self.user_loyalty)
        with self.assertRaisesRegex(UserError, "own referral code"):
            anna.action_apply_referral_code("ANNA2345")
        self.boris.action_generate_referral_code()
        # Boris was brought by Anna: Anna cannot have been brought by Boris
        with self.assertRaisesRegex(ValidationError, "circle"), self.cr.savepoint():
            anna.action_apply_referral_code(self.boris.referral_code)
        self.assertFalse(self.anna.referred_by_id)

    def test_codes_are_generated_by_the_server_for_users(self):
        self.carl.with_user(self.user_loyalty).action_generate_referral_code()
        self.assertTrue(rc.is_well_formed(self.carl.referral_code))
        with self.assertRaises(AccessError):
            self.carl.with_user(self.user_employee).action_generate_referral_code()
        with self.assertRaises(AccessError):
            self.anna.with_user(self.user_employee).action_view_referrals()
        action = self.anna.with_user(self.user_loyalty).action_view_referrals()
        self.assertEqual(action["domain"], [("referred_by_id", "=", self.anna.id)])
        self.assertNotIn("context", action)

    def test_bad_codes_get_a_clear_message(self):
        carl = self.carl.with_user(self.user_loyalty)
        for bad, message in (
            (None, "Type the referral code"),
            (False, "Type the referral code"),
            ("   ", "Type the referral code"),
            (12345678, "is text"),
            (1.5, "is text"),
            (["ANNA2345"], "is text"),
            ({"code": "ANNA2345"}, "is text"),
            (True, "is text"),
            ("ANNA-0000", "ANNA-0000 is not a referral code"),
            ("ANNA234", "not a referral code"),
            ("ANNA23456", "not a referral code"),
            ("ANNA 2345 ANNA", "not a referral code"),
            ("x" * 10000, "not a referral code"),
        ):
            with self.subTest(bad=bad), self.assertRaisesRegex(UserError, message):
                carl.action_apply_referral_code(bad)
        self.assertFalse(self.carl.referred_by_id)

    def test_lookalike_letters_are_read_as_latin(self):
        # copied from a card on a Cyrillic keyboard layout: Cyrillic letters
        # that look like the Latin ones, lower case, with separators
        self.assertEqual(rc.normalize_code("техас-234"), "TEXAC234")
        self.assertEqual(rc.normalize_code("ＡＮＮＡ２３４５"), "ANNA2345")  # full width
        self.assertFalse(rc.is_well_formed(rc.normalize_code("ИННА2345")))  # И is no Latin letter
        texas = self.env["res.partner"].create({"name": "Texas Gym Friend", "referral_code": "TEXAC234"})
        self.carl.with_user(self.user_loyalty).action_apply_referral_code("техас 234")
        self.assertEqual(self.carl.referred_by_id, texas)

    @FUZZ
    @given(value=JSON_VALUES | CODE_LIKE)
    def test_fuzz_any_code_gets_a_user_error_or_the_referrer(self, value):
        carl = self.carl.with_user(self.user_loyalty)
        expected = rc.normalize_code(value) if isinstance(value, str) else ""
        with self.cr.savepoint() as savepoint:
            if expected in ("ANNA2345", "ENA77GYM"):
                referrer = carl.action_apply_referral_code(value)
                self.assertEqual(referrer.referral_code, expected)
            else:
                with self.assertRaises(UserError):
                    carl.action_apply_referral_code(value)
                if value != "":  # an empty code changes nothing
                    with self.assertRaises(UserError):
                        carl.write({"referred_by_code": value if isinstance(value, str) else str(value)})
                self.assertFalse(self.carl.referred_by_id)
            savepoint.rollback()
        self.env.invalidate_all()

    @FUZZ
    @given(value=JSON_VALUES)
    def test_fuzz_tool_never_raises(self, value):
        code = rc.normalize_code(value)
        self.assertIsInstance(code, str)
        self.assertIsInstance(rc.is_well_formed(code), bool)
