"""Fixtures for the tests of the messages to customers: a company in Moscow,
a stage with a one-step SMS journey, an SMS and an email mailing on
contacts, a customer who can get both."""

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .common import LoyaltyLifecycleCommon

# 2025-03-03 is a Monday; the company is in Moscow (UTC+3, no DST).
DAY0 = "2025-03-03 07:00:00"  # 10:00 in Moscow


class CustomerMessagesCommon(LoyaltyLifecycleCommon, MockEmail, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Europe/Moscow"
        cls.company.country_id = cls.env.ref("base.ru")
        cls.stage = cls.env["lifecycle.stage"].create({"name": "Messages Test Stage", "code": "messages_test"})
        cls.other_stage = cls.env["lifecycle.stage"].create({"name": "Messages Other Stage", "code": "messages_other"})
        partner_model = cls.env.ref("base.model_res_partner")
        cls.mailing_sms = cls.env["mailing.mailing"].create(
            {
                "subject": "Policy test SMS",
                "mailing_type": "sms",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "body_plaintext": "Hi {{ object.contact_first_name }}",
            }
        )
        cls.mailing_email = cls.env["mailing.mailing"].create(
            {
                "subject": "Policy test email",
                "mailing_type": "mail",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "email_from": "gym@example.com",
                "body_html": '<p>Hi <t t-out="object.contact_first_name"/>!</p>',
            }
        )
        cls.journey = cls.env["lifecycle.journey"].create(
            {
                "name": "Policy Test Journey",
                "stage_id": cls.stage.id,
                "holdout_percent": 0,
                "step_ids": [(0, 0, {"sequence": 10, "delay_days": 3, "mailing_id": cls.mailing_sms.id})],
            }
        )
        cls.step = cls.journey.step_ids
        cls.partner = cls.make_customer("Ivan Petrov", "ivan.petrov@example.com", "+7 916 123-45-67")
        cls.Message = cls.env["lifecycle.journey.message"]
        cls.Trace = cls.env["mailing.trace"]

    @classmethod
    def make_customer(cls, name, email, mobile, consent=True, country="base.ru"):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "mobile": mobile,
                "country_id": cls.env.ref(country).id if country else False,
                "marketing_consent": consent,
            }
        )

    def enter(self, partners, stage=None):
        """A Customer Base user moves the customers by hand."""
        partners.with_user(self.user_loyalty).write({"lifecycle_stage_id": (stage or self.stage).id})

    def run_cron(self):
        with self.mock_mail_gateway(), self.mockSMSGateway():
            return self.Message._send_due()

    def messages(self, partners=None):
        return self.Message.search([("partner_id", "in", (partners or self.partner).ids)])

    def traces(self, partners=None, mailing=None):
        domain = [("model", "=", "res.partner"), ("res_id", "in", (partners or self.partner).ids)]
        if mailing:
            domain.append(("mass_mailing_id", "=", mailing.id))
        return self.Trace.search(domain)

    def assertCancelTrace(self, message, reason, mailing=None):
        """The message was not sent: a cancelled trace of its mailing for its
        customer, with the reason, linked to it."""
        trace = message.mailing_trace_id
        self.assertEqual(len(trace), 1, f"{message.partner_id.name}: one trace")
        self.assertEqual(
            (trace.trace_status, trace.failure_type, trace.model, trace.res_id, trace.mass_mailing_id),
            ("cancel", reason, "res.partner", message.partner_id.id, mailing or message.step_id.mailing_id),
        )
        self.assertEqual(trace.trace_type, "sms" if trace.mass_mailing_id.mailing_type == "sms" else "mail")
        self.assertEqual((message.trace_status, message.failure_type), ("cancel", reason))
