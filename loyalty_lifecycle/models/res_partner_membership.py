"""When a customer's membership ends: the validities of their purchases
stacked one after the other.

A purchase of a product with a validity (product_template.py) is valid for
that many days from the end of the validity still running, or from its own
day when none runs: a member who renews a month early keeps the month. One
SQL statement computes it for every customer, and the stage rules
(lifecycle_stage_rule.py), the customer form and the journeys' steps timed on
the membership end (lifecycle_journey_message.py) all read it.
"""

import operator as op

from odoo import api, fields, models
from odoo.tools import SQL

from .res_partner import CUSTOMER_BASE_USER


class ResPartner(models.Model):
    _inherit = "res.partner"

    lc_membership_end = fields.Date(
        "Membership Ends",
        compute="_compute_lc_membership_end",
        search="_search_lc_membership_end",
        groups=CUSTOMER_BASE_USER,
        help="The day the customer's memberships (products with a validity) end, in the current companies: "
        "an early renewal adds its validity to the end of the running one.",
    )

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {"lc_membership_end"}

    @api.model
    def _sql_membership_ends(self, today, company_ids=None, partner_ids=None):
        """Rows ``(partner_id, company_id, end_date)``: the end of each
        customer's stacked memberships at each company, from the purchases
        up to ``today``.

        Each valid line extends ``end = max(end, its day) + its validity``;
        unrolled, the end is the greatest ``day + validity of this line and
        of every later one``: a running sum over the lines from the latest
        back, then a maximum, in one pass. A refund of a product cancels the
        latest purchase of that product, as a refund does at the desk.

        :param company_ids: the companies (default: all)
        :param partner_ids: an SQL query or a list of ids of the customers
            (default: all)
        """
        filters = [SQL("tmpl.validity_days > 0"), SQL("cp.date <= %s", today)]
        if company_ids is not None:
            filters.append(SQL("cp.company_id IN %s", tuple(company_ids) or (None,)))
        if partner_ids is not None:
            if isinstance(partner_ids, SQL):
                filters.append(SQL("cp.partner_id IN (%s)", partner_ids))
            else:
                filters.append(SQL("cp.partner_id IN %s", tuple(partner_ids) or (None,)))
        return SQL(
            """
            SELECT partner_id, company_id, MAX(date + valid_until_end) AS end_date
              FROM (
                    SELECT partner_id, company_id, date,
                           SUM(validity_days) OVER (
                               PARTITION BY partner_id, company_id
                               ORDER BY date DESC, id DESC
                               ROWS UNBOUNDED PRECEDING
                           )::int AS valid_until_end
                      FROM (
                            SELECT cp.id, cp.partner_id, cp.company_id, cp.date, cp.quantity, tmpl.validity_days,
                                   ROW_NUMBER() OVER (
                                       PARTITION BY cp.partner_id, cp.company_id, cp.product_id, cp.quantity > 0
                                       ORDER BY cp.date DESC, cp.id DESC
                                   ) AS rank_desc,
                                   COUNT(*) FILTER (WHERE cp.quantity < 0) OVER (
                                       PARTITION BY cp.partner_id, cp.company_id, cp.product_id
                                   ) AS refunds
                              FROM customer_purchase cp
                              JOIN product_product pp ON pp.id = cp.product_id
                              JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
                             WHERE %(filters)s
                           ) validity_lines
                     WHERE quantity > 0 AND rank_desc > refunds
                   ) stacked
             GROUP BY partner_id, company_id
            """,
            filters=SQL(" AND ").join(filters),
        )

    @api.model
    def _flush_membership_facts(self):
        """Write to the database what the purchase facts (a view over the
        invoices and the till's orders) and the validities read."""
        for model in ("account.move", "account.move.line", "pos.order", "pos.order.line", "product.product"):
            self.env[model].flush_model()
        self.env["product.template"].flush_model(["validity_days"])
        self.flush_model(["commercial_partner_id"])

    @api.model
    def _lc_membership_ends(self, partner_ids=None, today=None):
        """{partner id: end date} in the current companies (the latest end
        when a customer has memberships in several)."""
        self._flush_membership_facts()
        today = today or fields.Date.context_today(self)
        query = self._sql_membership_ends(today, self.env.companies.ids, partner_ids)
        self.env.cr.execute(SQL("SELECT partner_id, MAX(end_date) FROM (%s) ends GROUP BY partner_id", query))
        return dict(self.env.cr.fetchall())

    def _compute_lc_membership_end(self):
        ids = [partner_id for partner_id in self._origin.ids if partner_id]
        ends = self._lc_membership_ends(ids) if ids else {}
        for partner in self:
            partner.lc_membership_end = ends.get(partner._origin.id, False)

    def _search_lc_membership_end(self, operator, value):
        compare = {"=": op.eq, "!=": op.ne, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge}.get(operator)
        if operator in ("=", "!=") and not value:
            ids = list(self._lc_membership_ends())
            return [("id", "not in" if operator == "=" else "in", ids)]
        if compare is None:
            return NotImplemented
        value = fields.Date.to_date(value)
        return [("id", "in", [pid for pid, end in self._lc_membership_ends().items() if compare(end, value)])]
