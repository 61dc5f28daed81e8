from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LoyaltyLifecycleCommon


@tagged("post_install", "-at_install")
class TestFoundation(LoyaltyLifecycleCommon):
    def test_menu_visible_to_loyalty_users_only(self):
        root = "loyalty_lifecycle.loyalty_lifecycle_menu_root"
        config = "loyalty_lifecycle.loyalty_lifecycle_menu_config"
        self.assertMenuVisible(self.user_employee, root, visible=False)
        self.assertMenuVisible(self.user_loyalty, root)
        self.assertMenuVisible(self.user_loyalty, "loyalty_lifecycle.res_partner_menu_lifecycle")
        self.assertMenuVisible(self.user_loyalty, config, visible=False)
        self.assertMenuVisible(self.user_manager, config)
        self.assertMenuVisible(self.user_manager, "loyalty_lifecycle.lifecycle_stage_menu")

    def test_partner_form_shows_lifecycle_to_loyalty_users(self):
        self.assertIn('name="lifecycle_stage_id"', self.form_arch(self.user_loyalty))
        self.assertNotIn('name="lifecycle_stage_id"', self.form_arch(self.user_employee))

    def test_default_stages_reproduce_the_gym_case(self):
        codes = self.env["lifecycle.stage"].search([]).mapped("code")
        for code in ("new", "activation", "stimulation", "cross_sell", "retention", "winback", "lost", "hot", "warm"):
            self.assertIn(code, codes)
        self.assertLess(codes.index("activation"), codes.index("stimulation"))
        self.assertLess(codes.index("retention"), codes.index("winback"))

    def test_stage_code_is_unique_and_normalised(self):
        stage = self.env["lifecycle.stage"].create({"name": "VIP", "code": " Very-Important Guest "})
        self.assertEqual(stage.code, "very_important_guest")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["lifecycle.stage"].create({"name": "Duplicate", "code": "activation"})

    def test_only_managers_change_stages(self):
        stage = self.env.ref("loyalty_lifecycle.lifecycle_stage_winback")
        for user in (self.user_employee, self.user_loyalty):
            self.assertEqual(stage.with_user(user).name, "Win-back")  # everyone may read
            with self.assertRaises(AccessError):
                stage.with_user(user).write({"name": "Changed"})
            with self.assertRaises(AccessError):
                self.env["lifecycle.stage"].with_user(user).create({"name": "X", "code": "x"})
        stage.with_user(self.user_manager).write({"name": "Come Back"})
        self.assertEqual(stage.name, "Come Back")

    def test_stage_date_follows_stage_changes(self):
        activation = self.env.ref("loyalty_lifecycle.lifecycle_stage_activation")
        retention = self.env.ref("loyalty_lifecycle.lifecycle_stage_retention")
        with freeze_time("2026-01-10 09:00:00"):
            partner = self.env["res.partner"].create({"name": "Gym Member", "lifecycle_stage_id": activation.id})
        self.assertEqual(str(partner.lifecycle_stage_date), "2026-01-10 09:00:00")
        with freeze_time("2026-02-01 09:00:00"):
            partner.write({"lifecycle_stage_id": activation.id})  # same stage: date kept
        self.assertEqual(str(partner.lifecycle_stage_date), "2026-01-10 09:00:00")
        with freeze_time("2026-03-01 09:00:00"):
            partner.write({"lifecycle_stage_id": retention.id})
        self.assertEqual(str(partner.lifecycle_stage_date), "2026-03-01 09:00:00")
        self.assertEqual(activation.partner_count, 0)
        self.assertEqual(retention.partner_count, 1)
        with freeze_time("2026-03-11 09:00:00"):
            partner.write({"lifecycle_stage_id": False})
        self.assertFalse(partner.lifecycle_stage_date)
        # every real move, and only those, is in the history
        history = partner.lifecycle_history_ids.sorted("date")
        self.assertEqual(
            [(h.from_stage_id.code, h.to_stage_id.code, h.days_in_previous_stage) for h in history],
            [(False, "activation", 0), ("activation", "retention", 50), ("retention", False, 10)],
        )

    def test_history_says_which_rule_moved_the_customer(self):
        partner = self.env["res.partner"].create({"name": "Member"})
        stage = self.env.ref("loyalty_lifecycle.lifecycle_stage_winback")
        # Server code names the reason; a client's context cannot.
        partner.with_user(self.user_loyalty)._lifecycle_move(stage, reason="Win-back rule")
        history = partner.lifecycle_history_ids
        self.assertEqual(
            (history.to_stage_id, history.reason, history.user_id, history.manual),
            (stage, "Win-back rule", self.user_loyalty, False),
        )
        partner.with_user(self.user_loyalty).with_context(lifecycle_reason="Forged").lifecycle_stage_id = False
        last = self.env["lifecycle.stage.history"].search([("partner_id", "=", partner.id)], limit=1)
        self.assertEqual((last.to_stage_id.id, last.manual, last.rule_id.id), (False, True, False))
        self.assertTrue(last.reason.startswith("Moved by hand"))
        # the log is read-only for users
        with self.assertRaises(AccessError):
            history.with_user(self.user_loyalty).write({"reason": "forged"})
        with self.assertRaises(AccessError):
            history.with_user(self.user_manager).unlink()

    def test_kanban_shows_every_stage_as_a_column(self):
        groups = (
            self.env["res.partner"]
            .with_user(self.user_loyalty)
            .web_read_group([("id", "=", 0)], ["lifecycle_stage_id"], ["lifecycle_stage_id"])["groups"]
        )
        self.assertEqual(
            len(groups), self.env["lifecycle.stage"].search_count([]), "empty stages are kanban columns too"
        )
