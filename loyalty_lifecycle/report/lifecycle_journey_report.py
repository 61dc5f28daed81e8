"""The journeys' messages as a report: one row per message, with its group,
whether the customer bought in the attribution window after it, what they
paid then and what the message cost.

A row's group is *messaged* (sent), *holdout* (not sent because the customer
is in the journey's holdout group: what would have happened anyway) or *not
sent* (any other reason: no consent, caps, condition, left the stage...).
Its day is the day the daily job processed it, in the company's time zone:
the day it went, or, for the holdout, the day it would have gone.

A conversion is a paid purchase (``customer.purchase`` with a positive
amount, of the customer's commercial entity, in the message's company) on
that day or in the company's attribution window after it (Settings >
Customer Base > Journey Results, 14 days by default); the revenue is the sum
of those purchases. The cost is the company's cost per SMS segment times the
segments Odoo counted for the text sent (``mailing.trace.lc_sms_segments``;
one for a trace written before they were counted), or its cost per email,
for a message Odoo handed on (a trace neither cancelled, by the blacklists
say, nor in error). Costs and the window are the company's settings of
today, applied to every message.
"""

from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.loyalty_contact_policy import REASONS

GROUPS = [("messaged", "Messaged"), ("holdout", "Holdout"), ("not_sent", "Not Sent")]


class LifecycleJourneyReport(models.Model):
    _name = "lifecycle.journey.report"
    _description = "Journey Results per Message"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "step_id"

    message_id = fields.Many2one("lifecycle.journey.message", string="Message", readonly=True)
    journey_id = fields.Many2one("lifecycle.journey", readonly=True)
    step_id = fields.Many2one("lifecycle.journey.step", string="Step", readonly=True)
    mailing_id = fields.Many2one("mailing.mailing", string="Mailing", readonly=True)
    participant_id = fields.Many2one("lifecycle.journey.participant", string="Participant", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    channel = fields.Selection([("mail", "Email"), ("sms", "SMS")], readonly=True)
    date = fields.Date(readonly=True, help="The day the message went or, for the holdout, would have gone.")
    attribution_end = fields.Date(
        "Attribution Until", readonly=True, help="The last day a purchase counts as a conversion of the message."
    )
    message_group = fields.Selection(GROUPS, string="Group", readonly=True)
    state = fields.Selection(
        [("sent", "Sent"), ("skipped", "Not Sent"), ("cancelled", "Cancelled")], string="Status", readonly=True
    )
    reason = fields.Selection(REASONS, readonly=True)
    billed = fields.Boolean(
        "Paid For", readonly=True, help="Handed on by Odoo: not cancelled by its blacklists, not in error."
    )
    converted = fields.Boolean(readonly=True, help="A paid purchase in the attribution window.")
    conversion_count = fields.Integer("Conversions", readonly=True)
    revenue = fields.Monetary(
        readonly=True, currency_field="currency_id", help="Paid purchases in the attribution window, untaxed."
    )
    sms_segments = fields.Integer("SMS Segments", readonly=True)
    cost = fields.Monetary(readonly=True, currency_field="currency_id")

    def _query(self):
        return SQL(
            """
            WITH msg AS (
                SELECT m.id,
                       m.id AS message_id,
                       m.journey_id,
                       m.step_id,
                       s.mailing_id,
                       m.participant_id,
                       m.partner_id,
                       COALESCE(customer.commercial_partner_id, customer.id) AS customer_id,
                       m.company_id,
                       company.currency_id,
                       CASE WHEN mm.mailing_type = 'sms' THEN 'sms' ELSE 'mail' END AS channel,
                       (COALESCE(m.date, m.write_date) AT TIME ZONE 'UTC'
                            AT TIME ZONE COALESCE(company_partner.tz, 'UTC'))::date AS date,
                       company.lc_attribution_days,
                       CASE WHEN m.state = 'sent' THEN 'messaged'
                            WHEN m.reason = 'lc_holdout' THEN 'holdout'
                            ELSE 'not_sent' END AS message_group,
                       m.state,
                       m.reason,
                       (m.state = 'sent' AND trace.id IS NOT NULL
                            AND trace.trace_status NOT IN ('cancel', 'error')) AS billed,
                       CASE WHEN mm.mailing_type = 'sms' THEN GREATEST(COALESCE(trace.lc_sms_segments, 1), 1)
                            ELSE 0 END AS segments,
                       company.lc_cost_sms_segment,
                       company.lc_cost_email
                  FROM lifecycle_journey_message m
                  JOIN lifecycle_journey_step s ON s.id = m.step_id
                  JOIN mailing_mailing mm ON mm.id = s.mailing_id
                  JOIN res_partner customer ON customer.id = m.partner_id
                  JOIN res_company company ON company.id = m.company_id
                  JOIN res_partner company_partner ON company_partner.id = company.partner_id
                  LEFT JOIN mailing_trace trace ON trace.id = m.mailing_trace_id
                 WHERE m.state IN ('sent', 'skipped', 'cancelled')
            )
            SELECT msg.id, msg.message_id, msg.journey_id, msg.step_id, msg.mailing_id, msg.participant_id,
                   msg.partner_id, msg.company_id, msg.currency_id, msg.channel, msg.date,
                   msg.date + msg.lc_attribution_days AS attribution_end,
                   msg.message_group, msg.state, msg.reason, msg.billed,
                   conv.revenue IS NOT NULL AS converted,
                   CASE WHEN conv.revenue IS NOT NULL THEN 1 ELSE 0 END AS conversion_count,
                   COALESCE(conv.revenue, 0) AS revenue,
                   CASE WHEN msg.billed THEN msg.segments ELSE 0 END AS sms_segments,
                   CASE WHEN NOT msg.billed THEN 0
                        WHEN msg.channel = 'sms' THEN msg.segments * COALESCE(msg.lc_cost_sms_segment, 0)
                        ELSE COALESCE(msg.lc_cost_email, 0) END AS cost
              FROM msg
              LEFT JOIN LATERAL (
                    SELECT SUM(purchase.amount) AS revenue
                      FROM customer_purchase purchase
                     WHERE purchase.partner_id = msg.customer_id
                       AND purchase.company_id = msg.company_id
                       AND purchase.amount > 0
                       AND purchase.date >= msg.date
                       AND purchase.date <= msg.date + msg.lc_attribution_days
                   ) conv ON TRUE
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
