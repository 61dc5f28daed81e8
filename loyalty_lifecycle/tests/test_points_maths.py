"""The points ledger specification, without a database."""

import unittest
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.loyalty_lifecycle.tools import points_ledger
from odoo.addons.loyalty_lifecycle.tools.points_ledger import Ledger, fifo_allocate

points_st = st.decimals(min_value=0, max_value=10000, places=2).map(float)


class TestPointsMaths(unittest.TestCase):
    def test_fifo_takes_oldest_first(self):
        allocations, shortfall = fifo_allocate([("jan", 100), ("feb", 50), ("mar", 10)], 120)
        self.assertEqual(allocations, [("jan", 100), ("feb", 20)])
        self.assertEqual(shortfall, 0)

    def test_fifo_skips_empty_lots_and_reports_shortfall(self):
        allocations, shortfall = fifo_allocate([("a", 0), ("b", 5.5), ("c", 1.25)], 10)
        self.assertEqual(allocations, [("b", 5.5), ("c", 1.25)])
        self.assertEqual(shortfall, 3.25)
        self.assertEqual(fifo_allocate([], 0), ([], 0.0))
        with self.assertRaises(ValueError):
            fifo_allocate([("a", 1)], -1)

    def test_dates(self):
        self.assertEqual(points_ledger.expiry_date(date(2025, 1, 31), 1), date(2025, 2, 28))
        self.assertEqual(points_ledger.expiry_date(date(2025, 3, 15), 12), date(2026, 3, 15))
        self.assertIsNone(points_ledger.expiry_date(date(2025, 3, 15), 0))
        self.assertEqual(points_ledger.available_date(date(2025, 3, 15), 14), date(2025, 3, 29))
        self.assertEqual(points_ledger.available_date(date(2025, 3, 15), 0), date(2025, 3, 15))

    def test_refund_share(self):
        self.assertEqual(points_ledger.refund_share(100, 200, 50), 25)
        self.assertEqual(points_ledger.refund_share(100, 200, 500), 100, "never more than earned")
        self.assertEqual(points_ledger.refund_share(100, 200, 150, already_reversed=90), 10)
        self.assertEqual(points_ledger.refund_share(100, 200, 50, already_reversed=100), 0)
        self.assertEqual(points_ledger.refund_share(0, 200, 50), 0)

    def test_pending_and_expiry_in_reference_ledger(self):
        ledger = Ledger()
        ledger.earn(100, date(2025, 1, 1), validity_months=12)
        ledger.earn(30, date(2025, 1, 1), pending_days=14, validity_months=12)
        self.assertEqual((ledger.balance(date(2025, 1, 10)), ledger.pending(date(2025, 1, 10))), (100, 30))
        with self.assertRaises(ValueError):
            ledger.spend(120, date(2025, 1, 10))
        self.assertEqual(ledger.balance(date(2025, 1, 15)), 130)
        self.assertEqual(ledger.expire(date(2026, 1, 1)), 130)
        self.assertEqual(ledger.balance(date(2026, 1, 1)), 0)

    def test_debt_is_paid_by_next_earning(self):
        ledger = Ledger()
        ledger.earn(10, date(2025, 1, 1))
        ledger.spend(25, date(2025, 1, 1), allow_negative=True)
        self.assertEqual(ledger.balance(date(2025, 1, 1)), -15)
        ledger.earn(40, date(2025, 1, 2))
        self.assertEqual(ledger.balance(date(2025, 1, 2)), 25)
        self.assertEqual(ledger.debt, 0)

    @settings(max_examples=200, deadline=None)
    @given(lots=st.lists(points_st, max_size=8), wanted=points_st)
    def test_fifo_properties(self, lots, wanted):
        keyed = list(enumerate(lots))
        allocations, shortfall = fifo_allocate(keyed, wanted)
        taken = points_ledger.round_points(sum(t for _k, t in allocations))
        total = points_ledger.round_points(sum(lots))
        # conservation: what is taken plus what is missing is what was asked
        self.assertAlmostEqual(taken + shortfall, wanted, places=2)
        self.assertAlmostEqual(taken, min(wanted, total), places=2)
        self.assertTrue(shortfall == 0 or taken == total, "a shortfall only when every lot is used up")
        # never more than a lot holds, and oldest first: every lot before the
        # last one touched is used up
        for key, part in allocations:
            self.assertGreater(part, 0)
            self.assertLessEqual(part, lots[key] + 1e-9)
        if allocations:
            last = allocations[-1][0]
            for key in range(last):
                if lots[key] > 0:
                    self.assertIn((key, points_ledger.round_points(lots[key])), allocations)

    @settings(max_examples=150, deadline=None)
    @given(
        operations=st.lists(
            st.tuples(st.sampled_from(["earn", "spend", "debt", "wait"]), points_st, st.integers(0, 40)),
            max_size=15,
        )
    )
    def test_balance_is_earned_minus_consumed(self, operations):
        ledger = Ledger()
        today = date(2025, 1, 1)
        earned = consumed = 0.0
        for operation, points, days in operations:
            if operation == "earn" and points > 0:
                ledger.earn(points, today, pending_days=days % 3)
                earned += points
            elif operation == "spend":
                try:
                    ledger.spend(points, today)
                    consumed += points
                except ValueError:
                    self.assertGreater(points, ledger.balance(today))
            elif operation == "debt":
                ledger.spend(points, today, allow_negative=True)
                consumed += points
            else:
                today = date.fromordinal(today.toordinal() + days)
                ledger.settle(today)
            self.assertGreaterEqual(min([lot[1] for lot in ledger.lots] or [0]), 0)
            # no debt while spendable lots are left
            spendable = sum(lot[1] for lot in ledger.lots if lot[2] <= today)
            self.assertTrue(ledger.debt == 0 or spendable == 0)
        self.assertAlmostEqual(ledger.balance(today) + ledger.pending(today), earned - consumed, places=1)
