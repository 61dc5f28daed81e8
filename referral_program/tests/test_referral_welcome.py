"""The friend's welcome coupon: one coupon card of the welcome programme
when a customer is first recorded as referred (the link's page, the back
office, the till), never a second one; its code shown on the page only to a
friend the sign-up created; usable at the till with Odoo's coupon flow."""

import re

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .test_referral_signup import ReferralSignupMixin


def create_welcome_program(env, **values):
    """A coupon programme: 10% off the order with a code (set up by an administrator)."""
    return env["loyalty.program"].sudo().create(
        {
            "name": "Friend's Welcome",
            "program_type": "coupons",
            "trigger": "with_code",
            "applies_on": "current",
            "rule_ids": [Command.create({"minimum_qty": 0})],
            "reward_ids": [
                Command.create(
                    {"reward_type": "discount", "discount": 10, "discount_mode": "percent", "required_points": 1}
                )
            ],
            **values,
        }
    )


class WelcomeCouponMixin(ReferralSignupMixin):
    @classmethod
    def setup_welcome(cls):
        cls.setup_referrer()
        cls.welcome = create_welcome_program(cls.env)
        cls.program.sudo().referral_welcome_program_id = cls.welcome

    def coupons(self, partner):
        return self.env["loyalty.card"].sudo().search(
            [("partner_id", "=", partner.id), ("program_id", "=", self.welcome.id)]
        )


@tagged("post_install", "-at_install")
class TestReferralWelcomeCoupon(WelcomeCouponMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_welcome()
        cls.user_loyalty = new_test_user(
            cls.env, login="ref_welcome_user", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="ref_welcome_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
        )

    def sign_up(self, **values):
        form = {"name": "Boris Friend", "phone": "8 (916) 222-22-22", "email": "", "consent": "1"}
        form.update(values)
        return self.Signup._sign_up("ANNA2345", ip_address="10.0.0.1", **form)

    def test_sign_up_gives_one_coupon_and_shows_its_code(self):
        page = self.sign_up()
        boris = page["partner"]
        coupon = self.coupons(boris)
        self.assertEqual(len(coupon), 1)
        self.assertEqual((coupon.partner_id, coupon.points), (boris, 1))
        self.assertTrue(coupon.code)
        self.assertEqual(boris.sudo().referral_welcome_coupon_id, coupon)
        self.assertEqual((page["welcome_program"], page["welcome_code"]), ("Friend's Welcome", coupon.code))
        self.assertIn(coupon.code, boris.message_ids[0].body, "the staff read it on the customer")
        # signing up again gives nothing more, and says nothing of a coupon
        again = self.sign_up(name="Boris Again", phone="+7 916 222 22 22")
        self.assertEqual((again["state"], again["partner"]), ("done", boris))
        self.assertNotIn("welcome_code", again)
        self.assertEqual(self.coupons(boris), coupon)

    def test_known_customer_linked_gets_the_coupon_not_its_code_on_the_page(self):
        """A phone or an email already in the base may be typed by someone
        else: the coupon is the customer's, its code is not shown."""
        vera = self.env["res.partner"].create({"name": "Vera Known", "email": "vera@example.com"})
        page = self.sign_up(name="Vera", phone="+7 916 333-33-33", email="vera@example.com")
        self.assertEqual(page["partner"], vera)
        self.assertEqual(len(self.coupons(vera)), 1)
        self.assertEqual(page["welcome_program"], "Friend's Welcome")
        self.assertFalse(page["welcome_code"])

    def test_back_office_code_gives_one_coupon_a_managers_change_none(self):
        olga = self.env["res.partner"].create({"name": "Olga Referrer"})
        olga.sudo().referral_code = "QGAX2345"
        boris = self.env["res.partner"].create({"name": "Boris Walk-in", "phone": "+7 916 444-44-44"})
        Form(boris.with_user(self.user_loyalty)).save()  # the user may edit the customer
        boris.with_user(self.user_loyalty).referred_by_code = "ANNA2345"
        coupon = self.coupons(boris)
        self.assertEqual(len(coupon), 1)
        # the manager moves him under Olga, then removes and sets a referrer again: no second coupon
        for referrer in (olga, self.env["res.partner"], self.anna):
            action = boris.with_user(self.manager).action_change_referrer()
            form = Form(self.env[action["res_model"]].with_user(self.manager).with_context(action["context"]))
            form.referrer_id = referrer
            form.reason = "The customer named another friend"
            form.save().action_confirm()
        self.assertEqual(boris.sudo().referred_by_id, self.anna)
        self.assertEqual(self.coupons(boris), coupon)
        self.assertEqual(boris.sudo().referral_welcome_coupon_id, coupon)

    def test_no_welcome_programme_no_coupon(self):
        self.program.sudo().referral_welcome_program_id = False
        page = self.sign_up()
        self.assertFalse(page["partner"].sudo().referral_welcome_coupon_id)
        self.assertNotIn("welcome_code", page)
        self.assertFalse(self.env["loyalty.card"].sudo().search([("partner_id", "=", page["partner"].id)]))

    def test_users_cannot_pick_a_coupon(self):
        boris = self.env["res.partner"].create({"name": "Boris"})
        card = self.env["loyalty.card"].sudo().create({"program_id": self.welcome.id, "points": 1})
        with self.assertRaisesRegex(AccessError, "given by the server"), self.cr.savepoint():
            boris.with_user(self.user_loyalty).write({"referral_welcome_coupon_id": card.id})
        self.assertFalse(boris.sudo().referral_welcome_coupon_id)

    def test_welcome_programme_must_be_coupons(self):
        with self.assertRaisesRegex(ValidationError, "type coupons"), self.cr.savepoint():
            self.program.sudo().referral_welcome_program_id = self.program


@tagged("post_install", "-at_install")
class TestReferralWelcomePage(WelcomeCouponMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_welcome()

    def test_thanks_show_the_code_once(self):
        page = self.url_open("/r/ANNA2345")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"csrf_token": token, "name": "Boris Friend", "phone": "8 916 222-22-22", "consent": "1"}
        done = self.url_open("/r/ANNA2345", data=form)
        boris = self.env["res.partner"].search([("phone_sanitized", "=", "+79162222222")])
        code = boris.sudo().referral_welcome_coupon_id.code
        self.assertTrue(code)
        self.assertIn("A welcome gift is waiting for you", done.text)
        self.assertIn(f'o_referral_welcome_code">{code}<', done.text)
        again = self.url_open("/r/ANNA2345", data=form)
        self.assertIn("Thank you, Boris Friend!", again.text)
        self.assertNotIn(code, again.text, "a second sign-up shows no code")
        self.assertNotIn("A welcome gift is waiting", again.text)


@tagged("post_install", "-at_install")
class TestReferralWelcomePos(TestPoSCommon, WelcomeCouponMixin):
    """The welcome coupon at the till: a friend registered by the cashier
    with a code gets it; Odoo's coupon flow accepts its code for that
    customer only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.setup_referrer()
        cls.welcome = create_welcome_program(cls.env, pos_config_ids=[Command.set(cls.config.ids)])
        cls.program.sudo().referral_welcome_program_id = cls.welcome

    def test_code_usable_at_the_till_for_the_friend(self):
        boris = self.env["res.partner"].create({"name": "Boris Friend"})
        boris.sudo().referred_by_id = self.anna
        code = boris.sudo().referral_welcome_code
        self.assertTrue(code)
        now = fields.Datetime.to_string(fields.Datetime.now())
        pricelist = self.config.pricelist_id.id
        result = self.config.use_coupon_code(code, now, boris.id, pricelist)
        self.assertTrue(result["successful"], result)
        self.assertEqual(result["payload"]["program_id"], self.welcome.id)
        other = self.env["res.partner"].create({"name": "Someone Else"})
        self.assertFalse(self.config.use_coupon_code(code, now, other.id, pricelist)["successful"])
