from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_messages import CustomerMessagesCommon

NOON = "2025-03-06 09:00:00"  # 12:00 in Moscow
NIGHT = "2025-03-06 19:30:00"  # 22:30 in Moscow


@tagged("post_install", "-at_install")
class TestMailingSend(CustomerMessagesCommon):
    """A Customer Base user sends a mailing by hand to the customers selected
    in a list, through the contact policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.maria = cls.make_customer("Maria", "maria@example.com", "+7 916 222-33-44")
        cls.no_consent = cls.make_customer("No Consent", "nc@example.com", "+7 916 000-00-02", consent=False)
        cls.bad_contact = cls.make_customer("Bad Contact", "bad address", "12-34")
        cls.customers = cls.partner | cls.maria | cls.no_consent | cls.bad_contact

    def wizard(self, user, mailing, partners=None, **values):
        """The wizard as the list's action opens it for ``user``."""
        Wizard = self.env["loyalty.mailing.send"].with_user(user).with_context(
            active_model="res.partner", active_ids=(partners or self.customers).ids
        )
        form = Form(Wizard)
        form.mailing_id = mailing
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def test_action_bound_to_customer_lists(self):
        action = self.env.ref("loyalty_lifecycle.loyalty_mailing_send_action")
        self.assertEqual((action.binding_model_id.model, action.binding_view_types), ("res.partner", "list"))
        self.assertEqual(action.groups_id, self.env.ref("loyalty_lifecycle.loyalty_lifecycle_group_user"))
        bindings = self.env["ir.actions.actions"].with_user(self.user_loyalty).get_bindings("res.partner")
        self.assertIn(action.id, [a["id"] for a in bindings["action"]])
        bindings = self.env["ir.actions.actions"].with_user(self.user_employee).get_bindings("res.partner")
        self.assertNotIn(action.id, [a["id"] for a in bindings.get("action", [])])

    def test_email_preview_then_send(self):
        with freeze_time(NOON):
            wizard = self.wizard(self.user_loyalty, self.mailing_email)
            self.assertEqual(wizard.partner_ids, self.customers)
            self.assertEqual(
                (wizard.customer_count, wizard.send_count, wizard.scheduled_count, wizard.skipped_count), (4, 2, 0, 2)
            )
            self.assertIn("No consent to offers: 1", wizard.skipped_summary)
            self.assertIn("No valid email address: 1", wizard.skipped_summary)
            with self.mock_mail_gateway():
                result = wizard.action_send()
                mails = self._new_mails.filtered(lambda m: m.mailing_id == self.mailing_email)
        self.assertEqual(mails.recipient_ids, self.partner | self.maria)
        self.assertIn("2 sent, 0 after the quiet hours, 2 not sent", result["params"]["message"])
        traces = self.traces(self.customers, self.mailing_email)
        self.assertEqual(len(traces), 4)
        by_partner = {t.res_id: (t.trace_type, t.trace_status, t.failure_type) for t in traces}
        self.assertEqual(by_partner[self.partner.id], ("mail", "sent", False))
        self.assertEqual(by_partner[self.maria.id], ("mail", "sent", False))
        self.assertEqual(by_partner[self.no_consent.id], ("mail", "cancel", "lc_no_consent"))
        self.assertEqual(by_partner[self.bad_contact.id], ("mail", "cancel", "lc_invalid_email"))

    def test_sms_caps_apply(self):
        other = self.mailing_sms.copy({"subject": "Other campaign"})
        taken = self.Trace.create(
            {"trace_type": "sms", "model": "res.partner", "res_id": self.maria.id, "mass_mailing_id": other.id}
        )
        self.env.cr.execute("UPDATE mailing_trace SET create_date = '2025-03-06 06:00' WHERE id = %s", [taken.id])
        with freeze_time(NOON):
            wizard = self.wizard(self.user_loyalty, self.mailing_sms)
            self.assertEqual((wizard.send_count, wizard.skipped_count), (1, 3))
            self.assertIn("SMS cap reached (today): 1", wizard.skipped_summary)
            with self.mockSMSGateway():
                wizard.action_send()
        sms = self.env["sms.sms"].search([("mailing_id", "=", self.mailing_sms.id)])
        self.assertEqual(sms.partner_id, self.partner)
        failures = {t.res_id: t.failure_type for t in self.traces(self.customers, self.mailing_sms)}
        self.assertEqual(
            failures,
            {
                self.partner.id: False,
                self.maria.id: "lc_cap_sms_day",
                self.no_consent.id: "lc_no_consent",
                self.bad_contact.id: "lc_invalid_phone",
            },
        )

    def test_sms_in_quiet_hours_goes_in_the_morning(self):
        with freeze_time(NIGHT):
            wizard = self.wizard(self.user_loyalty, self.mailing_sms, self.partner | self.maria | self.no_consent)
            self.assertEqual((wizard.send_count, wizard.scheduled_count, wizard.skipped_count), (0, 2, 1))
            with self.mockSMSGateway():
                result = wizard.action_send()
        self.assertIn("0 sent, 2 after the quiet hours, 1 not sent", result["params"]["message"])
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "in", self.customers.ids)]), "nothing at night")
        self.assertEqual(len(self.traces(self.customers)), 1, "only the one not sent: the others are not final")
        morning = self.env["mailing.mailing"].search([("subject", "=", "Policy test SMS (after the quiet hours)")])
        self.assertEqual(len(morning), 1)
        self.assertEqual((morning.state, morning.schedule_type), ("in_queue", "scheduled"))
        self.assertEqual(morning.schedule_date, datetime(2025, 3, 7, 6, 0))  # 09:00 in Moscow
        self.assertEqual(morning.user_id, self.user_loyalty)
        self.assertEqual(morning.body_plaintext, self.mailing_sms.body_plaintext)
        with freeze_time("2025-03-07 05:00:00"), self.mockSMSGateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(morning.state, "in_queue", "not before the end of the quiet hours")
        with freeze_time("2025-03-07 06:05:00"), self.mockSMSGateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        sms = self.env["sms.sms"].search([("mailing_id", "=", morning.id)])
        self.assertEqual(sms.partner_id, self.partner | self.maria)
        self.assertEqual(sorted(sms.mapped("body")), ["Hi Ivan", "Hi Maria"])
        self.assertEqual(len(self.traces(self.partner | self.maria, morning)), 2)

    def test_transactional_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["loyalty.mailing.send"].with_user(self.user_loyalty).create(
                {"mailing_id": self.mailing_sms.id, "partner_ids": [(6, 0, self.customers.ids)], "transactional": True}
            )
        # a context key from the client decides nothing
        with self.assertRaises(AccessError):
            self.env["loyalty.mailing.send"].with_user(self.user_loyalty).with_context(
                default_transactional=True
            ).create({"mailing_id": self.mailing_sms.id, "partner_ids": [(6, 0, self.customers.ids)]})
        self.assertNotIn('name="transactional"', self.form_arch(self.user_loyalty, "loyalty.mailing.send"))
        self.assertIn('name="transactional"', self.form_arch(self.user_manager, "loyalty.mailing.send"))
        wizard = self.wizard(self.user_loyalty, self.mailing_sms)
        with self.assertRaises(AccessError):
            wizard.write({"transactional": True})
        with freeze_time(NOON):
            wizard = self.wizard(self.user_manager, self.mailing_sms, transactional=True)
            self.assertEqual((wizard.send_count, wizard.skipped_count), (3, 1), "no consent needed, a valid phone is")
            with self.mockSMSGateway():
                wizard.action_send()
        sms = self.env["sms.sms"].search([("mailing_id", "=", self.mailing_sms.id)])
        self.assertEqual(sms.partner_id, self.partner | self.maria | self.no_consent)
        self.assertEqual(self.traces(self.bad_contact).failure_type, "lc_invalid_phone")

    def test_plain_employee_cannot_send(self):
        with self.assertRaises(AccessError):
            self.env["loyalty.mailing.send"].with_user(self.user_employee).create(
                {"mailing_id": self.mailing_sms.id, "partner_ids": [(6, 0, self.customers.ids)]}
            )
        wizard = self.wizard(self.user_loyalty, self.mailing_sms)
        with self.assertRaises(AccessError), self.mockSMSGateway():
            wizard.with_user(self.user_employee).action_send()
        self.assertFalse(self.traces(self.customers))

    def test_only_mailings_on_contacts(self):
        mailing_list = self.env["mailing.mailing"].create(
            {"subject": "To a list", "mailing_type": "mail", "body_html": "<p>Hi</p>", "email_from": "gym@example.com"}
        )
        wizard = self.wizard(self.user_loyalty, self.mailing_email)
        wizard.sudo().mailing_id = mailing_list
        with self.assertRaises(UserError), self.mock_mail_gateway():
            wizard.action_send()
