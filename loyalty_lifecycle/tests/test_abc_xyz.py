from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.api import call_kw
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.loyalty_lifecycle.tools import abc_xyz

from .common import CustomerBaseGroupsMixin

MONTHS = [date(2025, 7, 1).replace(year=2025 + (6 + i) // 12, month=(6 + i) % 12 + 1) for i in range(12)]


@tagged("post_install", "-at_install")
class TestAbcXyz(CustomerBaseGroupsMixin, AccountTestInvoicingCommon):
    """A textbook example, classes computed by hand.

    The runs happen on 2026-07-15: the window is Jul 2025 - Jun 2026, by month.
    The accountant of the test company also runs the segmentation (manager).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.salesperson = new_test_user(
            cls.env, login="lc_sales", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="lc_abc_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
            company_ids=[Command.set(cls.company.ids)],
            company_id=cls.company.id,
        )
        cls.employee = new_test_user(cls.env, login="lc_abc_employee", groups="base.group_user")
        names = ["steady", "big", "wavy", "once", "newbie", "refunder", "lapsed", "never"]
        cls.c = {
            name: cls.env["res.partner"].create({"name": name.title(), "user_id": cls.salesperson.id}) for name in names
        }
        invoices = []
        for i, month in enumerate(MONTHS):
            day = month.replace(day=10)
            invoices += [
                cls._invoice_vals("steady", day, 100),
                cls._invoice_vals("big", day, 180 if i % 2 else 220),
                cls._invoice_vals("wavy", day, 80 if i % 2 else 120),
            ]
        invoices += [
            cls._invoice_vals("once", date(2025, 1, 5), 50),  # before the window: only dates the first purchase
            cls._invoice_vals("once", date(2025, 9, 5), 600),
            cls._invoice_vals("newbie", date(2026, 5, 10), 300),
            cls._invoice_vals("newbie", date(2026, 6, 10), 100),
            cls._invoice_vals("refunder", date(2025, 10, 1), 100),
            cls._invoice_vals("refunder", date(2025, 11, 1), 150, refund=True),
            cls._invoice_vals("lapsed", date(2024, 12, 1), 500),
            cls._invoice_vals("steady", date(2026, 9, 5), 9999),  # after both windows: ignored
        ]
        cls.env["account.move"].create(invoices).action_post()

    @classmethod
    def _invoice_vals(cls, customer, day, amount, refund=False, company=None, currency=None):
        return {
            "move_type": "out_refund" if refund else "out_invoice",
            "partner_id": cls.c[customer].id if isinstance(customer, str) else customer.id,
            "invoice_date": day,
            "date": day,
            "company_id": (company or cls.company).id,
            "currency_id": (currency or (company or cls.company).currency_id).id,
            "invoice_line_ids": [
                Command.create({"name": "Membership", "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }

    def _run(self, day="2026-07-15", companies=None):
        with freeze_time(day):
            return self.env["abc.xyz.run"]._run_for_companies(companies or self.company, today=date.fromisoformat(day))

    def _classes(self, run):
        return {
            snap.partner_id.name.lower(): snap.abc_xyz_class
            or (snap.abc_class + "-new" if snap.is_new else snap.abc_class)
            for snap in run.snapshot_ids
        }

    def test_purchase_facts_in_company_currency_with_refunds(self):
        facts = self.env["customer.purchase"].search([("partner_id", "=", self.c["refunder"].id)])
        self.assertEqual(sorted(facts.mapped("amount")), [-150.0, 100.0])
        self.assertEqual(set(facts.mapped("source")), {"invoice"})
        self.assertEqual(sorted(facts.mapped("quantity")), [-1.0, 1.0])
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        self.env["account.move"].create(self._invoice_vals("never", date(2026, 1, 1), 200, currency=eur)).action_post()
        fact = self.env["customer.purchase"].search([("partner_id", "=", self.c["never"].id)])
        self.assertEqual(fact.amount, 100.0, "200 EUR at 2 EUR per company unit")
        self.assertEqual(fact.currency_id, self.company.currency_id)

    def test_textbook_example(self):
        run = self._run()
        self.assertEqual((run.date_from, run.date_to), (date(2025, 7, 1), date(2026, 7, 1)))
        self.assertEqual(
            self._classes(run),
            {
                "big": "AX",  # 2400, 41.4% cumulative, CV exactly 10%
                "steady": "AX",  # 1200, 62.1%, CV 0
                "wavy": "BY",  # 1200, 82.8%, CV 20%
                "once": "BZ",  # 600, 93.1%, one month in twelve
                "newbie": "C-new",  # 400, 100%, two months of history
                "refunder": "CZ",  # refunds above purchases
                "lapsed": "CZ",  # bought before the window only
            },
        )
        big = run.snapshot_ids.filtered(lambda s: s.partner_id == self.c["big"])
        self.assertAlmostEqual(big.share, 41.38, places=2)
        self.assertAlmostEqual(big.variation, 10.0, places=4)
        self.assertEqual(big.bucket_count, 12)
        self.assertEqual(big.revenue, 2400)
        self.assertEqual((run.a_count, run.b_count, run.c_count, run.new_count), (2, 2, 3, 1))
        # the partners carry the classes of their company
        self.assertEqual(self.c["wavy"].abc_xyz_class, "BY")
        self.assertEqual((self.c["newbie"].abc_class, self.c["newbie"].xyz_class), ("C", False))
        self.assertTrue(self.c["newbie"].abc_xyz_new)
        self.assertFalse(self.c["never"].abc_class)

    def test_sql_matches_the_python_specification(self):
        run = self._run()
        revenues = {s.partner_id.id: s.revenue for s in run.snapshot_ids}
        expected = abc_xyz.abc_classes(revenues)
        self.assertEqual({s.partner_id.id: s.abc_class for s in run.snapshot_ids}, expected)

    def test_rerun_changes_nothing(self):
        first = self._run()
        before = sorted((s.partner_id.id, s.abc_xyz_class, s.revenue) for s in first.snapshot_ids)
        second = self._run(day="2026-07-20")  # same window
        self.assertEqual(first, second)
        self.assertEqual(self.env["abc.xyz.run"].search_count([("company_id", "=", self.company.id)]), 1)
        after = sorted((s.partner_id.id, s.abc_xyz_class, s.revenue) for s in second.snapshot_ids)
        self.assertEqual(before, after)

    def test_migration_and_dropped_customer_flagged(self):
        self._run()
        # In July the wavy customer buys a lot: steady falls from A to B.
        self.env["account.move"].create(self._invoice_vals("wavy", date(2026, 7, 20), 5000)).action_post()
        run = self._run(day="2026-08-15")
        steady = run.snapshot_ids.filtered(lambda s: s.partner_id == self.c["steady"])
        self.assertEqual((steady.previous_abc_class, steady.abc_class), ("A", "B"))
        # LTV: 1100 over Aug-Jul against 1200 over Jul-Jun
        self.assertEqual((steady.revenue, steady.previous_revenue), (1100, 1200))
        self.assertAlmostEqual(steady.monthly_revenue, 1100 / 12, places=2)
        self.assertAlmostEqual(steady.revenue_trend, -8.33, places=2)
        partner = self.c["steady"].with_company(self.company)
        self.assertEqual(partner.ltv_revenue, 1100)
        self.assertAlmostEqual(partner.ltv_trend, -8.3, places=1)
        self.assertTrue(steady.is_dropped)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.c["steady"].id)]
        )
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("AX", activity.summary)
        # the migration matrix: counts per from -> to cell
        cells = {
            (prev, cur): count
            for prev, cur, count in self.env["abc.xyz.snapshot"]._read_group(
                [("run_id", "=", run.id)], ["previous_abc_class", "abc_class"], ["__count"]
            )
        }
        self.assertEqual(cells[("A", "B")], 1)
        self.assertEqual(cells[("B", "A")], 1)  # wavy
        # running August again does not flag the customer twice
        self._run(day="2026-08-20")
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.c["steady"].id)]
            ),
            1,
        )

    def test_two_companies_keep_their_own_classes(self):
        other = self.setup_other_company()["company"]
        self.env["account.move"].create(
            [self._invoice_vals("never", m.replace(day=3), 10, company=other) for m in MONTHS]
        ).action_post()
        runs = self._run(companies=self.company | other)
        other_run = runs.filtered(lambda r: r.company_id == other)
        self.assertEqual(other_run.snapshot_ids.partner_id, self.c["never"])
        self.assertEqual(self.c["never"].with_company(other).abc_xyz_class, "AX")
        self.assertFalse(self.c["never"].with_company(self.company).abc_class)
        self.assertEqual(self.c["wavy"].with_company(self.company).abc_class, "B")
        self.assertFalse(self.c["wavy"].with_company(other).abc_class)

    def test_access(self):
        self._run()
        with self.assertRaises(AccessError):
            self.env["abc.xyz.snapshot"].with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.env["abc.xyz.run"].with_user(self.salesperson).with_company(self.company).action_run_now()
        snaps = self.env["abc.xyz.snapshot"].with_user(self.salesperson).search([("user_id", "=", self.salesperson.id)])
        self.assertTrue(snaps)
        with freeze_time("2026-07-15"):
            action = self.env["abc.xyz.run"].with_user(self.manager).with_company(self.company).action_run_now()
        self.assertEqual(action["res_model"], "abc.xyz.run")

    def test_run_now_button_as_the_web_client_calls_it(self):
        """The list's header button: the web client calls the method with the
        ids of the selected runs (none or some), as ``call_button`` does."""
        Run = self.env["abc.xyz.run"].with_user(self.manager).with_company(self.company)
        with freeze_time("2026-07-15"):
            first = call_kw(Run, "action_run_now", [[]], {})
            again = call_kw(Run, "action_run_now", [[first["res_id"]]], {})
        self.assertEqual(Run.browse(again["res_id"]).company_id, self.company)

    def test_cron_exists_and_runs(self):
        cron = self.env.ref("loyalty_lifecycle.ir_cron_abc_xyz_update")
        self.assertEqual(cron.interval_type, "months")
        with freeze_time("2026-07-15"):
            cron.method_direct_trigger()
        self.assertTrue(self.env["abc.xyz.run"].search([("company_id", "=", self.company.id)]))
