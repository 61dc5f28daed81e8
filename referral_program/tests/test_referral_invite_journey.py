"""The default "Invite a Friend" journey: an SMS with the customer's
referral link to the A-class customers with consent, through the contact
policy, at most once every 90 days; a rerun sends nothing twice. The
promoters' side (with NPS Surveys) is tested in survey_nps."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common_messages import DAY0, CustomerMessagesCommon

from ..models.lifecycle_journey_invite import LifecycleJourneyParticipant


def invite_journey(env):
    """The default journey, copied for the test's company without holdout; the
    default itself rests so that nobody is invited twice."""
    default = env.ref("referral_program.lifecycle_journey_invite_friend").sudo()
    default.active = False
    return default.copy(
        {"company_id": env.company.id, "holdout_percent": 0, "events_since": "2025-01-01", "active": True}
    )


def make_a_class(partners, company):
    # ABC classes are written by the segmentation run, as the server
    partners.sudo().with_company(company).write({"abc_class": "A"})


@tagged("post_install", "-at_install")
class TestReferralInviteJourney(CustomerMessagesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invite = invite_journey(cls.env)
        cls.anna = cls.make_customer("Anna Regular", "anna.regular@example.com", "+7 916 700-00-01")
        cls.silent = cls.make_customer("Sergey Silent", "sergey@example.com", "+7 916 700-00-02", consent=False)
        cls.bella = cls.make_customer("Bella Middle", "bella@example.com", "+7 916 700-00-03")
        make_a_class(cls.anna | cls.silent, cls.company)
        cls.bella.sudo().with_company(cls.company).abc_class = "B"
        cls.customers = cls.anna | cls.silent | cls.bella

    def run_on(self, when):
        with freeze_time(when):
            self.run_cron()
        self.env.invalidate_all()

    def invited(self):
        return self.env["lifecycle.journey.participant"].sudo().search(
            [("journey_id", "=", self.invite.id), ("partner_id", "in", self.customers.ids)], order="start_date, id"
        )

    def sms_bodies(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)], order="id").mapped("body")

    def test_a_class_with_consent_invited_with_their_link_once(self):
        self.assertFalse(self.anna.sudo().referral_code)
        self.run_on(DAY0)
        invited = self.invited()
        self.assertEqual(invited.partner_id, self.anna, "A-class with consent only: not without consent, not B")
        self.assertEqual((invited.trigger, str(invited.start_date)), ("referral_invite", "2025-03-03"))
        code = self.anna.sudo().referral_code
        self.assertTrue(code, "whoever is invited gets a code for their link")
        mailing = self.invite.step_ids.mailing_id
        trace = self.traces(self.anna, mailing)
        self.assertEqual((len(trace), trace.trace_status), (1, "outgoing"))
        [body] = self.sms_bodies(self.anna)
        self.assertIn("Anna, make a gift to someone you love", body)
        self.assertIn(f"/r/{code}", body)
        self.assertFalse(self.traces(self.silent | self.bella, mailing))
        # the cron again that day, the next days and within the 90 days: nothing twice
        for when in (DAY0, "2025-03-04 07:00:00", "2025-05-30 07:00:00"):
            self.run_on(when)
        self.assertEqual(self.invited(), invited)
        self.assertEqual(len(self.traces(self.anna, mailing)), 1)
        self.assertEqual(len(self.sms_bodies(self.anna)), 1)
        self.assertEqual(self.anna.sudo().referral_code, code, "the code stays")
        # 90 days later, still A-class: invited again
        self.run_on("2025-06-01 07:00:00")
        self.assertEqual(len(self.invited()), 2)
        self.assertEqual(len(self.traces(self.anna, mailing)), 2)

    def test_consent_withdrawn_after_the_start_is_skipped_by_the_policy(self):
        """The invitation is promotional: the contact policy still decides
        on the day it sends."""
        self.invite.step_ids.delay_days = 1
        self.run_on(DAY0)
        self.assertEqual(self.invited().partner_id, self.anna)
        self.anna.marketing_consent = False
        self.run_on("2025-03-04 07:00:00")
        message = self.messages(self.anna).filtered(lambda m: m.journey_id == self.invite)
        self.assertEqual((message.state, message.reason), ("skipped", "lc_no_consent"))
        self.assertCancelTrace(message, "lc_no_consent")
        self.assertFalse(self.sms_bodies(self.anna))

    def test_without_nps_surveys_the_a_class_still_invited(self):
        """referral_program reads the promoter trigger at run time: without
        NPS Surveys (whichever addon came first) the invitation is the
        A-class customers'."""
        with patch.object(LifecycleJourneyParticipant, "_referral_invite_with_promoters", return_value=False):
            self.run_on(DAY0)
        self.assertEqual(self.invited().partner_id, self.anna)

    def test_other_company_customers_not_invited(self):
        other = self.env["res.company"].create({"name": "Other Gym"})
        self.anna.company_id = other
        self.run_on(DAY0)
        self.assertFalse(self.invited())

    def test_invite_days_checked(self):
        with self.assertRaisesRegex(ValidationError, "invited again after 1 to 3660 days"), self.cr.savepoint():
            self.invite.referral_invite_days = 0
        self.assertEqual(self.invite.referral_invite_days, 90)
