"""Customers by Stage in the browser: the cards render with what a manager
decides on, for a Customer Base user."""

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestLifecycleKanban(HttpCase):
    def test_customer_card_renders(self):
        user = new_test_user(
            self.env,
            login="lc_kanban_browser",
            password="lc_kanban_browser",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
        )
        new = self.env.ref("loyalty_lifecycle.lifecycle_stage_new")
        self.env["res.partner"].create(
            [
                {"name": "Kira Kanban", "phone": "+7 916 555-00-11", "lifecycle_stage_id": new.id},
                {"name": "Sam Supplier", "supplier_rank": 1},
            ]
        )
        groups = (
            self.env["res.partner"]
            .with_user(user)
            .web_read_group([("lifecycle_stage_id", "!=", False)], ["lifecycle_stage_id"], ["lifecycle_stage_id"])
        )
        self.assertEqual(
            [g["lifecycle_stage_id_count"] for g in groups["groups"] if g["lifecycle_stage_id"][0] == new.id], [1]
        )
        code = """
            const cards = [...document.querySelectorAll('.o_kanban_record:not(.o_kanban_ghost)')];
            const kira = cards.find((card) => card.textContent.includes('Kira Kanban'));
            if (!kira) {
                console.error('no card for Kira Kanban');
            } else if (!kira.textContent.includes('+7 916 555-00-11')) {
                console.error('the card shows no phone');
            } else if (!kira.querySelector('.fa-hourglass-half')) {
                console.error('the card shows no days in the stage');
            } else if (cards.some((card) => card.textContent.includes('Sam Supplier'))) {
                console.error('a supplier without a stage is on the board');
            } else {
                console.log('test successful');
            }
        """
        self.browser_js(
            "/odoo/action-loyalty_lifecycle.res_partner_action_lifecycle",
            code,
            ready="!!document.querySelector('.o_kanban_record:not(.o_kanban_ghost)')",
            login="lc_kanban_browser",
        )

    def test_board_shows_the_current_company_and_shared_customers(self):
        main = self.env.company
        other = self.env["res.company"].create({"name": "Other Gym"})
        user = new_test_user(
            self.env,
            login="lc_kanban_companies",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=main.id,
            company_ids=[(6, 0, (main | other).ids)],
        )
        new = self.env.ref("loyalty_lifecycle.lifecycle_stage_new")
        own, shared, foreign = self.env["res.partner"].create(
            [
                {"name": "Own Olga", "company_id": main.id, "lifecycle_stage_id": new.id},
                {"name": "Shared Sasha", "lifecycle_stage_id": new.id},
                {"name": "Foreign Fedor", "company_id": other.id, "lifecycle_stage_id": new.id},
            ]
        )
        action = self.env.ref("loyalty_lifecycle.res_partner_action_lifecycle")
        Partner = self.env["res.partner"].with_user(user)
        for allowed, expected in (([main.id], own | shared), ([other.id], foreign | shared)):
            domain = safe_eval(action.domain, {"allowed_company_ids": allowed, "uid": user.id})
            found = Partner.with_context(allowed_company_ids=allowed).search(
                domain + [("id", "in", (own | shared | foreign).ids)]
            )
            self.assertEqual(found, expected.with_user(user))
