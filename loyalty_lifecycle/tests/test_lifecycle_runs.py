from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import LoyaltyLifecycleCommon

DAY = date(2025, 3, 3)


@tagged("post_install", "-at_install")
class TestLifecycleRuns(LoyaltyLifecycleCommon):
    """The daily run: evaluated once, applied in batches, crash-safe, and
    rules that chain move a customer at most once a day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["lifecycle.stage.rule"]
        cls.Run = cls.env["lifecycle.stage.run"]
        # Only the rules of each test move anyone.
        cls.Rule.search([]).write({"enabled": False})
        cls.stage_x = cls.env.ref("loyalty_lifecycle.lifecycle_stage_activation")
        cls.stage_y = cls.env.ref("loyalty_lifecycle.lifecycle_stage_stimulation")
        cls.stage_z = cls.env.ref("loyalty_lifecycle.lifecycle_stage_cross_sell")
        cls.cron = cls.env.ref("loyalty_lifecycle.ir_cron_lifecycle_update")
        # Customers in X; a run moves them nowhere until a test enables rules.
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Chain Customer {i}", "lifecycle_stage_id": cls.stage_x.id} for i in range(7)]
        )
        # They were put in X by hand: release the hold, as if it were old.
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE res_partner SET lifecycle_hold_until = NULL, lifecycle_manual_date = NULL WHERE id IN %s",
            [tuple(cls.customers.ids)],
        )
        cls.customers.invalidate_recordset()

    def _rule(self, name, from_stage, to_stage, sequence=10):
        return self.Rule.create(
            {
                "name": name,
                "sequence": sequence,
                "stage_id": to_stage.id,
                "from_stage_ids": [Command.set(from_stage.ids)],
                "enabled": True,
                "condition_ids": [Command.create({"criterion": "never_bought"})],
            }
        )

    def _cron_call(self, batch_size):
        """One call of the cron job as the scheduler makes it: with a progress
        record, the job's own user, what it reports."""
        progress = self.env["ir.cron.progress"].create({"cron_id": self.cron.id, "remaining": 0, "done": 0})
        self.Rule.with_context(ir_cron_progress_id=progress.id)._cron_update_stages(batch_size=batch_size)
        return progress

    def _run_until_done(self, batch_size, max_calls=20):
        calls = []
        for _call in range(max_calls):
            progress = self._cron_call(batch_size)
            calls.append((progress.done, progress.remaining))
            if not progress.remaining:
                return calls
            self.assertGreater(progress.done, 0, "a call with work left must report work done, or the job stops")
        self.fail(f"the stage run did not finish in {max_calls} calls: {calls}")

    def _moves_today(self, partners):
        history = self.env["lifecycle.stage.history"].search(
            [("partner_id", "in", partners.ids), ("manual", "=", False)]
        )
        return {partner: history.filtered(lambda h, p=partner: h.partner_id == p) for partner in partners}

    def test_rules_back_and_forth_move_each_customer_once(self):
        self._rule("X to Y", self.stage_x, self.stage_y)
        self._rule("Y to X", self.stage_y, self.stage_x)
        with freeze_time(DAY):
            calls = self._run_until_done(batch_size=3)
            self.assertGreaterEqual(len(calls), 3, "seven customers in batches of three")
            self.assertTrue(all(done <= 3 for done, _remaining in calls))
            self.assertEqual(calls[-1][1], 0)
            for partner, history in self._moves_today(self.customers).items():
                self.assertEqual(len(history), 1, f"{partner.name} moved {len(history)} times")
                self.assertEqual(history.to_stage_id, self.stage_y)
            self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y)
            # A second run the same day moves nobody, and ends at once.
            progress = self._cron_call(batch_size=3)
            self.assertEqual((progress.done, progress.remaining), (0, 0))
            moved, remaining = self.Rule._update_stages()
            self.assertEqual((moved, remaining), (0, 0))
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y)
        self.assertTrue(all(len(h) == 1 for h in self._moves_today(self.customers).values()))
        run = self.Run.search([("date", "=", DAY), ("company_id", "=", self.env.company.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.moved_count, run.move_count)
        # The next day, the rules move them back, once.
        with freeze_time(DAY + timedelta(days=1)):
            self._run_until_done(batch_size=3)
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_x)
        self.assertTrue(all(len(h) == 2 for h in self._moves_today(self.customers).values()))

    def test_chain_moves_each_customer_one_step_a_day(self):
        self._rule("X to Y", self.stage_x, self.stage_y)
        self._rule("Y to Z", self.stage_y, self.stage_z)
        with freeze_time(DAY):
            self._run_until_done(batch_size=2)
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y, "one step a day, not X to Y to Z")
        counts = self.env["lifecycle.stage.count"].search([("date", "=", DAY), ("stage_id", "=", self.stage_y.id)])
        self.assertEqual(
            counts.customer_count, self.env["res.partner"].search_count([("lifecycle_stage_id", "=", self.stage_y.id)])
        )
        with freeze_time(DAY + timedelta(days=1)):
            self._run_until_done(batch_size=2)
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_z)

    def test_crash_and_rerun_neither_skip_nor_repeat(self):
        self._rule("X to Y", self.stage_x, self.stage_y)
        self._rule("Y to X", self.stage_y, self.stage_x)
        RuleClass = type(self.Rule)
        original = RuleClass._apply_stage_changes

        def crash(rule_model, changes, company=None):
            original(rule_model, changes, company=company)  # the batch's moves are written...
            raise RuntimeError("server killed")  # ...and lost with the transaction

        with freeze_time(DAY):
            with self.cr.savepoint():  # the first batch commits
                first = self._cron_call(batch_size=3)
            self.assertEqual((first.done, first.remaining > 0), (3, True))
            moved_first = self.customers.filtered(lambda p: p.lifecycle_stage_id == self.stage_y)
            self.assertEqual(len(moved_first), 3)
            with patch.object(RuleClass, "_apply_stage_changes", crash):
                with self.assertRaises(RuntimeError), self.cr.savepoint():
                    self._cron_call(batch_size=3)
            self.env.invalidate_all()
            self.assertEqual(
                self.customers.filtered(lambda p: p.lifecycle_stage_id == self.stage_y),
                moved_first,
                "the crashed batch left nothing behind",
            )
            # The scheduler runs the job again (new transaction): it goes on
            # where the last committed batch stopped.
            self._run_until_done(batch_size=3)
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y)
        for partner, history in self._moves_today(self.customers).items():
            self.assertEqual(len(history), 1, f"{partner.name} moved {len(history)} times")

    def test_update_now_triggers_the_cron_and_moves_nobody_itself(self):
        self._rule("X to Y", self.stage_x, self.stage_y)
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", self.cron.id)])
        with freeze_time(DAY):
            action = self.Rule.with_user(self.user_manager).action_update_stages_now()
            self.assertEqual(action["tag"], "display_notification")
            self.assertIn("background", action["params"]["message"])
            self.assertEqual(len(Trigger.search([("cron_id", "=", self.cron.id)]) - before), 1)
            self.assertEqual(self.customers.lifecycle_stage_id, self.stage_x, "the request itself moves nobody")
            run = self.Run.search([("date", "=", DAY), ("company_id", "=", self.env.company.id)])
            self.assertEqual((run.state, run.user_id), ("pending", self.user_manager))
            self.assertEqual(
                self.Run.with_user(self.user_loyalty).search([("id", "=", run.id)]), run, "users follow the run"
            )
            self._run_until_done(batch_size=5)
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y)
        self.assertEqual(run.state, "done")
        self.assertGreaterEqual(run.moved_count, len(self.customers))

    def test_update_now_later_the_same_day_moves_only_who_did_not_move(self):
        self._rule("X to Y", self.stage_x, self.stage_y)
        back = self._rule("Y to X", self.stage_y, self.stage_x)
        back.enabled = False
        with freeze_time(DAY):
            self._run_until_done(batch_size=10)
            self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y)
            late = self.env["res.partner"].create({"name": "Late Comer"})
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE res_partner SET lifecycle_stage_id = %s WHERE id = %s", [self.stage_x.id, late.id]
            )
            late.invalidate_recordset()
            back.enabled = True
            self.Rule.with_user(self.user_manager).action_update_stages_now()
            self._run_until_done(batch_size=10)
        self.assertEqual(self.customers.lifecycle_stage_id, self.stage_y, "moved once today: not back to X")
        self.assertEqual(late.lifecycle_stage_id, self.stage_y)

    def test_cycle_warning_on_the_rule_form(self):
        there = self._rule("X to Y", self.stage_x, self.stage_y)
        self.assertFalse(there.cycle_warning)
        back = self._rule("Y to X", self.stage_y, self.stage_x)
        there.invalidate_recordset(["cycle_warning"])
        self.assertIn(self.stage_x.name, back.cycle_warning)
        self.assertIn(self.stage_y.name, back.cycle_warning)
        self.assertTrue(there.cycle_warning)
        arch = self.form_arch(self.user_manager, "lifecycle.stage.rule")
        self.assertIn('name="cycle_warning"', arch)
        back.enabled = False
        there.invalidate_recordset(["cycle_warning"])
        self.assertFalse(there.cycle_warning, "a disabled rule makes no circle")
        self.assertTrue(back.cycle_warning, "a disabled rule is warned about before it is enabled")
