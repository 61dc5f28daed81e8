from odoo.tests import TransactionCase, new_test_user


class LoyaltyLifecycleCommon(TransactionCase):
    """Users of the customer base, from the least privileged up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_employee = new_test_user(cls.env, login="lc_employee", groups="base.group_user", name="Plain Employee")
        cls.user_loyalty = new_test_user(
            cls.env,
            login="lc_user",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            name="Loyalty User",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="lc_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
            name="Loyalty Manager",
        )

    def assertMenuVisible(self, user, xmlid, visible=True):
        """A menu is reachable when it and every parent above it are visible."""
        menu = self.env.ref(xmlid)
        visible_ids = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        chain = menu
        while chain[-1:].parent_id:
            chain |= chain[-1].parent_id
        reachable = set(chain.ids) <= visible_ids
        self.assertEqual(
            reachable, visible, f"{xmlid} should be {'reachable' if visible else 'hidden'} for {user.login}"
        )

    def form_arch(self, user, model="res.partner"):
        return self.env[model].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]


class CustomerBaseGroupsMixin:
    """For Odoo's test classes that run as their own user (accounting, POS):
    that user also belongs to a Customer Base group. Put it first in the bases."""

    customer_base_group = "loyalty_lifecycle.loyalty_lifecycle_group_manager"

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(cls.customer_base_group)


def warm_pos_assets(env):
    """Build the till's asset bundles before a tour's browser asks for them:
    on a loaded machine, building them inside the tour's start window (the
    first request of the page) can take longer than the tour waits."""
    qweb = env["ir.qweb"].sudo()
    for name in ("point_of_sale.assets_prod", "web.assets_tests"):
        bundle = qweb._get_asset_bundle(name)
        bundle.js()
        bundle.css()
