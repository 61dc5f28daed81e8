"""The daily journey cron as a queue: the day's messages are written once,
then sent in batches, each call of the cron taking the next batch; a crash
in a batch loses nothing and sends nothing twice."""

from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.models.lifecycle_journey_message import LifecycleJourneyMessage
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .common import LoyaltyLifecycleCommon

DAY0 = "2025-03-03 07:00:00"  # 10:00 in Moscow
SEND_AT = datetime(2025, 3, 6, 7)


@tagged("post_install", "-at_install")
class TestJourneyQueue(LoyaltyLifecycleCommon, MockEmail, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "Europe/Moscow"
        stage = cls.env["lifecycle.stage"].create({"name": "Queue Stage", "code": "queue_test"})
        mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Queue SMS",
                "mailing_type": "sms",
                "mailing_model_id": cls.env.ref("base.model_res_partner").id,
                "mailing_domain": "[('id', 'in', [])]",
                "body_plaintext": "Hi {{ object.contact_first_name }}",
            }
        )
        cls.env["lifecycle.journey"].create(
            {
                "name": "Queue Journey",
                "stage_id": stage.id,
                "holdout_percent": 0,
                "step_ids": [(0, 0, {"delay_days": 3, "mailing_id": mailing.id})],
            }
        )
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": f"Queue Customer {n}",
                    "mobile": f"+7 916 900-00-0{n}",
                    "country_id": cls.env.ref("base.ru").id,
                    "marketing_consent": True,
                }
                for n in range(1, 4)
            ]
        )
        with freeze_time(DAY0):
            cls.customers.write({"lifecycle_stage_id": stage.id})
        cls.Message = cls.env["lifecycle.journey.message"]

    def states(self):
        self.env.invalidate_all()
        return self.Message.search([("partner_id", "in", self.customers.ids)]).mapped("state")

    def traces(self):
        return self.env["mailing.trace"].search([("res_id", "in", self.customers.ids), ("model", "=", "res.partner")])

    def test_day_written_once_then_sent_in_batches(self):
        with freeze_time(SEND_AT), self.mock_mail_gateway(), self.mockSMSGateway():
            with patch.object(
                LifecycleJourneyMessage,
                "_claim_due_rows",
                autospec=True,
                side_effect=LifecycleJourneyMessage._claim_due_rows,
            ) as claim:
                results = [self.Message._send_due(batch_size=2) for _call in range(3)]
        self.assertEqual(results, [(2, 1), (1, 0), (0, 0)])
        self.assertEqual(claim.call_count, 2, "the day is selected when nothing waits, not once per batch")
        self.assertEqual(self.states(), ["sent"] * 3)
        self.assertEqual(sorted(self.traces().mapped("res_id")), sorted(self.customers.ids), "each customer once")

    def test_crash_in_a_batch_loses_nothing(self):
        with freeze_time(SEND_AT), self.mock_mail_gateway(), self.mockSMSGateway():
            self.Message._claim_due_rows(SEND_AT)  # the day's queue, written by an earlier call
            with patch.object(LifecycleJourneyMessage, "_send", autospec=True, side_effect=RuntimeError("crash")):
                with self.assertRaises(RuntimeError), self.cr.savepoint():
                    self.Message._send_due(batch_size=2)
            self.assertEqual(self.states(), ["pending"] * 3, "the crashed batch waits for the next call")
            self.assertFalse(self.traces())
            self.assertEqual(self.Message._send_due(batch_size=10), (3, 0))
        self.assertEqual(self.states(), ["sent"] * 3)
        self.assertEqual(len(self.traces()), 3)

    def test_email_batch_queued_not_sent_at_once(self):
        """Email Marketing sends a small batch at once through SMTP; a
        journey's batch goes to Odoo's mail queue instead, with the cron's
        transaction."""
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Queue email",
                "mailing_type": "mail",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
                "mailing_domain": "[('id', 'in', [])]",
                "email_from": "gym@example.com",
                "body_html": "<p>Hello</p>",
            }
        )
        self.env["lifecycle.journey.step"].search([("journey_id.name", "=", "Queue Journey")]).mailing_id = mailing
        for n, customer in enumerate(self.customers):
            customer.email = f"queue{n}@example.com"
        with freeze_time(SEND_AT), self.mock_mail_gateway():
            self.assertEqual(self.Message._send_due(), (3, 0))
            self.assertFalse(self._mails, "nothing sent through SMTP from the journey's transaction")
        mails = self.env["mail.mail"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(mails), 3)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "in Odoo's mail queue")
        self.assertEqual(self.states(), ["sent"] * 3)
