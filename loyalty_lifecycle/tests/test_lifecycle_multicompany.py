from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import LoyaltyLifecycleCommon

DAY = date(2025, 6, 2)


@tagged("post_install", "-at_install")
class TestLifecycleCompanies(LoyaltyLifecycleCommon):
    """Each company's stage run moves its own customers with its own rules;
    each company's users see their rules, runs, figures and history only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["lifecycle.stage.rule"]
        cls.Rule.search([]).write({"enabled": False})
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Second Gym"})
        cls.user_a = new_test_user(
            cls.env,
            login="lc_user_a",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        # B's staff register customers: Odoo's Contact Creation right
        cls.user_b = new_test_user(
            cls.env,
            login="lc_user_b",
            groups="base.group_user,base.group_partner_manager,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.hot = cls.env.ref("loyalty_lifecycle.lifecycle_stage_hot")
        cls.warm = cls.env.ref("loyalty_lifecycle.lifecycle_stage_warm")
        cls.rule_a = cls._never_bought_rule("A: registered", cls.company_a, cls.hot)
        cls.rule_b = cls._never_bought_rule("B: registered", cls.company_b, cls.warm)
        Partner = cls.env["res.partner"]
        # Registered as customers (a customer rank), never bought yet.
        cls.customer_a = Partner.create({"name": "Customer of A", "company_id": cls.company_a.id, "customer_rank": 1})
        cls.customer_b = Partner.create({"name": "Customer of B", "company_id": cls.company_b.id, "customer_rank": 1})
        # A shared customer registered by B's staff belongs to B's lifecycle.
        cls.shared_b = Partner.with_user(cls.user_b).create({"name": "Shared, registered in B", "customer_rank": 1})

    @classmethod
    def _never_bought_rule(cls, name, company, stage):
        return cls.Rule.create(
            {
                "name": name,
                "company_id": company.id,
                "stage_id": stage.id,
                "enabled": True,
                "condition_ids": [Command.create({"criterion": "never_bought"})],
            }
        )

    def test_each_company_moves_its_own_customers(self):
        with freeze_time(DAY):
            self.Rule._update_stages()
        self.assertEqual(self.customer_a.lifecycle_stage_id, self.hot)
        self.assertEqual(self.customer_b.lifecycle_stage_id, self.warm, "A's rule never moves a customer of B")
        self.assertEqual(self.shared_b.lifecycle_stage_id, self.warm)
        history = self.env["lifecycle.stage.history"].search(
            [("partner_id", "in", (self.customer_b | self.shared_b).ids)]
        )
        self.assertEqual(history.rule_id, self.rule_b)
        self.assertEqual(history.company_id, self.company_b)
        line_a = self.customer_a.lifecycle_history_ids
        self.assertEqual((line_a.rule_id, line_a.company_id), (self.rule_a, self.company_a))
        runs = self.env["lifecycle.stage.run"].search([("date", "=", DAY)])
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertLessEqual(self.company_a | self.company_b, runs.company_id)

    def test_company_b_without_rules_moves_nobody(self):
        self.rule_b.enabled = False
        with freeze_time(DAY):
            self.Rule._update_stages()
        self.assertEqual(self.customer_a.lifecycle_stage_id, self.hot)
        self.assertFalse(self.customer_b.lifecycle_stage_id)
        self.assertFalse(self.shared_b.lifecycle_stage_id)

    def test_users_see_only_their_company(self):
        with freeze_time(DAY):
            self.Rule._update_stages()
            self.env["abc.xyz.run"]._run_for_companies(self.company_a | self.company_b)
        for user, own, other in (
            (self.user_a, self.company_a, self.company_b),
            (self.user_b, self.company_b, self.company_a),
        ):
            env = self.env(user=user)
            rules = env["lifecycle.stage.rule"].search([])
            self.assertIn(own, rules.company_id)
            self.assertNotIn(other, rules.company_id)
            self.assertFalse(rules.filtered(lambda r, o=other: r.company_id == o))
            for model in ("lifecycle.stage.count", "lifecycle.stage.history", "lifecycle.stage.run", "abc.xyz.run"):
                records = env[model].search([])
                self.assertTrue(records, f"{user.login} sees their {model}")
                self.assertEqual(records.company_id, own, f"{user.login} sees only their company's {model}")
        # Shared rules (the defaults) are seen in every company.
        default = self.env.ref("loyalty_lifecycle.lifecycle_stage_rule_winback")
        self.assertFalse(default.company_id)
        self.assertEqual(self.env(user=self.user_b)["lifecycle.stage.rule"].browse(default.id).name, default.name)

    def test_counts_per_company(self):
        with freeze_time(DAY):
            self.Rule._update_stages()
        Count = self.env["lifecycle.stage.count"]
        count_b = Count.search([("date", "=", DAY), ("company_id", "=", self.company_b.id)])
        self.assertEqual(count_b.stage_id, self.warm)
        self.assertEqual(count_b.customer_count, 2)
        count_a_warm = Count.search(
            [("date", "=", DAY), ("company_id", "=", self.company_a.id), ("stage_id", "=", self.warm.id)]
        )
        self.assertFalse(count_a_warm, "B's customers are not counted in A")
