from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .common import CustomerBaseGroupsMixin


@tagged("post_install", "-at_install")
class TestPurchaseFactsPos(CustomerBaseGroupsMixin, TestPoSCommon):
    """Paid POS orders are purchase facts; an invoiced one counts once."""

    customer_base_group = "loyalty_lifecycle.loyalty_lifecycle_group_user"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 10.0)
        cls.member = cls.env["res.partner"].create({"name": "Member", "parent_id": False})
        cls.member_contact = cls.env["res.partner"].create(
            {
                "name": "Member's Husband",
                "parent_id": cls.env["res.partner"].create({"name": "Family", "is_company": True}).id,
            }
        )

    def test_paid_and_invoiced_pos_orders(self):
        self.open_new_session()
        orders = self._create_orders(
            [
                {"pos_order_lines_ui_args": [(self.visit, 3)], "customer": self.member, "uuid": "00100-010-0001"},
                {
                    "pos_order_lines_ui_args": [(self.visit, 2)],
                    "customer": self.member,
                    "is_invoiced": True,
                    "uuid": "00100-010-0002",
                },
                {"pos_order_lines_ui_args": [(self.visit, 1)], "uuid": "00100-010-0003"},  # anonymous
                {
                    "pos_order_lines_ui_args": [(self.visit, 4)],
                    "customer": self.member_contact,
                    "uuid": "00100-010-0004",
                },
            ]
        )
        invoiced = orders["00100-010-0002"]
        self.assertTrue(invoiced.account_move)
        facts = self.env["customer.purchase"].search([("partner_id", "=", self.member.id)])
        self.assertEqual(
            sorted((f.source, f.quantity, f.amount) for f in facts),
            [("invoice", 2.0, 20.0), ("pos", 3.0, 30.0)],
            "the invoiced order counts once, through its invoice",
        )
        self.assertEqual(facts.filtered(lambda f: f.source == "pos").pos_order_id, orders["00100-010-0001"])
        # a contact's purchases belong to the commercial partner
        family = self.member_contact.commercial_partner_id
        family_facts = self.env["customer.purchase"].search([("partner_id", "=", family.id)])
        self.assertEqual(family_facts.mapped("amount"), [40.0])
        # anonymous orders are nobody's purchase
        self.assertFalse(self.env["customer.purchase"].search([("pos_order_id", "=", orders["00100-010-0003"].id)]))
