from odoo import Command


class PointsLedgerMixin:
    """Factories for the points ledger tests: a loyalty programme paying one
    point per currency unit, redeemed at one unit of discount per point."""

    @classmethod
    def create_points_program(cls, **values):
        return cls.env["loyalty.program"].create(
            {
                "name": "Club Points",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rule_ids": [
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0})
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_point",
                            "discount": 1,
                            "required_points": 1,
                            "discount_applicability": "order",
                        }
                    )
                ],
                "points_validity_months": 12,
                "points_pending_days": 0,
                "points_expiry_warning_days": 30,
                **values,
            }
        )

    @classmethod
    def create_card(cls, program, partner, points=0.0):
        return cls.env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id, "points": points})

    def assertLots(self, card, expected):
        """``expected``: [(points, remaining, is_pending)] of the card's lots, oldest first."""
        lots = card.points_entry_ids.filtered("is_lot").sorted(lambda e: (e.date, e.id))
        self.assertEqual([(lot.points, lot.remaining, lot.is_pending) for lot in lots], expected)

    def assertLedgerMatches(self, card):
        card.invalidate_recordset(["points"])
        self.assertFalse(card.program_id._points_mismatches(), "card points must equal the available lots")
        self.assertFalse(card.program_id._points_broken_entries(), "every lot and consumption must add up")
