"""The referral link's page (/r/<code>): the sign-up of a friend, found by
phone then email and never duplicated, with the referrer recorded; bad input
of every kind, the rate limits and CSRF."""

import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.loyalty_lifecycle.tests.common_points import PointsLedgerMixin
from odoo.addons.referral_program.models import referral_signup


class ReferralSignupMixin(PointsLedgerMixin):
    @classmethod
    def setup_referrer(cls):
        cls.env.company.country_id = cls.env.ref("base.ru")
        # the programme is configured by an administrator
        cls.program = cls.create_points_program(referral_enabled=True).sudo(False)
        cls.anna = cls.env["res.partner"].create(
            {"name": "Anna Invites", "phone": "+7 916 111-11-11", "email": "anna@example.com"}
        )
        cls.anna.sudo().referral_code = "ANNA2345"
        cls.Signup = cls.env["referral.signup"].sudo()


@tagged("post_install", "-at_install")
class TestReferralSignup(ReferralSignupMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_referrer()
        cls.user_loyalty = new_test_user(
            cls.env, login="ref_signup_user", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cls.user_employee = new_test_user(cls.env, login="ref_signup_employee", groups="base.group_user")

    def sign_up(self, code="ANNA2345", ip="10.0.0.1", **values):
        form = {"name": "Boris Friend", "phone": "8 (916) 222-22-22", "email": "", "consent": "1"}
        form.update(values)
        return self.Signup._sign_up(code, ip_address=ip, **form)

    def partners(self, phone="+79162222222"):
        return self.env["res.partner"].with_context(active_test=False).search([("phone_sanitized", "=", phone)])

    def test_friend_signed_up_with_the_referrer(self):
        page = self.Signup.with_context(lang="en_US")._sign_up(
            "anna2345", name="  Boris   Friend ", phone="8 (916) 222-22-22", email="Boris@Example.com ", consent="1",
            ip_address="10.0.0.1",
        )
        self.assertEqual((page["state"], page["status"]), ("done", 200))
        boris = self.partners()
        self.assertEqual(page["partner"], boris)
        self.assertEqual(boris.name, "Boris Friend")
        self.assertEqual(boris.phone, "+7 916 222-22-22")
        self.assertEqual(boris.email, "boris@example.com")
        self.assertTrue(boris.marketing_consent)
        self.assertEqual(boris.sudo().referred_by_id, self.anna)
        log = self.Signup.search([("partner_id", "=", boris.id)])
        self.assertEqual((log.result, log.referrer_id, log.phone, log.ip_address), ("created", self.anna, "+79162222222", "10.0.0.1"))

    def test_second_sign_up_never_duplicates(self):
        self.sign_up()
        page = self.sign_up(phone="+7 916 222 22 22", name="Boris Again", ip="10.0.0.2")
        self.assertEqual(page["state"], "done")
        self.assertEqual(len(self.partners()), 1)
        self.assertEqual(self.partners().name, "Boris Friend", "nothing of theirs is overwritten")
        self.assertEqual(self.Signup.search([("phone", "=", "+79162222222")], order="id").mapped("result"), ["created", "existing"])

    def test_existing_customer_found_by_email_is_linked(self):
        vera = self.env["res.partner"].create({"name": "Vera Known", "email": "vera@example.com"})
        page = self.sign_up(name="Vera", phone="+7 916 333-33-33", email="VERA@example.com")
        self.assertEqual(page["partner"], vera)
        self.assertEqual(vera.sudo().referred_by_id, self.anna)
        self.assertFalse(self.partners("+79163333333"), "no second Vera")
        self.assertEqual(self.Signup.search([("partner_id", "=", vera.id)]).result, "linked")

    def test_own_phone_refused(self):
        page = self.sign_up(name="Anna", phone="8 916 111 11 11")
        self.assertEqual(page["state"], "form")
        self.assertIn("your own invitation", page["error"])
        self.assertFalse(self.anna.sudo().referred_by_id)

    def test_referrer_email_with_a_new_phone_refused(self):
        page = self.sign_up(name="Anna Twin", phone="+7 916 444-44-44", email="anna@example.com")
        # the email finds Anna herself
        self.assertEqual(page["state"], "form")
        self.assertFalse(self.partners("+79164444444"))

    def test_same_company_contact_refused(self):
        company = self.env["res.partner"].create({"name": "Anna's Salon", "is_company": True})
        self.anna.parent_id = company
        colleague = self.env["res.partner"].create(
            {"name": "Colleague", "parent_id": company.id, "phone": "+7 916 555-55-55"}
        )
        page = self.sign_up(name="Colleague", phone="+7 916 555-55-55")
        self.assertEqual(page["state"], "form")
        self.assertIn("cannot be used for you", page["error"])
        self.assertFalse(colleague.sudo().referred_by_id)
        self.assertEqual(self.Signup.search([("partner_id", "=", colleague.id)]).reason, "fraud check")

    def test_bad_input_is_refused_clearly(self):
        cases = [
            ({"phone": "12"}, "is not a phone number"),
            ({"phone": "+7 916 222-22-22" * 30}, "is not a phone number"),
            ({"phone": ""}, "is not a phone number"),
            ({"name": "   "}, "Type your name"),
            ({"name": "B" * 200}, "at most 128 characters"),
            ({"email": "not-an-email"}, "is not an email address"),
            ({"consent": None}, "Tick the box"),
            ({"consent": ""}, "Tick the box"),
        ]
        for n, (values, message) in enumerate(cases):
            values = dict({"phone": f"+7 916 700-00-{n:02d}"}, **values)
            page = self.sign_up(ip=f"10.1.0.{n}", **values)
            self.assertEqual(page["state"], "form", values)
            self.assertIn(message, page["error"], values)
        page = self.Signup._sign_up("ANNA2345", name=["x"], phone={"a": 1}, consent="1")
        self.assertEqual((page["state"], page["status"]), ("form", 400))
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "like", "+79167000%")]))
        self.assertEqual(set(self.Signup.search([("referrer_id", "=", self.anna.id)]).mapped("result")), {"refused"})

    def test_code_that_does_not_invite(self):
        for code in ("NOPE2345", "", "x" * 500, "ANNA 2345 !!", 12345, None):
            page = self.Signup._sign_up(code, name="Boris", phone="+7 916 222-22-22", consent="1")
            self.assertEqual((page["state"], page["status"]), ("unknown", 404), code)
        self.anna.active = False
        self.assertEqual(self.sign_up()["state"], "unknown", "an archived customer's code")
        self.anna.active = True
        self.program.referral_enabled = False
        self.assertEqual(self.sign_up()["state"], "unknown", "no programme pays referrals")
        self.assertFalse(self.partners())

    def test_rate_limits(self):
        for n in range(referral_signup.LIMIT_PER_ADDRESS_HOUR):
            self.sign_up(phone="12", ip="10.9.9.9")  # refused attempts count too
        page = self.sign_up(ip="10.9.9.9")
        self.assertEqual((page["state"], page["status"]), ("limited", 429))
        self.assertFalse(self.partners())
        self.assertEqual(self.sign_up(ip="10.9.9.10")["state"], "done", "another address goes through")
        for n in range(referral_signup.LIMIT_PER_PHONE_DAY - 1):
            self.sign_up(ip=f"10.8.0.{n}")
        self.assertEqual(self.sign_up(ip="10.8.1.1")["state"], "limited", "the same phone, again and again")

    def test_staff_read_the_sign_ups(self):
        self.sign_up()
        self.assertEqual(self.env["referral.signup"].with_user(self.user_loyalty).search([]).mapped("result"), ["created"])
        with self.assertRaises(AccessError):
            self.env["referral.signup"].with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.env["referral.signup"].with_user(self.user_loyalty).search([]).write({"result": "refused"})

    def test_referral_link_and_qr(self):
        anna = self.anna.with_user(self.user_loyalty)
        self.assertEqual(anna.referral_url, f"{anna.get_base_url()}/r/ANNA2345")
        self.assertIn("/report/barcode/?barcode_type=QR&value=", anna.referral_qr_url)
        self.assertIn("%2Fr%2FANNA2345", anna.referral_qr_url)
        self.assertFalse(self.env["res.partner"].create({"name": "No Code"}).with_user(self.user_loyalty).referral_url)


@tagged("post_install", "-at_install")
class TestReferralSignupPage(ReferralSignupMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_referrer()

    def csrf_token(self, html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def test_page_and_sign_up(self):
        page = self.url_open("/r/ANNA2345")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Anna invites you", page.text)
        self.assertIn("I agree that my name, phone and email are kept", page.text)
        self.assertIn("get a welcome gift", page.text)
        token = self.csrf_token(page.text)
        done = self.url_open(
            "/r/ANNA2345",
            data={"csrf_token": token, "name": "Boris Friend", "phone": "8 916 222-22-22", "consent": "1"},
        )
        self.assertEqual(done.status_code, 200)
        self.assertIn("Thank you, Boris Friend!", done.text)
        boris = self.env["res.partner"].search([("phone_sanitized", "=", "+79162222222")])
        self.assertEqual(boris.sudo().referred_by_id, self.anna)

    def test_tracked_links_keep_redirecting(self):
        """/r/<code> is also Odoo's short link of the mailings: those codes
        still redirect."""
        link = self.env["link.tracker"].create({"url": "https://example.com/offer"})
        page = self.url_open(f"/r/{link.code}", allow_redirects=False)
        self.assertEqual(page.status_code, 301)
        self.assertEqual(page.headers["Location"], link.redirected_url)

    def test_bad_input_over_http(self):
        token = self.csrf_token(self.url_open("/r/ANNA2345").text)
        page = self.url_open(
            "/r/ANNA2345", data={"csrf_token": token, "name": "Boris", "phone": "abc", "consent": "1"}
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("is not a phone number", page.text)
        self.assertIn('value="Boris"', page.text, "the form comes back filled")
        page = self.url_open("/r/ANNA2345", data={"csrf_token": token, "name": "Boris", "phone": "+7 916 222-22-22"})
        self.assertIn("Tick the box", page.text)
        with mute_logger("odoo.http"):
            page = self.url_open("/r/ANNA2345", data={"name": "Boris", "phone": "+7 916 222-22-22", "consent": "1"})
        self.assertEqual(page.status_code, 400, "no CSRF token, no sign-up")
        unknown = self.url_open("/r/NOPE2345")
        self.assertEqual(unknown.status_code, 404)
        self.assertIn("This invitation is not active", unknown.text)
        self.assertEqual(self.url_open("/r/%3Cscript%3E").status_code, 404)
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "=", "+79162222222")]))


@tagged("post_install", "-at_install")
class TestReferralPortal(ReferralSignupMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_referrer()
        cls.anna_user = new_test_user(cls.env, login="portal_anna", groups="base.group_portal", name="Anna Portal")
        cls.anna_user.partner_id.sudo().referral_code = "ANNB2345"
        cls.env["res.partner"].sudo().create({"name": "Boris Friend", "referred_by_id": cls.anna_user.partner_id.id})
        new_test_user(cls.env, login="portal_other", groups="base.group_portal")

    def test_my_link_and_friends(self):
        self.authenticate("portal_anna", "portal_anna")
        page = self.url_open("/my/loyalty")
        self.assertIn("Invite a friend", page.text)
        self.assertIn("/r/ANNB2345", page.text)
        self.assertIn("barcode_type=QR", page.text)
        self.assertIn("https://wa.me/?text=", page.text)
        self.assertIn("Boris:", page.text, "friends by first name")
        self.assertNotIn("Boris Friend", page.text)

    def test_someone_else_sees_no_code(self):
        self.authenticate("portal_other", "portal_other")
        page = self.url_open("/my/loyalty")
        self.assertNotIn("ANNB2345", page.text)
        self.assertNotIn("Invite a friend", page.text)
