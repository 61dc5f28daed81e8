"""The journeys' measurement maths (tools/journey_stats.py) on hand-made
numbers, without a database."""

import unittest

from odoo.addons.loyalty_lifecycle.tools import journey_stats
from odoo.addons.loyalty_lifecycle.tools.journey_stats import (
    blanket_messages,
    cost_per_extra_conversion,
    sms_segments,
    uplift,
)


class TestJourneyStats(unittest.TestCase):
    def test_sms_segments_as_odoo_counts_them(self):
        self.assertEqual(sms_segments(""), 0)
        self.assertEqual(sms_segments(False), 0)
        self.assertEqual(sms_segments("a" * 160), 1)
        self.assertEqual(sms_segments("a" * 161), 2)  # 153 per segment beyond one
        self.assertEqual(sms_segments("a" * 306), 2)
        self.assertEqual(sms_segments("a" * 307), 3)
        self.assertEqual(sms_segments("a" * 159 + "\n"), 2, "a line break counts twice")
        # Cyrillic is not in the GSM alphabet: 70, then 67 per segment
        self.assertEqual(journey_stats.sms_encoding("Привет"), "UNICODE")
        self.assertEqual(journey_stats.sms_encoding("Hello @ 10:00, £5!"), "GSM7")
        self.assertEqual(sms_segments("Ж" * 70), 1)
        self.assertEqual(sms_segments("Ж" * 71), 2)
        self.assertEqual(sms_segments("Ж" * 134), 2)
        self.assertEqual(sms_segments("Ж" * 135), 3)
        self.assertEqual(sms_segments("a" * 100 + "€"), 2, "one character outside GSM makes it UNICODE")

    def test_uplift_and_interval_by_hand(self):
        # 1000 messaged customers, 120 bought (12%); 100 in the holdout, 8 (8%).
        # d = 0.04; se = sqrt(0.12 * 0.88 / 1000 + 0.08 * 0.92 / 100)
        #            = sqrt(0.0001056 + 0.000736) = 0.0290103
        # 95%: 0.04 -/+ 1.96 * 0.0290103 = [-0.01686, 0.09686]: spans zero
        result = uplift(120, 1000, 8, 100)
        self.assertAlmostEqual(result["rate"], 0.12)
        self.assertAlmostEqual(result["holdout_rate"], 0.08)
        self.assertAlmostEqual(result["uplift"], 0.04)
        self.assertAlmostEqual(result["low"], -0.01686, places=5)
        self.assertAlmostEqual(result["high"], 0.09686, places=5)
        # 30% against 10% of 200: d = 0.2, se = sqrt(0.00021 + 0.00045) = 0.025690
        result = uplift(300, 1000, 20, 200)
        self.assertAlmostEqual(result["uplift"], 0.2)
        self.assertAlmostEqual(result["low"], 0.14965, places=5)
        self.assertAlmostEqual(result["high"], 0.25035, places=5)
        # a journey that costs conversions: the interval is below zero
        result = uplift(50, 1000, 100, 1000)
        self.assertAlmostEqual(result["uplift"], -0.05)
        self.assertLess(result["high"], 0)

    def test_uplift_without_a_group(self):
        self.assertEqual(
            uplift(3, 10, 0, 0), {"rate": 0.3, "holdout_rate": None, "uplift": None, "low": None, "high": None}
        )
        self.assertIsNone(uplift(0, 0, 1, 5)["uplift"])
        with self.assertRaises(ValueError):
            uplift(11, 10, 0, 5)
        with self.assertRaises(ValueError):
            uplift(-1, 10, 0, 5)

    def test_cost_per_extra_conversion(self):
        # 1000 messaged at 0.20 each: 200; 4 points of uplift: 40 extra conversions, 5 each
        self.assertAlmostEqual(cost_per_extra_conversion(200, 1000, 0.04), 5.0)
        self.assertIsNone(cost_per_extra_conversion(200, 1000, 0), "nothing added: no price per extra")
        self.assertIsNone(cost_per_extra_conversion(200, 1000, -0.01))
        self.assertIsNone(cost_per_extra_conversion(200, 1000, None))
        self.assertIsNone(cost_per_extra_conversion(200, 0, 0.1))

    def test_blanket_messages(self):
        # 100 customers, 3 a month, a year: 3600; 6 a month: 7200
        self.assertEqual(blanket_messages(100, 365.25, 3), 3600)
        self.assertEqual(blanket_messages(100, 365.25, 6), 7200)
        # 10 customers, 3 a month, 30 days (0.986 of a month): 29.57 -> 30
        self.assertEqual(blanket_messages(10, 30, 3), 30)
        self.assertEqual(blanket_messages(0, 30, 3), 0)
        with self.assertRaises(ValueError):
            blanket_messages(-1, 30, 3)
