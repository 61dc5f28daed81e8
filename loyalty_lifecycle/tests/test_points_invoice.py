from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import CustomerBaseGroupsMixin
from .common_points import PointsLedgerMixin


@tagged("post_install", "-at_install")
class TestPointsInvoice(CustomerBaseGroupsMixin, AccountTestInvoicingCommon, PointsLedgerMixin):
    """Paid invoices earn points, paid credit notes take them back; tiers
    multiply the points of the customers who spend the most."""

    # the accountant also reads the customer base (but adjusts nothing)
    customer_base_group = "loyalty_lifecycle.loyalty_lifecycle_group_user"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.create_points_program(points_earn_on_invoice=True, points_refund_policy="negative")
        cls.customer = cls.env["res.partner"].create({"name": "Olga"})

    def _invoice(self, amount, move_type="out_invoice", day="2026-03-01", reversed_entry=None, currency=None):
        move = self.env["account.move"].create(
            {
                "currency_id": (currency or self.env.company.currency_id).id,
                "move_type": move_type,
                "partner_id": self.customer.id,
                "invoice_date": day,
                "date": day,
                "reversed_entry_id": reversed_entry and reversed_entry.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_a.id, "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _pay(self, move):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {}
        )._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def _card(self):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", self.customer.id), ("program_id", "=", self.program.id)]
        )

    @freeze_time("2026-03-01 10:00:00")
    def test_points_are_earned_when_the_invoice_is_paid(self):
        invoice = self._invoice(250)
        self.assertFalse(self._card(), "a posted, unpaid invoice earns nothing")
        self._pay(invoice)
        card = self._card()
        earn = card.points_entry_ids
        self.assertEqual(
            (earn.kind, earn.points, earn.order_model, earn.order_id), ("earn", 250, "account.move", invoice.id)
        )
        self.assertEqual(card.points, 250)
        self.assertEqual(earn.history_id.issued, 250, "mirrored in the card history")
        # paid again after an unreconciliation: still earned once
        invoice.line_ids.remove_move_reconcile()
        self._pay(invoice)
        self.assertEqual(len(card.points_entry_ids), 1)

    @freeze_time("2026-03-01 10:00:00")
    def test_foreign_currency_invoice_earns_in_programme_currency(self):
        other = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])  # 1 company unit = 2 EUR
        invoice = self._invoice(300, currency=other)
        self._pay(invoice)
        self.assertEqual(self._card().points, 150, "300 EUR are 150 in the programme's currency")

    @freeze_time("2026-03-01 10:00:00")
    def test_credit_note_takes_its_share_back(self):
        invoice = self._invoice(200)
        self._pay(invoice)
        card = self._card()
        card._points_consume(180, kind="spend")
        credit_note = self._invoice(100, move_type="out_refund", reversed_entry=invoice)
        self._pay(credit_note)
        reverse = card.points_entry_ids.filtered(lambda e: e.kind == "reverse")
        # half the invoice: 100 points; 20 left on its lot, the other 80 make a debt
        self.assertEqual((reverse.points, reverse.remaining, card.points), (-100, -80, -80))
        self.assertEqual(reverse.refund_of, f"account.move,{invoice.id}")

    def test_tiers_multiply_purchase_points(self):
        self.program.points_tier_ids = [
            Command.create({"name": "Silver", "min_spend": 500, "multiplier": 1.5}),
            Command.create({"name": "Gold", "min_spend": 1000, "multiplier": 2}),
        ]
        with freeze_time("2025-01-10 10:00:00"):
            self._pay(self._invoice(2000, day="2025-01-10"))  # more than 12 months before the next ones
        card = self._card()
        # the tier held before the purchase counts: none yet
        self.assertEqual((card.points_tier_id.name, card.points), ("Gold", 2000))
        with freeze_time("2026-03-01 10:00:00"):
            self._pay(self._invoice(600))
            self.assertEqual(card.points_tier_id.name, "Silver", "the rolling 12 months only count 600")
            self.assertEqual(card.points_entry_ids.sorted("id")[-1].points, 600, "no tier before it")
            self.assertEqual(self.customer.loyalty_points_tier, "Silver")
            self._pay(self._invoice(100))
            self.assertEqual(card.points_entry_ids.sorted("id")[-1].points, 150, "Silver before it")
            # a bonus is not a purchase: no multiplier
            bonus = card._points_earn(10, origin="birthday")
            self.assertEqual(bonus.points, 10)
        with freeze_time("2027-03-02 10:00:00"):
            self.env["loyalty.points.entry"]._cron_points_daily()
            self.assertFalse(card.points_tier_id, "the daily run drops tiers as the spend ages")
