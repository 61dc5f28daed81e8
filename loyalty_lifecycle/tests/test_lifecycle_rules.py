from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import CustomerBaseGroupsMixin

D0 = date(2025, 1, 6)  # the day the member buys a one-year membership


def day(offset):
    return D0 + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestLifecycleRules(CustomerBaseGroupsMixin, AccountTestInvoicingCommon):
    """The default stage rules on the gym case: a member's year, day by day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["lifecycle.stage.rule"]
        cls.stage = {
            code: cls.env.ref(f"loyalty_lifecycle.lifecycle_stage_{code}")
            for code in (
                "new",
                "activation",
                "stimulation",
                "cross_sell",
                "hot",
                "warm",
                "retention",
                "winback",
                "lost",
            )
        }
        cls.membership = cls.env["product.product"].create(
            {"name": "Annual Membership", "type": "service", "list_price": 12000, "validity_days": 365}
        )
        cls.visit = cls.env["product.product"].create({"name": "Gym Visit", "type": "service", "list_price": 1})
        with freeze_time(day(-10)):
            cls.member = cls.env["res.partner"].create({"name": "Maria Member", "phone": "+7 916 000-00-01"})
            cls.renewer = cls.env["res.partner"].create({"name": "Roman Renewer"})
        visits = (
            [35, 42, 49, 56, 63, 70, 77, 84]  # weekly after a slow start
            + [100, 120, 140]  # every twenty days
            + [150, 157, 164, 171, 178, 185]  # weekly again, then nothing
        )
        moves = [cls._invoice_vals(cls.member, day(0), cls.membership, 12000)]
        moves += [cls._invoice_vals(cls.member, day(offset), cls.visit, 1) for offset in visits]
        moves += [
            cls._invoice_vals(cls.renewer, day(0), cls.membership, 12000),
            cls._invoice_vals(cls.renewer, day(340), cls.membership, 12000),
        ]
        cls.env["account.move"].create(moves).action_post()

    @classmethod
    def _invoice_vals(cls, partner, when, product, amount, refund=False):
        return {
            "move_type": "out_refund" if refund else "out_invoice",
            "partner_id": partner.id,
            "invoice_date": when,
            "date": when,
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }

    def _run_cron_on(self, when):
        with freeze_time(when):
            self.Rule._cron_update_stages()
        self.env.invalidate_all()

    def test_member_year_walks_through_every_default_stage(self):
        walk = [
            (-10, "new"),  # registered, never bought
            (0, "new"),  # bought the membership today
            (25, "activation"),  # day 25, not a single visit yet
            (70, "stimulation"),  # day 70, visiting every week
            (141, "cross_sell"),  # regular, every twenty days
            (185, "hot"),  # every week again
            (250, "warm"),  # was hot, nothing for 65 days
            (330, "retention"),  # membership ends in 35 days
            (400, "winback"),  # ended 35 days ago, not renewed
            (490, "lost"),  # ended 125 days ago
        ]
        for offset, code in walk:
            self._run_cron_on(day(offset))
            self.assertEqual(
                self.member.lifecycle_stage_id.code,
                code,
                f"day {offset}: expected {code}, got {self.member.lifecycle_stage_id.code}",
            )
        self.assertEqual({code for _offset, code in walk}, set(self.stage), "the walk must cover every default stage")
        history = self.member.lifecycle_history_ids.sorted(lambda h: (h.date, h.id))
        self.assertEqual(
            history.mapped("to_stage_id.code"),
            ["new", "activation", "stimulation", "cross_sell", "hot", "warm", "retention", "winback", "lost"],
        )
        self.assertEqual(history[0].reason, "Registered, never bought")
        self.assertEqual(history[-1].rule_id, self.env.ref("loyalty_lifecycle.lifecycle_stage_rule_lost_validity"))
        self.assertEqual(history[-1].from_stage_id, self.stage["winback"])
        self.assertEqual(history[-1].days_in_previous_stage, 90)
        self.assertEqual(self.member.lifecycle_stage_date.date(), day(490))

        # A second run the same day changes nothing.
        with freeze_time(day(490)):
            moved, remaining = self.Rule._update_stages()
        self.assertEqual((moved, remaining), (0, 0))
        self.assertEqual(len(self.member.lifecycle_history_ids), 9)

    def test_renewal_stops_retention(self):
        self._run_cron_on(day(330))
        self.assertEqual(self.renewer.lifecycle_stage_id, self.stage["retention"])
        self._run_cron_on(day(345))  # renewed on day 340: the membership now ends on day 705
        self.assertEqual(self.renewer.lifecycle_stage_id, self.stage["cross_sell"])
        self.assertEqual(self.renewer.lifecycle_history_ids[:1].reason, "Renewed or came back")
        self._run_cron_on(day(400))
        self.assertEqual(self.renewer.lifecycle_stage_id, self.stage["cross_sell"], "a renewed member is no win-back")

    def test_refunded_membership_gives_no_validity(self):
        refunder = self.env["res.partner"].create({"name": "Rita Refund"})
        self.env["account.move"].create(
            [
                self._invoice_vals(refunder, day(0), self.membership, 12000),
                self._invoice_vals(refunder, day(3), self.membership, 12000, refund=True),
            ]
        ).action_post()
        self._run_cron_on(day(330))
        self.assertNotEqual(refunder.lifecycle_stage_id, self.stage["retention"])
        self._run_cron_on(day(400))
        self.assertNotEqual(refunder.lifecycle_stage_id, self.stage["winback"])

    def test_out_of_scope_partners_stay_out(self):
        supplier = self.env["res.partner"].create({"name": "Towel Supplier", "supplier_rank": 1})
        contact = self.env["res.partner"].create({"name": "Colleague", "parent_id": self.member.id})
        self._run_cron_on(day(-10))
        self.assertFalse(supplier.lifecycle_stage_id)
        self.assertFalse(contact.lifecycle_stage_id, "contacts follow their company, they have no stage of their own")
        self.assertFalse(self.env.company.partner_id.lifecycle_stage_id)
        self.assertFalse(self.env.user.partner_id.lifecycle_stage_id)
        self.assertEqual(self.member.lifecycle_stage_id, self.stage["new"])

    def test_only_customers_enter_the_base(self):
        """Suppliers, companies met once and plain addresses stay out of the
        base; whoever bought, or registered as a customer, comes in."""
        Partner = self.env["res.partner"]
        vendor = Partner.create({"name": "Protein Wholesale", "is_company": True, "supplier_rank": 3})
        company = Partner.create({"name": "Furniture Shop Ltd", "is_company": True})
        address = Partner.create({"name": "Plumber", "phone": "+7 916 000-00-99"})
        vendor_customer = Partner.create({"name": "Towels and Shakes", "is_company": True, "supplier_rank": 1})
        vendor_with_stage = Partner.create(
            {"name": "Partner Club", "supplier_rank": 1, "lifecycle_stage_id": self.stage["hot"].id}
        )
        registered = Partner.create({"name": "Registered at the desk", "customer_rank": 1})
        consent = Partner.create({"name": "Said yes to offers", "marketing_consent": True})
        birthday = Partner.create({"name": "Filled in the form", "birthday": date(1990, 5, 17)})
        card_holder = Partner.create({"name": "Card Holder"})
        program = self.env["loyalty.program"].create({"name": "Points", "program_type": "loyalty"})
        self.env["loyalty.card"].create({"program_id": program.id, "partner_id": card_holder.id})
        coupon_program = self.env["loyalty.program"].create({"name": "10% once", "program_type": "coupons"})
        coupon_holder = Partner.create({"name": "Got a coupon"})
        self.env["loyalty.card"].create({"program_id": coupon_program.id, "partner_id": coupon_holder.id})
        self.env["account.move"].create([self._invoice_vals(vendor_customer, day(-20), self.visit, 500)]).action_post()
        self._run_cron_on(day(-10))
        for outsider in (vendor, company, address, coupon_holder):
            self.assertFalse(outsider.lifecycle_stage_id, f"{outsider.name} is no customer")
        for customer in (registered, consent, birthday, card_holder):
            self.assertEqual(customer.lifecycle_stage_id, self.stage["new"], f"{customer.name} is a customer")
        self.assertEqual(
            vendor_customer.lifecycle_stage_id, self.stage["new"], "a supplier who bought is a customer too"
        )
        self.assertEqual(vendor_with_stage.lifecycle_stage_id, self.stage["hot"], "put in a stage, stays a customer")

    def test_kanban_card_of_a_customer(self):
        """What the manager decides on, on the card: the last purchase and the
        days in the stage next to the class, the points and the activities;
        read by Customer Base users only."""
        user = new_test_user(
            self.env, login="lc_kanban_user", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cashier = new_test_user(
            self.env, login="lc_kanban_cashier", groups="base.group_user,point_of_sale.group_pos_user"
        )
        supplier = self.env["res.partner"].create({"name": "Towel Supplier", "supplier_rank": 1})
        self._run_cron_on(day(185))  # weekly again: Hot from day 185
        action = self.env.ref("loyalty_lifecycle.res_partner_action_lifecycle")
        kanban = self.env.ref("loyalty_lifecycle.res_partner_view_kanban_lifecycle")
        self.assertEqual(action.view_ids.filtered(lambda v: v.view_mode == "kanban").view_id, kanban)
        Partner = self.env["res.partner"].with_user(user)
        arch = Partner.get_views([(kanban.id, "kanban")])["views"]["kanban"]["arch"]
        for name in (
            "avatar_128",
            "phone",
            "abc_xyz_class",
            "loyalty_points_available",
            "lifecycle_stage_days",
            "lifecycle_last_purchase_date",
            "activity_ids",
            "user_id",
        ):
            self.assertIn(f'name="{name}"', arch)
        domain = safe_eval(action.domain, {"allowed_company_ids": user.company_ids.ids})
        with freeze_time(day(200)):
            rows = Partner.web_search_read(
                domain + [("id", "in", (self.member | supplier).ids)],
                {"lifecycle_last_purchase_date": {}, "lifecycle_stage_days": {}, "loyalty_points_available": {}},
            )["records"]
        self.assertEqual(len(rows), 1, "a supplier has no stage: not on the board")
        self.assertEqual(rows[0]["id"], self.member.id)
        self.assertEqual(rows[0]["lifecycle_last_purchase_date"], day(185))
        self.assertEqual(rows[0]["lifecycle_stage_days"], 15)
        with self.assertRaises(AccessError):
            self.member.with_user(cashier).read(["lifecycle_last_purchase_date"])

    def test_birthday_condition(self):
        rule = self.Rule.create(
            {
                "name": "Birthday this week",
                "sequence": 1,
                "stage_id": self.stage["hot"].id,
                "enabled": True,
                "condition_ids": [
                    Command.create(
                        {"criterion": "days_until_birthday", "operator": "between", "value": 0, "value_to": 6}
                    )
                ],
            }
        )
        leap = self.env["res.partner"].create({"name": "Leap Day", "birthday": date(2000, 2, 29)})
        december = self.env["res.partner"].create({"name": "New Year", "birthday": date(1990, 1, 2)})
        later = self.env["res.partner"].create({"name": "Later", "birthday": date(1990, 3, 20)})
        self._run_cron_on(date(2027, 2, 25))  # 2027 has no 29 February: celebrated on the 28th
        self.assertEqual(leap.lifecycle_stage_id, self.stage["hot"])
        self.assertEqual(leap.lifecycle_history_ids.rule_id, rule)
        self.assertNotEqual(later.lifecycle_stage_id, self.stage["hot"])
        self._run_cron_on(date(2026, 12, 28))  # across the new year
        self.assertEqual(december.lifecycle_stage_id, self.stage["hot"])

    def test_preview_moves_nobody(self):
        self._run_cron_on(day(25))
        self.assertEqual(self.member.lifecycle_stage_id, self.stage["activation"])
        rule = self.Rule.create(
            {
                "name": "Big spenders",
                "sequence": 5,
                "stage_id": self.stage["hot"].id,
                "condition_ids": [Command.create({"criterion": "purchase_count", "operator": "gte", "value": 1})],
            }
        )
        self.assertFalse(rule.enabled, "a new rule waits to be enabled")
        action = rule.action_preview()
        preview = self.env["lifecycle.stage.preview"].browse(action["res_id"])
        with freeze_time(day(25)):
            preview.date = day(25)
            preview.action_refresh()
        mine = preview.line_ids.filtered(lambda line: line.partner_id == self.member)
        self.assertEqual(mine.to_stage_id, self.stage["hot"])
        self.assertEqual(mine.from_stage_id, self.stage["activation"])
        self.assertTrue(mine.by_this_rule)
        self.assertEqual(preview.move_count, len(preview.line_ids.filtered("by_this_rule")))
        self.assertEqual(self.member.lifecycle_stage_id, self.stage["activation"], "a preview moves nobody")
        preview.action_enable_rule()
        self.assertTrue(rule.enabled)
        self._run_cron_on(day(25))
        self.assertEqual(self.member.lifecycle_stage_id, self.stage["activation"], "moved once today already")
        self._run_cron_on(day(26))
        self.assertEqual(self.member.lifecycle_stage_id, self.stage["hot"])

    def test_cron_works_in_bounded_batches(self):
        for i in range(5):  # registered at the desk, not bought yet
            self.env["res.partner"].create({"name": f"Walk-in {i}", "customer_rank": 1})
        self.assertGreaterEqual(len(self.Rule._compute_stage_changes(day(-10))), 7)
        cron = self.env.ref("loyalty_lifecycle.ir_cron_lifecycle_update")
        done = 0
        with freeze_time(day(-10)):
            for _call in range(50):
                progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
                self.Rule.with_context(ir_cron_progress_id=progress.id)._cron_update_stages(batch_size=3)
                self.assertLessEqual(progress.done, 3)
                done += progress.done
                if not progress.remaining:
                    break
        self.assertFalse(progress.remaining, "the day's run ends")
        runs = self.env["lifecycle.stage.run"].sudo().search([("date", "=", day(-10))])
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertEqual(done, sum(runs.mapped("moved_count")) + sum(runs.mapped("skipped_count")))
        self.assertEqual(self.Rule._compute_stage_changes(day(-10)), [], "nothing left to move")
        counts = self.env["lifecycle.stage.count"].search([("date", "=", day(-10))])
        new_count = counts.filtered(lambda c: c.stage_id == self.stage["new"]).customer_count
        self.assertEqual(
            new_count, self.env["res.partner"].search_count([("lifecycle_stage_id", "=", self.stage["new"].id)])
        )
        # A second run the same day records the same figures once.
        with freeze_time(day(-10)):
            self.Rule._cron_update_stages()
        self.assertEqual(self.env["lifecycle.stage.count"].search_count([("date", "=", day(-10))]), len(counts))

    def test_stage_counts_over_time(self):
        self._run_cron_on(day(25))
        self._run_cron_on(day(70))
        Count = self.env["lifecycle.stage.count"]
        self.assertEqual(
            Count.search([("date", "=", day(25)), ("stage_id", "=", self.stage["activation"].id)]).customer_count, 2
        )
        self.assertEqual(
            Count.search([("date", "=", day(70)), ("stage_id", "=", self.stage["stimulation"].id)]).customer_count, 1
        )
        self.assertEqual(
            Count.search([("date", "=", day(70)), ("stage_id", "=", self.stage["activation"].id)]).customer_count,
            1,
            "the renewer never visited: still to activate",
        )

    def test_condition_bounds_are_checked(self):
        rule = self.Rule.create({"name": "Odd", "stage_id": self.stage["hot"].id})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            rule.condition_ids = [
                Command.create(
                    {"criterion": "days_since_last_purchase", "operator": "between", "value": 9, "value_to": 3}
                )
            ]
        with self.assertRaises(ValidationError), self.cr.savepoint():
            rule.condition_ids = [
                Command.create({"criterion": "purchases_in_window", "operator": "gte", "value": 1, "window_days": 0})
            ]


@tagged("post_install", "-at_install")
class TestLifecycleRuleAccess(CustomerBaseGroupsMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = new_test_user(cls.env, login="lc_rule_employee", groups="base.group_user")
        cls.user = new_test_user(
            cls.env, login="lc_rule_user", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cls.manager = new_test_user(
            cls.env, login="lc_rule_manager", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager"
        )
        cls.rule = cls.env.ref("loyalty_lifecycle.lifecycle_stage_rule_winback")
        cls.condition = cls.rule.sudo().condition_ids

    def test_employee_cannot_touch_rules(self):
        with self.assertRaises(AccessError):
            self.rule.with_user(self.employee).read(["name"])
        with self.assertRaises(AccessError):
            self.rule.with_user(self.employee).write({"enabled": False})
        with self.assertRaises(AccessError):
            self.condition.with_user(self.employee).write({"value": 1})

    def test_user_reads_but_cannot_change_rules(self):
        self.assertEqual(self.rule.with_user(self.user).stage_id.code, "winback")
        with self.assertRaises(AccessError):
            self.rule.with_user(self.user).write({"enabled": False})
        with self.assertRaises(AccessError):
            self.condition.with_user(self.user).write({"value": 1})
        with self.assertRaises(AccessError):
            self.env["lifecycle.stage.rule"].with_user(self.user).create(
                {"name": "Mine", "stage_id": self.rule.stage_id.id}
            )
        with self.assertRaises(AccessError):
            self.env["lifecycle.stage.rule"].with_user(self.user).action_update_stages_now()

    def test_manager_changes_rules_and_runs_them(self):
        self.condition.with_user(self.manager).write({"value_to": 150})
        self.assertEqual(self.condition.value_to, 150)
        self.rule.with_user(self.manager).action_disable()
        self.assertFalse(self.rule.enabled)
        action = self.env["lifecycle.stage.rule"].with_user(self.manager).action_update_stages_now()
        self.assertEqual(action["params"]["type"], "info")
