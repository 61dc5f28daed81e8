"""NPS invitations: 30 days after the first paid purchase, by email (else
SMS) with a personal link to one answer record, through the contact policy,
never twice, and one reminder."""

import re
from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.loyalty_lifecycle.tests.common import CustomerBaseGroupsMixin
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

D0 = date(2026, 3, 2)  # the first purchase


def at(offset, hour=7):
    """``hour`` UTC on the day ``offset`` (7: 10:00 in Moscow)."""
    return datetime.combine(D0 + timedelta(days=offset), time(hour))


@tagged("post_install", "-at_install")
class TestNpsInvite(CustomerBaseGroupsMixin, AccountTestInvoicingCommon, MockEmail, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.sudo().tz = "Europe/Moscow"
        cls.survey = cls.env.ref("survey_nps.survey_nps_default")
        cls.product = cls.env["product.product"].create({"name": "Visit", "type": "service", "list_price": 700})
        Partner = cls.env["res.partner"]
        base = {"country_id": cls.env.ref("base.ru").id, "marketing_consent": True}
        cls.anna = Partner.create(dict(base, name="Anna Email", email="anna@example.com"))
        cls.sergey = Partner.create(dict(base, name="Sergey Sms", mobile="+7 916 300-00-02"))
        cls.ivan = Partner.create(dict(base, name="Ivan Noconsent", email="ivan@example.com", marketing_consent=False))
        cls.nina = Partner.create(dict(base, name="Nina Nocontact"))
        cls.customers = cls.anna | cls.sergey | cls.ivan | cls.nina
        for partner in cls.customers:
            cls._buy(partner, 0)
        cls.Input = cls.env["survey.user_input"].sudo()  # the cron runs as the superuser

    @classmethod
    def _buy(cls, partner, offset):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": D0 + timedelta(days=offset),
                "date": D0 + timedelta(days=offset),
                "invoice_line_ids": [
                    Command.create({"product_id": cls.product.id, "quantity": 1, "price_unit": 700, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def run_cron(self, moment, twice=False):
        """The cron at ``moment``: the emails it made, and the SMS it queued
        (Odoo's SMS queue sends them)."""
        SMS = self.env["sms.sms"].sudo()
        last_sms = SMS.search([], order="id desc", limit=1).id or 0
        with freeze_time(moment), self.mock_mail_gateway(), self.mockSMSGateway():
            self.Input._cron_nps_invite()
            if twice:
                self.Input._cron_nps_invite()
            mails = self._new_mails.filtered(lambda m: m.model == "res.partner")
        self.env.invalidate_all()
        return mails, SMS.search([("id", ">", last_sms)])

    def links(self, text):
        """The URLs behind the tracked links of a message (Odoo's link
        tracker shortens them, to count the clicks)."""
        codes = re.findall(r"/r/(\w+)", text)
        self.assertTrue(codes, f"no tracked link in {text!r}")
        return self.env["link.tracker.code"].sudo().search([("code", "in", codes)]).link_id.mapped("url")

    def invitations(self, partner):
        return self.Input.search([("partner_id", "=", partner.id), ("nps_invited_on", "!=", False)])

    def test_invited_on_the_day_once_with_a_personal_link(self):
        mails, sms = self.run_cron(at(29))
        self.assertFalse(mails or sms, "not before the 30th day")
        self.assertFalse(self.invitations(self.anna))

        mails, sms = self.run_cron(at(30), twice=True)
        anna = self.invitations(self.anna)
        self.assertEqual(len(anna), 1, "one answer record per invitation, a rerun adds none")
        self.assertEqual((anna.survey_id, anna.nps_invite_channel, anna.state), (self.survey, "mail", "new"))
        self.assertEqual(mails.recipient_ids, self.anna, "one email, to Anna")
        self.assertEqual(len(mails), 1)
        self.assertEqual(self.links(mails.body_html), [f"{self.survey.get_base_url()}{anna.get_start_url()}"])
        self.assertIn(self.survey.access_token, anna.get_start_url())

        sergey = self.invitations(self.sergey)
        self.assertEqual((len(sergey), sergey.nps_invite_channel), (1, "sms"))
        self.assertEqual((sms.partner_id, sms.number), (self.sergey, "+79163000002"))
        self.assertEqual(self.links(sms.body), [f"{self.survey.get_base_url()}{sergey.get_start_url()}"])

        self.assertFalse(self.invitations(self.ivan), "no consent, no invitation")
        self.assertFalse(self.invitations(self.nina), "no email, no phone")
        traces = self.env["mailing.trace"].search([("model", "=", "res.partner"), ("res_id", "in", self.customers.ids)])
        self.assertEqual(sorted(traces.mapped("trace_type")), ["mail", "sms"], "each message is a mailing trace")

        # The next days: nothing new, also after another purchase.
        self._buy(self.anna, 31)
        mails, sms = self.run_cron(at(32))
        self.assertFalse(mails or sms)
        self.assertEqual(len(self.invitations(self.anna)), 1)

    def test_link_opens_the_invitation_and_its_answer_counts(self):
        self.run_cron(at(30))
        invitation = self.invitations(self.anna)
        self.assertEqual(self.anna.nps_invitation_url, f"{self.survey.get_base_url()}{invitation.get_start_url()}")
        self.env["survey.user_input.line"].create(
            {
                "user_input_id": invitation.id,
                "question_id": self.survey.nps_question_id.id,
                "answer_type": "scale",
                "value_scale": 9,
            }
        )
        invitation._mark_done()
        self.anna.invalidate_recordset(["nps_invitation_url"])
        self.assertEqual((self.anna.nps_last_score, self.anna.nps_last_category), (9, "promoter"))
        self.assertFalse(self.anna.nps_invitation_url, "answered: no open invitation")

    def test_one_reminder_when_unanswered(self):
        self.run_cron(at(30))
        # Anna answers; Sergey does not.
        self.invitations(self.anna)._mark_done()
        mails, sms = self.run_cron(at(34))
        self.assertFalse(mails or sms, "reminders after 5 days")
        mails, sms = self.run_cron(at(35), twice=True)
        self.assertFalse(mails, "Anna answered")
        self.assertEqual(sms.partner_id, self.sergey, "Sergey reminded once")
        self.assertEqual(len(sms), 1)
        self.assertIn(f"answer_token={self.invitations(self.sergey).access_token}", self.links(sms.body)[0])
        self.assertTrue(self.invitations(self.sergey).nps_reminded_on)
        mails, sms = self.run_cron(at(36))
        self.assertFalse(mails or sms)

    def test_quiet_hours_defer_the_sms_to_the_morning(self):
        # 22:00 in Moscow: the email goes, the SMS waits for the morning.
        mails, sms = self.run_cron(at(30, hour=19))
        self.assertEqual(mails.recipient_ids, self.anna)
        self.assertFalse(sms)
        self.assertFalse(self.invitations(self.sergey))
        mails, sms = self.run_cron(at(31))
        self.assertFalse(mails)
        self.assertEqual(sms.partner_id, self.sergey)
        self.assertEqual(len(self.invitations(self.sergey)), 1)

    def test_not_invited_by_the_last_day_is_a_cancelled_trace(self):
        """Ivan gave no consent: tried every day for a week, then written
        as a cancelled trace of the invitation mailing, once."""
        Trace = self.env["mailing.trace"]
        domain = [("model", "=", "res.partner"), ("res_id", "in", (self.ivan | self.nina).ids)]
        self.run_cron(at(30))
        self.run_cron(at(36))
        self.assertFalse(Trace.search(domain), "still tried the next day")
        mails, _sms = self.run_cron(at(37), twice=True)
        self.assertFalse(mails)
        trace = Trace.search(domain)
        self.assertEqual(
            (trace.res_id, trace.trace_type, trace.trace_status, trace.failure_type, trace.mass_mailing_id),
            (self.ivan.id, "mail", "cancel", "lc_no_consent", self.env.ref("survey_nps.mailing_nps_invite_email")),
        )
        self.run_cron(at(38))
        self.assertEqual(Trace.search(domain), trace)
        self.assertFalse(self.invitations(self.ivan))

    def test_reminder_held_back_until_the_last_day_is_a_cancelled_trace(self):
        """Sergey withdraws his consent after the invitation: no reminder,
        and on the last day of the reminder's week a cancelled trace of the
        SMS mailing says why, once."""
        self.run_cron(at(30))
        self.assertEqual(len(self.invitations(self.sergey)), 1)
        self.sergey.marketing_consent = False
        Trace = self.env["mailing.trace"]
        domain = [("model", "=", "res.partner"), ("res_id", "=", self.sergey.id), ("trace_status", "=", "cancel")]
        for day in range(35, 41):
            _mails, sms = self.run_cron(at(day))
            self.assertFalse(sms.filtered(lambda s: s.partner_id == self.sergey), f"no reminder on day {day}")
        self.assertFalse(Trace.search(domain), "still tried the next day")
        self.run_cron(at(41), twice=True)
        trace = Trace.search(domain)
        self.assertEqual(
            (len(trace), trace.trace_type, trace.failure_type, trace.mass_mailing_id),
            (1, "sms", "lc_no_consent", self.env.ref("survey_nps.mailing_nps_invite_sms")),
        )
        self.run_cron(at(42))
        self.assertEqual(Trace.search(domain), trace)
        self.assertFalse(self.invitations(self.sergey).nps_reminded_on)

    def test_invited_after_each_purchase_when_chosen(self):
        mails, sms = self.run_cron(at(1))
        self.assertFalse(mails or sms, "off by default: only after the first purchase's 30 days")
        self.company.sudo().write({"nps_invite_each_purchase": True, "nps_invite_purchase_days": 1})
        self.run_cron(at(0))
        self.assertFalse(self.invitations(self.anna), "not on the day of the purchase")
        mails, sms = self.run_cron(at(1), twice=True)
        self.assertEqual(mails.recipient_ids, self.anna)
        self.assertEqual(sms.partner_id, self.sergey)
        self.assertEqual(len(self.invitations(self.anna)), 1)
        # the first purchase's 30th day: the pause between invitations holds
        mails, sms = self.run_cron(at(30))
        self.assertFalse(mails or sms)
        # a purchase after the pause: invited the next day
        self._buy(self.anna, 95)
        mails, _sms = self.run_cron(at(95))
        self.assertFalse(mails)
        mails, _sms = self.run_cron(at(96))
        self.assertEqual(mails.recipient_ids, self.anna)
        self.assertEqual(len(self.invitations(self.anna)), 2)
        self.assertFalse(self.invitations(self.ivan), "still never without consent")

    def test_blacklisted_email_is_not_sent(self):
        self.env["mail.blacklist"].sudo()._add("anna@example.com")
        mails, _sms = self.run_cron(at(30))
        trace = self.env["mailing.trace"].search([("model", "=", "res.partner"), ("res_id", "=", self.anna.id)])
        self.assertEqual(trace.trace_status, "cancel", "Odoo's blacklist cancels it")
        self.assertFalse(mails.filtered(lambda m: m.state != "cancel" and self.anna in m.recipient_ids))

    def test_at_most_one_invitation_in_90_days(self):
        self.run_cron(at(30))
        self.assertEqual(len(self.invitations(self.anna)), 1)
        # Inviting after 60 days instead: Anna's first purchase is due again, the 90 days hold her.
        self.company.sudo().nps_invite_after_days = 60
        mails, _sms = self.run_cron(at(60))
        self.assertFalse(mails)
        self.assertEqual(len(self.invitations(self.anna)), 1)
        self.company.sudo().nps_invite_every_days = 20
        mails, _sms = self.run_cron(at(61))
        self.assertEqual(mails.recipient_ids, self.anna, "after the shorter pause, invited again")
        self.assertEqual(len(self.invitations(self.anna)), 2)

    def test_settings(self):
        self.company.sudo().nps_invite_after_days = 0
        mails, sms = self.run_cron(at(30))
        self.assertFalse(mails or sms, "0: no invitations")
        for field in ("nps_invite_after_days", "nps_invite_every_days", "nps_reminder_days", "nps_invite_purchase_days"):
            with self.subTest(field=field), self.assertRaises(ValidationError):
                self.company.sudo()[field] = -1
        self.assertTrue(self.env.ref("survey_nps.ir_cron_nps_invite").active)
