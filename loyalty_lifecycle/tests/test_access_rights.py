"""Who reads and changes the customer base on a contact, and who may call
its buttons over RPC: cashier, Customer Base user, manager, portal."""

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyLifecycleCommon

# What the till reads and shows: see _load_pos_data_fields.
POS_FIELDS = [
    "pos_lifecycle_stage",
    "abc_xyz_class",
    "pos_birthday_hint",
    "loyalty_points_expiring",
    "loyalty_points_tier",
    "marketing_consent",
    "birthday",
]
# Everything the addon adds to contacts, for the portal test.
PARTNER_FIELDS = POS_FIELDS + [
    "lifecycle_stage_id",
    "lifecycle_stage_date",
    "abc_class",
    "xyz_class",
    "abc_xyz_new",
    "abc_xyz_date",
    "lifecycle_history_ids",
    "ltv_currency_id",
    "ltv_revenue",
    "ltv_monthly",
    "ltv_trend",
    "marketing_consent_date",
    "loyalty_points_available",
    "loyalty_points_pending",
    "loyalty_points_entry_ids",
]


@tagged("post_install", "-at_install")
class TestPartnerFieldRights(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A cashier who registers newcomers at the till creates contacts.
        cls.cashier = new_test_user(
            cls.env,
            login="lc_till",
            groups="base.group_user,base.group_partner_manager,point_of_sale.group_pos_user",
            name="Cashier",
        )
        cls.portal = new_test_user(cls.env, login="lc_portal", groups="base.group_portal", name="Portal Customer")
        cls.stage_new = cls.env.ref("loyalty_lifecycle.lifecycle_stage_new")
        cls.stage_lost = cls.env.ref("loyalty_lifecycle.lifecycle_stage_lost")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Vera Customer",
                "phone": "+7 916 000-00-01",
                "lifecycle_stage_id": cls.stage_new.id,
                "birthday": "1990-05-17",
            }
        )

    def test_portal_reads_none_of_the_customer_base(self):
        own = self.portal.partner_id
        for name in PARTNER_FIELDS:
            with self.subTest(field=name), self.assertRaises(AccessError):
                own.with_user(self.portal).read([name])
        # a field the portal needs still reads
        self.assertEqual(own.with_user(self.portal).read(["name"])[0]["name"], "Portal Customer")
        self.assertFalse(set(PARTNER_FIELDS) & set(self.env["res.partner"].with_user(self.portal).fields_get()))
        with self.assertRaises(AccessError):
            own.with_user(self.portal).search_read([("lifecycle_stage_id", "!=", False)], ["name"])

    def test_plain_employee_reads_none_of_it(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_employee).read(["lifecycle_stage_id"])
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_employee).read(["marketing_consent"])

    def test_cashier_reads_what_the_till_shows(self):
        values = self.customer.with_user(self.cashier).read(POS_FIELDS)[0]
        self.assertEqual(values["pos_lifecycle_stage"], self.stage_new.name)
        self.assertEqual(values["birthday"], fields.Date.to_date("1990-05-17"))
        # the fields the till loads, as the till loads them
        Partner = self.env["res.partner"].with_user(self.cashier)
        loaded = Partner.search_read([("id", "=", self.customer.id)], Partner._load_pos_data_fields(False))
        self.assertEqual(loaded[0]["pos_lifecycle_stage"], self.stage_new.name)
        for name in ("lifecycle_stage_id", "abc_class", "ltv_revenue", "loyalty_points_available"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                self.customer.with_user(self.cashier).read([name])

    def test_cashier_changes_no_stage_nor_class(self):
        customer = self.customer.with_user(self.cashier)
        for vals in (
            {"lifecycle_stage_id": self.stage_lost.id},
            {"lifecycle_stage_id": False},
            {"lifecycle_stage_date": "2020-01-01 00:00:00"},
            {"abc_xyz_class": "AX"},
            {"abc_class": "A"},
            {"marketing_consent_date": "2020-01-01 00:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                customer.write(vals)
        self.assertEqual(self.customer.lifecycle_stage_id, self.stage_new)
        self.assertFalse(self.customer.abc_xyz_class)
        # nor at creation
        for vals in (
            {"name": "X", "lifecycle_stage_id": self.stage_lost.id},
            {"name": "X", "abc_xyz_class": "AX"},
            {"name": "X", "marketing_consent": True, "marketing_consent_date": "2020-01-01 00:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.env["res.partner"].with_user(self.cashier).create(vals)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "X")]))

    def test_cashier_registers_a_customer_with_consent(self):
        newcomer = (
            self.env["res.partner"]
            .with_user(self.cashier)
            .create(
                {
                    "name": "Nina Newcomer",
                    "phone": "+7 999 000-00-00",
                    "marketing_consent": True,
                    "birthday": "1995-02-03",
                }
            )
        )
        self.assertTrue(newcomer.marketing_consent)
        self.assertTrue(newcomer.marketing_consent_date)
        self.assertFalse(newcomer.lifecycle_stage_id)
        # and updates it at the next visit
        newcomer.with_user(self.cashier).write({"marketing_consent": False, "phone": "+7 999 000-00-02"})
        self.assertFalse(newcomer.marketing_consent)

    def test_nobody_sets_server_fields_by_hand(self):
        for user in (self.user_loyalty, self.user_manager):
            customer = self.customer.with_user(user)
            for vals in (
                {"abc_xyz_class": "AX"},
                {"xyz_class": "X"},
                {"abc_xyz_new": True},
                {"lifecycle_stage_date": "2020-01-01 00:00:00"},
                {"marketing_consent": True, "marketing_consent_date": "2020-01-01 00:00:00"},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    customer.write(vals)
        self.assertFalse(self.customer.abc_xyz_class)
        self.assertFalse(self.customer.marketing_consent)

    def test_customer_base_user_does_the_job_without_contact_creation(self):
        user_group = self.env.ref("loyalty_lifecycle.loyalty_lifecycle_group_user")
        self.assertNotIn(self.env.ref("base.group_partner_manager"), user_group.trans_implied_ids)
        self.assertFalse(self.user_loyalty.has_group("base.group_partner_manager"))
        customer = self.customer.with_user(self.user_loyalty)
        self.assertEqual(customer.lifecycle_stage_id, self.stage_new)
        # moves a customer by hand (the kanban), records a consent
        customer.write({"lifecycle_stage_id": self.stage_lost.id})
        customer.write({"marketing_consent": True})
        self.assertEqual(self.customer.lifecycle_stage_id, self.stage_lost)
        self.assertTrue(self.customer.marketing_consent_date)
        # but creating and deleting contacts is Odoo's Contact Creation right
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_loyalty).create({"name": "Someone"})
        with self.assertRaises(AccessError):
            customer.unlink()

    def test_public_methods_check_the_caller(self):
        Partner = self.env["res.partner"]
        with self.assertRaises(AccessError):
            Partner.with_user(self.portal).get_loyalty_points_summary([self.portal.partner_id.id])
        with self.assertRaises(AccessError):
            Partner.with_user(self.user_employee).get_loyalty_points_summary([self.customer.id])
        self.assertEqual(
            Partner.with_user(self.cashier).get_loyalty_points_summary([self.customer.id]), {self.customer.id: []}
        )
        for bad in (None, "1", [True], [1.5], {"a": 1}):
            with self.subTest(bad=bad), self.assertRaises(UserError):
                Partner.with_user(self.cashier).get_loyalty_points_summary(bad)
        for user in (self.cashier, self.user_loyalty):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).action_loyalty_points_adjust()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["loyalty.points.adjust"].with_user(user).action_open(self.customer.id)
        action = self.env["loyalty.points.adjust"].with_user(self.user_manager).action_open(self.customer.id)
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        with self.assertRaises(UserError):
            self.env["loyalty.points.adjust"].with_user(self.user_manager).action_open("abc")
        # stages, rules, previews, segmentation runs
        stage = self.stage_new
        with self.assertRaises(AccessError):
            stage.with_user(self.user_employee).action_view_partners()
        self.assertEqual(stage.with_user(self.user_loyalty).action_view_partners()["res_model"], "res.partner")
        rule = self.env["lifecycle.stage.rule"].search([], limit=1)
        for method in ("action_preview", "action_enable", "action_disable", "action_update_stages_now"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(rule.with_user(self.user_loyalty), method)()
        preview = self.env["lifecycle.stage.preview"].create({"rule_id": rule.id})
        for method in ("action_open", "action_refresh", "action_enable_rule"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(preview.with_user(self.user_loyalty), method)()
        self.assertEqual(preview.with_user(self.user_manager).action_open()["res_id"], preview.id)
        Run = self.env["abc.xyz.run"]
        with self.assertRaises(AccessError):
            Run.with_user(self.user_loyalty).action_run_now()
        run = Run.with_user(self.user_manager).action_run_now()
        run = Run.browse(run["res_id"])
        self.assertEqual(run.with_user(self.user_loyalty).action_view_snapshots()["domain"], [("run_id", "=", run.id)])
        for method in ("action_view_snapshots", "action_view_migrations"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(run.with_user(self.cashier), method)()
