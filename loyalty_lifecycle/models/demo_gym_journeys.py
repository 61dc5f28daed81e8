# Demo data only, kept apart from res_company.py: the demo files call it.
# pylint: disable=consider-merging-classes-inherited
"""The demo gym's journeys and their last months of messages, so that the
journeys' screens and results show something.

The gym gets its own copies of the default Activation, Retention and Win-back
journeys (a 20% holdout), and the message costs of a Moscow gym. Then the
daily job is replayed over the last REPLAY_DAYS days, one day after the
other, the clock frozen at 10:00 in Moscow: the customers the stage history
shows entering a journey's stage that day start it, those it shows leaving
cancel it, and the real ``_send_due`` sends what is due through the contact
policy, Email/SMS Marketing and the holdout. Nothing waits in the queues:
the e-mails and SMS the mailings queued are deleted and their traces marked
delivered, dated the day they stand for (the caps read those dates). An
e-mail to a single customer Odoo sends at once, through the outgoing mail
server if there is one: the demo's addresses are at example.com, which
takes no mail, and a failed connection counts as delivered here too.
Odoo's own verdicts stay (no e-mail address, blacklisted)."""

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import api, fields, models
from odoo.tools import SQL

from .lifecycle_journey_participant import holdout_draw

_logger = logging.getLogger(__name__)

REPLAY_DAYS = 120
# 10:00 in Moscow
REPLAY_HOUR_UTC = 7
JOURNEYS = ("activation", "retention", "winback")
HOLDOUT_PERCENT = 20.0
# What a message costs a Moscow gym, in roubles
COST_SMS_SEGMENT = 4.0
COST_EMAIL = 0.5
FORCE_SEND_LIMIT = "mail.mail.force.send.limit"


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _demo_gym_journeys(self, today=None):
        """Give the demo gym its journeys and replay their last months; a
        gym that has journeys already keeps them as they are. Returns the
        journeys made."""
        Journey = self.env["lifecycle.journey"].with_context(active_test=False)
        gym = self._demo_gym_find()
        if not gym or Journey.search_count([("company_id", "=", gym.id)]):
            return Journey.browse()
        if not gym.lc_cost_sms_segment and not gym.lc_cost_email:
            gym.write({"lc_cost_sms_segment": COST_SMS_SEGMENT, "lc_cost_email": COST_EMAIL})
        journeys = Journey.browse()
        for key in JOURNEYS:
            default = self.env.ref(f"loyalty_lifecycle.lifecycle_journey_{key}", raise_if_not_found=False)
            if default:
                journeys |= default.copy({"company_id": gym.id, "holdout_percent": HOLDOUT_PERCENT, "active": True})
        if journeys:
            self._demo_gym_journeys_replay(gym, journeys, today or fields.Date.context_today(self))
        return journeys

    @api.model
    def _demo_gym_journeys_replay(self, gym, journeys, today):
        Participant = self.env["lifecycle.journey.participant"].sudo()
        Message = self.env["lifecycle.journey.message"].sudo()
        first_day = today - timedelta(days=REPLAY_DAYS)
        by_stage = defaultdict(lambda: self.env["lifecycle.journey"])
        for journey in journeys:
            by_stage[journey.stage_id.id] |= journey
        # Who entered and left the journeys' stages, day by day.
        self.env["lifecycle.stage.history"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT h.partner_id, h.from_stage_id, h.to_stage_id,
                       (h.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day
                  FROM lifecycle_stage_history h
                  JOIN res_partner p ON p.id = h.partner_id
                 WHERE p.company_id = %(gym)s
                   AND (h.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date BETWEEN %(first)s AND %(today)s
                 ORDER BY h.date, h.id
                """,
                tz=gym.partner_id.tz or "UTC",
                gym=gym.id,
                first=first_day,
                today=today,
            )
        )
        moves = defaultdict(list)
        for partner_id, from_stage_id, to_stage_id, day in self.env.cr.fetchall():
            moves[day].append((partner_id, from_stage_id, to_stage_id))
        mailings = journeys.step_ids.mailing_id
        # The e-mails wait in the queue instead of going at once (Odoo sends a
        # mass mailing of up to this many at once): they are deleted below.
        params = self.env["ir.config_parameter"].sudo()
        force_send_limit = params.get_param(FORCE_SEND_LIMIT)
        params.set_param(FORCE_SEND_LIMIT, 0)
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mailing_trace")
        first_trace = last_trace = self.env.cr.fetchone()[0]
        for offset in range(REPLAY_DAYS + 1):
            day = first_day + timedelta(days=offset)
            moment = datetime.combine(day, time(REPLAY_HOUR_UTC))
            with freeze_time(moment):
                leaving, entering = [], []
                for partner_id, from_stage_id, to_stage_id in moves.get(day, []):
                    if from_stage_id in by_stage:
                        leaving.append(partner_id)
                    for journey in by_stage.get(to_stage_id, []):
                        entering.append((partner_id, journey))
                if leaving:
                    Participant.search(
                        [
                            ("partner_id", "in", leaving),
                            ("journey_id", "in", journeys.ids),
                            ("state", "=", "running"),
                        ]
                    )._cancel()
                if entering:
                    Participant.create(
                        [
                            {
                                "partner_id": partner_id,
                                "journey_id": journey.id,
                                "start_date": day,
                                "holdout": holdout_draw(partner_id, journey.id, journey.holdout_percent),
                            }
                            for partner_id, journey in entering
                        ]
                    )
                remaining = True
                while remaining:
                    _seen, remaining = Message._send_due()
                self.env.flush_all()
            # the traces of the day, dated the day they stand for
            self.env.cr.execute(
                SQL(
                    "UPDATE mailing_trace SET create_date = %(moment)s, write_date = %(moment)s,"
                    " sent_datetime = %(moment)s WHERE id > %(last)s RETURNING id",
                    moment=moment,
                    last=last_trace,
                )
            )
            last_trace = max([last_trace] + [row[0] for row in self.env.cr.fetchall()])
        params.set_param(FORCE_SEND_LIMIT, force_send_limit or False)
        # Nothing waits in the queues: the queued e-mails and SMS go, their
        # traces are delivered.
        self.env["sms.sms"].sudo().search([("mailing_id", "in", mailings.ids)]).unlink()
        self.env["mail.mail"].sudo().search([("mailing_id", "in", mailings.ids)]).unlink()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE mailing_trace SET trace_status = 'sent', failure_type = NULL, failure_reason = NULL
                 WHERE id > %(first)s AND mass_mailing_id IN %(mailings)s
                   AND (trace_status IN ('outgoing', 'process') OR failure_type = 'mail_smtp');
                """,
                mailings=tuple(mailings.ids) or (0,),
                first=first_trace,
            )
        )
        self.env.invalidate_all()
        _logger.info(
            "Demo gym: journeys replayed over %s days, %s messages",
            REPLAY_DAYS,
            Message.search_count([("journey_id", "in", journeys.ids)]),
        )
