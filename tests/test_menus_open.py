"""Every menu of the Customer Base app opens for the people it is meant for."""

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

APP_MODULES = ("loyalty_lifecycle", "referral_program", "survey_nps")


@tagged("post_install", "-at_install")
class TestMenusOpen(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="menu_user", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cls.manager = new_test_user(
            cls.env, login="menu_manager", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager"
        )

    def _app_menus(self, user):
        root = self.env.ref("loyalty_lifecycle.loyalty_lifecycle_menu_root")
        Menu = self.env["ir.ui.menu"].with_user(user)
        visible = Menu._visible_menu_ids()
        menus = Menu.browse(visible).filtered(lambda m: m.parent_path.startswith(f"{root.id}/") and m.action)

        def reachable(menu):
            return all(int(mid) in visible for mid in menu.parent_path.strip("/").split("/"))

        return menus.filtered(reachable)

    def _open(self, user, menu):
        action = menu.action.sudo()
        if action._name != "ir.actions.act_window":
            return
        env = self.env(user=user)
        # what the web client evaluates actions with
        eval_context = {"uid": user.id, "allowed_company_ids": user.company_ids.ids}
        Model = env[action.res_model].with_context(**safe_eval(action.context or "{}", eval_context))
        view_types = [vt for vt in action.view_mode.split(",") if vt]
        views = Model.get_views([(False, vt) for vt in view_types])
        self.assertEqual(set(views["views"]), set(view_types), menu.complete_name)
        if action.res_model == "res.config.settings":
            return
        domain = safe_eval(action.domain or "[]", eval_context)
        Model.web_search_read(domain, {"display_name": {}}, limit=5)

    def test_every_menu_opens_for_a_customer_base_user(self):
        menus = self._app_menus(self.user)
        names = menus.mapped("complete_name")
        self.assertGreaterEqual(len(menus), 8, names)
        self.assertFalse([n for n in names if "Configuration" in n], "configuration is for managers")
        for menu in menus:
            with self.subTest(menu=menu.complete_name):
                self._open(self.user, menu)

    def test_every_menu_opens_for_a_manager(self):
        menus = self._app_menus(self.manager)
        self.assertIn("Customer Base/Configuration/Lifecycle Stages", menus.mapped("complete_name"))
        for menu in menus:
            with self.subTest(menu=menu.complete_name):
                self._open(self.manager, menu)
