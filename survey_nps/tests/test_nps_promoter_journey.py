"""Promoters into the journeys: the trigger "NPS answer: promoter" starts a
journey on a promoter's answer, once per answer day; with referral_program
installed, a promoter is invited to bring a friend (its "Invite a Friend"
journey) and a detractor, even A-class, rests from it."""

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common_messages import DAY0, CustomerMessagesCommon

from .test_nps_input import nps_survey
from .test_nps_loop import finish_answer

NEXT_DAY = "2025-03-04 07:00:00"


@tagged("post_install", "-at_install")
class TestNpsPromoterJourney(CustomerMessagesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)
        cls.promoter_journey = cls.env["lifecycle.journey"].create(
            {
                "name": "Thank the Promoters",
                "trigger": "nps_promoter",
                "events_since": "2025-01-01",
                "holdout_percent": 0,
                "stop_on_purchase": False,
                "step_ids": [
                    (0, 0, {"sequence": 10, "delay_days": 0, "window_days": 2, "mailing_id": cls.mailing_sms.id})
                ],
            }
        )
        cls.petya = cls.make_customer("Petya Promoter", "petya@example.com", "+7 916 800-00-01")
        cls.pasha = cls.make_customer("Pasha Passive", "pasha@example.com", "+7 916 800-00-02")
        cls.customers = cls.petya | cls.pasha

    def run_on(self, when):
        with freeze_time(when):
            self.run_cron()
        self.env.invalidate_all()

    def answer(self, partner, score, when=DAY0):
        with freeze_time(when):
            finish_answer(self.survey, self.question, partner, score)

    def participants(self, journey):
        return self.env["lifecycle.journey.participant"].sudo().search(
            [("journey_id", "=", journey.id), ("partner_id", "in", self.customers.ids)]
        )

    def test_promoter_answer_starts_the_journey_once(self):
        self.answer(self.petya, 9, "2025-03-02 15:00:00")  # the day before, caught up
        self.answer(self.pasha, 8)
        self.run_on(DAY0)
        started = self.participants(self.promoter_journey)
        self.assertEqual(started.partner_id, self.petya, "promoters only")
        self.assertEqual((started.trigger, str(started.event_date)), ("nps_promoter", "2025-03-02"))
        trace = self.traces(self.petya, self.mailing_sms)
        self.assertEqual((len(trace), trace.trace_status), (1, "outgoing"))
        self.assertEqual(
            self.env["sms.sms"].sudo().search([("partner_id", "=", self.petya.id)]).mapped("body"), ["Hi Petya"]
        )
        self.run_on(DAY0)
        self.run_on(NEXT_DAY)
        self.assertEqual(self.participants(self.promoter_journey), started, "a rerun starts nothing twice")
        self.assertEqual(len(self.traces(self.petya, self.mailing_sms)), 1)
        # a new promoter answer another day is a new event
        self.answer(self.petya, 10, NEXT_DAY)
        self.run_on(NEXT_DAY)
        self.assertEqual(len(self.participants(self.promoter_journey)), 2)

    def test_test_entries_and_other_surveys_start_nothing(self):
        plain = self.env["survey.survey"].create({"title": "Not NPS", "survey_type": "survey"})
        with freeze_time(DAY0):
            answer = self.survey._create_answer(partner=self.petya, check_attempts=False, test_entry=True)
            answer.env["survey.user_input.line"].create(
                {"user_input_id": answer.id, "question_id": self.question.id, "answer_type": "scale", "value_scale": 10}
            )
            answer.sudo()._mark_done()
            plain._create_answer(partner=self.pasha, check_attempts=False).sudo()._mark_done()
        self.run_on(DAY0)
        self.assertFalse(self.participants(self.promoter_journey))


@tagged("post_install", "-at_install")
class TestNpsPromoterInvitedToBringAFriend(CustomerMessagesCommon):
    """With referral_program (installed with the suite): its invitation to
    bring a friend includes the promoters; detractors rest from it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)
        default = cls.env.ref("referral_program.lifecycle_journey_invite_friend").sudo()
        default.active = False
        cls.invite = default.copy(
            {"company_id": cls.env.company.id, "holdout_percent": 0, "events_since": "2025-01-01", "active": True}
        )
        cls.petya = cls.make_customer("Petya Promoter", "petya@example.com", "+7 916 800-00-01")
        cls.denis = cls.make_customer("Denis Detractor", "denis@example.com", "+7 916 800-00-03")
        cls.nina = cls.make_customer("Nina NoConsent", "nina@example.com", "+7 916 800-00-04", consent=False)
        cls.customers = cls.petya | cls.denis | cls.nina
        # Denis buys a lot (A-class, written by the segmentation run as the server)
        cls.denis.sudo().with_company(cls.env.company).abc_class = "A"

    def run_on(self, when):
        with freeze_time(when):
            self.run_cron()
        self.env.invalidate_all()

    def invited(self):
        return self.env["lifecycle.journey.participant"].sudo().search(
            [("journey_id", "=", self.invite.id), ("partner_id", "in", self.customers.ids)]
        )

    def test_promoter_gets_the_invitation_with_their_link(self):
        with freeze_time(DAY0):
            finish_answer(self.survey, self.question, self.petya, 10)
            finish_answer(self.survey, self.question, self.nina, 10)
            finish_answer(self.survey, self.question, self.denis, 2)
        self.assertTrue(self.env["lifecycle.journey.participant"]._referral_invite_with_promoters())
        self.run_on(DAY0)
        invited = self.invited()
        self.assertEqual(invited.partner_id, self.petya | self.denis, "the promoter, and the A-class detractor")
        petya = invited.filtered(lambda p: p.partner_id == self.petya)
        self.assertEqual((petya.trigger, str(petya.event_date)), ("referral_invite", "2025-03-03"))
        code = self.petya.sudo().referral_code
        self.assertTrue(code)
        mailing = self.invite.step_ids.mailing_id
        trace = self.traces(self.petya, mailing)
        self.assertEqual((len(trace), trace.trace_status), (1, "outgoing"))
        [body] = self.env["sms.sms"].sudo().search([("partner_id", "=", self.petya.id)]).mapped("body")
        self.assertIn("Petya, make a gift to someone you love", body)
        self.assertIn(f"/r/{code}", body)
        # the detractor rests from offers: the message is not sent, with the reason
        message = self.messages(self.denis).filtered(lambda m: m.journey_id == self.invite)
        self.assertEqual((message.state, message.reason), ("skipped", "nps_detractor"))
        self.assertCancelTrace(message, "nps_detractor")
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.denis.id)]))
        # the cron again, a second promoter answer within the 90 days: nothing twice
        self.run_on(DAY0)
        with freeze_time(NEXT_DAY):
            finish_answer(self.survey, self.question, self.petya, 9)
        self.run_on(NEXT_DAY)
        self.assertEqual(self.invited(), invited)
        self.assertEqual(len(self.traces(self.petya, mailing)), 1)
