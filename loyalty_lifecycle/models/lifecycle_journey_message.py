"""One message of a journey step to one customer, and the daily cron that
sends what is due.

The row is written before anything is sent, under a unique key (participant,
step, occurrence): a rerun of the cron or a second worker finds the row and
sends nothing twice. The message itself is Odoo's: the step's mailing sends
it to the customer with its own per-recipient sending, and the
``mailing.trace`` it creates (sent, opened, clicked, bounced, or cancelled by
Odoo's blacklists) is linked here. A message that is finally not sent (the
contact policy, the step's condition, its days passed, the journey stopped)
is a cancelled trace of the step's mailing with its reason, linked the same
way; a deferred one gets its trace when it is sent or finally not.
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
    mailing_id = fields.Many2one(
        "mailing.mailing",
        compute="_compute_mailing_id",
        help="The mailing this message sends: the step's, or the one of this sending of a repeated step.",
    )
    mailing_type = fields.Selection(
        [("mail", "Email"), ("sms", "SMS")], string="Channel", compute="_compute_mailing_id"
    )
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

    @api.depends("step_id", "occurrence", "mailing_trace_id")
    def _compute_mailing_id(self):
        for message in self:
            message.mailing_id = message.mailing_trace_id.mass_mailing_id or message.step_id._mailing_for(
                message.occurrence
            )
            message.mailing_type = message.mailing_id.mailing_type

    # ------------------------------------------------------------------
    # The daily cron
    # ------------------------------------------------------------------
    @api.model
    def _due_query(self, now, select, limit=None, new_only=False):
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
                  JOIN lifecycle_journey j ON j.id = p.journey_id AND j.active
                 WHERE p.state = 'running' AND EXISTS (
                       SELECT 1 FROM lifecycle_journey_step s
                        WHERE s.journey_id = p.journey_id AND s.anchor = 'membership_end')
                """
            ),
        )
        return SQL(
            """
            WITH ends AS MATERIALIZED (%(ends)s)
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
                       AND (m.id IS NULL OR (NOT %(new_only)s AND m.state = 'deferred' AND m.next_try <= %(now)s))
                   ) due
             WHERE due.due_date <= %(today)s
             %(tail)s
            """,
            ends=ends,
            select=select,
            today=today,
            now=now,
            new_only=new_only,
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
    def _claim_due_rows(self, now, limit=None):
        """Write the rows of the due messages (the next ``limit`` of them,
        or all of the day) in one INSERT ... SELECT and return the ones this
        transaction owns: new rows it inserted (a concurrent insert of the
        same key loses, ON CONFLICT), and deferred rows whose time has come,
        moved back to pending. A new message whose window has passed (its
        day came while the customer was not in the journey yet) is written
        as not sent, with that reason.

        :return: (messages to process, messages written as not sent, rows written)
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
            SQL(
                """
                INSERT INTO lifecycle_journey_message
                       (participant_id, step_id, occurrence, journey_id, partner_id, company_id, state, reason,
                        date, due_date, last_date, create_uid, create_date, write_uid, write_date)
                %(due)s
                ON CONFLICT (participant_id, step_id, occurrence) DO NOTHING
                RETURNING id, state
                """,
                due=self._due_query(
                    now,
                    SQL(
                        """
                        due.participant_id, due.step_id, due.occurrence, due.journey_id, due.partner_id,
                        due.company_id,
                        CASE WHEN due.due_date + due.window_days < %(today)s THEN 'skipped' ELSE 'pending' END,
                        CASE WHEN due.due_date + due.window_days < %(today)s THEN 'lc_window_passed' END,
                        CASE WHEN due.due_date + due.window_days < %(today)s THEN %(now)s::timestamp END,
                        due.due_date, due.due_date + due.window_days, %(uid)s, %(now)s, %(uid)s, %(now)s
                        """,
                        today=today,
                        now=now,
                        uid=self.env.uid,
                    ),
                    limit,
                    new_only=True,
                ),
            )
        )
        ids, late_ids = [], []
        for message_id, state in self.env.cr.fetchall():
            (ids if state == "pending" else late_ids).append(message_id)
        written = len(ids) + len(late_ids)
        # deferred messages whose retry time has come, of customers still in the journey
        self.env.cr.execute(
            SQL(
                """
                UPDATE lifecycle_journey_message m SET state = 'pending', write_date = %(now)s
                  FROM lifecycle_journey_participant p
                 WHERE p.id = m.participant_id AND p.state = 'running'
                   AND m.state = 'deferred' AND m.next_try <= %(now)s
                RETURNING m.id
                """,
                now=now,
            )
        )
        deferred = [row[0] for row in self.env.cr.fetchall()]
        ids += deferred
        self.invalidate_model()
        late = self.browse(late_ids)
        late._trace_not_sent()
        return self.browse(ids), late, written + len(deferred)

    @api.model
    def _take_pending(self, limit):
        """The next ``limit`` pending messages, locked for this transaction:
        another worker skips them (FOR UPDATE SKIP LOCKED) and takes the next
        ones; a crash leaves them pending for the next run."""
        self.flush_model(["state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM lifecycle_journey_message
                 WHERE state = 'pending'
                 ORDER BY id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                limit,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _pending_count(self):
        self.flush_model(["state"])
        self.env.cr.execute("SELECT COUNT(*) FROM lifecycle_journey_message WHERE state = 'pending'")
        return self.env.cr.fetchone()[0]

    @api.model
    def _send_due(self, batch_size=CRON_BATCH_SIZE):
        """One call of the daily cron. When no message is waiting, start the
        journeys of today's events, stop the journeys of the customers who
        bought, and write every message due today at once (the day's queue,
        one statement); then send the next ``batch_size`` waiting messages.
        The cron calls again while some wait (``_notify_progress``), each
        call committed: the day's selection runs once, not once per batch.

        :return: (processed, remaining)
        """
        now = fields.Datetime.now()
        late = self.browse()
        if not self._pending_count():
            today = fields.Date.context_today(self, now)
            Participant = self.env["lifecycle.journey.participant"]
            Participant._start_event_journeys(today)
            Participant._stop_on_purchase(today)
            _messages, late, _written = self._claim_due_rows(now)
        messages = self._take_pending(batch_size)
        by_sending = defaultdict(lambda: self.browse())
        for message in messages:
            by_sending[message.step_id, message.occurrence] |= message
        for step, occurrence in sorted(by_sending, key=lambda k: (k[0].journey_id.id, k[0].sequence, k[0].id, k[1])):
            by_sending[step, occurrence]._process_step(step, now, step._mailing_for(occurrence))
        (messages | late).participant_id._check_done()
        return len(messages) + len(late), self._pending_count()

    def _process_step(self, step, now, mailing=None):
        """Check the condition and the contact policy for these messages of
        ``step``, send the allowed ones with ``mailing`` (default: the
        step's; a later sending of a repeated step may have its own); the
        ones finally not sent are cancelled traces of it."""
        mailing = mailing or step.mailing_id
        Partner = self.env["res.partner"]
        matching = Partner.search([("id", "in", self.partner_id.ids)] + step._condition())
        unmatched = self.filtered(lambda m: m.partner_id not in matching)
        unmatched.write({"state": "skipped", "reason": "lc_condition", "date": now, "next_try": False})
        todo = self - unmatched
        if not todo:
            unmatched._trace_not_sent(mailing)
            return
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
        skipped = unmatched
        for (state, reason, retry_at), group in unsent.items():
            group.write({"state": state, "reason": reason, "next_try": retry_at, "date": now})
            if state == "skipped":
                skipped |= group
        skipped._trace_not_sent(mailing)
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
            # queued with this transaction, never committed halfway (wizard/mail_compose_message.py)
            mailing.with_context(lc_journey_queue=True)._action_send_mail(res_ids)
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

    def _trace_not_sent(self, mailing=None):
        """Write these messages, finally not sent, as cancelled traces of
        ``mailing`` (default: each message's own) with their reason, in one
        create per mailing through the contact policy, and link them."""
        by_mailing = defaultdict(lambda: self.browse())
        for message in self:
            by_mailing[mailing or message.mailing_id] |= message
        Policy = self.env["loyalty.contact.policy"]
        for message_mailing, messages in by_mailing.items():
            traces = Policy._trace_not_sent(message_mailing, [(m.partner_id, m.reason) for m in messages])
            for message, trace in zip(messages, traces):
                # one UPDATE for all of them at the flush
                message.mailing_trace_id = trace

    @api.model
    def _cron_send(self, batch_size=CRON_BATCH_SIZE):
        processed, remaining = self._send_due(batch_size)
        _logger.info("Journeys: %s messages processed, %s left for the next batch", processed, remaining)
        self.env["ir.cron"]._notify_progress(done=processed, remaining=remaining)
