"""NPS arithmetic, without a database."""

import unittest

from odoo.addons.survey_nps.tools import nps


class TestNpsMaths(unittest.TestCase):
    def test_categories_at_the_boundaries(self):
        expected = {0: "detractor", 6: "detractor", 7: "passive", 8: "passive", 9: "promoter", 10: "promoter"}
        for score, cat in expected.items():
            self.assertEqual(nps.category(score), cat, score)

    def test_out_of_range_and_non_integers_are_refused(self):
        for bad in (-1, 11, 7.5, "9", None, True):
            with self.assertRaises(ValueError):
                nps.category(bad)

    def test_score_from_answers(self):
        summary = nps.summarize([10, 9, 9, 8, 7, 6, 0])
        self.assertEqual((summary.promoters, summary.passives, summary.detractors), (3, 2, 2))
        self.assertEqual(summary.responses, 7)
        self.assertEqual(summary.score, 14.29)

    def test_score_from_counts_and_extremes(self):
        self.assertEqual(nps.summarize({10: 5}).score, 100.0)
        self.assertEqual(nps.summarize({0: 3, 6: 1}).score, -100.0)
        self.assertEqual(nps.summarize({}).score, 0.0)
        self.assertEqual(nps.summarize({9: 1, 3: 1, 8: 2}).score, 0.0)
