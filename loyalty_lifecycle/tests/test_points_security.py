import math

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyLifecycleCommon
from .common_points import PointsLedgerMixin

LIMIT = 1_000_000_000


@tagged("post_install", "-at_install")
class TestPointsSecurity(LoyaltyLifecycleCommon, PointsLedgerMixin):
    """Who may change points, by how much, and what Odoo sends meanwhile."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.create_points_program()
        cls.anna = cls.env["res.partner"].create({"name": "Anna", "email": "anna@example.com"})
        cls.cashier = new_test_user(cls.env, login="sec_cashier", groups="base.group_user,point_of_sale.group_pos_user")

    def _mails(self, card):
        return self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])

    def test_only_managers_check_and_repair(self):
        """Found: a POS user wrote a card's points with a forged context, then
        called action_points_repair over RPC and got 8,339 points from
        nothing. Neither step passes for anyone but a manager."""
        card = self.create_card(self.program, self.anna, points=10)
        program_as = {user: self.program.with_user(user) for user in (self.cashier, self.user_loyalty)}
        with self.assertRaises(AccessError):
            card.with_user(self.cashier).with_context(loyalty_points_sync=True).write({"points": 8349})
        # a card out of step with its ledger (something bypassed the ORM)
        self.env.flush_all()
        self.env.cr.execute("UPDATE loyalty_card SET points = 8349 WHERE id = %s", [card.id])
        card.invalidate_recordset(["points"])
        for user, program in program_as.items():
            for action in ("action_points_repair", "action_points_check"):
                with (
                    self.subTest(user=user.login, action=action),
                    self.assertRaisesRegex(
                        AccessError, "Only Customer Base managers check and repair the points ledger."
                    ),
                ):
                    getattr(program, action)()
        self.assertFalse(card.points_entry_ids.filtered(lambda e: e.origin == "repair"), "nothing was posted")
        self.assertEqual(self.program._points_mismatches(), {card: (8349, 10)})
        # the manager sees it and decides
        manager_program = self.program.with_user(self.user_manager)
        self.assertEqual(manager_program.action_points_check()["domain"], [("id", "in", card.ids)])
        manager_program.action_points_repair()
        self.assertFalse(self.program._points_mismatches())

    def test_update_balance_wizard_needs_a_manager(self):
        card = self.create_card(self.program, self.anna, points=40)
        shop_user = new_test_user(
            self.env,
            login="sec_shop_user",
            groups="point_of_sale.group_pos_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
        )
        for user in (self.cashier, shop_user):
            wizard = (
                self.env["loyalty.card.update.balance"]
                .with_user(user)
                .create({"card_id": card.id, "new_balance": 5000, "description": "friend"})
            )
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(
                    AccessError, "Only Customer Base managers change the points of Anna in Club Points"
                ),
            ):
                wizard.action_update_card_point()
        self.assertEqual((card.points, len(card.points_entry_ids)), (40, 1))
        # cards without a ledger keep Odoo's rules: a POS user updates a gift card
        gift_program = self.env["loyalty.program"].create({"name": "Gift Cards", "program_type": "gift_card"})
        gift_card = self.env["loyalty.card"].create({"program_id": gift_program.id, "points": 10})
        self.env["loyalty.card.update.balance"].with_user(self.cashier).create(
            {"card_id": gift_card.id, "new_balance": 25, "description": "top-up"}
        ).action_update_card_point()
        self.assertEqual(gift_card.points, 25)

    def test_opening_balances_send_no_loyalty_mail(self):
        template = self.env["mail.template"].create(
            {
                "name": "100 points reached",
                "model_id": self.env["ir.model"]._get_id("loyalty.card"),
                "subject": "You reached 100 points",
                "body_html": "<p>Well done</p>",
            }
        )
        program = self.create_points_program(
            points_ledger=False,
            communication_plan_ids=[
                Command.create({"trigger": "points_reach", "points": 100, "mail_template_id": template.id})
            ],
        )
        older = self.create_card(program, self.anna)
        older.points = 150  # no ledger yet: a plain field, and Odoo's milestone mail
        self.assertTrue(self._mails(older), "without the ledger, Odoo sends its milestone mail (the test can fail)")
        older_mails = self._mails(older)
        program.points_ledger = True  # as when the addon is installed on existing cards
        self.assertEqual(older.points_entry_ids.origin, "opening")
        self.assertEqual(self._mails(older), older_mails, "no mail for points the customer already had")
        boris = self.env["res.partner"].create({"name": "Boris", "email": "boris@example.com"})
        card = self.create_card(program, boris, points=300)
        self.assertEqual((card.points, card.points_entry_ids.origin), (300, "opening"))
        self.assertFalse(self._mails(card), "a card created with points: an opening balance, no milestone mail")
        # points really earned still reach milestones
        clara = self.env["res.partner"].create({"name": "Clara", "email": "clara@example.com"})
        new_card = self.create_card(program, clara)
        new_card._points_earn(120, origin="purchase")
        self.assertEqual(len(self._mails(new_card)), 1)

    def test_adjustments_within_the_bound(self):
        card = self.create_card(self.program, self.anna, points=10)
        Wizard = self.env["loyalty.points.adjust"].with_user(self.user_manager)
        too_much = "points in one entry is more than the programme Club Points allows \\(1000000000.0\\)"
        wizard = Wizard.create(
            {"partner_id": self.anna.id, "program_id": self.program.id, "points": 1e13, "reason": "typo"}
        )
        with self.assertRaisesRegex(UserError, too_much):
            wizard.action_apply()
        with self.assertRaisesRegex(UserError, too_much):
            card.with_user(self.user_manager).points = 1e13
        with self.assertRaisesRegex(UserError, too_much):
            card._points_earn(1e13, origin="lifecycle")
        with self.assertRaisesRegex(UserError, too_much):
            card._points_consume(2e9, kind="spend")
        for value in (math.inf, math.nan, "lots"):
            with self.subTest(value=value), self.assertRaisesRegex(UserError, "is not a number of points"):
                card.with_user(self.user_manager).write({"points": value})
        self.assertEqual((card.points, len(card.points_entry_ids)), (10, 1))
        # the bound is the programme's
        self.program.points_max_per_entry = 500
        with self.assertRaisesRegex(UserError, "allows \\(500.0\\)"):
            card._points_earn(501, origin="lifecycle")
        card._points_earn(500, origin="lifecycle")
        self.assertEqual(card.points, 510)

    def test_check_and_repair_with_big_balances(self):
        """A balance beyond what a numeric cast of a double keeps (15 digits)
        is still checked and repaired to the cent."""
        card = self.create_card(self.program, self.anna, points=10)
        self.env.flush_all()
        self.env.cr.execute("UPDATE loyalty_card SET points = 10000000000000.25 WHERE id = %s", [card.id])
        card.invalidate_recordset(["points"])
        self.assertEqual(list(self.program._points_mismatches()), [card])
        self.program.action_points_repair()
        self.assertAlmostEqual(card.points, 10000000000000.25, delta=0.01)
        self.assertFalse(self.program._points_mismatches())
        self.assertEqual(self.program.action_points_check()["params"]["type"], "success")

    @settings(max_examples=25, deadline=None)
    @given(
        adjustments=st.lists(
            st.one_of(
                st.integers(-3 * LIMIT, 3 * LIMIT),
                st.floats(min_value=-1e15, max_value=1e15).map(lambda x: round(x, 2)),
                st.sampled_from([LIMIT, -LIMIT, LIMIT + 0.01, 1e13, -1e13, 0.01, -0.01]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    def test_adjustments_keep_the_ledger_sound(self, adjustments):
        """Any sequence of manual adjustments: each is posted or refused with a
        clear message, and the check and repair find nothing to do."""
        partner = self.env["res.partner"].create({"name": "Random"})
        card = self.create_card(self.program, partner)
        Wizard = self.env["loyalty.points.adjust"].with_user(self.user_manager)
        balance = 0.0
        for adjustment in adjustments:
            wizard = Wizard.create(
                {"partner_id": partner.id, "program_id": self.program.id, "points": adjustment, "reason": "random"}
            )
            points = round(adjustment, 2)
            if not points:
                with self.assertRaisesRegex(UserError, "Enter the number of points"):
                    wizard.action_apply()
            elif abs(points) > LIMIT:
                with self.assertRaisesRegex(UserError, "more than the programme Club Points allows"):
                    wizard.action_apply()
            elif points + balance < 0:
                with self.assertRaisesRegex(UserError, "Not enough points: Random has"):
                    wizard.action_apply()
            else:
                wizard.action_apply()
                balance = round(balance + points, 2)
            self.assertAlmostEqual(card.points, balance, places=2)
        self.assertLedgerMatches(card)
        self.assertEqual(self.program.with_user(self.user_manager).action_points_check()["params"]["type"], "success")
        self.assertEqual(self.program.with_user(self.user_manager).action_points_repair()["params"]["type"], "info")
