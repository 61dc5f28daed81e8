import re

import phonenumbers
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

FUZZ = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SEPARATORS = st.sampled_from(["", " ", "-", "(", ")", ".", "  "])


@tagged("post_install", "-at_install")
class TestPhoneSearchFuzz(TransactionCase):
    """Whatever a cashier types in the customer search is a safe search: a
    phone number in any spelling finds its customer, anything else finds by
    name as before, and nothing raises."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.Partner = cls.env["res.partner"]

    @FUZZ
    @given(st.text(max_size=40))
    def test_any_text_is_a_safe_search(self, text):
        prefixes = self.Partner._phone_search_prefixes(text)
        self.assertTrue(all(re.fullmatch(r"\+\d{2,}", prefix) for prefix in prefixes), prefixes)
        try:
            self.Partner.search([("phone_mobile_search", "ilike", text)], limit=5)
        except UserError as error:  # Odoo's own clear refusal of too short a number
            self.assertIn("at least 3 characters", str(error))

    @FUZZ
    @given(
        st.integers(min_value=900, max_value=999),
        st.integers(min_value=0, max_value=9_999_999),
        st.sampled_from(["8", "+7", "7", ""]),
        SEPARATORS,
        SEPARATORS,
    )
    def test_a_russian_mobile_in_any_spelling_finds_its_customer(self, operator, number, trunk, sep1, sep2):
        digits = f"{number:07d}"
        # a few ranges (e.g. +7 930 000...) are no Russian mobile at all: Odoo
        # stores no sanitized number for them, and there is nothing to find
        assume(phonenumbers.is_valid_number(phonenumbers.parse(f"+7{operator}{digits}")))
        partner = self.Partner.create({"name": "Fuzzed Member", "phone": f"+7 {operator} {digits}"})
        typed = f"{trunk}{sep1}{operator}{sep2}{digits[:3]}-{digits[3:5]}-{digits[5:]}"
        self.assertIn(partner, self.Partner.search([("phone_mobile_search", "ilike", typed)]), typed)
