from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common_messages import DAY0, CustomerMessagesCommon


@tagged("post_install", "-at_install")
class TestContactPolicyValidity(CustomerMessagesCommon):
    """A message needs a phone or an email address that can reach the
    customer, marketing or transactional."""

    def check(self, partners, channel, marketing=True):
        policy = self.env["loyalty.contact.policy"].with_user(self.user_loyalty)
        with freeze_time(DAY0):
            return policy._check(partners, channel, marketing=marketing, company=self.company)

    def test_phone_read_in_the_customers_country_else_the_companys(self):
        russian_local = self.make_customer("Local Format", "local@example.com", "8 916 555-12-34", country=None)
        ukrainian = self.make_customer("Oksana", "oksana@example.com", "050 123 4567", country="base.ua")
        ukrainian_in_russia = self.make_customer("Taras", "taras@example.com", "050 123 4567", country=None)
        landline_only = self.make_customer("Landline", "landline@example.com", False)
        landline_only.phone = "+7 495 123-45-67"
        garbage = self.make_customer("Garbage", "garbage@example.com", "12-34")
        nothing = self.make_customer("No Phone", "nophone@example.com", False)
        partners = russian_local | ukrainian | ukrainian_in_russia | landline_only | garbage | nothing
        for marketing in (True, False):
            verdicts = self.check(partners, "sms", marketing=marketing)
            self.assertEqual(
                {partner.name: verdicts[partner.id] for partner in partners},
                {
                    "Local Format": ("allowed", False, False),
                    "Oksana": ("allowed", False, False),
                    "Taras": ("skipped", "lc_invalid_phone", False),
                    "Landline": ("allowed", False, False),
                    "Garbage": ("skipped", "lc_invalid_phone", False),
                    "No Phone": ("skipped", "lc_invalid_phone", False),
                },
                f"marketing={marketing}",
            )

    def test_email_must_be_one_odoo_accepts(self):
        good = self.make_customer("Good", '"Good Customer" <good@example.com>', False)
        bad = self.make_customer("Bad", "not an address", False)
        empty = self.make_customer("Empty", False, "+7 916 000-00-01")
        for marketing in (True, False):
            verdicts = self.check(good | bad | empty, "mail", marketing=marketing)
            self.assertEqual(verdicts[good.id], ("allowed", False, False))
            self.assertEqual(verdicts[bad.id], ("skipped", "lc_invalid_email", False))
            self.assertEqual(verdicts[empty.id], ("skipped", "lc_invalid_email", False))

    def test_invalid_phone_comes_before_consent_and_quiet_hours(self):
        no_consent = self.make_customer("No Consent", "nc@example.com", "12-34", consent=False)
        with freeze_time("2025-03-06 19:30:00"):  # 22:30 in Moscow
            verdicts = self.env["loyalty.contact.policy"]._check(no_consent | self.partner, "sms", company=self.company)
        self.assertEqual(verdicts[no_consent.id], ("skipped", "lc_invalid_phone", False))
        self.assertEqual(verdicts[self.partner.id][:2], ("deferred", "lc_quiet_hours"))


@tagged("post_install", "-at_install")
class TestJourneyCancelledTraces(CustomerMessagesCommon):
    """Every journey message finally not sent is a cancelled trace of the
    step's mailing with its reason; a deferred one has none until then."""

    def test_every_final_outcome_is_a_cancelled_trace(self):
        no_consent = self.make_customer("No Consent", "nc@example.com", "+7 916 000-00-02", consent=False)
        bad_phone = self.make_customer("Bad Phone", "bp@example.com", "12-34")
        capped = self.make_customer("Capped", "capped@example.com", "+7 916 000-00-03")
        other = self.mailing_sms.copy({"subject": "Other campaign"})
        sent = {
            "trace_type": "sms",
            "model": "res.partner",
            "res_id": capped.id,
            "mass_mailing_id": other.id,
            "trace_status": "sent",
        }
        past = self.Trace.create([sent] * 4)
        self.env.cr.execute(
            "UPDATE mailing_trace SET create_date = '2025-03-01 08:00' WHERE id IN %s", [tuple(past.ids)]
        )
        customers = self.partner | no_consent | bad_phone | capped
        with freeze_time(DAY0):
            self.enter(customers)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        messages = {m.partner_id: m for m in self.messages(customers)}
        self.assertEqual(messages[self.partner].state, "sent")
        self.assertEqual(messages[self.partner].trace_status, "outgoing")
        for partner, reason in ((no_consent, "lc_no_consent"), (bad_phone, "lc_invalid_phone"), (capped, "lc_cap_sms")):
            self.assertEqual((messages[partner].state, messages[partner].reason), ("skipped", reason))
            self.assertCancelTrace(messages[partner], reason, self.mailing_sms)
        self.assertFalse(
            self.env["sms.sms"].search(
                [("mailing_id", "=", self.mailing_sms.id), ("partner_id", "!=", self.partner.id)]
            ),
            "nothing went to the others",
        )
        with freeze_time("2025-03-07 07:00:00"):
            self.run_cron()
        self.assertEqual(len(self.traces(customers, self.mailing_sms)), 4, "a rerun writes no trace twice")

    def test_transactional_step_needs_a_valid_phone(self):
        self.step.marketing = False
        self.partner.mobile = "12-34"
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        message = self.messages()
        self.assertEqual((message.state, message.reason), ("skipped", "lc_invalid_phone"))
        self.assertCancelTrace(message, "lc_invalid_phone")
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.partner.id)]))

    def test_email_step_invalid_address(self):
        self.step.mailing_id = self.mailing_email
        self.partner.email = "ivan at example"
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"), self.mock_mail_gateway():
            self.Message._send_due()
            self.assertFalse(self._new_mails)
        message = self.messages()
        self.assertCancelTrace(message, "lc_invalid_email", self.mailing_email)
        self.assertEqual(message.mailing_trace_id.email, "ivan at example")

    def test_condition_holdout_and_window_passed(self):
        late = self.make_customer("Late", "late@example.com", "+7 916 000-00-04")
        held = self.make_customer("Held", "held@example.com", "+7 916 000-00-05")
        self.step.condition_domain = "[('name', '!=', 'Ivan Petrov')]"
        with freeze_time(DAY0):
            self.enter(self.partner | held)
        held_participant = self.env["lifecycle.journey.participant"].search([("partner_id", "=", held.id)])
        held_participant.holdout = True
        with freeze_time("2025-03-04 07:00:00"):
            self.enter(late)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        self.assertCancelTrace(self.messages(), "lc_condition")
        self.assertCancelTrace(self.messages(held), "lc_holdout")
        self.assertFalse(self.messages(late), "its day is tomorrow")
        with freeze_time("2025-03-08 07:00:00"):  # the cron did not run on its day
            self.run_cron()
        message = self.messages(late)
        self.assertEqual((message.state, message.reason), ("skipped", "lc_window_passed"))
        self.assertCancelTrace(message, "lc_window_passed")

    def test_deferred_has_no_trace_until_final(self):
        self.step.window_days = 2
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 19:30:00"):  # 22:30 in Moscow
            self.run_cron()
        message = self.messages()
        self.assertEqual(message.state, "deferred")
        self.assertFalse(self.traces())
        # the next morning the day's cap is taken by another campaign: it waits for a free day
        other = self.mailing_sms.copy({"subject": "Other campaign"})
        taken = self.Trace.create(
            {"trace_type": "sms", "model": "res.partner", "res_id": self.partner.id, "mass_mailing_id": other.id}
        )
        self.env.cr.execute("UPDATE mailing_trace SET create_date = '2025-03-07 05:30' WHERE id = %s", [taken.id])
        with freeze_time("2025-03-07 06:30:00"):
            self.run_cron()
        self.assertEqual((message.state, message.reason), ("deferred", "lc_cap_sms_day"))
        self.assertEqual(message.next_try, datetime(2025, 3, 8, 6, 0))
        self.assertFalse(self.traces(mailing=self.mailing_sms))
        with freeze_time("2025-03-07 07:00:00"):
            self.enter(self.partner, self.other_stage)
        self.assertEqual((message.state, message.reason), ("cancelled", "lc_stage_left"))
        self.assertCancelTrace(message, "lc_stage_left")

    def test_caps_ignore_cancelled_traces(self):
        other = self.mailing_sms.copy({"subject": "Other campaign"})
        cancelled = self.env["loyalty.contact.policy"]._trace_not_sent(other, [(self.partner, "lc_no_consent")] * 5)
        self.assertEqual(cancelled.mapped("trace_status"), ["cancel"] * 5)
        # earlier the same day in Moscow: would fill both the day's and the month's caps
        self.env.cr.execute(
            "UPDATE mailing_trace SET create_date = '2025-03-06 05:00' WHERE id IN %s", [tuple(cancelled.ids)]
        )
        with freeze_time(DAY0):
            self.enter(self.partner)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        self.assertEqual(self.messages().state, "sent")
        self.assertEqual(self.messages().trace_status, "outgoing")

    def test_mailing_statistics_count_the_cancelled(self):
        refused = self.make_customer("No Consent", "nc@example.com", "+7 916 000-00-02", consent=False)
        with freeze_time(DAY0):
            self.enter(self.partner | refused)
        with freeze_time("2025-03-06 07:00:00"):
            self.run_cron()
        mailing = self.mailing_sms.with_user(self.env.ref("base.user_admin"))
        mailing.invalidate_recordset()
        self.assertEqual((mailing.expected, mailing.canceled, mailing.scheduled), (2, 1, 1))
        self.assertEqual(mailing.received_ratio, 0.0)
        self.assertFalse(mailing.sms_has_insufficient_credit)
        arch = mailing.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("canceled", arch)
        form_values = mailing.web_read({"canceled": {}, "expected": {}, "received_ratio": {}, "state": {}})
        self.assertEqual(form_values[0]["canceled"], 1)
        action = mailing.action_view_traces_canceled()
        self.assertTrue(action["context"]["search_default_filter_canceled"])
        traces = self.Trace.search([("mass_mailing_id", "=", mailing.id), ("trace_status", "=", "cancel")])
        self.assertEqual(traces.res_id, refused.id)
        self.assertEqual(
            dict(traces._fields["failure_type"]._description_selection(self.env))[traces.failure_type],
            "No consent to offers",
        )
