"""One message of a journey step to one customer, and the daily cron that
sends what is due.

The row is written before anything is sent, under a unique key (participant,
step, occurrence): a rerun of the cron or a second worker finds the row and
sends nothing twice. The message itself is Odoo's: the step's mailing sends
it to the customer with its own per-recipient sending, and the
``mailing.trace`` it creates (sent, opened, clicked, bounced, or cancelled by
Odoo's blacklists) is linked here.
"""

import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .loyalty_contact_policy import ALLOWED, CAP_REASONS, DEFERRED, REASONS

_logger = logging.getLogger(__name__)

CRON_BATCH_SIZE = 500


class LifecycleJourneyMessage(models.Model):
    _name = "lifecycle.journey.message"
    _description = "Journey Message"
    _order = "id desc"
    _rec_name = "step_id"

    participant_id = fields.Many2one(
        "lifecycle.journey.participant", required=True, ondelete="cascade", index=True, readonly=True
    )
    step_id = fields.Many2one("lifecycle.journey.step", required=True, ondelete="cascade", index=True, readonly=True)
    occurrence = fields.Integer(default=0, required=True, readonly=True)
    journey_id = fields.Many2one("lifecycle.journey", required=True, ondelete="cascade", index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    mailing_id = fields.Many2one(related="step_id.mailing_id")
    mailing_type = fields.Selection(related="step_id.mailing_id.mailing_type", string="Channel")
    state = fields.Selection(
        [
            ("pending", "Sending"),
            ("sent", "Sent"),
            ("deferred", "Deferred"),
            ("skipped", "Not Sent"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    reason = fields.Selection(REASONS, readonly=True, help="Why the message was not sent (yet).")
    next_try = fields.Datetime("Retry At", readonly=True)
    due_date = fields.Date("Due On", readonly=True, help="The step's day for this customer.")
    last_date = fields.Date(
        "Sendable Until", readonly=True, help="The last day of the step's window: held back by the caps, the "
        "message waits for a free day until then."
    )
    date = fields.Datetime("Processed On", readonly=True)
    mailing_trace_id = fields.Many2one("mailing.trace", string="Trace", readonly=True, ondelete="set null")
    trace_status = fields.Selection(related="mailing_trace_id.trace_status")
    failure_type = fields.Selection(related="mailing_trace_id.failure_type")

    _sql_constraints = [
        (
            "participant_step_occurrence_unique",
            "UNIQUE(participant_id, step_id, occurrence)",
            "A journey step is sent once per customer and occurrence.",
        )
    ]

    # ------------------------------------------------------------------
    # The daily cron
    # ------------------------------------------------------------------
    @api.model
    def _due_query(self, now, select, limit=None):
        """The messages due now: one row per running participant, step and
        occurrence whose day has come (the day of its anchor plus its delay,
        plus the days between two sendings for each repetition) and that has
        no message yet, or a deferred one whose retry time has come.

        A step timed on the membership end reads the stacked end of each
        participant's memberships as of today (res_partner_membership.py): a
        renewal moves the step's day, so nothing goes on the old day.

        Columns of the ``due`` rows for ``select``: participant_id, step_id,
        occurrence, message_id, journey_id, partner_id, company_id, due_date,
        window_days.
        """
        today = fields.Date.context_today(self, now)
        ends = self.env["res.partner"]._sql_membership_ends(
            today,
            partner_ids=SQL(
                """
                SELECT p.partner_id FROM lifecycle_journey_participant p
                 WHERE p.state = 'running' AND EXISTS (
                       SELECT 1 FROM lifecycle_journey_step s
                        WHERE s.journey_id = p.journey_id AND s.anchor = 'membership_end')
                """
            ),
        )
        return SQL(
            """
            WITH ends AS (%(ends)s)
            SELECT %(select)s
              FROM (
                    SELECT p.id AS participant_id, s.id AS step_id, occ.n AS occurrence, m.id AS message_id,
                           p.journey_id, p.partner_id, j.company_id, s.sequence,
                           CASE WHEN s.anchor = 'membership_end' THEN e.end_date ELSE p.start_date END
                               + s.delay_days + occ.n * s.repeat_every_days AS due_date,
                           s.window_days
                      FROM lifecycle_journey_participant p
                      JOIN lifecycle_journey j ON j.id = p.journey_id AND j.active
                      JOIN lifecycle_journey_step s ON s.journey_id = j.id
                     CROSS JOIN LATERAL generate_series(0, GREATEST(s.repeat_count, 1) - 1) AS occ(n)
                      LEFT JOIN ends e ON e.partner_id = p.partner_id AND e.company_id = j.company_id
                      LEFT JOIN lifecycle_journey_message m
                             ON m.participant_id = p.id AND m.step_id = s.id AND m.occurrence = occ.n
                     WHERE p.state = 'running'
                       AND (m.id IS NULL OR (m.state = 'deferred' AND m.next_try <= %(now)s))
                   ) due
             WHERE due.due_date <= %(today)s
             %(tail)s
            """,
            ends=ends,
            select=select,
            today=today,
            now=now,
            tail=(
                SQL("ORDER BY due.participant_id, due.sequence, due.step_id, due.occurrence LIMIT %s", limit)
                if limit
                else SQL()
            ),
        )

    @api.model
    def _claim_due(self, now, limit):
        """The messages to process now and the number of due rows seen (see
        ``_claim_due_rows``)."""
        messages, _late, seen = self._claim_due_rows(now, limit)
        return messages, seen

    @api.model
    def _claim_due_rows(self, now, limit):
        """Write the rows of the next ``limit`` due messages and return the
        ones this transaction owns: new rows it inserted (a concurrent
        insert of the same key loses, ON CONFLICT), and deferred rows it
        moved back to pending. A new message whose window has passed (its
        day came while the customer was not in the journey yet) is written
        as not sent, with that reason.

        :return: (messages to process, messages written as not sent, rows seen)
        """
        for model in (
            "lifecycle.journey",
            "lifecycle.journey.participant",
            "lifecycle.journey.step",
            "lifecycle.journey.message",
        ):
            self.env[model].flush_model()
        self.env["res.partner"]._flush_membership_facts()
        today = fields.Date.context_today(self, now)
        self.env.cr.execute(
            self._due_query(
                now,
                SQL(
                    "due.participant_id, due.step_id, due.occurrence, due.message_id, due.journey_id, "
                    "due.partner_id, due.company_id, due.due_date, due.due_date + due.window_days"
                ),
                limit,
            )
        )
        rows = self.env.cr.fetchall()
        new = [row for row in rows if not row[3]]
        deferred = [row[3] for row in rows if row[3]]
        ids, late_ids = [], []
        if new:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO lifecycle_journey_message
                           (participant_id, step_id, occurrence, journey_id, partner_id, company_id, state, reason,
                            date, due_date, last_date, create_uid, create_date, write_uid, write_date)
                    SELECT v.participant_id, v.step_id, v.occurrence, v.journey_id, v.partner_id, v.company_id,
                           CASE WHEN v.last_date < %(today)s THEN 'skipped' ELSE 'pending' END,
                           CASE WHEN v.last_date < %(today)s THEN 'lc_window_passed' END,
                           CASE WHEN v.last_date < %(today)s THEN %(now)s END,
                           v.due_date, v.last_date, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM (VALUES %(values)s)
                           AS v(participant_id, step_id, occurrence, journey_id, partner_id, company_id,
                                due_date, last_date)
                    ON CONFLICT (participant_id, step_id, occurrence) DO NOTHING
                    RETURNING id, state
                    """,
                    uid=self.env.uid,
                    now=now,
                    today=today,
                    values=SQL(", ").join(
                        SQL("(%s, %s, %s, %s, %s, %s, %s::date, %s::date)", p, s, n, j, pa, c, due, last)
                        for p, s, n, _m, j, pa, c, due, last in new
                    ),
                )
            )
            for message_id, state in self.env.cr.fetchall():
                (ids if state == "pending" else late_ids).append(message_id)
        if deferred:
            self.env.cr.execute(
                SQL(
                    "UPDATE lifecycle_journey_message SET state = 'pending', write_date = %s"
                    " WHERE id IN %s AND state = 'deferred' RETURNING id",
                    now,
                    tuple(deferred),
                )
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model()
        return self.browse(ids), self.browse(late_ids), len(rows)

    @api.model
    def _send_due(self, batch_size=CRON_BATCH_SIZE):
        """Start the journeys of today's events, stop the journeys of the
        customers who bought, then claim and process one batch of due
        messages.

        :return: (processed, remaining)
        """
        now = fields.Datetime.now()
        Participant = self.env["lifecycle.journey.participant"]
        Participant._start_event_journeys(fields.Date.context_today(self, now))
        Participant._stop_on_purchase(fields.Date.context_today(self, now))
        messages, late, seen = self._claim_due_rows(now, batch_size)
        by_step = defaultdict(lambda: self.browse())
        for message in messages:
            by_step[message.step_id] |= message
        for step in sorted(by_step, key=lambda s: (s.journey_id.id, s.sequence, s.id)):
            by_step[step]._process_step(step, now)
        (messages | late).participant_id._check_done()
        self.env.cr.execute(self._due_query(now, SQL("COUNT(*)")))
        remaining = self.env.cr.fetchone()[0]
        return seen, remaining

    def _process_step(self, step, now):
        """Check the condition and the contact policy for these messages of
        ``step``, send the allowed ones with the step's mailing."""
        Partner = self.env["res.partner"]
        matching = Partner.search([("id", "in", self.partner_id.ids)] + step._condition())
        unmatched = self.filtered(lambda m: m.partner_id not in matching)
        unmatched.write({"state": "skipped", "reason": "lc_condition", "date": now, "next_try": False})
        todo = self - unmatched
        if not todo:
            return
        mailing = step.mailing_id
        channel = "sms" if mailing.mailing_type == "sms" else "mail"
        verdicts = self.env["loyalty.contact.policy"]._check(
            todo.partner_id,
            channel,
            marketing=step.marketing,
            company=step.journey_id.company_id,
            at=now,
            holdout=todo.filtered(lambda m: m.participant_id.holdout).partner_id.ids,
        )
        allowed = self.browse()
        unsent = defaultdict(lambda: self.browse())
        today = fields.Date.context_today(self, now)
        next_day = None
        for message in todo:
            state, reason, retry_at = verdicts[message.partner_id.id]
            if state == ALLOWED:
                allowed |= message
            elif state == DEFERRED:
                unsent["deferred", reason, retry_at] |= message
            elif reason in CAP_REASONS and message.last_date and message.last_date > today:
                # capped today, free days left in the step's window: try tomorrow
                next_day = next_day or self.env["loyalty.contact.policy"]._next_day(step.journey_id.company_id, now)
                unsent["deferred", reason, next_day] |= message
            else:
                unsent["skipped", reason, False] |= message
        for (state, reason, retry_at), group in unsent.items():
            group.write({"state": state, "reason": reason, "next_try": retry_at, "date": now})
        if allowed:
            allowed._send(mailing, now)

    def _send(self, mailing, now):
        """Send ``mailing`` to these messages' customers with the mailing's
        own per-recipient sending, and link the traces it created."""
        Trace = self.env["mailing.trace"]
        Trace.flush_model()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mailing_trace")
        last_trace_id = self.env.cr.fetchone()[0]
        res_ids = self.partner_id.ids
        mailing = mailing.sudo()
        if mailing.mailing_type == "sms":
            mailing.action_send_sms(res_ids)
        else:
            mailing._action_send_mail(res_ids)
        Trace.flush_model()
        traces = Trace.sudo().search(
            [
                ("id", ">", last_trace_id),
                ("mass_mailing_id", "=", mailing.id),
                ("model", "=", "res.partner"),
                ("res_id", "in", res_ids),
            ]
        )
        trace_by_partner = {trace.res_id: trace for trace in traces}
        self.write({"state": "sent", "reason": False, "next_try": False, "date": now})
        for message in self:
            # one UPDATE for all of them at the flush
            message.mailing_trace_id = trace_by_partner.get(message.partner_id.id, Trace)

    @api.model
    def _cron_send(self, batch_size=CRON_BATCH_SIZE):
        processed, remaining = self._send_due(batch_size)
        _logger.info("Journeys: %s messages processed, %s left for the next batch", processed, remaining)
        self.env["ir.cron"]._notify_progress(done=processed, remaining=remaining)
