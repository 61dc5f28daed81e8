from datetime import date, datetime, time, timedelta

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.loyalty_lifecycle.models.lifecycle_journey_participant import holdout_draw

from .common_points import PointsLedgerMixin
from .test_journeys_year import D0, JourneyInvoicingCommon, at, day


def morning(when):
    """10:00 in Moscow on ``when`` (a date)."""
    return datetime.combine(when, time(7))


@tagged("post_install", "-at_install")
class TestJourneyEvents(PointsLedgerMixin, JourneyInvoicingCommon):
    """Journeys started on an event by the daily journey cron: the welcome
    line after the first paid purchase, the birthday, points about to expire
    and points credited; each event starts a journey once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.events = {}
        for xmlid in ("welcome", "birthday", "points_expiring"):
            # the default journeys are the main company's: copied as the superuser
            default = cls.env.ref(f"loyalty_lifecycle.lifecycle_journey_{xmlid}").sudo()
            # one points-expiring journey per company (nothing warns twice)
            default.active = default.company_id != cls.env.company
            cls.events[xmlid] = default.copy(
                {"company_id": cls.env.company.id, "holdout_percent": 0, "events_since": D0, "active": True}
            ).sudo(False)
        cls.welcome = cls.events["welcome"]
        cls.birthday = cls.events["birthday"]
        cls.points_expiring = cls.events["points_expiring"]
        cls.Participant = cls.env["lifecycle.journey.participant"].sudo()
        cls.olga = cls._member("Olga New", "+7 916 300-00-01")

    def participants(self, journey, partner=None):
        return self.Participant.search(
            [("journey_id", "=", journey.id), ("partner_id", "=", (partner or self.olga).id)], order="event_date"
        )

    def journey_sent(self, journey, partner=None):
        """(step delay, day offset) of the messages of ``journey`` sent to the customer."""
        return [
            (delay, offset) for name, delay, offset in self.sent(partner or self.olga) if name == journey.name
        ]

    def send_on(self, when, twice=False):
        with freeze_time(morning(when)), self.mock_mail_gateway(), self.mockSMSGateway():
            self.Message._send_due()
            if twice:
                self.Message._send_due()
            mails = self._new_mails
        self.env.invalidate_all()
        return mails

    # ------------------------------------------------------------------
    # First paid purchase
    # ------------------------------------------------------------------
    def test_welcome_line_on_its_days_once(self):
        self._buy(self.olga, [2], self.visit, 10)
        for offset in range(0, 18):
            self.run_day(offset, twice=offset in (2, 5, 15))
            if offset == 6:
                # a stage move does not cancel a journey started on an event
                self.olga.write({"lifecycle_stage_id": self.env.ref("loyalty_lifecycle.lifecycle_stage_winback").id})
        participant = self.participants(self.welcome)
        self.assertEqual(len(participant), 1)
        self.assertEqual((participant.event_date, participant.start_date), (day(2), day(2)))
        self.assertEqual(participant.trigger, "first_purchase")
        self.assertEqual(participant.state, "done")
        self.assertEqual(
            self.journey_sent(self.welcome), [(0, 2), (3, 5), (7, 9), (11, 13), (13, 15)], "five messages in two weeks"
        )
        traces = self.traces(self.olga).filtered(lambda t: t.mass_mailing_id in self.welcome.step_ids.mailing_id)
        self.assertEqual(len(traces), 5, "nothing sent twice")
        self.assertEqual(sorted(traces.mapped("trace_type")), ["mail", "mail", "sms", "sms", "sms"])
        # a second purchase is no first one
        self._buy(self.olga, [20], self.visit, 10)
        self.run_day(20)
        self.assertEqual(len(self.participants(self.welcome)), 1)

    def test_second_purchase_stops_the_welcome_line(self):
        self._buy(self.olga, [0], self.visit, 10)
        self.run_day(0)
        self._buy(self.olga, [4], self.visit, 10)
        for offset in range(4, 16):
            self.run_day(offset)
        self.assertEqual(self.journey_sent(self.welcome), [(0, 0)])
        participant = self.participants(self.welcome)
        self.assertEqual((participant.state, participant.stop_reason), ("cancelled", "lc_purchased"))

    def test_no_welcome_for_old_customers_on_install(self):
        """The journey counts events from its first day: a customer who
        bought long before gets no welcome on a later purchase, nor does one
        whose first purchase came a few days before it existed; a missed
        cron day is caught up, a week is not."""
        boris = self._member("Boris Regular", "+7 916 300-00-02")
        anna = self._member("Anna Before", "+7 916 300-00-03")
        kate = self._member("Kate Missed", "+7 916 300-00-04")
        lena = self._member("Lena Late", "+7 916 300-00-05")
        self._buy(boris, [-300, 1], self.visit, 10)
        self._buy(anna, [-2], self.visit, 10)
        self._buy(kate, [2], self.visit, 10)
        self._buy(lena, [3], self.visit, 10)
        self.run_day(1)
        self.run_day(4, twice=True)  # days 2 and 3 missed
        self.assertFalse(self.participants(self.welcome, boris))
        self.assertFalse(self.participants(self.welcome, anna))
        self.assertEqual(self.participants(self.welcome, kate).start_date, day(2))
        self.assertEqual(self.journey_sent(self.welcome, kate), [(0, 4)], "the welcome email within its window")
        self.assertEqual(self.journey_sent(self.welcome, lena), [(0, 4)])
        mira = self._member("Mira Lost", "+7 916 300-00-06")
        self._buy(mira, [5], self.visit, 10)
        self.run_day(10)
        self.assertFalse(self.participants(self.welcome, mira), "beyond the catch-up days")

    def test_rerun_and_concurrent_start_nothing_twice(self):
        self._buy(self.olga, [0], self.visit, 10)
        started = self.Participant._start_event_journeys(day(0))
        self.assertIn(self.olga, started.partner_id)
        self.assertFalse(self.Participant._start_event_journeys(day(0)), "a rerun starts nothing")
        self.assertFalse(self.Participant._start_event_journeys(day(1)), "nor the next day's run")
        # a second worker's row under the same key (a crash mid-batch, then a rerun)
        self.env.cr.execute(
            SQL(
                "DELETE FROM lifecycle_journey_participant WHERE journey_id = %s AND partner_id = %s",
                self.welcome.id,
                self.olga.id,
            )
        )
        self.env.invalidate_all()
        again = self.Participant._start_event_journeys(day(1))
        self.assertEqual(again.filtered(lambda p: p.journey_id == self.welcome).partner_id, self.olga)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.Participant.create({"journey_id": self.welcome.id, "partner_id": self.olga.id, "event_date": day(0)})

    # ------------------------------------------------------------------
    # Birthday
    # ------------------------------------------------------------------
    def test_birthday_once_a_year(self):
        self.olga.birthday = date(1990, 3, 10)
        self.send_on(date(2025, 3, 9))
        self.assertFalse(self.participants(self.birthday))
        mails = self.send_on(date(2025, 3, 10), twice=True)
        participant = self.participants(self.birthday)
        self.assertEqual((participant.event_date, participant.start_date), (date(2025, 3, 10), date(2025, 3, 10)))
        greeting = mails.filtered(lambda m: m.mailing_id in self.birthday.step_ids.mailing_id)
        self.assertEqual(len(greeting), 1)
        self.assertIn("Happy birthday, Olga!", greeting.body_html)
        self.assertIn("20% off", greeting.body_html)
        self.send_on(date(2025, 3, 11))
        self.send_on(date(2025, 10, 1))
        self.assertEqual(len(self.participants(self.birthday)), 1)
        self.send_on(date(2026, 3, 10))
        self.assertEqual(
            self.participants(self.birthday).mapped("event_date"), [date(2025, 3, 10), date(2026, 3, 10)]
        )
        self.assertEqual(len(self.Message.search([("journey_id", "=", self.birthday.id), ("state", "=", "sent")])), 2)

    def test_birthday_29_february(self):
        self.olga.birthday = date(2000, 2, 29)
        self.birthday.trigger_days = 3
        for when in (date(2025, 2, 24), date(2025, 2, 25), date(2025, 2, 26), date(2025, 2, 28), date(2025, 3, 1)):
            self.Participant._start_event_journeys(when)
        participant = self.participants(self.birthday)
        self.assertEqual(
            (participant.event_date, participant.start_date), (date(2025, 2, 28), date(2025, 2, 25)), "28 Feb"
        )
        for when in (date(2028, 2, 25), date(2028, 2, 26), date(2028, 2, 29)):
            self.Participant._start_event_journeys(when)
        self.assertEqual(
            self.participants(self.birthday).mapped("event_date"), [date(2025, 2, 28), date(2028, 2, 29)]
        )

    # ------------------------------------------------------------------
    # Points
    # ------------------------------------------------------------------
    def _points_day(self, when):
        with freeze_time(morning(when)), self.mock_mail_gateway():
            self.env["loyalty.points.entry"]._cron_points_daily()
        return self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", self.card.id)])

    def _points_setup(self):
        self.program = self.create_points_program()
        with freeze_time(morning(date(2025, 1, 15))):
            self.card = self.create_card(self.program, self.olga)
            self.january = self.card._points_earn(100, origin="purchase")
            self.card._points_earn(20, origin="birthday")
        with freeze_time(morning(date(2025, 2, 1))):
            self.february = self.card._points_earn(40, origin="purchase")

    def test_points_expiring_once_per_lot_date_no_double_warning(self):
        self._points_setup()
        # 30 days before: the programme's warning steps aside for the journey
        self.assertFalse(self._points_day(date(2025, 12, 16)))
        self.send_on(date(2025, 12, 16))
        self.assertFalse(self.participants(self.points_expiring))
        self.assertFalse(self.january.expiry_warned)
        mails = self.send_on(date(2026, 1, 1), twice=True)
        participant = self.participants(self.points_expiring)
        self.assertEqual((participant.event_date, participant.start_date), (date(2026, 1, 15), date(2026, 1, 1)))
        warning = mails.filtered(lambda m: m.mailing_id in self.points_expiring.step_ids.mailing_id)
        self.assertEqual(len(warning), 1)
        self.assertIn("120 of your points expire on 01/15/2026", warning.body_html)
        self.assertIn("160 points in all", warning.body_html)
        self.assertTrue(self.january.expiry_warned, "the journey's warning is the lot's")
        self.assertFalse(self.february.expiry_warned)
        self.assertFalse(self._points_day(date(2026, 1, 2)), "no second warning by the programme")
        self.send_on(date(2026, 1, 10))
        self.assertEqual(len(self.participants(self.points_expiring)), 1, "once per expiry date")
        self.send_on(date(2026, 1, 18))
        self.assertEqual(
            self.participants(self.points_expiring).mapped("event_date"), [date(2026, 1, 15), date(2026, 2, 1)]
        )
        sent = self.Message.search([("journey_id", "=", self.points_expiring.id), ("state", "=", "sent")])
        self.assertEqual(len(sent), 2)
        self.assertFalse(sent.step_id.marketing, "a transactional message")
        self.assertFalse(self._points_day(date(2026, 1, 19)))

    def test_points_warned_by_the_programme_start_no_journey(self):
        """Without the journey, the programme warns; a journey activated
        later does not warn again about the same points."""
        self._points_setup()
        self.points_expiring.active = False
        self.assertEqual(len(self._points_day(date(2025, 12, 16))), 1)
        self.assertTrue(self.january.expiry_warned)
        self.points_expiring.active = True
        self.send_on(date(2026, 1, 1))
        self.assertFalse(self.participants(self.points_expiring))
        self.send_on(date(2026, 1, 18))
        self.assertEqual(self.participants(self.points_expiring).event_date, date(2026, 2, 1))
        self.assertEqual(len(self._points_day(date(2026, 1, 19))), 1, "still the one programme email")

    def test_points_credited_once_a_day(self):
        program = self.create_points_program()
        journey = self.welcome.copy({"name": "Points Credited", "trigger": "points_credited"})
        with freeze_time(morning(day(1))):
            card = self.create_card(program, self.olga)
            card._points_earn(10, origin="purchase")
            card._points_earn(5, origin="referral")
            card._points_post_difference(3, origin="manual")
            self.Participant._start_event_journeys(day(1))
            self.Participant._start_event_journeys(day(1))
        with freeze_time(morning(day(3))):
            card._points_earn(7, origin="purchase")
            self.Participant._start_event_journeys(day(3))
        self.assertEqual(self.participants(journey).mapped("event_date"), [day(1), day(3)])
        boris = self._member("Boris Opening", "+7 916 300-00-07")
        with freeze_time(morning(day(4))):
            self.create_card(program, boris)._points_post_difference(500, origin="opening", kind="earn")
            self.Participant._start_event_journeys(day(4))
        self.assertFalse(self.participants(journey, boris), "an opening balance is no news")

    # ------------------------------------------------------------------
    # Companies, holdout, rules, access
    # ------------------------------------------------------------------
    def test_only_the_journeys_company(self):
        other = self.welcome.sudo().copy({"company_id": self.setup_other_company()["company"].id}).sudo(False)
        self._buy(self.olga, [0], self.visit, 10)
        self.Participant._start_event_journeys(day(0))
        self.assertTrue(self.participants(self.welcome))
        self.assertFalse(self.participants(other), "her purchase was at the other company")

    def test_holdout_draw_in_sql_is_pythons(self):
        self.env.cr.execute(
            SQL(
                "SELECT j, p, %s FROM generate_series(1, 3) j, generate_series(1, 400) p",
                self.Participant._sql_holdout_draw(SQL("p"), SQL("j")),
            )
        )
        for journey_id, partner_id, draw in self.env.cr.fetchall():
            for percent in (10, 37.5, 99.99):
                self.assertEqual(draw < round(percent * 100), holdout_draw(partner_id, journey_id, percent))

    def test_holdout_recorded(self):
        self.welcome.holdout_percent = 100
        self._buy(self.olga, [0], self.visit, 10)
        self.run_day(0)
        participant = self.participants(self.welcome)
        self.assertTrue(participant.holdout)
        self.assertEqual(self.Message.search([("participant_id", "=", participant.id)]).reason, "lc_holdout")

    def test_trigger_rules(self):
        stage = self.env.ref("loyalty_lifecycle.lifecycle_stage_winback")
        with self.assertRaises(ValidationError):
            self.env["lifecycle.journey"].create({"name": "No stage", "trigger": "stage"})
        with self.assertRaises(ValidationError):
            self.env["lifecycle.journey"].create({"name": "Both", "trigger": "birthday", "stage_id": stage.id})
        with self.assertRaises(ValidationError):
            self.env["lifecycle.journey"].create({"name": "Minus", "trigger": "birthday", "trigger_days": -1})
        # one active points-expiring journey per company: nobody is warned twice
        with self.assertRaises(ValidationError):
            self.points_expiring.copy({"active": True})
        self.assertFalse(self.points_expiring.copy().active, "a copy waits, archived")

    def test_access(self):
        user = new_test_user(
            self.env,
            login="lc_event_user",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=self.env.company.id,
        )
        journey = self.birthday.with_user(user)
        self.assertEqual(journey.trigger, "birthday")
        with self.assertRaises(AccessError):
            journey.write({"trigger_days": 5})
        with self.assertRaises(AccessError):
            self.env["lifecycle.journey"].with_user(user).create({"name": "Mine", "trigger": "first_purchase"})
        with self.assertRaises(AccessError):
            self.Participant.with_user(user).sudo(False).create(
                {"journey_id": journey.id, "partner_id": self.olga.id, "event_date": day(0)}
            )

    def test_default_event_journeys(self):
        # the default journeys are the main company's, read as the superuser
        main = self.env.ref("base.main_company")
        welcome = self.env.ref("loyalty_lifecycle.lifecycle_journey_welcome").sudo()
        self.assertEqual((welcome.company_id, welcome.trigger), (main, "first_purchase"))
        self.assertFalse(welcome.stage_id)
        self.assertEqual(welcome.step_ids.mapped("delay_days"), [0, 3, 7, 11, 13], "over the first two weeks")
        self.assertTrue(welcome.stop_on_purchase)
        birthday = self.env.ref("loyalty_lifecycle.lifecycle_journey_birthday").sudo()
        self.assertEqual((birthday.trigger, birthday.trigger_days), ("birthday", 0))
        points = self.env.ref("loyalty_lifecycle.lifecycle_journey_points_expiring").sudo()
        self.assertEqual((points.trigger, points.trigger_days), ("points_expiring", 14))
        self.assertEqual(points.holdout_percent, 0, "nobody is held out of a warning")
        self.assertFalse(points.step_ids.marketing)
        self.assertNotEqual(self.env.company, main, "setUpClass left the main company's journeys as installed")
        self.assertTrue(all((welcome | birthday | points).mapped("active")), "active on install")
        self.assertLessEqual(welcome.events_since, date.today(), "counts events from the install")
        self.assertEqual(at(0).date(), D0)
