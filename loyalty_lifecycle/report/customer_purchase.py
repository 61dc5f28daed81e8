from odoo import fields, models, tools
from odoo.tools import SQL


class CustomerPurchase(models.Model):
    """One row per product line a customer paid for: the single source of
    purchase facts for segmentation, lifecycle stages and LTV.

    Paid POS orders and posted customer invoices and credit notes, per
    company, in company currency, untaxed; credit notes and POS refunds are
    negative. A POS order that was invoiced counts once, through its invoice.
    The customer is the commercial partner (the company, for its contacts).
    """

    _name = "customer.purchase"
    _description = "Customer Purchase"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    source = fields.Selection([("pos", "Point of Sale"), ("invoice", "Invoice")], readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date = fields.Date(readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    quantity = fields.Float(readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id", help="Untaxed, in company currency.")
    pos_order_id = fields.Many2one("pos.order", string="POS Order", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)

    def _pos_query(self):
        # An order's lines are in the order's currency; currency_rate converts
        # company currency into it, so dividing brings amounts back.
        return SQL(
            """
            SELECT pol.id * 2 AS id,
                   'pos' AS source,
                   po.company_id,
                   company.currency_id,
                   COALESCE(customer.commercial_partner_id, customer.id) AS partner_id,
                   po.date_order::date AS date,
                   pol.product_id,
                   pol.qty AS quantity,
                   (pol.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1))::numeric AS amount,
                   po.id AS pos_order_id,
                   NULL::integer AS move_id
              FROM pos_order_line pol
              JOIN pos_order po ON po.id = pol.order_id
              JOIN res_partner customer ON customer.id = po.partner_id
              JOIN res_company company ON company.id = po.company_id
             WHERE po.state IN ('paid', 'done', 'invoiced')
               AND po.account_move IS NULL
            """
        )

    def _invoice_query(self):
        # Product lines of posted customer invoices and credit notes; the
        # balance is in company currency, negative (credit) on invoices.
        return SQL(
            """
            SELECT aml.id * 2 + 1 AS id,
                   'invoice' AS source,
                   am.company_id,
                   company.currency_id,
                   am.commercial_partner_id AS partner_id,
                   am.invoice_date AS date,
                   aml.product_id,
                   CASE WHEN am.move_type = 'out_refund' THEN -aml.quantity ELSE aml.quantity END AS quantity,
                   -aml.balance AS amount,
                   NULL::integer AS pos_order_id,
                   am.id AS move_id
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN res_company company ON company.id = am.company_id
             WHERE am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'product'
               AND am.commercial_partner_id IS NOT NULL
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s UNION ALL %s)",
                SQL.identifier(self._table),
                self._pos_query(),
                self._invoice_query(),
            )
        )
