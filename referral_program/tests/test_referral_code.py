"""The code generator, without a database."""

import random
import unittest

from odoo.addons.referral_program.tools import referral_code as rc


class TestReferralCodeTool(unittest.TestCase):
    def test_generated_codes_use_unambiguous_characters(self):
        rng = random.Random(42)
        for _i in range(200):
            code = rc.generate_code(rng=rng)
            self.assertEqual(len(code), 8)
            self.assertTrue(rc.is_well_formed(code))
            self.assertFalse(set(code) & set("0O1IL"), code)

    def test_unique_codes_avoid_taken_ones(self):
        rng = random.Random(7)
        first = rc.generate_unique_codes(50, rng=random.Random(7))
        codes = rc.generate_unique_codes(50, taken=first[:10], rng=rng)
        self.assertEqual(len(set(codes)), 50)
        self.assertFalse(set(codes) & set(first[:10]))

    def test_normalize_what_people_type(self):
        self.assertEqual(rc.normalize_code(" anna-2024 "), "ANNA2024")
        self.assertEqual(rc.normalize_code("ab cd_23.45"), "ABCD2345")
        self.assertEqual(rc.normalize_code(None), "")
        self.assertFalse(rc.is_well_formed(rc.normalize_code("ANNA-0000")))

    def test_too_short_codes_are_refused(self):
        with self.assertRaises(ValueError):
            rc.generate_code(length=3)
