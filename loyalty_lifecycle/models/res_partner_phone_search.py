# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
import re

from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL, create_index

try:
    import phonenumbers
except ImportError:  # phone_validation declares it; without it, plain search
    phonenumbers = None

PHONE_QUERY = re.compile(r"[\d\s()+\-./]+")


class ResPartner(models.Model):
    """The phone is the card: cashiers find a customer by the number typed in
    any local format (a prefix search on the normalised number)."""

    _inherit = "res.partner"

    def init(self):
        res = super().init()
        # Prefix search on the normalised number: "+7916555%".
        create_index(
            self.env.cr,
            "res_partner_phone_sanitized_prefix_index",
            self._table,
            ["phone_sanitized text_pattern_ops"],
            where="phone_sanitized IS NOT NULL",
        )
        return res

    @api.model
    def _phone_search_prefixes(self, value):
        """E.164 prefixes a typed number may stand for: '8 916 555' in Russia
        is '+7916555', '0044 20' is '+4420'. The local format is read in the
        countries of the user's companies and of the customers, and a whole
        number in every country where it is a valid number (a Russian number
        typed the Russian way finds its customer in a company set in the
        USA). Empty when the value does not look like a phone number."""
        value = (value or "").strip().rstrip("%").strip()
        if not value or not PHONE_QUERY.fullmatch(value):
            return []
        digits = re.sub(r"\D", "", value)
        if len(digits) < 3:
            return []
        if value.startswith("+"):
            return ["+" + digits] if digits[0] != "0" else []
        if digits.startswith("00"):
            # the international prefix: what follows is a country code
            return ["+" + digits[2:]] if len(digits) > 3 and digits[2] != "0" else []
        if not phonenumbers:
            return []
        prefixes = set()
        for region in self._phone_search_regions():
            prefixes.update(self._phone_local_prefixes(value, digits, region))
        for region in phonenumbers.SUPPORTED_REGIONS if len(digits) >= 8 else ():
            try:
                parsed = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number_for_region(parsed, region):
                prefixes.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        return sorted(prefixes)

    @api.model
    def _phone_search_regions(self):
        """Regions whose local format a typed number is read in: the
        countries of the user's companies, then those of the customers with
        a phone (the ten most common)."""
        regions = [country.code for country in self.env.companies.country_id]
        # counts over every contact with a phone, whoever searches (codes only)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT country.code
                  FROM res_partner partner
                  JOIN res_country country ON country.id = partner.country_id
                 WHERE partner.phone_sanitized IS NOT NULL
                 GROUP BY country.code
                 ORDER BY COUNT(*) DESC
                 LIMIT 10
                """
            )
        )
        regions += [code for (code,) in rows if code not in regions]
        return [region.upper() for region in regions if region]

    @api.model
    def _phone_local_prefixes(self, value, digits, region):
        """E.164 prefixes of ``value`` (``digits``) typed in ``region``'s
        local format, whole or the first digits only."""
        prefixes = set()
        try:
            parsed = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            parsed = None  # a partial number: the prefixes below still apply
        if parsed and phonenumbers.is_valid_number(parsed):
            prefixes.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        calling_code = str(phonenumbers.country_code_for_region(region) or "")
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        national_prefix = metadata.national_prefix if metadata else None
        if calling_code:
            if national_prefix and digits.startswith(national_prefix):
                prefixes.add("+" + calling_code + digits[len(national_prefix) :])
            elif digits.startswith(calling_code):
                prefixes.add("+" + digits)  # typed with the country code, without '+'
            else:
                prefixes.add("+" + calling_code + digits)  # typed without the national prefix
        return prefixes

    def _search_phone_mobile_search(self, operator, value):
        if isinstance(value, str) and "\x00" in value:
            # no stored number holds a NUL, and PostgreSQL refuses one in a query
            value = value.replace("\x00", "")
        domain = super()._search_phone_mobile_search(operator, value)
        if operator not in ("=", "like", "ilike", "=like", "=ilike") or not isinstance(value, str):
            return domain
        prefixes = self._phone_search_prefixes(value)
        if not prefixes:
            return domain
        return expression.OR([domain] + [[("phone_sanitized", "=like", prefix + "%")] for prefix in prefixes])
