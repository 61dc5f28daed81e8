from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

from .common import CustomerBaseGroupsMixin


@tagged("post_install", "-at_install")
class TestPosPhoneCard(CustomerBaseGroupsMixin, TestPointOfSaleHttpCommon):
    """The phone is the card, at a till of a Russian gym with a big club."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["loyalty.program"].search([]).write({"active": False})
        # A cashier who registers newcomers at the till creates contacts.
        cls.pos_user.groups_id += cls.env.ref("base.group_partner_manager")
        company = cls.main_pos_config.company_id
        company.country_id = cls.env.ref("base.ru")
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Gym Club Points",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "pos_ok": True,
                "pos_config_ids": [fields.Command.link(cls.main_pos_config.id)],
                "rule_ids": [
                    fields.Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0})
                ],
                "reward_ids": [
                    fields.Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "per_order",
                            "discount_applicability": "order",
                            "required_points": 100,
                            "description": "$ 10 on your order",
                        }
                    )
                ],
            }
        )
        # More members than a till loads up front (100): those sort first.
        cls.members = cls.env["res.partner"].create(
            [{"name": f"Aaa Member {i:03d}", "phone": f"+7 903 100-{i // 100:02d}-{i % 100:02d}"} for i in range(120)]
        )
        cls.env["loyalty.card"].create(
            [{"program_id": cls.program.id, "partner_id": member.id, "points": 5} for member in cls.members]
        )
        cls.boris = cls.env["res.partner"].create(
            {
                "name": "Boris Ivanov",
                "phone": "+7 916 555-12-34",
                "country_id": cls.env.ref("base.ru").id,
                "birthday": (fields.Date.today() + timedelta(days=3)).replace(year=1992),
                "lifecycle_stage_id": cls.env.ref("loyalty_lifecycle.lifecycle_stage_activation").id,
            }
        )
        cls.card = cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": cls.boris.id, "points": 150}
        )

    def _search_phone(self, text):
        return self.env["res.partner"].search([("phone_mobile_search", "ilike", text + "%")])

    def test_phone_in_any_local_format(self):
        for typed in (
            "8 916 555-12-34",
            "8 (916) 555 12 34",
            "89165551234",
            "+7 916 555 12 34",
            "7 916 555 12 34",
            "916 555-12-34",
            "8 916 555",  # the first digits, as the customer says them
        ):
            with self.subTest(typed=typed):
                self.assertIn(self.boris, self._search_phone(typed))
        self.assertNotIn(self.boris, self._search_phone("8 916 555-12-35"))
        self.assertNotIn(self.boris, self._search_phone("8 903 100"))

    def test_whole_number_in_its_own_country_format_whatever_the_company_country(self):
        """The demo's customer has a Russian number but her country, like
        the company's, is the USA: the Russian way of typing it finds her."""
        us = self.env.ref("base.us")
        self.main_pos_config.company_id.country_id = us
        self.env["res.partner"].search([("country_id", "!=", False)]).country_id = us
        vera = self.env["res.partner"].create({"name": "Vera Orlova", "phone": "+7 916 123-45-67", "country_id": us.id})
        for typed in ("8 916 123-45-67", "8 (916) 123 45 67", "+7 916 123 45 67"):
            with self.subTest(typed=typed):
                self.assertIn(vera, self._search_phone(typed))
        self.assertNotIn(vera, self._search_phone("8 916 123-45-68"))

    def test_malformed_phone_is_a_safe_no_op(self):
        for typed in ("8 9x6", "8 916 ### 12", "'; DROP TABLE res_partner; --"):
            with self.subTest(typed=typed):
                self.assertNotIn(self.boris, self._search_phone(typed))
        self.assertEqual(self.env["res.partner"]._phone_search_prefixes("8 916 ###"), [])

    def test_session_loads_cards_of_loaded_customers_only(self):
        self.main_pos_config.open_ui()
        session = self.main_pos_config.current_session_id
        data = session.load_data([])
        loaded_partners = {partner["id"] for partner in data["res.partner"]["data"]}
        loaded_cards = data["loyalty.card"]["data"]
        self.assertLessEqual(len(loaded_partners), 102)
        self.assertLess(len(loaded_cards), len(self.program.coupon_ids))
        self.assertTrue(all(card["partner_id"] in loaded_partners for card in loaded_cards))
        self.assertNotIn(self.card.id, [card["id"] for card in loaded_cards], "Boris is fetched when selected")
        partner_fields = data["res.partner"]["fields"]
        for name in (
            "pos_lifecycle_stage",
            "abc_xyz_class",
            "pos_birthday_hint",
            "loyalty_points_expiring",
            "loyalty_points_tier",
        ):
            self.assertIn(name, partner_fields)

    def test_consent_date_follows_changes_only(self):
        other = self.members[0]
        partners = self.boris | other
        other.marketing_consent = True
        first_date = other.marketing_consent_date
        self.assertTrue(first_date)
        self.assertFalse(self.boris.marketing_consent_date)
        with freeze_time(fields.Datetime.now() + timedelta(days=2)):
            partners.write({"marketing_consent": True})
        self.assertEqual(other.marketing_consent_date, first_date, "no change, no new date")
        self.assertGreater(self.boris.marketing_consent_date, first_date)
        self.assertTrue(all(partners.mapped("marketing_consent")))

    def test_birthday_hint(self):
        self.assertEqual(self.boris.pos_birthday_hint, "Birthday in 3 days")
        self.boris.birthday = fields.Date.today().replace(year=1992)
        self.assertEqual(self.boris.pos_birthday_hint, "Birthday today")
        self.boris.birthday = fields.Date.today() - timedelta(days=1)
        self.assertFalse(self.boris.pos_birthday_hint)

    def test_tour_find_by_phone_and_redeem(self):
        self.start_pos_tour("LoyaltyLifecyclePhoneRedeem")
        order = self.env["pos.order"].search([("partner_id", "=", self.boris.id)])
        self.assertEqual(len(order), 1)
        reward_line = order.lines.filtered("is_reward_line")
        self.assertEqual(reward_line.coupon_id, self.card)
        self.assertAlmostEqual(reward_line.price_subtotal_incl, -10.0)
        self.assertAlmostEqual(order.amount_total, 10.4)
        # 100 points spent; Odoo's loyalty earns on the products (20.40), not
        # on what is left after the reward
        self.assertAlmostEqual(self.card.points, 150 - 100 + 20.4, places=2)
        # ... and the ledger says the same: the opening lot paid the reward
        spent = self.card.sudo().points_entry_ids.filtered(lambda e: e.kind == "spend")
        self.assertAlmostEqual(sum(spent.mapped("points")), -100, places=2)
        self.assertEqual(spent.allocation_ids.lot_id.origin, "opening")

    def test_tour_unknown_phone_creates_customer_with_consent(self):
        self.start_pos_tour("LoyaltyLifecycleUnknownPhone")
        nina = self.env["res.partner"].search([("name", "=", "Nina Newcomer")])
        self.assertEqual(nina.phone_sanitized, "+79990000000")
        self.assertTrue(nina.marketing_consent)
        self.assertTrue(nina.marketing_consent_date)

    def test_tour_points_spent_at_another_till_before_validate(self):
        """Another till spends Boris's points after pos_loyalty's check and
        before this till's order (with a 100-point reward) reaches the
        server: the cashier sees who and which programme lacks points, the
        order stays open, and goes through without the reward."""
        PosOrder = type(self.env["pos.order"])
        validate_coupon_programs = PosOrder.validate_coupon_programs
        card_id = self.card.id
        other_till = []

        def validate_then_another_till(model, point_changes, new_codes):
            result = validate_coupon_programs(model, point_changes, new_codes)
            if not other_till:
                # the other till's order, saved in its own request
                card = model.env["loyalty.card"].sudo().browse(card_id)
                other_till.append(card._points_consume(100, kind="spend", reason="another till").id)
            return result

        # (odoo.http logs the refusal the cashier sees as a warning)
        with (
            patch.object(PosOrder, "validate_coupon_programs", validate_then_another_till),
            mute_logger("odoo.http"),
        ):
            self.start_pos_tour("LoyaltyLifecyclePointsGoneAtValidate")
        self.env.invalidate_all()
        self.assertTrue(other_till, "the other till spent the points")
        order = self.env["pos.order"].search([("partner_id", "=", self.boris.id)])
        self.assertEqual(len(order), 1, "the order was kept and validated again")
        self.assertFalse(order.lines.filtered("is_reward_line"), "... without the reward")
        self.assertEqual(order.state, "paid")
        # 150 - 100 (the other till) + 20.40 earned by this order
        self.assertAlmostEqual(self.card.points, 70.4, places=2)
