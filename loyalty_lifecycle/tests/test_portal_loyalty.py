"""The customer's own loyalty page: /my/loyalty for the portal user, the
personal link for mailings; nobody sees anyone else's points."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import hash_sign

from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPortalLoyalty(PointsLedgerMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.create_points_program(name="Gym Club")
        cls.olga_user = new_test_user(cls.env, login="portal_olga", groups="base.group_portal", name="Olga Portal")
        cls.petr_user = new_test_user(cls.env, login="portal_petr", groups="base.group_portal", name="Petr Portal")
        cls.olga = cls.olga_user.partner_id
        card = cls.create_card(cls.program, cls.olga)
        card._points_earn(120, "purchase")
        card._points_earn(35, "birthday")
        cls.employee = new_test_user(cls.env, login="portal_employee", groups="base.group_user")
        cls.staff = new_test_user(
            cls.env, login="portal_staff", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )

    def test_own_page(self):
        self.authenticate("portal_olga", "portal_olga")
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Gym Club", page.text)
        self.assertIn('o_loyalty_available">155<', page.text)
        self.assertIn(">+120<", page.text)
        self.assertIn(">+35<", page.text)
        self.assertIn("Birthday", page.text)
        home = self.url_open("/my")
        self.assertIn("/my/loyalty", home.text, "My loyalty on the portal's home")

    def test_another_portal_user_sees_only_their_own(self):
        self.authenticate("portal_petr", "portal_petr")
        page = self.url_open("/my/loyalty")
        self.assertEqual(page.status_code, 200)
        self.assertIn("You have no loyalty card yet", page.text)
        self.assertNotIn("Gym Club", page.text)
        self.assertNotIn("o_loyalty_available", page.text)
        self.assertNotIn(">155<", page.text)
        # no id of the visitor's choosing: the query string changes nothing
        page = self.url_open(f"/my/loyalty?partner_id={self.olga.id}")
        self.assertNotIn("Gym Club", page.text)

    def test_personal_link(self):
        url = self.olga.with_user(self.staff).loyalty_portal_url
        self.assertTrue(url.startswith(self.olga.get_base_url() + "/my/loyalty/"))
        page = self.url_open(url.removeprefix(self.olga.get_base_url()))
        self.assertEqual(page.status_code, 200)
        self.assertIn('o_loyalty_available">155<', page.text)
        token = url.rsplit("/", 1)[1]
        petr_token = hash_sign(self.env(su=True), "another.scope", self.petr_user.partner_id.id)
        for bad in (token[:-3] + "AAA", "garbage", "A" * 600, petr_token, "%00", token.swapcase()):
            page = self.url_open(f"/my/loyalty/{bad}")
            self.assertEqual(page.status_code, 404, bad)
            self.assertIn("This link does not open a loyalty page", page.text)
            self.assertNotIn("o_loyalty_available", page.text)
            self.assertNotIn(">155<", page.text)

    def test_link_only_for_staff(self):
        with self.assertRaises(AccessError):
            self.olga.with_user(self.employee).read(["loyalty_portal_url"])
