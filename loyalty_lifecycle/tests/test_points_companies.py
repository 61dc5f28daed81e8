from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPointsCompanies(TransactionCase, PointsLedgerMixin):
    """Each company's staff see the points ledger of its own programmes only:
    the entries and which lots each spending took (allocations)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Second Gym"})
        cls.users = {
            company: new_test_user(
                cls.env,
                login=f"points_user_{index}",
                groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
            for index, company in enumerate((cls.company_a, cls.company_b))
        }
        cls.cards = {}
        for company in (cls.company_a, cls.company_b):
            program = cls.create_points_program(name=f"Points of {company.name}", company_id=company.id)
            partner = cls.env["res.partner"].create({"name": f"Member of {company.name}"})
            card = cls.create_card(program, partner, points=100)
            card._points_consume(30, kind="spend")
            cls.cards[company] = card

    def test_each_company_sees_its_own_ledger(self):
        for company, user in self.users.items():
            with self.subTest(company=company.name):
                entries = self.env["loyalty.points.entry"].with_user(user).search([])
                allocations = self.env["loyalty.points.allocation"].with_user(user).search([])
                self.assertEqual(entries.card_id, self.cards[company])
                self.assertEqual(len(allocations), 1)
                self.assertEqual((allocations.company_id, allocations.points), (company, 30.0))
