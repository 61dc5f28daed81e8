"""The ABC-XYZ specification, without a database."""

import unittest

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.addons.loyalty_lifecycle.tools import abc_xyz


class TestAbcXyzMaths(unittest.TestCase):
    def test_textbook_abc(self):
        # 5800 in all: 2400 (41.4%), 1200 (62.1%), 1200 (82.8%), 600 (93.1%), 400 (100%)
        revenues = {1: 1200, 2: 2400, 3: 1200, 4: 600, 5: 400, 6: -50, 7: 0}
        self.assertEqual(
            abc_xyz.abc_classes(revenues),
            {1: "A", 2: "A", 3: "B", 4: "B", 5: "C", 6: "C", 7: "C"},
        )

    def test_largest_customer_is_always_a(self):
        self.assertEqual(abc_xyz.abc_classes({1: 900, 2: 50, 3: 50}), {1: "A", 2: "B", 3: "C"})
        self.assertEqual(abc_xyz.abc_classes({1: 10}), {1: "A"})
        self.assertEqual(abc_xyz.abc_classes({}), {})

    def test_boundaries_are_inclusive(self):
        # cumulative shares exactly 80% and 95%
        self.assertEqual(abc_xyz.abc_classes({1: 80, 2: 15, 3: 5}), {1: "A", 2: "B", 3: "C"})
        self.assertEqual(abc_xyz.abc_classes({1: 50, 2: 30, 3: 15, 4: 5}), {1: "A", 2: "A", 3: "B", 4: "C"})

    def test_xyz(self):
        self.assertEqual(abc_xyz.xyz_class([100] * 12), "X")
        self.assertEqual(abc_xyz.xyz_class([180, 220] * 6), "X")  # CV exactly 10%
        self.assertEqual(abc_xyz.xyz_class([80, 120] * 6), "Y")  # 20%
        self.assertEqual(abc_xyz.xyz_class([600] + [0] * 11), "Z")
        self.assertEqual(abc_xyz.xyz_class([0] * 12), "Z")  # bought before the window only
        self.assertEqual(abc_xyz.xyz_class([100, -150, 0]), "Z")  # refunds above purchases
        self.assertIsNone(abc_xyz.xyz_class([300, 100]))  # two periods: new
        self.assertAlmostEqual(abc_xyz.coefficient_of_variation([80, 120]), 0.2)
        self.assertIsNone(abc_xyz.coefficient_of_variation([]))

    def test_bad_thresholds(self):
        with self.assertRaises(ValueError):
            abc_xyz.abc_classes({1: 1}, a_threshold=0.9, b_threshold=0.8)
        with self.assertRaises(ValueError):
            abc_xyz.xyz_class([1, 2, 3], x_threshold=0.3, y_threshold=0.2)

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.integers(1, 500), st.integers(-1000, 100000), max_size=60))
    def test_abc_properties(self, revenues):
        classes = abc_xyz.abc_classes(revenues)
        self.assertEqual(set(classes), set(revenues))
        positive = {k: v for k, v in revenues.items() if v > 0}
        if positive:
            top = min(positive, key=lambda k: (-positive[k], k))
            self.assertEqual(classes[top], "A")
        # a customer never ranks below one with less revenue
        rank = {"A": 0, "B": 1, "C": 2}
        for k1, v1 in revenues.items():
            for k2, v2 in revenues.items():
                if v1 > v2:
                    self.assertLessEqual(rank[classes[k1]], rank[classes[k2]])
        # A customers never hold more than the threshold, unless the top one alone does
        a_total = sum(positive[k] for k in positive if classes[k] == "A")
        if positive and sum(1 for k in positive if classes[k] == "A") > 1:
            self.assertLessEqual(a_total / sum(positive.values()), 0.80 + 1e-9)
