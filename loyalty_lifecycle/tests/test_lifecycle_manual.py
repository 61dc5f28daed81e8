from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import CustomerBaseGroupsMixin

D0 = date(2025, 5, 5)


def day(offset):
    return D0 + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestLifecycleManualMove(CustomerBaseGroupsMixin, AccountTestInvoicingCommon):
    """A stage set by hand holds against the rules for the company's days, or
    until the customer buys again; the history says so and cannot be forged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["lifecycle.stage.rule"]
        cls.Rule.search([]).write({"enabled": False})
        cls.hot = cls.env.ref("loyalty_lifecycle.lifecycle_stage_hot")
        cls.warm = cls.env.ref("loyalty_lifecycle.lifecycle_stage_warm")
        cls.rule = cls.Rule.create(
            {
                "name": "Bought at least once",
                "stage_id": cls.hot.id,
                "enabled": True,
                "condition_ids": [Command.create({"criterion": "purchase_count", "operator": "gte", "value": 1})],
            }
        )
        cls.env.company.lifecycle_manual_hold_days = 10
        cls.manager = new_test_user(
            cls.env,
            login="lc_manual_manager",
            groups="base.group_user,base.group_partner_manager,loyalty_lifecycle.loyalty_lifecycle_group_manager",
            company_id=cls.env.company.id,
        )
        cls.product = cls.env["product.product"].create({"name": "Visit", "type": "service", "list_price": 5})
        cls.buyer = cls.env["res.partner"].create({"name": "Bella Buyer"})
        cls.quiet = cls.env["res.partner"].create({"name": "Quentin Quiet"})
        cls._invoice([cls.buyer, cls.quiet], day(0))

    @classmethod
    def _invoice(cls, partners, when):
        cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": when,
                    "date": when,
                    "invoice_line_ids": [
                        Command.create({"product_id": cls.product.id, "quantity": 1, "price_unit": 5, "tax_ids": []})
                    ],
                }
                for partner in partners
            ]
        ).action_post()

    def _run_on(self, when):
        with freeze_time(when):
            self.Rule._update_stages()
        self.env.invalidate_all()

    def test_move_by_hand_holds_until_the_days_pass_or_a_purchase(self):
        partners = self.buyer | self.quiet
        self._run_on(day(1))
        self.assertEqual(partners.lifecycle_stage_id, self.hot)
        with freeze_time(day(2)):
            partners.with_user(self.manager).write({"lifecycle_stage_id": self.warm.id})
        self.assertEqual(self.buyer.lifecycle_hold_until, day(12))
        last = self.buyer.lifecycle_history_ids[:1]
        self.assertTrue(last.manual)
        self.assertFalse(last.rule_id)
        self.assertEqual(last.user_id, self.manager)
        self.assertIn("Moved by hand", last.reason)
        self.assertIn("next purchase", last.reason)

        self._run_on(day(3))
        self.assertEqual(partners.lifecycle_stage_id, self.warm, "the rules leave a stage set by hand alone")
        # A purchase after the move lifts the hold for who bought.
        self._invoice(self.buyer, day(5))
        self._run_on(day(6))
        self.assertEqual(self.buyer.lifecycle_stage_id, self.hot)
        self.assertEqual(self.buyer.lifecycle_history_ids[:1].rule_id, self.rule)
        self.assertFalse(self.buyer.lifecycle_hold_until, "the rules moved them: no hold any more")
        self.assertEqual(self.quiet.lifecycle_stage_id, self.warm)
        # The hold ends after the company's days (10: up to day 12 excluded).
        self._run_on(day(11))
        self.assertEqual(self.quiet.lifecycle_stage_id, self.warm)
        self._run_on(day(12))
        self.assertEqual(self.quiet.lifecycle_stage_id, self.hot)

    def test_no_hold_when_the_company_sets_zero_days(self):
        self.env.company.lifecycle_manual_hold_days = 0
        self._run_on(day(1))
        with freeze_time(day(2)):
            self.quiet.with_user(self.manager).write({"lifecycle_stage_id": self.warm.id})
        self.assertFalse(self.quiet.lifecycle_hold_until)
        self.assertEqual(self.quiet.lifecycle_history_ids[:1].reason, "Moved by hand.")
        self._run_on(day(3))
        self.assertEqual(self.quiet.lifecycle_stage_id, self.hot)

    def test_context_cannot_forge_the_history(self):
        self._run_on(day(1))
        forged = {"lifecycle_reason": "forged", "lifecycle_rule_id": self.rule.id}
        with freeze_time(day(2)):
            self.quiet.with_user(self.manager).with_context(**forged).write({"lifecycle_stage_id": self.warm.id})
            created = (
                self.env["res.partner"]
                .with_user(self.manager)
                .with_context(**forged)
                .create({"name": "Forged Fred", "lifecycle_stage_id": self.hot.id})
            )
        for partner in (self.quiet, created):
            line = partner.lifecycle_history_ids[:1]
            self.assertTrue(line.manual)
            self.assertFalse(line.rule_id)
            self.assertNotEqual(line.reason, "forged")
            self.assertTrue(line.reason.startswith("Moved by hand"))
        # Nor can a client set or lift the hold itself.
        self.quiet.with_user(self.manager).write({"lifecycle_hold_until": False, "lifecycle_manual_date": False})
        self.assertEqual(self.quiet.lifecycle_hold_until, day(12))
