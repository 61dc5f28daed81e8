"""Customers by Stage in the browser: the cards render with what a manager
decides on, for a Customer Base user."""

from odoo.exceptions import AccessError
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
        """Each company's board shows its own customers and the shared ones
        (no company) whose stage it set: a shared contact staged by another
        company, such as a supplier of both, stays off this board."""
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
        Partner = self.env["res.partner"].with_user(user)
        # Registered in each company (by its staff: Customer Base users move
        # stages, they do not create contacts).
        own, shared_main, foreign = self.env["res.partner"].with_context(allowed_company_ids=main.ids).create(
            [
                {"name": "Own Olga", "company_id": main.id, "lifecycle_stage_id": new.id},
                {"name": "Shared Sasha", "lifecycle_stage_id": new.id},
                {"name": "Foreign Fedor", "company_id": other.id, "lifecycle_stage_id": new.id},
            ]
        )
        shared_other = self.env["res.partner"].with_context(allowed_company_ids=other.ids).create(
            {"name": "Shared Stas", "lifecycle_stage_id": new.id}
        )
        self.assertEqual(shared_main.lifecycle_stage_company_id, main)
        self.assertEqual(shared_other.lifecycle_stage_company_id, other)
        everyone = own | shared_main | foreign | shared_other
        action = self.env.ref("loyalty_lifecycle.res_partner_action_lifecycle")

        def board(allowed):
            domain = safe_eval(action.domain, {"allowed_company_ids": allowed, "uid": user.id})
            return Partner.with_context(allowed_company_ids=allowed).search(domain + [("id", "in", everyone.ids)])

        self.assertEqual(board(main.ids), (own | shared_main).with_user(user))
        self.assertEqual(board(other.ids), (foreign | shared_other).with_user(user))
        self.assertEqual(board((main | other).ids), everyone.with_user(user))

        # The other company moves Sasha: she follows to its board.
        warm = self.env.ref("loyalty_lifecycle.lifecycle_stage_warm")
        shared_main.with_user(user).with_context(allowed_company_ids=other.ids).write({"lifecycle_stage_id": warm.id})
        self.assertEqual(shared_main.lifecycle_stage_company_id, other)
        self.assertEqual(board(main.ids), own.with_user(user))
        # Leaving the stages clears it.
        shared_main.with_user(user).write({"lifecycle_stage_id": False})
        self.assertFalse(shared_main.lifecycle_stage_company_id)

        # Only the server sets it.
        with self.assertRaises(AccessError):
            shared_other.with_user(user).write({"lifecycle_stage_company_id": main.id})
        with self.assertRaises(AccessError):
            shared_other.with_user(user).write({"lifecycle_stage_id": warm.id, "lifecycle_stage_company_id": main.id})
        self.assertEqual(shared_other.lifecycle_stage_company_id, other)
