from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common_referral import ReferralRewardsMixin


@tagged("post_install", "-at_install")
class TestReferralInvoice(AccountTestInvoicingCommon, ReferralRewardsMixin):
    """Invoices pay the referrers of their customer only when a payment is
    registered, in proportion to the share it paid; a posted credit note takes
    the same share back down the chain. Run as an accountant without
    Customer Base rights: registering a payment is all it takes."""


    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_referral_chain()
        cls.tax = cls.env["account.tax"].create({"name": "VAT 20", "amount": 20, "amount_type": "percent"})

    def _invoice(self, untaxed, partner=None, move_type="out_invoice", reversed_entry=None):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.dora).id,
                "invoice_date": "2026-03-01",
                "date": "2026-03-01",
                "reversed_entry_id": reversed_entry and reversed_entry.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "quantity": 1,
                            "price_unit": untaxed,
                            "tax_ids": [Command.set(self.tax.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _pay(self, move, amount=None):
        wizard = self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids)
        values = {"amount": amount, "payment_difference_handling": "open"} if amount else {}
        return wizard.create(values)._create_payments()

    @freeze_time("2026-03-01 10:00:00")
    def test_nothing_is_paid_before_the_invoice_is(self):
        invoice = self._invoice(1000)
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self.referral_rewards([("source_id", "=", invoice.id)]))
        for referrer in (self.carl, self.boris, self.anna):
            self.assertFalse(self.referral_card(referrer), "posting pays nobody")

    @freeze_time("2026-03-01 10:00:00")
    def test_full_payment_pays_three_levels_of_the_untaxed_amount(self):
        invoice = self._invoice(1000)  # 1,200 with the tax
        self._pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # 5% / 3% / 1% of the 1,000 untaxed; Eva's purchase would pay Dora, not Dora's own
        self.assertEqual(
            [self.referral_points(p) for p in (self.carl, self.boris, self.anna, self.dora)], [50, 30, 10, 0]
        )
        entry = self.referral_entries(self.carl)
        self.assertEqual(
            (entry.kind, entry.origin, entry.order_model, entry.order_id),
            ("earn", "referral", "account.move", invoice.id),
        )
        self.assertLedgerMatches(self.referral_card(self.carl))
        # paid again after an unreconciliation: the same payment pays once
        payment_lines = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        payment_lines.remove_move_reconcile()
        counterpart = self.env["account.move.line"].search(
            [
                ("account_id", "=", payment_lines.account_id.id),
                ("move_id", "!=", invoice.id),
                ("partner_id", "=", self.dora.id),
                ("reconciled", "=", False),
            ]
        )
        (payment_lines | counterpart).reconcile()
        self.assertEqual(self.referral_points(self.carl), 50)
        self.assertEqual(len(self.referral_rewards([("source_id", "=", invoice.id)])), 3)

    @freeze_time("2026-03-01 10:00:00")
    def test_partial_payments_pay_their_share_each(self):
        invoice = self._invoice(1000)  # 1,200 with the tax
        self._pay(invoice, amount=300)  # a quarter
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [12.5, 7.5, 2.5])
        self._pay(invoice, amount=900)  # the other three quarters
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [50, 30, 10])
        rewards = self.referral_rewards([("source_id", "=", invoice.id), ("level", "=", 1)])
        self.assertEqual(sorted(rewards.mapped("base_amount")), [250, 750])
        self.assertEqual(len(set(rewards.mapped("payment_ref"))), 2, "one reward per payment and level")

    @freeze_time("2026-03-01 10:00:00")
    def test_credit_note_takes_back_its_share_when_posted(self):
        invoice = self._invoice(1000)
        self._pay(invoice)
        carl_card = self.referral_card(self.carl)
        carl_card._points_consume(45, kind="spend")  # Carl spent most of his 50 points
        credit_note = self._invoice(500, move_type="out_refund", reversed_entry=invoice)  # half of it
        self.assertNotIn(credit_note.payment_state, ("paid", "in_payment"), "posted, not paid")
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [-20, 15, 5])
        reverse = carl_card.points_entry_ids.filtered(lambda e: e.kind == "reverse")
        # 25 to take back, 5 left on the lot: the programme allows a negative balance of 20
        self.assertEqual(
            (reverse.points, reverse.remaining, reverse.refund_of), (-25, -20, f"account.move,{invoice.id}")
        )
        # the refund paid back to the customer later takes nothing more
        self._pay(credit_note)
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [-20, 15, 5])
        self.assertLedgerMatches(carl_card)

    @freeze_time("2026-03-01 10:00:00")
    def test_credit_note_from_the_reversal_wizard(self):
        invoice = self._invoice(1000)
        self._pay(invoice, amount=600)  # half paid: 25 / 15 / 5
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        reversal.refund_moves()
        credit_note = invoice.reversal_move_ids
        self.assertEqual((credit_note.state, credit_note.move_type), ("draft", "out_refund"))
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [25, 15, 5])
        credit_note.action_post()
        # the whole invoice is credited: everything it paid the chain goes back, nothing more
        self.assertEqual([self.referral_points(p) for p in (self.carl, self.boris, self.anna)], [0, 0, 0])
        self.assertEqual(len(self.referral_rewards([("source_id", "=", invoice.id)])), 3, "the credit note pays nobody")
        with self.assertRaises(AccessError):
            self.env["referral.reward"].search([])

    @freeze_time("2026-03-01 10:00:00")
    def test_customer_without_referrer_pays_nobody(self):
        self._pay(self._invoice(1000, partner=self.anna))
        self.assertFalse(self.referral_rewards())
