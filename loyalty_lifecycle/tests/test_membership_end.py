from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import CustomerBaseGroupsMixin


@tagged("post_install", "-at_install")
class TestMembershipEnd(CustomerBaseGroupsMixin, AccountTestInvoicingCommon):
    """Validities stack: an early renewal starts at the end of the running
    membership, and the stage rules, the form and the journeys read that end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.month = cls.env["product.product"].create(
            {"name": "Monthly Membership", "type": "service", "list_price": 1500, "validity_days": 31}
        )
        cls.year = cls.env["product.product"].create(
            {"name": "Annual Membership", "type": "service", "list_price": 12000, "validity_days": 365}
        )
        cls.drink = cls.env["product.product"].create({"name": "Protein Shake", "type": "service", "list_price": 5})
        cls.member = cls.env["res.partner"].create({"name": "Early Renewer"})
        cls.lapsed = cls.env["res.partner"].create({"name": "Late Renewer"})
        cls.env["account.move"].create(
            [
                cls._invoice_vals(cls.member, date(2025, 1, 1), cls.month, 1500),
                cls._invoice_vals(cls.member, date(2025, 1, 5), cls.drink, 5),
                cls._invoice_vals(cls.member, date(2025, 1, 20), cls.year, 12000),
                cls._invoice_vals(cls.member, date(2025, 12, 1), cls.drink, 5),
                cls._invoice_vals(cls.lapsed, date(2025, 1, 1), cls.month, 1500),
                cls._invoice_vals(cls.lapsed, date(2025, 3, 10), cls.month, 1500),
            ]
        ).action_post()
        cls.user_loyalty = new_test_user(
            cls.env,
            login="lc_membership_user",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    @classmethod
    def _invoice_vals(cls, partner, when, product, amount):
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": when,
            "date": when,
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }

    def end_of(self, partner):
        partner.invalidate_recordset(["lc_membership_end"])
        return partner.with_user(self.user_loyalty).lc_membership_end

    def test_early_renewal_extends_from_the_current_end(self):
        with freeze_time("2025-01-10"):
            self.assertEqual(self.end_of(self.member), date(2025, 2, 1), "the renewal of the 20th is not yet bought")
        with freeze_time("2025-03-01"):
            # 1 January + 31 days = 1 February; the year runs from there, not from 20 January
            self.assertEqual(self.end_of(self.member), date(2026, 2, 1))
            # a renewal after the end starts on its own day
            self.assertEqual(self.end_of(self.lapsed), date(2025, 2, 1))
        with freeze_time("2025-04-01"):
            self.assertEqual(self.end_of(self.lapsed), date(2025, 4, 10))
            Partner = self.env["res.partner"].with_user(self.user_loyalty)
            found = Partner.search([("lc_membership_end", ">", date(2026, 1, 1))])
            self.assertIn(self.member, found)
            self.assertNotIn(self.lapsed, found)
            self.assertIn(self.lapsed, Partner.search([("lc_membership_end", "<=", "2025-04-10")]))
            self.assertNotIn(self.member, Partner.search([("lc_membership_end", "=", False)]))

    def test_stage_rules_read_the_stacked_end(self):
        retention = self.env.ref("loyalty_lifecycle.lifecycle_stage_retention")
        winback = self.env.ref("loyalty_lifecycle.lifecycle_stage_winback")
        Rule = self.env["lifecycle.stage.rule"]
        # 10 December 2025: 53 days before 1 February (41 before 20 January)
        with freeze_time("2025-12-10"):
            Rule._cron_update_stages()
        self.assertNotEqual(self.member.lifecycle_stage_id, retention, "no retention a month and a half too early")
        with freeze_time("2025-12-20"):  # 43 days before the end
            Rule._cron_update_stages()
        self.assertEqual(self.member.lifecycle_stage_id, retention)
        with freeze_time("2026-02-25"):  # 24 days after the end: still retention, not win-back
            Rule._cron_update_stages()
        self.assertEqual(self.member.lifecycle_stage_id, retention)
        with freeze_time("2026-03-04"):  # 31 days after the end
            Rule._cron_update_stages()
        self.assertEqual(self.member.lifecycle_stage_id, winback)
