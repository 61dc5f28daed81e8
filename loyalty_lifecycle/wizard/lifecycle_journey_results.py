"""The results of the journeys over a period: per journey and per step, the
customers who entered, the messages sent and not sent (by reason), their
cost, the conversions and revenue of the messaged and of the holdout group,
each group's conversion rate, the uplift with its 95% confidence interval,
the cost per extra conversion, and next to them what the blanket approach
(the same offer to every customer 3 to 6 times a month) would have sent and
cost over the same customers.

The counts come from the report's rows of the period
(report/lifecycle_journey_report.py), read through the user's record rules;
the rates from tools/journey_stats.py. A step line counts messages: each
message of the step a trial, converted or not in its window. A journey line
(and the line of all journeys) counts customers: a customer of the messaged
group converted when they bought in the window of any message they got, of
the holdout group in the window of any message they would have got; their
revenue counts each purchase once.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import journey_stats

BLANKET_LOW, BLANKET_HIGH = 3, 6  # messages a month of the blanket approach (DOMAIN.md, seed 002)


class LifecycleJourneyResults(models.TransientModel):
    _name = "lifecycle.journey.results"
    _description = "Journey Results"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        "From", required=True, default=lambda self: fields.Date.context_today(self) - timedelta(days=89)
    )
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    journey_ids = fields.Many2many(
        "lifecycle.journey", string="Journeys", help="Leave empty for every journey of the company."
    )
    line_ids = fields.One2many("lifecycle.journey.results.line", "results_id", string="Results", readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for results in self:
            if results.date_from > results.date_to:
                raise ValidationError(_("The period ends before it starts."))

    def action_compute(self):
        self.ensure_one()
        self._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "Journey Results %(from)s - %(to)s",
                **{"from": fields.Date.to_string(self.date_from), "to": fields.Date.to_string(self.date_to)},
            ),
            "res_model": "lifecycle.journey.results.line",
            "view_mode": "list,pivot,graph",
            "views": [(False, "list"), (False, "pivot"), (False, "graph")],
            "domain": [("results_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    def _report_domain(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        if self.journey_ids:
            domain.append(("journey_id", "in", self.journey_ids.ids))
        return domain

    def _fetch(self, query):
        self.env.cr.execute(query)
        return self.env.cr.dictfetchall()

    def _compute_lines(self):
        Report = self.env["lifecycle.journey.report"]
        Report.check_access("read")
        # the rows of the period the user may read: their record rules apply
        rows = Report._search(self._report_domain()).subselect()
        step_rows = self._fetch(
            SQL(
                """
                SELECT r.journey_id, r.step_id,
                       COUNT(*) FILTER (WHERE r.message_group = 'messaged') AS messaged,
                       COUNT(*) FILTER (WHERE r.message_group = 'holdout') AS holdout,
                       COUNT(*) FILTER (WHERE r.message_group = 'not_sent') AS not_sent,
                       COUNT(*) FILTER (WHERE r.message_group = 'messaged' AND r.converted) AS conversions,
                       COUNT(*) FILTER (WHERE r.message_group = 'holdout' AND r.converted) AS holdout_conversions,
                       COALESCE(SUM(r.revenue) FILTER (WHERE r.message_group = 'messaged'), 0) AS revenue,
                       COALESCE(SUM(r.revenue) FILTER (WHERE r.message_group = 'holdout'), 0) AS holdout_revenue,
                       COALESCE(SUM(r.cost), 0) AS cost,
                       COALESCE(SUM(r.sms_segments), 0) AS sms_segments,
                       COUNT(*) FILTER (WHERE r.billed AND r.channel = 'mail') AS emails,
                       COUNT(DISTINCT r.partner_id) AS customers
                  FROM lifecycle_journey_report r
                 WHERE r.id IN (%(rows)s)
                 GROUP BY GROUPING SETS ((r.journey_id, r.step_id), (r.journey_id), ())
                """,
                rows=rows,
            )
        )
        customer_rows = self._fetch(
            SQL(
                """
                SELECT r.journey_id,
                       COUNT(DISTINCT r.partner_id) FILTER (WHERE r.message_group = 'messaged') AS messaged,
                       COUNT(DISTINCT r.partner_id) FILTER (WHERE r.message_group = 'holdout') AS holdout,
                       COUNT(DISTINCT r.partner_id) FILTER (WHERE r.message_group = 'messaged' AND r.converted)
                           AS conversions,
                       COUNT(DISTINCT r.partner_id) FILTER (WHERE r.message_group = 'holdout' AND r.converted)
                           AS holdout_conversions
                  FROM lifecycle_journey_report r
                 WHERE r.id IN (%(rows)s)
                 GROUP BY GROUPING SETS ((r.journey_id), ())
                """,
                rows=rows,
            )
        )
        # Revenue of a group of customers: each purchase once, however many
        # of the group's windows it falls in.
        revenue_rows = self._fetch(
            SQL(
                """
                WITH r AS (
                    SELECT r.journey_id, r.message_group, r.company_id, r.date, r.attribution_end,
                           COALESCE(customer.commercial_partner_id, customer.id) AS customer_id
                      FROM lifecycle_journey_report r
                      JOIN res_partner customer ON customer.id = r.partner_id
                     WHERE r.id IN (%(rows)s) AND r.message_group IN ('messaged', 'holdout') AND r.converted
                )
                SELECT hit.journey_id, hit.message_group, SUM(hit.amount) AS revenue
                  FROM (
                        SELECT DISTINCT r.journey_id, r.message_group, purchase.id, purchase.amount
                          FROM r
                          JOIN customer_purchase purchase
                            ON purchase.partner_id = r.customer_id AND purchase.company_id = r.company_id
                           AND purchase.amount > 0
                           AND purchase.date BETWEEN r.date AND r.attribution_end
                       ) hit
                 GROUP BY GROUPING SETS ((hit.journey_id, hit.message_group), (hit.message_group))
                """,
                rows=rows,
            )
        )
        reasons = self._fetch(
            SQL(
                """
                SELECT r.journey_id, r.step_id, r.reason, COUNT(*) AS count
                  FROM lifecycle_journey_report r
                 WHERE r.id IN (%(rows)s) AND r.message_group = 'not_sent'
                 GROUP BY GROUPING SETS ((r.journey_id, r.step_id, r.reason), (r.journey_id, r.reason), (r.reason))
                 ORDER BY count DESC, r.reason
                """,
                rows=rows,
            )
        )
        self.line_ids.unlink()
        self.env["lifecycle.journey.results.line"].create(
            self._prepare_lines(step_rows, customer_rows, revenue_rows, reasons)
        )

    def _journeys(self):
        if self.journey_ids:
            return self.journey_ids.filtered(lambda j: j.company_id == self.company_id).sorted()
        return self.env["lifecycle.journey"].with_context(active_test=False).search(
            [("company_id", "=", self.company_id.id)]
        )

    def _prepare_lines(self, step_rows, customer_rows, revenue_rows, reasons):
        """The values of the result lines, from the grouped rows of the
        report (``None`` journey or step: the line of all journeys or of the
        whole journey): each journey of the company (or of the selection),
        active or not, then its steps in order, then all journeys."""
        Report = self.env["lifecycle.journey.report"]
        reason_labels = dict(Report._fields["reason"]._description_selection(self.env))
        channel_labels = dict(Report._fields["channel"]._description_selection(self.env))
        Step = self.env["lifecycle.journey.step"]
        anchor_labels = dict(Step._fields["anchor"]._description_selection(self.env))
        not_sent_detail = {}
        for row in reasons:
            label = reason_labels.get(row["reason"]) or _("Other")
            not_sent_detail.setdefault((row["journey_id"], row["step_id"]), []).append(f"{label}: {row['count']}")
        counts = {(row["journey_id"], row["step_id"]): row for row in step_rows}
        customers = {row["journey_id"]: row for row in customer_rows}
        revenue = {(row["journey_id"], row["message_group"]): row["revenue"] or 0.0 for row in revenue_rows}
        journeys = self._journeys()
        entered = {
            journey.id: count
            for journey, count in self.env["lifecycle.journey.participant"]._read_group(
                [
                    ("journey_id", "in", journeys.ids),
                    ("start_date", ">=", self.date_from),
                    ("start_date", "<=", self.date_to),
                ],
                ["journey_id"],
                ["__count"],
            )
        }
        days = (self.date_to - self.date_from).days + 1
        sms_cost = self.company_id.lc_cost_sms_segment
        zero = dict.fromkeys(
            (
                "messaged",
                "holdout",
                "not_sent",
                "conversions",
                "holdout_conversions",
                "revenue",
                "holdout_revenue",
                "cost",
                "sms_segments",
                "emails",
                "customers",
            ),
            0,
        )
        keys = []
        for journey in journeys:
            keys.append((journey, None))
            keys += [(journey, step) for step in journey.step_ids]
        keys.append((None, None))
        vals_list = []
        for sequence, (journey, step) in enumerate(keys):
            journey_id, step_id = journey.id if journey else None, step.id if step else None
            row = counts.get((journey_id, step_id), zero)
            if step:
                level = "step"
                group = row
                label = _(
                    "Step %(index)s: %(channel)s, %(delay)s days from %(anchor)s",
                    index=list(journey.step_ids).index(step) + 1,
                    channel=channel_labels.get(step.mailing_type, step.mailing_type or ""),
                    delay=step.delay_days,
                    anchor=anchor_labels.get(step.anchor, step.anchor).lower(),
                )
                revenues = (row["revenue"], row["holdout_revenue"])
            else:
                level = "journey" if journey else "total"
                group = customers.get(journey_id, zero)
                label = journey.display_name if journey else _("All journeys")
                revenues = (revenue.get((journey_id, "messaged"), 0.0), revenue.get((journey_id, "holdout"), 0.0))
            stats = journey_stats.uplift(
                group["conversions"], group["messaged"], group["holdout_conversions"], group["holdout"]
            )
            cost_per_extra = journey_stats.cost_per_extra_conversion(row["cost"], group["messaged"], stats["uplift"])
            vals = {
                "results_id": self.id,
                "sequence": sequence,
                "level": level,
                "journey_id": journey_id or False,
                "step_id": step_id or False,
                "label": label,
                "messaged": group["messaged"],
                "holdout": group["holdout"],
                "not_sent": row["not_sent"],
                "not_sent_detail": ", ".join(not_sent_detail.get((journey_id, step_id), [])),
                "conversions": group["conversions"],
                "holdout_conversions": group["holdout_conversions"],
                "revenue": revenues[0],
                "holdout_revenue": revenues[1],
                "cost": row["cost"],
                "sms_segments": row["sms_segments"],
                "emails": row["emails"],
                "rate": stats["rate"] or 0.0,
                "holdout_rate": stats["holdout_rate"] or 0.0,
                "uplift": stats["uplift"] or 0.0,
                "uplift_low": stats["low"] or 0.0,
                "uplift_high": stats["high"] or 0.0,
                "verdict": self._verdict(stats),
                "cost_per_extra": cost_per_extra or 0.0,
            }
            if level != "step":
                low = journey_stats.blanket_messages(row["customers"], days, BLANKET_LOW)
                high = journey_stats.blanket_messages(row["customers"], days, BLANKET_HIGH)
                vals.update(
                    entered=entered.get(journey_id, 0) if journey else sum(entered.values()),
                    customers=row["customers"],
                    blanket_low=low,
                    blanket_high=high,
                    blanket_cost_low=low * sms_cost,
                    blanket_cost_high=high * sms_cost,
                )
            vals_list.append(vals)
        return vals_list

    @api.model
    def _verdict(self, stats):
        if stats["uplift"] is None:
            return "no_group"
        if stats["low"] > 0:
            return "up"
        if stats["high"] < 0:
            return "down"
        return "unclear"


class LifecycleJourneyResultsLine(models.TransientModel):
    _name = "lifecycle.journey.results.line"
    _description = "Journey Results Line"
    _order = "results_id, sequence, id"
    _rec_name = "label"

    results_id = fields.Many2one("lifecycle.journey.results", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="results_id.currency_id")
    sequence = fields.Integer()
    level = fields.Selection([("journey", "Journey"), ("step", "Step"), ("total", "All Journeys")], readonly=True)
    journey_id = fields.Many2one("lifecycle.journey", readonly=True)
    step_id = fields.Many2one("lifecycle.journey.step", string="Step", readonly=True)
    label = fields.Char("Journey / Step", readonly=True)
    entered = fields.Integer("Entered", readonly=True, help="Customers who started the journey in the period.")
    customers = fields.Integer(
        "Customers", readonly=True, help="Customers with a message of the journey in the period, sent or not."
    )
    messaged = fields.Integer(
        "Messaged",
        readonly=True,
        help="Messages sent (a step) or customers who got at least one (a journey): the messaged group.",
    )
    holdout = fields.Integer(
        "Holdout",
        readonly=True,
        help="Messages the holdout group would have got (a step), or its customers (a journey).",
    )
    not_sent = fields.Integer("Not Sent", readonly=True, help="Messages not sent for another reason.")
    not_sent_detail = fields.Char("Not Sent Because", readonly=True)
    cost = fields.Monetary(readonly=True, currency_field="currency_id")
    sms_segments = fields.Integer("SMS Segments", readonly=True)
    emails = fields.Integer("Emails", readonly=True)
    conversions = fields.Integer("Conversions", readonly=True, help="Of the messaged group.")
    revenue = fields.Monetary(readonly=True, currency_field="currency_id", help="Of the messaged group.")
    rate = fields.Float("Conversion Rate", readonly=True, aggregator=None, help="Of the messaged group.")
    holdout_conversions = fields.Integer("Holdout Conversions", readonly=True)
    holdout_revenue = fields.Monetary("Holdout Revenue", readonly=True, currency_field="currency_id")
    holdout_rate = fields.Float("Holdout Rate", readonly=True, aggregator=None)
    uplift = fields.Float(
        readonly=True, aggregator=None, help="The messaged group's conversion rate minus the holdout's."
    )
    uplift_low = fields.Float("Uplift From", readonly=True, aggregator=None, help="95% confidence interval.")
    uplift_high = fields.Float("Uplift To", readonly=True, aggregator=None, help="95% confidence interval.")
    verdict = fields.Selection(
        [
            ("up", "Brings conversions"),
            ("down", "Costs conversions"),
            ("unclear", "Not significant"),
            ("no_group", "No comparison"),
        ],
        readonly=True,
        help="Brings conversions: the whole 95% interval of the uplift is above zero; costs conversions: "
        "below; not significant: it spans zero; no comparison: a group is empty.",
    )
    cost_per_extra = fields.Monetary(
        "Cost per Extra Conversion",
        readonly=True,
        currency_field="currency_id",
        aggregator=None,
        help="The cost divided by the conversions the journey added (uplift x messaged); empty when it added none.",
    )
    blanket_low = fields.Integer(
        "Blanket: Messages (3/month)",
        readonly=True,
        help="The same offer to each of these customers 3 times a month over the period.",
    )
    blanket_high = fields.Integer(
        "Blanket: Messages (6/month)", readonly=True, help="The same offer 6 times a month."
    )
    blanket_cost_low = fields.Monetary(
        "Blanket: Cost (3/month)", readonly=True, currency_field="currency_id", help="At one SMS segment each."
    )
    blanket_cost_high = fields.Monetary(
        "Blanket: Cost (6/month)", readonly=True, currency_field="currency_id", help="At one SMS segment each."
    )
