"""Cross-addon checks: the three addons form one app for the user."""

import lxml.html

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open


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

    def test_each_addon_is_an_app_with_icon_summary_and_description(self):
        """The Apps menu's default filter lists applications: each addon shows
        there with its icon, a one-line summary, the Customer Base category and
        its description page, whose screenshots exist."""
        modules = self.env["ir.module.module"].search(
            [("name", "in", ["loyalty_lifecycle", "referral_program", "survey_nps"])]
        )
        self.assertEqual(len(modules), 3)
        for module in modules:
            with self.subTest(module=module.name):
                self.assertTrue(module.application, "listed under the Apps filter")
                self.assertEqual(module.icon, f"/{module.name}/static/description/icon.png")
                self.assertTrue(module.icon_image, "the icon file is there")
                self.assertTrue(module.summary and "\n" not in module.summary and len(module.summary) <= 100)
                self.assertEqual(module.category_id.name, "Customer Base")
                self.assertEqual(module.category_id.parent_id.name, "Sales")
                page = lxml.html.fromstring(str(module.description_html))
                images = page.xpath("//img/@src")
                self.assertTrue(images, "screenshots on the description page")
                for src in images:
                    self.assertTrue(src.startswith(f"/{module.name}/static/description/"), src)
                    path = src.removeprefix("/")
                    with file_open(path, "rb") as image:
                        self.assertEqual(image.read(8), b"\x89PNG\r\n\x1a\n", src)
