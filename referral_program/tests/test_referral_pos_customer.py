"""The referral link at the till: what the session loads for each customer
(computed by the server, nothing for a customer without a code or while no
programme pays referrals), and a cashier's tour of the customer list and the
receipt."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import warm_pos_assets
from odoo.addons.loyalty_lifecycle.tests.common_points import PointsLedgerMixin
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

POS_REFERRAL_FIELDS = ("pos_referral_code", "pos_referral_url", "pos_referral_qr_url")


@tagged("post_install", "-at_install")
class TestReferralPosCustomer(TestPointOfSaleHttpCommon, PointsLedgerMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["loyalty.program"].search([]).write({"active": False})
        # a programme that pays referrals, not used at this till: the link is
        # shown as soon as referrals pay, whichever programme pays them
        env = cls.env
        cls.env = env(su=True)  # the configuration and the codes are the server's
        try:
            cls.program = cls.create_points_program(name="Referral Points", points_ledger=True, referral_enabled=True)
        finally:
            cls.env = env
        Partner = cls.env["res.partner"].sudo()
        cls.rita = Partner.create({"name": "Rita Referrer", "referral_code": "RITA2345"})
        cls.eva = Partner.create({"name": "Eva Nocode"})

    def _loaded_partners(self):
        """The customers as the cashier's session loads them, by id."""
        self.main_pos_config.with_user(self.pos_user).open_ui()
        session = self.main_pos_config.current_session_id.with_user(self.pos_user)
        data = session.load_data([])
        self.assertTrue(set(POS_REFERRAL_FIELDS) <= set(data["res.partner"]["fields"]))
        return {partner["id"]: partner for partner in data["res.partner"]["data"]}

    def test_session_loads_the_link_of_customers_with_a_code_only(self):
        self.assertFalse(self.pos_user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_user"))
        loaded = self._loaded_partners()
        rita, eva = loaded[self.rita.id], loaded[self.eva.id]
        base_url = self.rita.get_base_url()
        self.assertEqual(rita["pos_referral_code"], "RITA2345")
        self.assertEqual(rita["pos_referral_url"], f"{base_url}/r/RITA2345")
        self.assertEqual(rita["pos_referral_qr_url"], self.rita.referral_qr_url)
        self.assertTrue(rita["pos_referral_qr_url"].startswith("/report/barcode/?barcode_type=QR&value="))
        self.assertEqual([eva[name] for name in POS_REFERRAL_FIELDS], [False, False, False])
        # no partner's data carries a link without a code
        for partner in loaded.values():
            with self.subTest(partner=partner["name"]):
                if partner["pos_referral_url"]:
                    self.assertTrue(partner["pos_referral_code"])
                    self.assertTrue(partner["pos_referral_url"].endswith("/r/" + partner["pos_referral_code"]))
                self.assertNotIn("False", partner["pos_referral_url"] or "")
        # the cashier still reads neither the code nor who brought whom
        with self.assertRaises(AccessError):
            self.rita.with_user(self.pos_user).read(["referral_code"])

    def test_no_link_while_no_programme_pays_referrals(self):
        self.program.referral_enabled = False
        rita = self._loaded_partners()[self.rita.id]
        self.assertEqual([rita[name] for name in POS_REFERRAL_FIELDS], [False, False, False])

    def test_the_till_cannot_set_a_link(self):
        rita = self.rita.with_user(self.pos_user)
        for name in POS_REFERRAL_FIELDS:
            with self.subTest(field=name), self.assertRaisesRegex(AccessError, "made from their referral code"):
                rita.write({name: "https://evil.example.com/r/X"})
        self.assertEqual(self.rita.pos_referral_url, f"{self.rita.get_base_url()}/r/RITA2345")

    def test_odoo_draws_the_qr_code(self):
        self.authenticate("pos_user", "pos_user")
        response = self.url_open(self.rita.pos_referral_qr_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/png")
        self.assertTrue(response.content.startswith(b"\x89PNG"))

    def test_tour_customer_list_and_receipt_show_the_link(self):
        warm_pos_assets(self.env)
        self.start_pos_tour("ReferralPosCustomer", login="pos_user")
        orders = self.env["pos.order"].search([("partner_id", "in", (self.rita | self.eva).ids)])
        self.assertEqual(orders.partner_id, self.rita | self.eva)
        self.assertEqual(set(orders.mapped("state")), {"paid"})
