from datetime import timedelta

from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.loyalty_lifecycle.tools.ledger_call import with_ledger_call
from odoo.addons.loyalty_lifecycle.tools.points_ledger import Ledger

from .common import LoyaltyLifecycleCommon
from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPointsLedger(LoyaltyLifecycleCommon, PointsLedgerMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # these tests cover the programme's own expiry warning: the default
        # journey that warns instead of it (test_journeys_events.py) is off
        cls.env.ref("loyalty_lifecycle.lifecycle_journey_points_expiring").active = False
        cls.program = cls.create_points_program()
        cls.anna = cls.env["res.partner"].create({"name": "Anna", "email": "anna@example.com"})
        cls.boris = cls.env["res.partner"].create({"name": "Boris", "email": "boris@example.com"})

    def test_spending_consumes_oldest_lots_first(self):
        with freeze_time("2026-01-10 10:00:00"):
            card = self.create_card(self.program, self.anna)
            january = card._points_earn(100, origin="purchase")
        with freeze_time("2026-02-10 10:00:00"):
            february = card._points_earn(50, origin="birthday")
        self.assertEqual(card.points, 150)
        with freeze_time("2026-03-01 10:00:00"):
            spend = card._points_consume(120, kind="spend")
        self.assertEqual((january.remaining, february.remaining, card.points), (0, 30, 30))
        self.assertEqual(
            [(a.lot_id, a.points) for a in spend.allocation_ids], [(january, 100), (february, 20)], "FIFO trace"
        )
        self.assertEqual(spend.points, -120)
        self.assertEqual(str(january.expiry_date), "2027-01-10")
        with self.assertRaisesRegex(UserError, "Not enough points"):
            card._points_consume(31, kind="spend")
        self.assertEqual(card.points, 30)
        self.assertLedgerMatches(card)

    def test_opening_balance_and_plain_writes_become_entries(self):
        card = self.create_card(self.program, self.anna, points=200)
        self.assertEqual(card.points, 200)
        opening = card.points_entry_ids
        self.assertEqual(
            (opening.kind, opening.origin, opening.points, opening.remaining), ("adjust", "opening", 200, 200)
        )
        # a manager (or Odoo's own code, as superuser) writing points posts an adjustment;
        # server code names its reason with a LedgerCall
        with_ledger_call(card.with_user(self.user_manager), reason="Gift").points = 150
        adjust = card.points_entry_ids - opening
        self.assertEqual(
            (adjust.kind, adjust.points, adjust.reason, adjust.user_id), ("adjust", -50, "Gift", self.user_manager)
        )
        self.assertEqual((opening.remaining, card.points), (150, 150))
        # mirrored into Odoo's card history
        self.assertEqual(adjust.history_id.used, 50)
        self.assertEqual(opening.history_id.issued, 200)
        self.assertLedgerMatches(card)

    def test_cards_older_than_the_ledger_get_an_opening_lot(self):
        program = self.create_points_program(points_ledger=False)
        card = self.create_card(program, self.anna, points=75)
        card.points = 80  # no ledger yet: a plain field
        self.assertFalse(card.points_entry_ids)
        program.points_ledger = True
        opening = card.points_entry_ids
        self.assertEqual((opening.origin, opening.points, card.points), ("opening", 80, 80))
        self.assertFalse(program._points_open_balances(), "opened once")
        self.assertLedgerMatches(card)

    def test_pending_points_become_spendable_after_the_period(self):
        self.program.points_pending_days = 14
        with freeze_time("2026-04-01 09:00:00"):
            card = self.create_card(self.program, self.anna)
            lot = card._points_earn(80, origin="purchase")
            bonus = card._points_earn(5, origin="lifecycle")  # bonuses are not pending
            self.assertEqual((card.points, card.points_pending), (5, 80))
            self.assertEqual((self.anna.loyalty_points_available, self.anna.loyalty_points_pending), (5, 80))
            self.assertEqual(str(lot.available_date), "2026-04-15")
            self.assertFalse(bonus.is_pending)
            with self.assertRaisesRegex(UserError, "Not enough points"):
                card._points_consume(10, kind="spend")
        with freeze_time("2026-04-14 09:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertEqual(card.points, 5)
        with freeze_time("2026-04-15 09:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertEqual((card.points, lot.is_pending), (85, False))
            count = len(card.points_entry_ids)
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertEqual((card.points, len(card.points_entry_ids)), (85, count), "a second run changes nothing")
        self.assertLedgerMatches(card)

    def test_cron_expires_lots_and_warns_before(self):
        self.program.points_validity_months = 12
        with freeze_time("2025-01-15 09:00:00"):
            card = self.create_card(self.program, self.anna)
            old = card._points_earn(100, origin="purchase")
        with freeze_time("2025-06-01 09:00:00"):
            recent = card._points_earn(40, origin="purchase")
            card._points_consume(30, kind="spend")
        Mail = self.env["mail.mail"]
        mails_before = Mail.search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        with freeze_time("2025-12-10 09:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertFalse(Mail.search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]) - mails_before)
        with freeze_time("2025-12-20 09:00:00"):
            self.assertEqual((card.points_expiring, str(card.points_next_expiry)), (70, "2026-01-15"))
            self.env["loyalty.points.entry"]._cron_points_daily()
            warning = Mail.search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]) - mails_before
            self.assertEqual(len(warning), 1)
            self.assertIn("70", warning.body_html)
            self.assertIn(self.anna, warning.recipient_ids)
            self.assertTrue(old.expiry_warned)
            self.assertFalse(recent.expiry_warned)
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertEqual(
                len(Mail.search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]) - mails_before), 1, "once"
            )
        with freeze_time("2026-01-14 23:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertEqual(card.points, 110)
        with freeze_time("2026-01-15 09:00:00"):
            # the reason is translated without "no translation language detected" warnings
            with self.assertNoLogs("odoo.tools.translate", "WARNING"):
                self.env["loyalty.points.entry"]._cron_points_daily()
            expired = card.points_entry_ids.filtered(lambda e: e.kind == "expire")
            self.assertEqual((expired.points, expired.allocation_ids.lot_id), (-70, old))
            self.assertEqual(expired.reason, "Points past their validity")
            self.assertEqual((old.remaining, recent.remaining, card.points), (0, 40, 40))
            self.assertEqual(expired.history_id.used, 70)
            entries = len(card.points_entry_ids)
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertEqual(len(card.points_entry_ids), entries, "a second run changes nothing")
        self.assertLedgerMatches(card)

    def test_spending_never_takes_expired_points(self):
        """On the day a lot expires, before the nightly run, it is expired at
        once by a spending, which takes the next lot; a pending lot whose
        day has come is spendable."""
        self.program.points_pending_days = 10
        with freeze_time("2025-01-15 09:00:00"):
            card = self.create_card(self.program, self.anna)
            old = card._points_earn(70, origin="lifecycle")
        with freeze_time("2026-01-05 09:00:00"):
            recent = card._points_earn(40, origin="purchase")  # spendable from 2026-01-15
        with freeze_time("2026-01-15 08:00:00"):
            spend = card._points_consume(30, kind="spend")
            self.assertEqual(spend.allocation_ids.lot_id, recent)
            self.assertEqual((old.remaining, recent.remaining, card.points), (0, 10, 10))
            self.assertEqual(card.points_entry_ids.filtered(lambda e: e.kind == "expire").points, -70)
        self.assertLedgerMatches(card)

    def test_no_expiry_warning_to_customers_who_opted_out(self):
        self.env["mail.blacklist"].create({"email": "boris@example.com"})
        with freeze_time("2025-01-15 09:00:00"):
            card = self.create_card(self.program, self.boris)
            lot = card._points_earn(10, origin="purchase")
        with freeze_time("2025-12-20 09:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]))
        self.assertTrue(lot.expiry_warned)
        self.assertIn("opted out", card.message_ids[0].body)

    def test_no_expiry_warning_to_an_invalid_address(self):
        """The contact policy decides for the programme's own warning too."""
        self.boris.email = "boris at example"
        with freeze_time("2025-01-15 09:00:00"):
            card = self.create_card(self.program, self.boris)
            lot = card._points_earn(10, origin="purchase")
        with freeze_time("2025-12-20 09:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)]))
        self.assertTrue(lot.expiry_warned, "not tried again every night")
        self.assertIn("No expiry warning sent to", card.message_ids[0].body)

    def test_expiry_batches_report_progress(self):
        self.program.points_validity_months = 1
        with freeze_time("2025-01-01 09:00:00"):
            cards = self.env["loyalty.card"]
            for name in ("A", "B", "C"):
                card = self.create_card(self.program, self.env["res.partner"].create({"name": name}))
                card._points_earn(10, origin="purchase")
                cards |= card
        with freeze_time("2025-03-01 09:00:00"):
            Entry = self.env["loyalty.points.entry"]
            self.assertEqual(Entry._cron_points_daily(batch_size=2), 1)
            self.assertEqual(sorted(cards.mapped("points")), [0, 0, 10])
            self.assertEqual(Entry._cron_points_daily(batch_size=2), 0)
            self.assertEqual(cards.mapped("points"), [0, 0, 0])

    def test_check_and_repair(self):
        card = self.create_card(self.program, self.anna, points=100)
        other = self.create_card(self.program, self.boris, points=10)
        self.assertFalse(self.program._points_mismatches())
        self.assertEqual(self.program.action_points_check()["params"]["type"], "success")
        # something bypassed the ORM
        self.env.flush_all()
        self.env.cr.execute("UPDATE loyalty_card SET points = 130 WHERE id = %s", [card.id])
        self.env.cr.execute("UPDATE loyalty_card SET points = 4 WHERE id = %s", [other.id])
        card.invalidate_recordset(["points"])
        other.invalidate_recordset(["points"])
        self.assertEqual(self.program._points_mismatches(), {card: (130, 100), other: (4, 10)})
        self.assertEqual(self.program.action_points_check()["domain"], [("id", "in", [card.id, other.id])])
        self.program.action_points_repair()
        self.assertFalse(self.program._points_mismatches())
        self.assertEqual((card.points, other.points), (130, 4))
        repair = card.points_entry_ids.filtered(lambda e: e.origin == "repair")
        self.assertEqual(repair.points, 30)

    def test_odoo_update_balance_wizard_posts_an_adjustment(self):
        card = self.create_card(self.program, self.anna, points=40)
        shop_manager = new_test_user(
            self.env,
            login="lc_shop_manager",
            groups="point_of_sale.group_pos_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
        )
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(shop_manager)
            .create({"card_id": card.id, "new_balance": 55, "description": "Lost card, balance restored"})
        )
        wizard.action_update_card_point()
        adjust = card.points_entry_ids.filtered(lambda e: e.origin == "manual")
        self.assertEqual((adjust.points, adjust.reason, card.points), (15, "Lost card, balance restored", 55))
        # one history line: the wizard's own, linked to the entry
        history = card.history_ids.filtered(lambda h: h.description == "Lost card, balance restored")
        self.assertEqual((len(history), history.issued, adjust.history_id), (1, 15, history))
        self.assertEqual(len(card.history_ids), 2, "the opening lot's line and the wizard's")

    def test_check_finds_lots_that_do_not_add_up(self):
        card = self.create_card(self.program, self.anna, points=100)
        spend = card._points_consume(30, kind="spend")
        self.assertFalse(self.program._points_broken_entries())
        lot = spend.allocation_ids.lot_id
        self.env.flush_all()
        self.env.cr.execute("UPDATE loyalty_points_entry SET remaining = 80 WHERE id = %s", [lot.id])
        self.env.cr.execute("UPDATE loyalty_card SET points = 80 WHERE id = %s", [card.id])
        self.env.invalidate_all()
        self.assertFalse(self.program._points_mismatches(), "the card agrees with its (wrong) lot")
        self.assertEqual(self.program._points_broken_entries(), lot)
        self.assertEqual(self.program.action_points_check()["domain"], [("id", "in", lot.ids)])

    def test_entries_are_append_only(self):
        card = self.create_card(self.program, self.anna, points=10)
        entry = card.points_entry_ids
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            entry.write({"points": 1000})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            entry.unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            card.unlink()

    def test_no_client_context_writes_points(self):
        """A JSON-RPC client can send any JSON context: none of it lets a
        cashier write points past the ledger (found: 8,339 points minted with
        ``loyalty_points_sync`` in the context)."""
        card = self.create_card(self.program, self.anna, points=50)
        cashier = new_test_user(self.env, login="ledger_cashier", groups="point_of_sale.group_pos_user")
        forged_contexts = (
            {"loyalty_points_sync": True},
            {"loyalty_points_call": {"sync": True}},
            {"loyalty_points_call": True},
            {"loyalty_points_source": ["pos.order", 1], "loyalty_points_reason": "forged"},
        )
        for context in forged_contexts:
            with self.subTest(context=context), self.assertRaises(AccessError):
                card.with_user(cashier).with_context(**context).write({"points": 8339})
        # a manager's write with a forged context is a plain adjustment, not a sync
        card.with_user(self.user_manager).with_context(loyalty_points_call={"sync": True}).points = 60
        self.assertEqual(card.points_entry_ids.sorted("id")[-1:].points, 10)
        self.assertLedgerMatches(card)

    def test_access_rights(self):
        card = self.create_card(self.program, self.anna, points=50)
        entry = card.points_entry_ids
        # staff read the ledger, nobody edits it
        self.assertEqual(entry.with_user(self.user_loyalty).points, 50)
        for user in (self.user_loyalty, self.user_manager):
            with self.assertRaises(AccessError):
                entry.with_user(user).write({"reason": "forged"})
            with self.assertRaises(AccessError):
                self.env["loyalty.points.entry"].with_user(user).create(
                    {"card_id": card.id, "program_id": self.program.id, "kind": "earn", "points": 5}
                )
        with self.assertRaises(AccessError):
            entry.with_user(self.user_employee).read(["points"])
        # only managers adjust, with the wizard
        Wizard = self.env["loyalty.points.adjust"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.user_loyalty).create(
                {"partner_id": self.anna.id, "program_id": self.program.id, "points": 10, "reason": "x"}
            )
        wizard = Wizard.with_user(self.user_manager).create(
            {"partner_id": self.anna.id, "program_id": self.program.id, "points": -20, "reason": "Wrong scan"}
        )
        self.assertEqual((wizard.card_id, wizard.current_points), (card, 50))
        wizard.action_apply()
        adjust = card.points_entry_ids.filtered(lambda e: e.reason == "Wrong scan")
        self.assertEqual((adjust.points, adjust.user_id, card.points), (-20, self.user_manager, 30))
        wizard = Wizard.with_user(self.user_manager).create(
            {"partner_id": self.anna.id, "program_id": self.program.id, "points": -31, "reason": "Too much"}
        )
        with self.assertRaisesRegex(UserError, "Not enough points"):
            wizard.action_apply()
        # a new customer gets a card
        Wizard.with_user(self.user_manager).create(
            {"partner_id": self.boris.id, "program_id": self.program.id, "points": 15, "reason": "Welcome"}
        ).action_apply()
        self.assertEqual(self.boris.loyalty_points_available, 15)
        # the partner form shows the points to staff, the button to managers
        self.assertIn('name="loyalty_points_available"', self.form_arch(self.user_loyalty))
        self.assertNotIn('name="action_loyalty_points_adjust"', self.form_arch(self.user_loyalty))
        self.assertIn('name="action_loyalty_points_adjust"', self.form_arch(self.user_manager))
        self.assertNotIn('name="loyalty_points_available"', self.form_arch(self.user_employee))

    def test_summary_for_the_till(self):
        self.program.points_pending_days = 7
        with freeze_time("2025-01-10 09:00:00"):
            card = self.create_card(self.program, self.anna, points=25)
        with freeze_time("2025-12-20 09:00:00"):
            card._points_earn(12, origin="purchase")
            summary = self.env["res.partner"].get_loyalty_points_summary([self.anna.id, self.boris.id])
        self.assertEqual(summary[self.boris.id], [])
        [row] = summary[self.anna.id]
        self.assertEqual(
            {k: row[k] for k in ("card_id", "available", "pending", "expiring", "next_expiry", "tier")},
            {
                "card_id": card.id,
                "available": 25,
                "pending": 12,
                "expiring": 25,
                "next_expiry": "2026-01-10",
                "tier": False,
            },
        )

    @settings(max_examples=15, deadline=None)
    @given(
        operations=st.lists(
            st.tuples(
                st.sampled_from(["earn", "spend", "debt", "wait"]),
                st.integers(1, 500),
                st.integers(0, 20),
            ),
            min_size=1,
            max_size=8,
        )
    )
    def test_ledger_follows_the_reference_model(self, operations):
        """Random earnings, spendings, negative balances and days passing: the
        card's points, its pending points and its lots always match the
        in-memory reference, and every entry adds up."""
        self.program.points_pending_days = 5
        partner = self.env["res.partner"].create({"name": "Random"})
        reference = Ledger()
        with freeze_time("2025-01-01 09:00:00") as frozen:
            card = self.create_card(self.program, partner)
            for operation, points, days in operations:
                today = frozen().date()
                if operation == "earn":
                    card._points_earn(points, origin="purchase")
                    reference.earn(points, today, pending_days=5)
                elif operation == "spend":
                    try:
                        reference.spend(points, today)
                    except ValueError:
                        with self.assertRaises(UserError):
                            card._points_consume(points, kind="spend")
                    else:
                        card._points_consume(points, kind="spend")
                elif operation == "debt":
                    # a refund of spent points under the negative-balance policy
                    card._points_consume(points, kind="reverse", allow_negative=True)
                    reference.spend(points, today, allow_negative=True)
                else:
                    frozen.tick(delta=timedelta(days=days))
                    self.env["loyalty.points.entry"]._cron_points_daily()
                    reference.settle(frozen().date())
                today = frozen().date()
                self.assertEqual(card.points, reference.balance(today))
                self.assertEqual(card.points_pending, reference.pending(today))
                self.assertEqual(
                    sorted(card.points_entry_ids.filtered("is_lot").mapped("remaining")),
                    sorted(lot[1] for lot in reference.lots),
                )
        self.assertLedgerMatches(card)
