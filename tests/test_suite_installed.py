"""Cross-addon checks: the three addons form one app for the user."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSuiteInstalled(TransactionCase):
    def test_three_addons_installed(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", ["loyalty_lifecycle", "referral_program", "survey_nps"])]
        )
        self.assertEqual(sorted(modules.mapped("state")), ["installed"] * 3)

    def test_one_app_with_a_menu_per_addon(self):
        root = self.env.ref("loyalty_lifecycle.loyalty_lifecycle_menu_root")
        children = self.env["ir.ui.menu"].search([("parent_id", "=", root.id)])
        xmlids = set(children.get_external_id().values())
        self.assertLessEqual(
            {"loyalty_lifecycle.lifecycle_menu", "referral_program.referral_menu", "survey_nps.nps_menu"},
            xmlids,
        )
        self.assertTrue(self.env["ir.module.module"].search([("name", "=", "loyalty_lifecycle")]).application)
