"""NPS invitations: the daily cron ``survey_nps.ir_cron_nps_invite``.

Each invitation is one ``survey.user_input`` of the company's NPS survey,
with ``partner_id`` the customer and its own token: the personal link of the
message opens that answer, so that one invitation gets one answer. It is
written before the message goes, in the same transaction: a rerun of the
cron, or a second worker, finds it and invites nobody twice.

The messages are Odoo's: the mailings ``survey_nps.mailing_nps_invite_email``
and ``survey_nps.mailing_nps_invite_sms`` (by email when the customer has an
address, else by SMS), sent with the mailing's per-recipient sending, so
that each is a ``mailing.trace`` under Odoo's blacklists and opt-outs. The
contact policy (consent, caps, quiet hours, a valid address or phone, the
detractors' rest) decides first; a customer it holds back today is tried
again the next days, for a week. On the last of these days, a customer the
policy still does not allow is a cancelled trace of the mailing with the
policy's reason (``loyalty.contact.policy._trace_not_sent``), once; the same
for the reminder.

Who is due: the customers whose first paid purchase was
``nps_invite_after_days`` ago and, when the company chose
``nps_invite_each_purchase``, those who paid a purchase or a POS visit
``nps_invite_purchase_days`` ago; both under the pause of
``nps_invite_every_days`` between two invitations.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.loyalty_lifecycle.models.loyalty_contact_policy import ALLOWED, SKIPPED

_logger = logging.getLogger(__name__)

# Days after the due day during which a customer held back by the contact
# policy (quiet hours, caps) or a cron that did not run is still invited.
CATCH_UP_DAYS = 7
CHANNELS = [("mail", "Email"), ("sms", "SMS")]
MAILINGS = {"mail": "survey_nps.mailing_nps_invite_email", "sms": "survey_nps.mailing_nps_invite_sms"}


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    nps_invited_on = fields.Datetime("NPS Invitation Sent On", readonly=True, index="btree_not_null")
    nps_reminded_on = fields.Datetime("NPS Reminder Sent On", readonly=True)
    nps_invite_channel = fields.Selection(CHANNELS, string="Invited by", readonly=True)
    nps_company_id = fields.Many2one("res.company", string="Invited by Company", readonly=True, index="btree_not_null")

    @api.model
    def _cron_nps_invite(self):
        """Invite the customers whose day has come, then remind who has not
        answered, company by company."""
        now = fields.Datetime.now()
        for company in self.env["res.company"].search([]):
            survey = company._nps_invite_survey()
            if not survey or (company.nps_invite_after_days <= 0 and not company.nps_invite_each_purchase):
                continue
            Self = self.with_company(company)
            invited = Self._nps_invite(company, survey, now)
            reminded = Self._nps_remind(company, now) if company.nps_reminder_days > 0 else 0
            _logger.info("NPS: %s invited and %s reminded for %s", invited, reminded, company.name)

    @api.model
    def _nps_due(self, company, now):
        """The customers of ``company`` whose first paid purchase there was
        ``nps_invite_after_days`` ago or, with ``nps_invite_each_purchase``,
        who made any paid purchase ``nps_invite_purchase_days`` ago (up to
        CATCH_UP_DAYS more, either way), and who got no invitation of the
        company within ``nps_invite_every_days``.

        :return: {partner id: True on the last day they are tried}
        """
        today = fields.Date.context_today(self, now)
        first_last = today - timedelta(days=company.nps_invite_after_days) if company.nps_invite_after_days > 0 else None
        each_last = today - timedelta(days=company.nps_invite_purchase_days) if company.nps_invite_each_purchase else None
        self.env["res.partner"]._flush_membership_facts()
        self.flush_model(["partner_id", "nps_invited_on", "nps_company_id"])
        # A window of NULL days matches nobody: the condition of an option that is off.
        self.env.cr.execute(
            SQL(
                """
                WITH due AS (
                    SELECT cp.partner_id,
                           MIN(cp.date) AS first_date,
                           MAX(cp.date) FILTER (WHERE cp.date BETWEEN %(each_first)s AND %(each_last)s) AS each_date
                      FROM customer_purchase cp
                      JOIN res_partner p ON p.id = cp.partner_id AND p.active
                     WHERE cp.company_id = %(company)s AND cp.amount > 0
                       AND NOT EXISTS (
                            SELECT 1 FROM survey_user_input ui
                             WHERE ui.partner_id = cp.partner_id AND ui.nps_company_id = %(company)s
                               AND ui.nps_invited_on > %(since)s
                       )
                     GROUP BY cp.partner_id
                )
                SELECT partner_id,
                       -- the last day they are tried: no later day of either window is ahead
                       (NOT COALESCE(first_date BETWEEN %(first_first)s AND %(first_last)s, FALSE)
                        OR first_date = %(first_first)s)
                       AND (each_date IS NULL OR each_date = %(each_first)s)
                  FROM due
                 WHERE COALESCE(first_date BETWEEN %(first_first)s AND %(first_last)s, FALSE)
                    OR each_date IS NOT NULL
                 ORDER BY partner_id
                """,
                company=company.id,
                since=now - timedelta(days=company.nps_invite_every_days),
                first_first=first_last and first_last - timedelta(days=CATCH_UP_DAYS),
                first_last=first_last,
                each_first=each_last and each_last - timedelta(days=CATCH_UP_DAYS),
                each_last=each_last,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _nps_channels(self, partners):
        """{channel: customers}: by email when they have an address, else by
        SMS when they have a phone; nobody else."""
        by_email = partners.filtered("email_normalized")
        by_sms = (partners - by_email).filtered(lambda p: p.phone_sanitized)
        return {"mail": by_email, "sms": by_sms}

    @api.model
    def _nps_invite(self, company, survey, now):
        due = self._nps_due(company, now)
        partners = self.env["res.partner"].sudo().browse(list(due))
        count = 0
        for channel, group in self._nps_channels(partners).items():
            if not group:
                continue
            verdicts = self.env["loyalty.contact.policy"]._check(group, channel, company=company, at=now)
            allowed = group.filtered(lambda p, v=verdicts: v[p.id][0] == ALLOWED)
            self._nps_trace_not_sent(
                channel,
                [(p, verdicts[p.id][1]) for p in group if due[p.id] and verdicts[p.id][0] == SKIPPED],
                company,
                now,
            )
            if not allowed:
                continue
            self.sudo().create(
                [
                    {
                        "survey_id": survey.id,
                        "partner_id": partner.id,
                        "email": partner.email,
                        "nps_invited_on": now,
                        "nps_invite_channel": channel,
                        "nps_company_id": company.id,
                    }
                    for partner in allowed
                ]
            )
            self._nps_send(channel, allowed)
            count += len(allowed)
        return count

    @api.model
    def _nps_remind(self, company, now):
        """Once, the invitations not answered after ``nps_reminder_days``
        (tried for CATCH_UP_DAYS more when the policy holds them back; on
        the last of these days, a cancelled trace with the policy's reason)."""
        reminder_day = now - timedelta(days=company.nps_reminder_days)
        window_start = reminder_day - timedelta(days=CATCH_UP_DAYS)
        invitations = self.sudo().search(
            [
                ("nps_company_id", "=", company.id),
                ("nps_invited_on", "<=", reminder_day),
                ("nps_invited_on", ">", window_start),
                ("nps_reminded_on", "=", False),
                ("state", "!=", "done"),
                ("test_entry", "=", False),
            ]
        )
        count = 0
        for channel, _label in CHANNELS:
            group = invitations.filtered(lambda i, c=channel: i.nps_invite_channel == c)
            if not group:
                continue
            verdicts = self.env["loyalty.contact.policy"]._check(group.partner_id, channel, company=company, at=now)
            todo = group.filtered(lambda i, v=verdicts: v[i.partner_id.id][0] == ALLOWED)
            last_try = group.filtered(
                lambda i, v=verdicts: v[i.partner_id.id][0] == SKIPPED
                and i.nps_invited_on <= window_start + timedelta(days=1)
            )
            self._nps_trace_not_sent(
                channel, [(i.partner_id, verdicts[i.partner_id.id][1]) for i in last_try], company, now
            )
            if not todo:
                continue
            todo.write({"nps_reminded_on": now})
            self._nps_send(channel, todo.partner_id)
            count += len(todo)
        return count

    @api.model
    def _nps_trace_not_sent(self, channel, partner_reasons, company, now):
        """The customers not invited, or not reminded, on their last day: a
        cancelled trace of the channel's invitation mailing with the policy's
        reason, once (a rerun finds the trace of this invitation period)."""
        if not partner_reasons:
            return
        mailing = self.env.ref(MAILINGS[channel]).sudo()
        traced = set(
            self.env["mailing.trace"]
            .sudo()
            .search(
                [
                    ("mass_mailing_id", "=", mailing.id),
                    ("model", "=", "res.partner"),
                    ("res_id", "in", [partner.id for partner, _reason in partner_reasons]),
                    ("trace_status", "=", "cancel"),
                    ("create_date", ">", now - timedelta(days=company.nps_invite_every_days)),
                ]
            )
            .mapped("res_id")
        )
        self.env["loyalty.contact.policy"]._trace_not_sent(
            mailing, [(partner, reason) for partner, reason in partner_reasons if partner.id not in traced]
        )

    @api.model
    def _nps_send(self, channel, partners):
        mailing = self.env.ref(MAILINGS[channel]).sudo()
        if channel == "sms":
            mailing.action_send_sms(partners.ids)
        else:
            mailing._action_send_mail(partners.ids)

    def _nps_url(self):
        self.ensure_one()
        return f"{self.survey_id.get_base_url()}{self.get_start_url()}"
