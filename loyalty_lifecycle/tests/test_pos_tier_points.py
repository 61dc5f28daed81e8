from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

from .common import CustomerBaseGroupsMixin, warm_pos_assets


@tagged("post_install", "-at_install")
class TestPointsTierTour(CustomerBaseGroupsMixin, TestPointOfSaleHttpCommon):
    """The till, the receipt and the ledger give a Silver customer the same points."""

    customer_base_group = "loyalty_lifecycle.loyalty_lifecycle_group_user"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["loyalty.program"].search([]).write({"active": False})
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Gym Club Points",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "portal_visible": True,
                "pos_ok": True,
                "pos_config_ids": [Command.link(cls.main_pos_config.id)],
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_qty": 0})],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "per_order",
                            "discount_applicability": "order",
                            "required_points": 1000,
                        }
                    )
                ],
                "points_tier_ids": [Command.create({"name": "Silver", "min_spend": 500, "multiplier": 1.5})],
            }
        )
        cls.smoothie = cls.env["product.product"].create(
            {
                "name": "Tier Smoothie",
                "list_price": 7.0,
                "taxes_id": [Command.clear()],
                "available_in_pos": True,
            }
        )
        cls.tanya = cls.env["res.partner"].create({"name": "Tanya Tier"})
        cls.card = cls.env["loyalty.card"].create({"program_id": cls.program.id, "partner_id": cls.tanya.id, "points": 20})
        # 600 spent over the last 12 months: Silver
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.tanya.id,
                # ten days ago in every time zone (the cashier's "today" is New York's)
                "invoice_date": fields.Date.today() - timedelta(days=10),
                "invoice_line_ids": [
                    Command.create({"name": "Annual membership", "quantity": 1, "price_unit": 600, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()

    def test_tour_till_receipt_and_ledger_show_the_same_points(self):
        self.assertEqual(self.card.points_tier_multiplier, 1.5)
        warm_pos_assets(self.env)
        self.start_pos_tour("LoyaltyLifecycleTierPoints", login="pos_user")
        order = self.env["pos.order"].search([("partner_id", "=", self.tanya.id)])
        self.assertEqual(len(order), 1)
        earn = self.card.points_entry_ids.filtered(lambda e: e.kind == "earn" and e.order_id == order.id)
        self.assertEqual(earn.points, 10.5, "the ledger credits the 10.5 points the till showed and printed")
        self.assertEqual(self.card.points, 30.5)
