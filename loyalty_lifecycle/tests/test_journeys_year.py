from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .common import CustomerBaseGroupsMixin

D0 = date(2025, 1, 6)  # the day both members buy a one-year membership


def day(offset):
    return D0 + timedelta(days=offset)


def at(offset, hour=7):
    """10:00 in Moscow (UTC+3) on the day ``offset``."""
    return datetime.combine(day(offset), time(hour))


class JourneyInvoicingCommon(CustomerBaseGroupsMixin, AccountTestInvoicingCommon, MockEmail, MockSMS):
    """A gym on invoices: memberships with a validity, visits as purchases,
    and the default journeys of the addon copied to the gym's company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Europe/Moscow"
        cls.membership = cls.env["product.product"].create(
            {"name": "Annual Membership", "type": "service", "list_price": 12000, "validity_days": 365}
        )
        cls.visit = cls.env["product.product"].create({"name": "Gym Visit", "type": "service", "list_price": 1})
        cls.journeys = cls.env["lifecycle.journey"]
        for xmlid in ("activation", "retention", "winback"):
            # the default journeys are the main company's: copied as the superuser
            default = cls.env.ref(f"loyalty_lifecycle.lifecycle_journey_{xmlid}").sudo()
            cls.journeys |= default.copy({"company_id": cls.env.company.id, "holdout_percent": 0}).sudo(False)
        cls.activation, cls.retention, cls.winback = cls.journeys
        # the crons run as the superuser
        cls.Message = cls.env["lifecycle.journey.message"].sudo()
        cls.Rule = cls.env["lifecycle.stage.rule"]

    @classmethod
    def _member(cls, name, mobile):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "mobile": mobile,
                "country_id": cls.env.ref("base.ru").id,
                "marketing_consent": True,
            }
        )

    @classmethod
    def _buy(cls, partner, offsets, product, amount):
        cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day(offset),
                    "date": day(offset),
                    "invoice_line_ids": [
                        Command.create({"product_id": product.id, "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
                for offset in offsets
            ]
        ).action_post()

    def run_day(self, offset, twice=False):
        """The day's crons, in the order the scheduler runs them: the stage
        rules, then the journeys."""
        with freeze_time(at(offset)):
            self.Rule._cron_update_stages()
            with self.mock_mail_gateway(), self.mockSMSGateway():
                self.Message._send_due()
                if twice:
                    self.Message._send_due()
        self.env.invalidate_all()

    def sent(self, partner):
        """(journey, step delay, day offset) of every message sent to ``partner``."""
        messages = self.Message.search([("partner_id", "=", partner.id), ("state", "=", "sent")])
        return sorted(
            (m.journey_id.name, m.step_id.delay_days, (m.date.date() - D0).days) for m in messages
        )

    def traces(self, partner):
        return self.env["mailing.trace"].search([("model", "=", "res.partner"), ("res_id", "=", partner.id)])


@tagged("post_install", "-at_install")
class TestJourneysYear(JourneyInvoicingCommon):
    """One gym member's year (seed 002, TO BE): the activation offer while
    they have not come, the next year sold 45 and 15 days before the end, then
    three different win-back offers 30, 60 and 90 days after it ended; and a
    member who renewed early hears nothing on the old dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.olga = cls._member("Olga Stays", "+7 916 200-00-01")
        cls.boris = cls._member("Boris Renews", "+7 916 200-00-02")

    def test_member_year(self):
        # (day, customer, product): both buy a year, visit every week from
        # day 27 to day 314; Boris renews a month early, on day 335.
        purchases = [(0, member, self.membership) for member in (self.olga, self.boris)]
        purchases += [(d, member, self.visit) for d in range(27, 315, 7) for member in (self.olga, self.boris)]
        purchases += [(335, self.boris, self.membership)]
        key_days = [20, 25, 320, 335, 350, 365, 395, 425, 455]
        run_days = set(range(0, 461, 6)) | {d + shift for d in key_days for shift in (-1, 0, 1)}
        for offset in sorted(run_days):
            # the desk records the purchases up to this day
            due = [p for p in purchases if p[0] <= offset]
            purchases = [p for p in purchases if p[0] > offset]
            for when, member, product in due:
                self._buy(member, [when], product, product.list_price)
            self.run_day(offset, twice=offset in key_days)

        self.assertEqual(
            self.sent(self.olga),
            [
                ("Activation", 0, 20),  # SMS: not a single visit yet
                ("Activation", 5, 25),  # email
                ("Retention", -45, 320),  # email, 45 days before the end (day 365)
                ("Retention", -15, 350),  # SMS
                ("Win-back", 30, 395),  # SMS, first offer
                ("Win-back", 60, 425),  # email, second offer
                ("Win-back", 90, 455),  # SMS, third offer
            ],
        )
        self.assertEqual(len(self.traces(self.olga)), 7, "nothing sent twice")
        mailings = self.Message.search([("partner_id", "=", self.olga.id), ("journey_id", "=", self.winback.id)])
        self.assertEqual(len(mailings.mailing_id), 3, "each win-back offer is its own mailing")
        self.assertEqual(
            sorted(self.traces(self.olga).mapped("trace_type")), ["mail", "mail", "mail", "sms", "sms", "sms", "sms"]
        )

        # Boris renewed on day 335: his membership now ends on day 730, and
        # neither the retention SMS of day 350 nor any win-back offer went.
        self.assertEqual(
            self.sent(self.boris), [("Activation", 0, 20), ("Activation", 5, 25), ("Retention", -45, 320)]
        )
        self.assertEqual(len(self.traces(self.boris)), 3)
        with freeze_time(at(460)):
            self.assertEqual(self.boris.lc_membership_end, day(730))
            self.assertEqual(self.olga.lc_membership_end, day(365))
        participants = self.env["lifecycle.journey.participant"].search([("partner_id", "=", self.boris.id)])
        self.assertEqual(participants.journey_id, self.activation | self.retention)
        retention = participants.filtered(lambda p: p.journey_id == self.retention)
        self.assertEqual(retention.state, "cancelled")
        self.assertIn(retention.stop_reason, ("lc_stage_left", "lc_purchased"))


@tagged("post_install", "-at_install")
class TestJourneyTiming(JourneyInvoicingCommon):
    """Steps timed on the membership end, windows, and the stop on purchase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = cls.env["lifecycle.stage"].create({"name": "Timing Test Stage", "code": "timing_test"})
        partner_model = cls.env.ref("base.model_res_partner")
        cls.sms = cls.env["mailing.mailing"].create(
            [
                {
                    "subject": f"Timing SMS {n}",
                    "mailing_type": "sms",
                    "mailing_model_id": partner_model.id,
                    "mailing_domain": "[('id', 'in', [])]",
                    "body_plaintext": f"Offer {n} for {{{{ object.contact_first_name }}}}",
                }
                for n in (1, 2)
            ]
        )
        cls.journey = cls.env["lifecycle.journey"].create(
            {"name": "Timing Journey", "stage_id": cls.stage.id, "holdout_percent": 0}
        )
        cls.member = cls._member("Vera Timing", "+7 916 300-00-01")

    def steps(self, *vals_list):
        self.journey.step_ids = [
            Command.create(dict(vals, sequence=10 * (n + 1), mailing_id=self.sms[n].id))
            for n, vals in enumerate(vals_list)
        ]
        return self.journey.step_ids

    def enter(self, offset):
        with freeze_time(at(offset)):
            self.member.write({"lifecycle_stage_id": self.stage.id})

    def send(self, offset, hour=7):
        with freeze_time(at(offset, hour)), self.mock_mail_gateway(), self.mockSMSGateway():
            result = self.Message._send_due()
        self.env.invalidate_all()
        return result

    def messages(self):
        return self.Message.search([("partner_id", "=", self.member.id)], order="id")

    def test_negative_delay_before_the_membership_end(self):
        self._buy(self.member, [0], self.membership, 12000)
        self.steps({"anchor": "membership_end", "delay_days": -45, "window_days": 10})
        self.enter(300)
        self.send(318)
        self.assertFalse(self.messages(), "47 days before the end: not yet")
        self.send(320)
        message = self.messages()
        self.assertEqual((message.state, message.due_date, message.last_date), ("sent", day(320), day(330)))
        self.send(320)
        self.assertEqual(len(self.traces(self.member)), 1, "a second run the same day sends nothing")

    def test_renewal_moves_the_day(self):
        """The step reads the end as it is on the day: after a renewal, the
        old day is not the step's day any more."""
        self.journey.stop_on_purchase = False
        self._buy(self.member, [0, 330], self.membership, 12000)
        self.steps({"anchor": "membership_end", "delay_days": -15})
        self.enter(300)
        self.send(350)  # 15 days before the first year's end
        self.assertFalse(self.messages())
        self.send(715)  # 15 days before the renewed end (day 730)
        self.assertEqual(self.messages().state, "sent")
        self.assertEqual(self.messages().due_date, day(715))

    def test_day_passed_before_entering_is_skipped(self):
        self._buy(self.member, [0], self.membership, 12000)
        self.steps(
            {"anchor": "membership_end", "delay_days": -45, "window_days": 10},
            {"anchor": "membership_end", "delay_days": -15, "window_days": 5},
        )
        self.enter(335)  # 30 days before the end: the first step's days have passed
        self.send(335)
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_window_passed"))
        self.send(350)
        self.assertEqual(self.messages().mapped("state"), ["skipped", "sent"])
        self.assertEqual(self.journey.participant_ids.state, "done")

    def _sms_sent_today(self, offset):
        other = self.sms[1].copy({"subject": "Other campaign"})
        trace = self.env["mailing.trace"].create(
            {
                "trace_type": "sms",
                "model": "res.partner",
                "res_id": self.member.id,
                "mass_mailing_id": other.id,
                "trace_status": "sent",
            }
        )
        self.env.cr.execute(
            "UPDATE mailing_trace SET create_date = %s WHERE id = %s", (at(offset, 6), trace.id)
        )

    def test_capped_waits_for_a_free_day_in_the_window(self):
        self.steps({"delay_days": 2, "window_days": 3})
        self.enter(0)
        self._sms_sent_today(2)
        self.send(2)
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("deferred", "lc_cap_sms_day"))
        self.assertEqual(message.next_try, at(3, 6), "09:00 in Moscow the next day")
        self.send(3)
        self.assertEqual((message.state, message.reason), ("sent", False))

    def test_capped_on_the_last_day_is_skipped(self):
        self.steps({"delay_days": 2, "window_days": 1})
        self.enter(0)
        self._sms_sent_today(2)
        self._sms_sent_today(3)
        self.send(2)
        self.assertEqual(self.messages().state, "deferred")
        self.send(3)
        self.assertEqual((self.messages().state, self.messages().reason), ("skipped", "lc_cap_sms_day"))
        self.assertEqual(self.journey.participant_ids.state, "done")

    def test_purchase_stops_the_offers(self):
        self.steps({"delay_days": 0}, {"delay_days": 10})
        self.enter(0)
        self._buy(self.member, [0], self.visit, 5)  # on the start day: the purchase that started it
        self.send(0)
        self._buy(self.member, [4], self.visit, 5)
        self.send(10)
        participant = self.journey.participant_ids
        self.assertEqual((participant.state, participant.stop_reason), ("cancelled", "lc_purchased"))
        self.assertEqual(self.messages().mapped("state"), ["sent"], "the second offer is not sent")
        self.send(11)
        self.assertEqual(len(self.traces(self.member)), 1)

    def test_only_a_membership_stops_the_renewal_offers(self):
        """Retention and win-back stop when the member renews, not when they
        buy a drink or a visit."""
        self.journey.stop_products = "membership"
        self.steps({"delay_days": 0}, {"delay_days": 10})
        self.enter(0)
        self.send(0)
        self._buy(self.member, [4], self.visit, 5)
        self.send(5)
        participant = self.journey.participant_ids
        self.assertEqual(participant.state, "running", "a visit does not stop it")
        self._buy(self.member, [6], self.membership, 12000)
        self.send(10)
        self.assertEqual((participant.state, participant.stop_reason), ("cancelled", "lc_purchased"))
        self.assertEqual(self.messages().mapped("state"), ["sent"], "the renewal stops the second offer")

    def test_purchase_does_not_stop_when_the_journey_goes_on(self):
        self.journey.stop_on_purchase = False
        self.steps({"delay_days": 0}, {"delay_days": 10})
        self.enter(0)
        self.send(0)
        self._buy(self.member, [4], self.visit, 5)
        self.send(10)
        self.assertEqual(self.messages().mapped("state"), ["sent", "sent"])
        self.assertEqual(self.journey.participant_ids.state, "done")

    def test_purchase_cancels_a_deferred_offer(self):
        self.steps({"delay_days": 2, "window_days": 3})
        self.enter(0)
        self._sms_sent_today(2)
        self.send(2)
        self.assertEqual(self.messages().state, "deferred")
        self._buy(self.member, [2], self.visit, 5)
        self.send(3)
        self.assertEqual((self.messages().state, self.messages().reason), ("cancelled", "lc_purchased"))
        traces = self.traces(self.member)
        self.assertEqual(len(traces), 2)
        self.assertEqual(traces.filtered(lambda t: t.trace_status != "cancel").mass_mailing_id.subject, "Other campaign")
        self.assertEqual(
            (self.messages().trace_status, self.messages().failure_type), ("cancel", "lc_purchased"), "not sent"
        )

    def test_repeated_every_n_days_up_to_k_times(self):
        self.steps({"delay_days": 1, "repeat_count": 3, "repeat_every_days": 7, "window_days": 2})
        self.enter(0)
        for offset in range(0, 25):
            self.send(offset)
            if offset in (1, 8, 15):
                self.send(offset)  # a second run the same day
        messages = self.messages()
        self.assertEqual(messages.mapped("occurrence"), [0, 1, 2])
        self.assertEqual(messages.mapped("due_date"), [day(1), day(8), day(15)])
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual([(m.date.date() - D0).days for m in messages], [1, 8, 15])
        self.assertEqual(len(self.traces(self.member)), 3)
        self.assertEqual(self.journey.participant_ids.state, "done")

    def test_repetition_stops_on_purchase(self):
        self.steps({"delay_days": 0, "repeat_count": 4, "repeat_every_days": 30})
        self.enter(0)
        self.send(0)
        self.send(30)
        self._buy(self.member, [40], self.visit, 5)
        self.send(60)
        self.send(90)
        self.assertEqual(self.messages().mapped("state"), ["sent", "sent"])
        self.assertEqual(self.journey.participant_ids.stop_reason, "lc_purchased")

    def test_anchor_and_window_validation(self):
        with self.assertRaises(ValidationError):
            self.steps({"delay_days": -5})
        with self.assertRaises(ValidationError):
            self.steps({"anchor": "membership_end", "delay_days": -5, "window_days": -1})
        with self.assertRaises(ValidationError):
            self.steps({"delay_days": 0, "repeat_count": 0})
        with self.assertRaises(ValidationError):
            self.steps({"delay_days": 0, "repeat_count": 3, "repeat_every_days": 0})
