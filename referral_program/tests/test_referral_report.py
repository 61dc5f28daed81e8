"""The referral reports: the referrers' figures (sign-ups, friends who paid,
their revenue, points paid, pending and taken back, chain depth) and the
funnel (link visit, sign-up, first paid purchase), on a small chain with
paid, refunded and never-paid friends; read by a Customer Base user of one
company, refused to a plain employee."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common_referral import ReferralRewardsMixin
from .test_referral_signup import ReferralSignupMixin


@tagged("post_install", "-at_install")
class TestReferralReport(AccountTestInvoicingCommon, ReferralRewardsMixin):
    """Anna brought Boris, Boris brought Carl, Carl brought Dora, Dora
    brought Eva. Carl and Dora signed up through the links of Boris and
    Carl, and so did Fiona (Carl's), who never paid; Dora paid two invoices,
    half of the first was refunded; Eva paid one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-01 10:00:00"):
            cls.setup_report_fixture()

    @classmethod
    def setup_report_fixture(cls):
        cls.setup_referral_chain()
        cls.fiona = cls.env["res.partner"].sudo().create({"name": "Fiona", "referred_by_id": cls.carl.id})
        Signup = cls.env["referral.signup"].sudo()
        company = cls.env.company
        Signup.create(
            [
                dict(vals, company_id=company.id)
                for vals in (
                    {"name": "Carl", "referrer_id": cls.boris.id, "partner_id": cls.carl.id, "result": "created"},
                    {"name": "Dora", "referrer_id": cls.carl.id, "partner_id": cls.dora.id, "result": "created"},
                    {"name": "Fiona", "referrer_id": cls.carl.id, "partner_id": cls.fiona.id, "result": "linked"},
                    {"name": "Dora", "referrer_id": cls.carl.id, "partner_id": cls.dora.id, "result": "existing"},
                    {"name": "Nobody", "referrer_id": cls.carl.id, "result": "refused", "reason": "no consent"},
                )
            ]
        )
        Visit = cls.env["referral.link.visit"].sudo()
        Visit._record_visit(cls.carl, "10.0.0.1")
        Visit._record_visit(cls.carl, "10.0.0.1")  # the same visitor again the same day
        Visit._record_visit(cls.carl, "10.0.0.2")
        Visit._record_visit(cls.carl, "10.0.0.3", is_bot=True)
        Visit._record_visit(cls.boris, "10.0.0.1")
        first = cls._invoice(1000, cls.dora)
        cls._pay(first)
        cls._pay(cls._invoice(200, cls.dora))
        cls._pay(cls._invoice(400, cls.eva))
        cls._invoice(500, cls.dora, move_type="out_refund", reversed_entry=first)  # half of the first
        cls.user_loyalty = new_test_user(
            cls.env,
            login="ref_report_user",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.user_employee = new_test_user(cls.env, login="ref_report_employee", groups="base.group_user")

    @classmethod
    def _invoice(cls, untaxed, partner, move_type="out_invoice", reversed_entry=None):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": "2026-03-01",
                "date": "2026-03-01",
                "reversed_entry_id": reversed_entry and reversed_entry.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product_a.id,
                            "quantity": 1,
                            "price_unit": untaxed,
                            "tax_ids": [Command.set([])],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, move):
        wizard = cls.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids)
        return wizard.create({})._create_payments()

    def report(self, user=None):
        Report = self.env["referral.report"].with_user(user or self.user_loyalty)
        fields_ = [
            "visit_count", "signup_count", "paid_friend_count", "revenue", "points_paid", "points_pending",
            "points_taken_back", "chain_depth",
        ]
        return {
            row.referrer_id: [row[name] for name in fields_]
            for row in Report.search([("referrer_id", "in", (self.anna | self.boris | self.carl | self.dora).ids)])
        }

    def test_referrers_figures(self):
        # Dora's points from Eva are not spendable yet (what a pending period leaves on a lot)
        self.referral_entries(self.dora).write({"is_pending": True})
        report = self.report()
        # visits, sign-ups, friends who paid, their revenue, points paid, pending, taken back, depth
        self.assertEqual(report[self.carl], [2, 2, 1, 1200, 50 + 10 + 12, 0, 25, 2])
        self.assertEqual(report[self.dora], [0, 0, 1, 400, 20, 20, 0, 1])
        self.assertEqual(report[self.boris], [1, 1, 0, 0, 30 + 6 + 4, 0, 15, 3])
        self.assertEqual(report[self.anna], [0, 0, 0, 0, 10 + 2, 0, 5, 4])
        # top referrers first
        rows = self.env["referral.report"].with_user(self.user_loyalty).search(
            [("referrer_id", "in", (self.anna | self.boris | self.carl | self.dora).ids)]
        )
        self.assertEqual(rows.referrer_id.ids, [self.carl.id, self.boris.id, self.dora.id, self.anna.id])

    def test_held_rewards_are_pending_until_reviewed(self):
        """Gleb shares a phone with Eva's household: the rewards of his
        purchase wait for a manager, pending in the report, not paid; once
        rejected they count nowhere, and his payment no longer either."""
        Partner = self.env["res.partner"].sudo()
        Partner.create({"name": "Eva's husband", "parent_id": self.eva.id, "phone": "+7 903 555-66-77"})
        gleb = Partner.create({"name": "Gleb", "phone": "+7 903 555-66-77", "referred_by_id": self.eva.id})
        self.assertTrue(gleb.referral_flag_ids)
        with freeze_time("2026-03-01 10:00:00"):
            self._pay(self._invoice(100, gleb))
        held = self.referral_rewards([("friend_id", "=", gleb.id)])
        self.assertEqual(set(held.mapped("state")), {"held"})
        before = self.report()
        eva = self.env["referral.report"].with_user(self.user_loyalty).search([("referrer_id", "=", self.eva.id)])
        # visits, sign-ups, friends who paid, revenue, points paid, pending, taken back, depth
        self.assertEqual(
            [eva[name] for name in ("paid_friend_count", "revenue", "points_paid", "points_pending")], [1, 100, 0, 5]
        )
        self.assertEqual(before[self.dora][4:6], [20, 3], "Dora: 20 paid (Eva's purchase), 3 held (Gleb's)")
        manager = new_test_user(
            self.env,
            login="ref_report_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
        )
        held.with_user(manager)._referral_reject("same family")
        self.assertEqual(self.report()[self.dora][4:6], [20, 0])
        self.env.invalidate_all()
        self.assertFalse(
            self.env["referral.report"].with_user(self.user_loyalty).search([("referrer_id", "=", self.eva.id)]),
            "a rejected referral leaves the referrer nothing",
        )

    def test_funnel_counts(self):
        Funnel = self.env["referral.funnel.report"].with_user(self.user_loyalty)
        counts = {
            (referrer, step): count
            for referrer, step, count in Funnel._read_group(
                [("referrer_id", "in", (self.boris | self.carl | self.dora).ids)], ["referrer_id", "step"], ["__count"]
            )
        }
        self.assertEqual(
            counts,
            {
                # two visitors (one came twice, a robot is not counted), Dora and Fiona signed up, Dora paid
                (self.carl, "visit"): 2,
                (self.carl, "signup"): 2,
                (self.carl, "purchase"): 1,
                # Carl signed up through Boris's link and never paid
                (self.boris, "visit"): 1,
                (self.boris, "signup"): 1,
                # Eva paid, but did not sign up through Dora's link
            },
        )
        purchase = Funnel.search([("step", "=", "purchase"), ("referrer_id", "=", self.carl.id)])
        self.assertEqual((purchase.partner_id, purchase.date.isoformat()), (self.dora, "2026-03-01"))
        # the graph shows every step, in the funnel's order
        groups = Funnel.read_group([("referrer_id", "=", self.boris.id)], ["step"], ["step"])
        self.assertEqual([group["step"] for group in groups], ["visit", "signup", "purchase"])
        self.assertEqual([group["step_count"] for group in groups], [1, 1, 0])

    def test_other_company_not_shown(self):
        other = self.env["res.company"].sudo().create({"name": "Other Gym"})
        zoe = self.env["res.partner"].sudo().create({"name": "Zoe Elsewhere", "company_id": other.id})
        self.env["referral.link.visit"].sudo()._record_visit(zoe, "10.0.0.9")
        self.env["referral.signup"].sudo().create(
            {"name": "Friend of Zoe", "referrer_id": zoe.id, "company_id": other.id, "result": "created"}
        )
        visit = self.env["referral.link.visit"].sudo().search([("referrer_id", "=", zoe.id)])
        self.assertEqual(visit.company_id, other)
        for model in ("referral.report", "referral.funnel.report", "referral.link.visit"):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(self.user_loyalty).search([("referrer_id", "=", zoe.id)]))
                self.assertTrue(self.env[model].sudo().search([("referrer_id", "=", zoe.id)]))

    def test_plain_employee_refused(self):
        for model in ("referral.report", "referral.funnel.report", "referral.link.visit"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.env["referral.link.visit"].with_user(self.user_loyalty).create(
                {"referrer_id": self.carl.id, "company_id": self.env.company.id, "date": "2026-03-01", "visitor": "x"}
            )


@tagged("post_install", "-at_install")
class TestReferralLinkVisits(ReferralSignupMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_referrer()

    def visits(self):
        return self.env["referral.link.visit"].sudo().search([("referrer_id", "=", self.anna.id)])

    def test_a_visitor_counts_once_a_day(self):
        for _attempt in range(2):
            self.assertEqual(self.url_open("/r/ANNA2345").status_code, 200)
        visit = self.visits()
        self.assertEqual(len(visit), 1)
        self.assertEqual(visit.company_id, self.env.company)
        self.assertNotIn("127.0.0.1", visit.visitor, "the address is not kept")
        # a robot that says so, an unknown code: nothing
        self.url_open("/r/ANNA2345", headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
        self.assertEqual(self.url_open("/r/NOPE2345").status_code, 404)
        self.assertEqual(self.visits(), visit)
        self.assertFalse(self.env["referral.link.visit"].sudo().search([("referrer_id", "!=", self.anna.id)]))
        with freeze_time("2030-01-01 12:00:00"):
            self.env["referral.link.visit"].sudo()._record_visit(self.anna, "127.0.0.1")
        self.assertEqual(len(self.visits()), 2, "another day, another visit")
