from odoo import api, fields, models

from ..tools.points_ledger import round_points


class AccountMove(models.Model):
    """Invoices and the points ledger: a paid customer invoice earns points
    in the programmes set to earn on invoices; a paid credit note takes back
    its share of what the reversed invoice earned. Invoices of POS orders are
    left out, and so are invoice lines of sale orders that earned in the
    programme when they were confirmed (sale_loyalty): their order earned
    the points."""

    _inherit = "account.move"

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        self._points_earn_paid_invoices()
        self._points_reverse_credit_notes()
        return res

    @api.model
    def _points_invoice_programs(self, company):
        # programmes are configuration; whoever registers a payment earns
        # the customer's points
        return (
            self.env["loyalty.program"]
            .sudo()
            .search(
                [
                    ("program_type", "=", "loyalty"),
                    ("points_ledger", "=", True),
                    ("points_earn_on_invoice", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )

    def _points_for_program(self, program):
        """Points this invoice earns by the programme's automatic rules:
        per order, per unit or per amount spent on the rule's products."""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(
            lambda line: (
                line.display_type == "product"
                and line.product_id
                # sale_loyalty programmes are read by whoever registers the payment
                and program not in line.sale_line_ids.order_id.sudo().coupon_point_ids.coupon_id.program_id
            )
        )
        points = 0.0
        for rule in program.rule_ids.filtered(lambda r: r.active and r.mode == "auto"):
            domain = rule._get_valid_product_domain()
            products = lines.product_id.filtered_domain(domain) if domain else lines.product_id
            valid = lines.filtered(lambda line, products=products: line.product_id in products)
            amount = sum(valid.mapped("price_total" if rule.minimum_amount_tax_mode == "incl" else "price_subtotal"))
            if program.currency_id and self.currency_id != program.currency_id:
                # rules count money in the programme's currency
                amount = self.currency_id._convert(
                    amount, program.currency_id, self.company_id, self.invoice_date or fields.Date.context_today(self)
                )
            quantity = sum(valid.mapped("quantity"))
            if not valid or quantity < rule.minimum_qty or amount < rule.minimum_amount:
                continue
            if rule.reward_point_mode == "order":
                points += rule.reward_point_amount
            elif rule.reward_point_mode == "money":
                points += rule.reward_point_amount * amount
            elif rule.reward_point_mode == "unit":
                points += rule.reward_point_amount * quantity
        return round_points(points)

    def _points_earn_paid_invoices(self):
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted" and m.partner_id and not m.pos_order_ids
        )
        if not invoices:
            return
        Card = self.env["loyalty.card"].sudo()
        Entry = self.env["loyalty.points.entry"].sudo()
        already = set(
            Entry.search(
                [("order_model", "=", self._name), ("order_id", "in", invoices.ids), ("kind", "=", "earn")]
            ).mapped(lambda e: (e.order_id, e.program_id.id))
        )
        programs_by_company = {company: self._points_invoice_programs(company) for company in invoices.company_id}
        programs = self.env["loyalty.program"].union(*programs_by_company.values())
        customers = invoices.partner_id.commercial_partner_id
        cards = {
            (card.program_id, card.partner_id): card
            for card in Card.search([("program_id", "in", programs.ids), ("partner_id", "in", customers.ids)])
        }
        for invoice in invoices:
            customer = invoice.partner_id.commercial_partner_id
            for program in programs_by_company[invoice.company_id]:
                if (invoice.id, program.id) in already:
                    continue  # paid again after an unreconciliation: earned once
                points = invoice._points_for_program(program)
                if points <= 0:
                    continue
                card = cards.get((program, customer))
                if not card:
                    card = cards[program, customer] = Card.with_context(loyalty_no_mail=True).create(
                        {"program_id": program.id, "partner_id": customer.id, "points": 0}
                    )
                card._points_earn(points, origin="purchase", source=invoice)

    def _points_reverse_credit_notes(self):
        Card = self.env["loyalty.card"]
        for credit_note in self.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id):
            original = credit_note.reversed_entry_id
            Card._points_reverse_refund(original, credit_note, original.amount_total, credit_note.amount_total)
