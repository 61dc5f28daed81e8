from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.models.lifecycle_journey_participant import holdout_draw
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .common import LoyaltyLifecycleCommon

# 2025-03-03 is a Monday; the company is in Moscow (UTC+3, no DST).
DAY0 = "2025-03-03 07:00:00"  # 10:00 in Moscow


@tagged("post_install", "-at_install")
class TestJourneys(LoyaltyLifecycleCommon, MockEmail, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Europe/Moscow"
        cls.stage = cls.env["lifecycle.stage"].create({"name": "Journey Test Stage", "code": "journey_test"})
        cls.other_stage = cls.env["lifecycle.stage"].create({"name": "Journey Other Stage", "code": "journey_other"})
        partner_model = cls.env.ref("base.model_res_partner")
        cls.mailing_sms = cls.env["mailing.mailing"].create(
            {
                "subject": "Test journey SMS",
                "mailing_type": "sms",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "body_plaintext": "Hi {{ object.contact_first_name }}, you have {{ object.lc_points_available_text }} points",
            }
        )
        cls.mailing_email = cls.env["mailing.mailing"].create(
            {
                "subject": "Hello",
                "mailing_type": "mail",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "email_from": "gym@example.com",
                "body_html": '<p>Hi <t t-out="object.contact_first_name"/>!</p>',
            }
        )
        cls.journey = cls.env["lifecycle.journey"].create(
            {
                "name": "Test Journey",
                "stage_id": cls.stage.id,
                "holdout_percent": 0,
                "step_ids": [
                    (0, 0, {"sequence": 10, "delay_days": 3, "mailing_id": cls.mailing_sms.id}),
                ],
            }
        )
        cls.step_sms = cls.journey.step_ids
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Ivan Petrov",
                "email": "ivan.petrov@example.com",
                "mobile": "+7 916 123-45-67",
                "country_id": cls.env.ref("base.ru").id,
                "marketing_consent": True,
            }
        )
        cls.Message = cls.env["lifecycle.journey.message"]

    def enter(self, partner, stage=None):
        """A Customer Base user moves the customer by hand."""
        partner.with_user(self.user_loyalty).write({"lifecycle_stage_id": (stage or self.stage).id})

    def run_cron(self):
        with self.mock_mail_gateway(), self.mockSMSGateway():
            return self.Message._send_due()

    def messages(self, partner=None):
        return self.Message.search([("partner_id", "=", (partner or self.partner).id)])

    def traces(self, partner=None):
        return self.env["mailing.trace"].search([("model", "=", "res.partner"), ("res_id", "=", (partner or self.partner).id)])

    def test_step_sent_on_its_day_once(self):
        with freeze_time(DAY0):
            self.enter(self.partner)
        participant = self.env["lifecycle.journey.participant"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(participant.journey_id, self.journey)
        self.assertEqual(str(participant.start_date), "2025-03-03")
        self.assertEqual(participant.state, "running")
        with freeze_time("2025-03-05 07:00:00"):
            self.run_cron()
        self.assertFalse(self.messages(), "not before the step's day")
        with freeze_time("2025-03-06 07:00:00"):
            processed, remaining = self.run_cron()
            self.assertEqual((processed, remaining), (1, 0))
            self.run_cron()  # a rerun the same day
        message = self.messages()
        self.assertEqual(len(message), 1)
        self.assertEqual(message.state, "sent")
        self.assertEqual(len(self.traces()), 1)
        self.assertEqual(message.mailing_trace_id, self.traces())
        self.assertEqual(message.mailing_trace_id.trace_type, "sms")
        self.assertEqual(message.mailing_trace_id.mass_mailing_id, self.mailing_sms)
        sms = self.env["sms.sms"].search([("mailing_id", "=", self.mailing_sms.id), ("partner_id", "=", self.partner.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.body, "Hi Ivan, you have 0 points")
        self.assertEqual(participant.state, "done")
        with freeze_time("2025-03-07 07:00:00"):
            self.run_cron()
        self.assertEqual(len(self.messages()), 1)
        self.assertEqual(len(self.traces()), 1)

    def test_rule_move_starts_and_reentry_sends_again(self):
        """A move by the stage rules starts the journey too; a customer who
        comes back to the stage later gets the mailing again (Odoo's "already
        sent by this mailing" check is for one-off campaigns)."""
        with freeze_time(DAY0):
            self.partner._lifecycle_move(self.stage, reason="test rule")
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        with freeze_time("2025-04-01 07:00:00"):
            self.partner._lifecycle_move(self.other_stage, reason="test rule")
        with freeze_time("2025-05-01 07:00:00"):
            self.partner._lifecycle_move(self.stage, reason="test rule")
        with freeze_time("2025-05-04 07:00:00"):
            self.run_cron()
        participants = self.env["lifecycle.journey.participant"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(sorted(participants.mapped("state")), ["done", "done"])
        self.assertEqual(self.messages().mapped("state"), ["sent", "sent"])
        self.assertEqual(sorted(self.traces().mapped("trace_status")), ["outgoing", "outgoing"])

    def test_second_worker_row_wins(self):
        """A row written by another worker (same key) is never sent again."""
        with freeze_time(DAY0):
            self.enter(self.partner)
        participant = self.env["lifecycle.journey.participant"].search([("partner_id", "=", self.partner.id)])
        with freeze_time("2025-03-06 07:00:00"):
            messages, seen = self.Message._claim_due(datetime(2025, 3, 6, 7), 10)
            self.assertEqual(len(messages), 1)
            again, _seen = self.Message._claim_due(datetime(2025, 3, 6, 7), 10)
            self.assertFalse(again, "the pending row is owned: nothing to claim twice")
        self.assertEqual(messages.participant_id, participant)

    def test_email_step_renders_first_name(self):
        self.step_sms.mailing_id = self.mailing_email
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"), self.mock_mail_gateway(), self.mockSMSGateway():
            self.Message._send_due()
            mail = self._new_mails.filtered(lambda m: m.mailing_id == self.mailing_email)
        self.assertEqual(len(mail), 1)
        self.assertIn("Hi Ivan!", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.partner)
        message = self.messages()
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.mailing_trace_id.trace_type, "mail")

    def test_no_consent_skipped(self):
        self.partner.marketing_consent = False
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_no_consent"))
        self.assertEqual(message.mailing_trace_id, self.traces(), "not sent: a cancelled trace with the reason")
        self.assertEqual((message.trace_status, message.failure_type), ("cancel", "lc_no_consent"))

    def test_transactional_skips_consent(self):
        self.partner.marketing_consent = False
        self.step_sms.marketing = False
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        self.assertEqual(self.messages().state, "sent")
        self.assertEqual(len(self.traces()), 1)

    def _past_sms_traces(self, dates):
        other = self.mailing_sms.copy({"subject": "Other campaign"})
        traces = self.env["mailing.trace"].create(
            [
                {
                    "trace_type": "sms",
                    "model": "res.partner",
                    "res_id": self.partner.id,
                    "mass_mailing_id": other.id,
                    "trace_status": "sent",
                }
                for _date in dates
            ]
        )
        for trace, date in zip(traces, dates):
            self.env.cr.execute("UPDATE mailing_trace SET create_date = %s WHERE id = %s", (date, trace.id))
        traces.invalidate_recordset()
        return traces

    def test_cap_fifth_sms_in_30_days_skipped(self):
        self._past_sms_traces(["2025-02-05 08:00", "2025-02-12 08:00", "2025-02-20 08:00", "2025-03-01 08:00"])
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_cap_sms"))
        self.assertEqual(self.traces().mapped("trace_status"), ["cancel"] + ["sent"] * 4, "no fifth SMS")
        self.assertEqual(message.failure_type, "lc_cap_sms")

    def test_cap_old_traces_do_not_count(self):
        self._past_sms_traces(["2025-01-05 08:00", "2025-01-12 08:00", "2025-01-20 08:00", "2025-02-01 08:00"])
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        self.assertEqual(self.messages().state, "sent")

    def test_cap_one_sms_a_day(self):
        self._past_sms_traces(["2025-03-06 05:00"])  # 08:00 in Moscow, the same day
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_cap_sms_day"))

    def test_quiet_hours_deferred_then_sent_in_the_morning(self):
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 19:30:00"):  # 22:30 in Moscow
            processed, remaining = self.run_cron()
        self.assertEqual((processed, remaining), (1, 0), "a deferred message is not due again tonight")
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("deferred", "lc_quiet_hours"))
        self.assertEqual(message.next_try, datetime(2025, 3, 7, 6, 0))  # 09:00 in Moscow
        self.assertFalse(self.traces())
        with freeze_time("2025-03-07 05:00:00"):  # 08:00
            self.run_cron()
        self.assertEqual(message.state, "deferred")
        with freeze_time("2025-03-07 06:30:00"):  # 09:30
            self.run_cron()
        self.assertEqual(self.messages(), message)
        self.assertEqual((message.state, message.reason), ("sent", False))
        self.assertEqual(len(self.traces()), 1)

    def test_holdout_never_sent_and_recorded(self):
        self.journey.holdout_percent = 100
        with freeze_time(DAY0):
            self.enter(self.partner)
        participant = self.env["lifecycle.journey.participant"].search([("partner_id", "=", self.partner.id)])
        self.assertTrue(participant.holdout)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_holdout"))
        self.assertEqual((self.traces().trace_status, self.traces().failure_type), ("cancel", "lc_holdout"))
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.partner.id)]))

    def test_holdout_draw_is_deterministic(self):
        draws = [holdout_draw(partner_id, 7, 10) for partner_id in range(1, 5001)]
        self.assertEqual(draws, [holdout_draw(partner_id, 7, 10) for partner_id in range(1, 5001)])
        self.assertAlmostEqual(sum(draws) / len(draws), 0.10, delta=0.015)
        self.assertFalse(any(holdout_draw(partner_id, 7, 0) for partner_id in range(1, 500)))

    def test_leaving_the_stage_cancels(self):
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-04 07:00:00"):
            self.enter(self.partner, self.other_stage)
        participant = self.env["lifecycle.journey.participant"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(participant.state, "cancelled")
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        self.assertFalse(self.messages())
        self.assertFalse(self.traces())

    def test_leaving_the_stage_cancels_deferred(self):
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 19:30:00"):
            self.run_cron()
        with freeze_time("2025-03-06 20:00:00"):
            self.enter(self.partner, self.other_stage)
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("cancelled", "lc_stage_left"))
        with freeze_time("2025-03-07 07:00:00"):
            self.run_cron()
        self.assertEqual(self.traces(), message.mailing_trace_id)
        self.assertEqual((message.trace_status, message.failure_type), ("cancel", "lc_stage_left"))

    def test_condition_not_met_skipped(self):
        self.step_sms.condition_domain = "[('lc_visit_count', '>=', 1)]"
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_condition"))
        self.assertEqual((self.traces().trace_status, self.traces().failure_type), ("cancel", "lc_condition"))

    def test_blacklisted_phone_is_odoos(self):
        self.env["phone.blacklist"].sudo().add(self.partner.mobile)
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual(message.state, "sent", "handed to Odoo's mailing, which refused it")
        self.assertEqual(message.trace_status, "cancel")
        self.assertEqual(message.failure_type, "sms_blacklist")

    def test_access(self):
        journey = self.journey.with_user(self.user_loyalty)
        self.assertEqual(journey.name, "Test Journey")
        self.assertEqual(journey.step_ids.mailing_id.display_name, "Test journey SMS")
        with self.assertRaises(AccessError):
            journey.write({"holdout_percent": 20})
        with self.assertRaises(AccessError):
            self.env["lifecycle.journey.step"].with_user(self.user_loyalty).create(
                {"journey_id": self.journey.id, "mailing_id": self.mailing_email.id}
            )
        with self.assertRaises(AccessError):
            self.env["lifecycle.journey"].with_user(self.user_employee).search([])
        self.journey.with_user(self.user_manager).write({"holdout_percent": 20})
        self.assertEqual(self.journey.holdout_percent, 20)
        # back to no holdout: whether this customer's stable draw falls in
        # 20% depends on the record ids, not on the rights checked here
        self.journey.with_user(self.user_manager).write({"holdout_percent": 0})
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.Message.with_user(self.user_loyalty).search([("partner_id", "=", self.partner.id)])
        self.assertEqual(message.state, "sent")
        self.assertEqual(self.partner.with_user(self.user_loyalty).lc_journey_message_count, 1)
        with self.assertRaises(AccessError):
            message.write({"state": "skipped"})

    def test_default_journeys(self):
        retention = self.env.ref("loyalty_lifecycle.lifecycle_journey_retention")
        self.assertTrue(retention.active)
        self.assertEqual(retention.stage_id, self.env.ref("loyalty_lifecycle.lifecycle_stage_retention"))
        self.assertEqual(retention.step_ids.mapped("delay_days"), [-45, -15])
        self.assertEqual(set(retention.step_ids.mapped("anchor")), {"membership_end"})
        self.assertEqual(retention.step_ids.mapped("mailing_type"), ["mail", "sms"])
        self.assertTrue(retention.stop_on_purchase)
        self.assertEqual(retention.stop_products, "membership", "a drink does not stop the renewal offers")
        winback = self.env.ref("loyalty_lifecycle.lifecycle_journey_winback")
        self.assertTrue(winback.active)
        self.assertTrue(winback.stop_on_purchase)
        self.assertEqual(winback.stop_products, "membership")
        self.assertEqual(winback.stage_id, self.env.ref("loyalty_lifecycle.lifecycle_stage_winback"))
        self.assertEqual(winback.step_ids.mapped("delay_days"), [30, 60, 90])
        self.assertEqual(set(winback.step_ids.mapped("anchor")), {"membership_end"})
        self.assertEqual(len(winback.step_ids.mailing_id), 3, "a different offer at each step")
        activation = self.env.ref("loyalty_lifecycle.lifecycle_journey_activation")
        self.assertEqual(set(activation.step_ids.mapped("mailing_type")), {"mail", "sms"})
        self.assertEqual(activation.holdout_percent, 10)
        self.assertTrue(self.env.ref("loyalty_lifecycle.ir_cron_journey_send").active)
