from collections import defaultdict

from odoo import fields, models

from ..tools import referral_rewards


class AccountMove(models.Model):
    """Customer invoices and referrals: each payment registered on an invoice
    pays the referrers of its customer their rate of the share it paid (never
    the posting); a posted credit note takes back the same share of what its
    invoice paid them, or reduces the rewards of it still held for a
    manager's review. Invoices of POS orders are left out: their order paid
    the referrers."""

    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._referral_claw_back_credit_notes()
        return posted

    def _referral_claw_back_credit_notes(self):
        Card = self.env["loyalty.card"]
        Reward = self.env["referral.reward"]
        for credit_note in self.filtered(
            lambda m: m.move_type == "out_refund" and m.reversed_entry_id.move_type == "out_invoice"
        ):
            original = credit_note.reversed_entry_id
            Card._points_reverse_refund(
                original, credit_note, original.amount_total, credit_note.amount_total, origins=("referral",)
            )
            if original.amount_total > 0:
                # the credit notes of an invoice, whoever posted them
                refunded = sum(
                    self.sudo()
                    .search([("reversed_entry_id", "=", original.id), ("state", "=", "posted")])
                    .mapped("amount_total")
                )
                Reward._referral_reduce_held(original, refunded / original.amount_total)

    def _referral_payments(self):
        """{counterpart move: amount in company currency} that paid this
        invoice: payments and bank statement lines, not credit notes nor
        exchange differences."""
        self.ensure_one()
        receivable = self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        paid = defaultdict(float)
        for partial in receivable.matched_debit_ids | receivable.matched_credit_ids:
            counterpart = partial.credit_move_id if partial.debit_move_id in receivable else partial.debit_move_id
            move = counterpart.move_id
            exchange_journal = self.company_id.currency_exchange_journal_id
            if move.is_invoice(include_receipts=True) or (exchange_journal and move.journal_id == exchange_journal):
                continue
            paid[move] += partial.amount
        return paid

    def _referral_pay_registered_payments(self):
        """Pay the referrers for every payment of these invoices that has not
        paid them yet, in proportion to the share of the invoice it paid."""
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted" and m.partner_id and not m.pos_order_ids
        )
        Reward = self.env["referral.reward"].sudo()
        for invoice in invoices:
            if not invoice.partner_id._referral_chain():
                continue
            total = abs(invoice.amount_total_signed)
            untaxed = abs(invoice.amount_untaxed_signed)
            payments = invoice._referral_payments()
            if not payments or total <= 0:
                continue
            seen = {
                reward.payment_ref: reward.base_amount
                for reward in Reward.search(
                    [("source_model", "=", invoice._name), ("source_id", "=", invoice.id), ("kind", "=", "percent")]
                )
            }
            already = sum(seen.values()) / untaxed if untaxed else 1.0
            for move, amount in sorted(payments.items(), key=lambda item: item[0].id):
                payment_ref = f"{move._name},{move.id}"
                if payment_ref in seen:
                    continue
                share = referral_rewards.paid_share(amount, total, already)
                if share <= 0:
                    continue
                already += share
                Reward._referral_pay(
                    invoice.partner_id,
                    invoice,
                    payment_ref,
                    untaxed * share,
                    invoice.company_id.currency_id,
                    invoice.company_id,
                    date=fields.Date.context_today(self),
                )
