"""Journeys started on an event: the daily journey cron starts them, set-based,
before it claims the due messages (lifecycle_journey_message.py).

One ``INSERT ... SELECT`` per trigger for all the active journeys of that
trigger, only for the customers of each journey's company, with the holdout
draw of ``holdout_draw`` computed in SQL. The participant's ``event_date`` is
the event's own day and, with the journey and the customer, a unique key: a
rerun, a second worker or a batch started again after a crash start nothing
twice (``ON CONFLICT DO NOTHING``).

- First paid purchase: once per customer ever, the first paid purchase at
  the journey's company; the journey starts on the purchase day.
- Points credited: once per customer per day with points earned at the
  journey's company (opening balances and repairs are not news).
- Points about to expire: once per customer per expiry date, N days before
  the lots expire (at once when a lot is credited closer to its expiry); the
  lots are then marked warned, so the programme's own warning
  (loyalty_points_entry.py) never warns about them again, and lots it
  already warned about start no journey.
- Birthday coming: once per customer per year, N days before the birthday
  (29 February is celebrated on 28 February in other years).

Past events (a purchase, points credited, a birthday) are caught up for
``EVENT_CATCHUP_DAYS`` days, so a missed cron day loses nobody, but never
before the journey's ``events_since`` day: on install, customers whose
first purchase was long ago do not all get a welcome.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

EVENT_CATCHUP_DAYS = 3


class LifecycleJourneyParticipant(models.Model):
    _inherit = "lifecycle.journey.participant"

    @api.model
    def _start_event_journeys(self, today):
        """Start the active event journeys of every company for the events
        up to ``today``; return the participants started."""
        journeys = self.env["lifecycle.journey"].sudo().search([("trigger", "!=", "stage")])
        if not journeys:
            return self.browse()
        for model in ("lifecycle.journey", "lifecycle.journey.participant", "loyalty.points.entry", "res.partner"):
            self.env[model].flush_model()
        ids = []
        for trigger, group in journeys.grouped("trigger").items():
            ids += self._start_event_trigger(trigger, group, today)
        self.invalidate_model()
        self.env["loyalty.points.entry"].invalidate_model(["expiry_warned"])
        return self.sudo().browse(ids)

    @api.model
    def _start_event_trigger(self, trigger, journeys, today):
        """One statement for all ``journeys`` of ``trigger``: their rows in a
        ``j`` CTE (id, company_id, days, threshold of the holdout draw, first
        day of the events considered), the events of the trigger, the new
        participants. Return their ids."""
        catchup_from = today - timedelta(days=EVENT_CATCHUP_DAYS)
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s::date)",
                journey.id,
                journey.company_id.id,
                journey.trigger_days,
                round(journey.holdout_percent * 100),  # as holdout_draw
                max(catchup_from, journey.events_since or catchup_from),
            )
            for journey in journeys
        )
        events = getattr(self, f"_sql_events_{trigger}")(today)
        self.env.cr.execute(
            SQL(
                """
                WITH j(id, company_id, days, threshold, from_day) AS (VALUES %(values)s),
                events AS (%(events)s)
                INSERT INTO lifecycle_journey_participant
                       (partner_id, journey_id, company_id, start_date, event_date, state, holdout,
                        create_uid, create_date, write_uid, write_date)
                SELECT DISTINCT ON (e.journey_id, e.partner_id, e.event_date)
                       e.partner_id, e.journey_id, j.company_id, e.start_date, e.event_date, 'running',
                       %(draw)s < j.threshold,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM events e
                  JOIN j ON j.id = e.journey_id
                 ORDER BY e.journey_id, e.partner_id, e.event_date, e.start_date
                ON CONFLICT (journey_id, partner_id, event_date) WHERE event_date IS NOT NULL DO NOTHING
                RETURNING id
                """,
                values=values,
                events=events,
                draw=self._sql_holdout_draw(SQL("e.partner_id"), SQL("e.journey_id")),
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if trigger == "points_expiring":
            self._mark_points_warned(journeys)
        return ids

    @api.model
    def _sql_holdout_draw(self, partner_id, journey_id):
        """``holdout_draw`` in SQL: the first 32 bits of the same SHA-256,
        modulo 10000, to compare with ``round(percent * 100)``."""
        return SQL(
            """
            mod(('x' || substr(encode(sha256(convert_to(
                'lifecycle.journey:' || %s || ':res.partner:' || %s, 'UTF8')), 'hex'), 1, 8))::bit(32)::bigint,
                10000)
            """,
            journey_id,
            partner_id,
        )

    @api.model
    def _sql_event_customer(self):
        """Customer ``p`` may start journey ``j``: an active person or company
        (contacts follow their company), not a company of the database nor an
        internal user, of the journey's company or shared between companies."""
        return SQL(
            """
            p.active
            AND p.id = COALESCE(p.commercial_partner_id, p.id)
            AND (p.company_id IS NULL OR p.company_id = j.company_id)
            AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
            AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id AND NOT u.share)
            """
        )

    @api.model
    def _sql_events_first_purchase(self, today):
        """The first paid purchase at the journey's company, once ever: a
        customer who paid for something there before the day is no
        newcomer, and a customer who started the journey never starts it
        again (a credit note that cancels the first purchase included)."""
        return SQL(
            """
            SELECT j.id AS journey_id, f.partner_id, f.first_date AS event_date, f.first_date AS start_date
              FROM j
              JOIN LATERAL (
                    -- the first purchase ever of the customers who bought in
                    -- the days considered: one pass over their purchases
                    -- only, not a search of every purchase per customer
                    SELECT cp.partner_id, MIN(cp.date) AS first_date
                      FROM customer_purchase cp
                     WHERE cp.company_id = j.company_id AND cp.amount > 0 AND cp.date <= %(today)s
                       AND cp.partner_id IN (
                           SELECT recent.partner_id FROM customer_purchase recent
                            WHERE recent.company_id = j.company_id AND recent.amount > 0
                              AND recent.date >= j.from_day AND recent.date <= %(today)s
                       )
                     GROUP BY cp.partner_id
                    HAVING MIN(cp.date) >= j.from_day
                   ) f ON TRUE
              JOIN res_partner p ON p.id = f.partner_id
             WHERE %(customer)s
               AND NOT EXISTS (
                   SELECT 1 FROM lifecycle_journey_participant started
                    WHERE started.journey_id = j.id AND started.partner_id = f.partner_id
               )
            """,
            today=today,
            customer=self._sql_event_customer(),
        )

    @api.model
    def _sql_events_points_credited(self, today):
        """Points earned at the journey's company, once per customer per day."""
        return SQL(
            """
            SELECT j.id AS journey_id, e.partner_id, e.date::date AS event_date, e.date::date AS start_date
              FROM j
              JOIN loyalty_points_entry e ON e.company_id = j.company_id
              JOIN res_partner p ON p.id = e.partner_id
             WHERE e.kind = 'earn' AND e.points > 0
               AND COALESCE(e.origin, '') NOT IN ('opening', 'repair', 'reward_refund')
               AND e.date >= j.from_day AND e.date < %(tomorrow)s
               AND %(customer)s
            """,
            tomorrow=today + timedelta(days=1),
            customer=self._sql_event_customer(),
        )

    @api.model
    def _sql_events_points_expiring(self, today):
        """Spendable lots of the journey's company that expire within its
        days and that no warning covered yet, once per expiry date; the
        journey starts on the day N days before, or today for a lot that
        came closer to its expiry than that."""
        return SQL(
            """
            SELECT j.id AS journey_id, e.partner_id, e.expiry_date AS event_date,
                   GREATEST(e.expiry_date - j.days, %(today)s::date) AS start_date
              FROM j
              JOIN loyalty_points_entry e ON e.company_id = j.company_id
              JOIN res_partner p ON p.id = e.partner_id
             WHERE e.points > 0 AND e.remaining > 0 AND NOT e.is_pending AND NOT COALESCE(e.expiry_warned, FALSE)
               AND e.expiry_date > %(today)s AND e.expiry_date <= %(today)s::date + j.days
               AND %(customer)s
            """,
            today=today,
            customer=self._sql_event_customer(),
        )

    @api.model
    def _sql_events_birthday(self, today):
        """The customers of the journey's company whose birthday is within
        its days, once a year; a birthday of the last days (a missed run) is
        caught up."""
        Rule = self.env["lifecycle.stage.rule"]
        birthday = SQL(
            "(j.from_day + %s)",
            Rule._sql_days_until_birthday(SQL("p.birthday"), SQL("j.from_day")),
        )
        return SQL(
            """
            SELECT j.id AS journey_id, p.id AS partner_id, %(birthday)s AS event_date,
                   GREATEST(%(birthday)s - j.days, j.from_day) AS start_date
              FROM j
              JOIN res_partner p ON p.birthday IS NOT NULL
              %(home_join)s
             WHERE %(birthday)s <= %(today)s::date + j.days
               AND %(customer)s
               AND %(home)s
            """,
            birthday=birthday,
            today=today,
            customer=self._sql_event_customer(),
            home_join=Rule._sql_home_company_join(),
            home=Rule._sql_home_company(SQL("j.company_id")),
        )

    @api.model
    def _mark_points_warned(self, journeys):
        """The lots whose expiry a running or finished journey of
        ``journeys`` covers are warned: the programme's warning does not
        send about them again."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE loyalty_points_entry e
                   SET expiry_warned = TRUE
                  FROM lifecycle_journey_participant started
                 WHERE started.journey_id IN %s AND started.event_date = e.expiry_date
                   AND started.partner_id = e.partner_id AND started.company_id = e.company_id
                   AND e.points > 0 AND e.remaining > 0 AND NOT COALESCE(e.expiry_warned, FALSE)
                """,
                tuple(journeys.ids),
            )
        )
