"""Two tills spending the same points at the same time, in two real
database transactions (not the test's own transaction: these tests commit
their data and delete it afterwards)."""

import threading
import time
from contextlib import closing

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestPointsConcurrency(TransactionCase):
    def _cursor(self):
        # a real connection: the registry's cursor() would share the test's
        return sql_db.db_connect(self.env.cr.dbname).cursor()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        # odoo-bin runs the tests holding the registry lock (Registry._lock);
        # till B's thread takes it to build its environment and again when
        # retrying() resets it, so it would wait for the test to end instead
        # of for till A's row lock. The registry's test mode swaps that lock
        # for a dummy one, as Odoo's HttpCase does for its request threads.
        # (pytest-odoo holds no lock: both runners then behave the same.)
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        with closing(self._cursor()) as cr:
            env = self._env(cr)
            program = env["loyalty.program"].create(
                {
                    "name": "Concurrent Points",
                    "program_type": "loyalty",
                    "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
                    "reward_ids": [
                        Command.create({"reward_type": "discount", "discount_mode": "per_point", "required_points": 1})
                    ],
                }
            )
            partner = env["res.partner"].create({"name": "Two Tills Customer"})
            card = env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id, "points": 100})
            self.ids = {
                "program": program.id,
                "partner": partner.id,
                "card": card.id,
                "products": program.reward_ids.discount_line_product_id.ids,
            }
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with closing(self._cursor()) as cr:
            card_id = self.ids["card"]
            # the ledger is append-only for users; the test removes its own rows
            cr.execute(
                "DELETE FROM loyalty_points_allocation WHERE entry_id IN "
                "(SELECT id FROM loyalty_points_entry WHERE card_id = %s)",
                [card_id],
            )
            cr.execute("DELETE FROM loyalty_points_entry WHERE card_id = %s", [card_id])
            env = self._env(cr)
            env["loyalty.card"].browse(card_id).unlink()
            program = env["loyalty.program"].browse(self.ids["program"])
            program.active = False
            program.unlink()
            env["product.product"].browse(self.ids["products"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _read_card(self):
        with closing(self._cursor()) as cr:
            card = self._env(cr)["loyalty.card"].browse(self.ids["card"])
            return card.points, sorted(card.points_entry_ids.mapped("points"))

    def _wait_for_lock(self, pid):
        """(wait event, query) of the backend ``pid`` once it waits on the
        card's row lock. A moment's wait on another lock (autovacuum
        truncating the table takes it exclusively for an instant, and a plain
        read of the card then waits) is not the one this test is about: poll on."""
        with closing(self._cursor()) as probe:
            for _attempt in range(200):
                probe.execute("SELECT wait_event_type, query FROM pg_stat_activity WHERE pid = %s", [pid])
                wait_event, query = probe.fetchone()
                # PostgreSQL keeps one snapshot of pg_stat_activity per
                # transaction: end it, or the next poll reads the same row
                probe.rollback()
                if wait_event == "Lock" and "FOR UPDATE" in query:
                    break
                time.sleep(0.05)
        return wait_event, query

    def test_second_till_waits_then_fails_when_the_points_are_gone(self):
        outcome = {}

        def till_b(cr_b):
            env_b = self._env(cr_b)
            card_b = env_b["loyalty.card"].browse(self.ids["card"])
            try:
                # as a request does: the serialisation failure (the card
                # changed while till B waited) is retried, and fails cleanly
                with mute_logger("odoo.sql_db", "odoo.service.model"):
                    retrying(lambda: card_b._points_consume(70, kind="spend"), env_b)
                cr_b.commit()
                outcome["b"] = "spent"
            except Exception as error:  # noqa: BLE001 - reported to the test's thread
                cr_b.rollback()
                outcome["b"] = f"{type(error).__name__}: {error}"

        with closing(self._cursor()) as cr_a, closing(self._cursor()) as cr_b:
            card_a = self._env(cr_a)["loyalty.card"].browse(self.ids["card"])
            card_a._points_consume(70, kind="spend")  # till A holds the card's lock
            pid_b = cr_b._cnx.get_backend_pid()
            thread = threading.Thread(target=till_b, args=(cr_b,))
            thread.start()
            try:
                wait_event, query = self._wait_for_lock(pid_b)
                self.assertNotIn("b", outcome, "till B neither fails nor spends while till A works")
            finally:
                cr_a.commit()  # till A's order is saved: till B goes on
                thread.join(timeout=30)
        # till B waited on the card itself, before it read any balance
        self.assertEqual(wait_event, "Lock")
        self.assertIn("FROM loyalty_card", query)
        self.assertIn("FOR UPDATE", query)
        self.assertFalse(thread.is_alive())
        self.assertIn("UserError: Not enough points", outcome.get("b", "till B did not finish"))
        self.assertEqual(self._read_card(), (30.0, [-70.0, 100.0]), "one spending only, never below zero")

    def test_tills_spending_what_is_there_both_succeed(self):
        with closing(self._cursor()) as cr_a, closing(self._cursor()) as cr_b:
            self._env(cr_a)["loyalty.card"].browse(self.ids["card"])._points_consume(40, kind="spend")
            cr_a.commit()
            card_b = self._env(cr_b)["loyalty.card"].browse(self.ids["card"])
            retrying(lambda: card_b._points_consume(60, kind="spend"), card_b.env)
            cr_b.commit()
        self.assertEqual(self._read_card(), (0.0, [-60.0, -40.0, 100.0]))
