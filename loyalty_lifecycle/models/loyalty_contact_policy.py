"""One contact policy: may this customer get this message now?

Every sender of the Customer Base asks ``loyalty.contact.policy._check``
before it sends (the journeys, the manual sends from a customer list, the
NPS invitations), and writes what it did not send with
``_trace_not_sent``: a cancelled ``mailing.trace`` of the mailing with the
policy's reason as its failure type, so that a mailing's statistics count
every customer it was meant for. Odoo's own rules stay Odoo's: the email and
phone blacklists, opt-outs and unsubscribe links are applied by Email/SMS
Marketing when the mailing sends, and show on its traces.
"""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, email_normalize

# Why a message was not sent now (lifecycle.journey.message.reason).
REASONS = [
    ("lc_invalid_phone", "No valid mobile number"),
    ("lc_invalid_email", "No valid email address"),
    ("lc_no_consent", "No consent to offers"),
    ("lc_cap_email", "Email cap reached (30 days)"),
    ("lc_cap_sms", "SMS cap reached (30 days)"),
    ("lc_cap_sms_day", "SMS cap reached (today)"),
    ("lc_quiet_hours", "Quiet hours"),
    ("lc_holdout", "Holdout"),
    ("lc_condition", "Condition not met"),
    ("lc_stage_left", "Left the stage"),
    ("lc_purchased", "Bought since the start"),
    ("lc_window_passed", "Its days have passed"),
]
# The caps hold a message back for the day: it waits for a free day within
# its step's window.
CAP_REASONS = ("lc_cap_email", "lc_cap_sms", "lc_cap_sms_day")
ALLOWED = "allowed"
DEFERRED = "deferred"
SKIPPED = "skipped"
# Traces that did not reach the customer do not count against the caps.
UNSENT_TRACE_STATUSES = ("cancel", "error", "bounce")


class LoyaltyContactPolicy(models.AbstractModel):
    _name = "loyalty.contact.policy"
    _description = "Contact Policy"

    @api.model
    def _quiet_window(self, company, at):
        """(start, end) in UTC of the quiet hours around ``at`` (naive UTC),
        or None when ``at`` is outside them."""
        tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
        local = pytz.utc.localize(at).astimezone(tz)
        start_h, end_h = company.lc_quiet_hours_start, company.lc_quiet_hours_end
        if start_h == end_h:
            return None
        hour = local.hour + local.minute / 60.0
        inside = (hour >= start_h or hour < end_h) if start_h > end_h else (start_h <= hour < end_h)
        if not inside:
            return None
        end_day = local.date() + timedelta(days=1) if start_h > end_h and hour >= start_h else local.date()
        end_local = tz.localize(datetime.combine(end_day, time(int(end_h), round((end_h % 1) * 60))))
        return end_local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _next_day(self, company, at):
        """The next day's morning (the end of the quiet hours) in the
        company's time zone after ``at`` (naive UTC), as naive UTC: when a
        message held back by the caps tries again."""
        tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
        day = pytz.utc.localize(at).astimezone(tz).date() + timedelta(days=1)
        end_h = company.lc_quiet_hours_end
        morning = tz.localize(datetime.combine(day, time(int(end_h), round((end_h % 1) * 60))))
        return morning.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _sent_counts(self, partner_ids, trace_type, since, until):
        """{partner id: marketing traces of this channel from ``since`` to
        ``until`` (a trace's date is its creation, when the mailing sent it)}."""
        if not partner_ids:
            return {}
        self.env["mailing.trace"].flush_model(["res_id", "model", "trace_type", "trace_status", "create_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT res_id, COUNT(*) FROM mailing_trace
                 WHERE model = 'res.partner' AND res_id IN %s AND trace_type = %s
                   AND create_date >= %s AND create_date < %s AND trace_status NOT IN %s
                 GROUP BY res_id
                """,
                tuple(partner_ids),
                trace_type,
                since,
                until,
                UNSENT_TRACE_STATUSES,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _reachable(self, partners, channel, company):
        """Ids of ``partners`` the channel can reach: for an SMS a mobile or
        phone number that ``phonenumbers`` reads as valid in the customer's
        country, else the company's (Odoo's own phone formatting, the one
        its SMS composer uses); for an email an address Odoo accepts
        (``email_normalize``). No query: the values are read in batch."""
        if channel == "sms":
            number_fields = partners._phone_get_number_fields()
            return {
                partner.id
                for partner in partners
                if any(
                    partner._phone_format_number(partner[fname], country=partner.country_id or company.country_id)
                    for fname in number_fields
                    if partner[fname]
                )
            }
        return {partner.id for partner in partners if email_normalize(partner.email or "")}

    @api.model
    def _check(self, partners, channel, marketing=True, company=None, at=None, holdout=None):
        """May each of ``partners`` get a message of ``channel`` now?

        :param channel: ``"mail"`` or ``"sms"`` (the mailing's trace type)
        :param marketing: False for a transactional message (points credited,
            a survey the customer asked for): no consent or cap applies, and
            Odoo's blacklists still do when the mailing sends; a valid phone
            (SMS) or email address is needed either way
        :param company: whose caps and time zone apply (default: current)
        :param at: the moment of sending, naive UTC (default: now)
        :param holdout: ids of the customers in a holdout group: never sent
        :return: {partner id: (state, reason, retry_at)} with state
            ``allowed``, ``deferred`` (retry at ``retry_at``) or ``skipped``
            and reason a code of REASONS
        """
        company = company or self.env.company
        at = at or fields.Datetime.now()
        holdout = set(holdout or ())
        partners = partners.sudo()
        result = {}
        reachable = self._reachable(partners, channel, company)
        quiet_end = self._quiet_window(company, at) if channel == "sms" else None
        month_counts = day_counts = {}
        if marketing:
            since_month = at - timedelta(days=30)
            # a minute of margin: this transaction's traces are dated at its start
            until = at + timedelta(minutes=1)
            month_counts = self._sent_counts(partners.ids, channel, since_month, until)
            if channel == "sms":
                tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
                local_midnight = tz.localize(
                    datetime.combine(pytz.utc.localize(at).astimezone(tz).date(), time(0))
                )
                day_counts = self._sent_counts(
                    partners.ids, channel, local_midnight.astimezone(pytz.utc).replace(tzinfo=None), until
                )
        month_cap = company.lc_cap_sms_30d if channel == "sms" else company.lc_cap_email_30d
        day_cap = company.lc_cap_sms_day
        for partner in partners:
            if partner.id in holdout:
                result[partner.id] = (SKIPPED, "lc_holdout", False)
            elif partner.id not in reachable:
                result[partner.id] = (SKIPPED, "lc_invalid_phone" if channel == "sms" else "lc_invalid_email", False)
            elif marketing and not partner.marketing_consent:
                result[partner.id] = (SKIPPED, "lc_no_consent", False)
            elif marketing and month_counts.get(partner.id, 0) >= month_cap:
                result[partner.id] = (SKIPPED, "lc_cap_sms" if channel == "sms" else "lc_cap_email", False)
            elif marketing and channel == "sms" and day_counts.get(partner.id, 0) >= day_cap:
                result[partner.id] = (SKIPPED, "lc_cap_sms_day", False)
            elif quiet_end:
                result[partner.id] = (DEFERRED, "lc_quiet_hours", quiet_end)
            else:
                result[partner.id] = (ALLOWED, False, False)
        return result

    @api.model
    def _trace_not_sent(self, mailing, partner_reasons):
        """Write the messages of ``mailing`` that were not sent as Odoo's
        cancelled ``mailing.trace``, in one create: model ``res.partner``,
        ``res_id`` the customer, the reason (a code of REASONS) as failure
        type. The caps do not count them (UNSENT_TRACE_STATUSES).

        :param partner_reasons: [(partner, reason)], one trace each
        :return: the traces, in the order of ``partner_reasons``
        """
        if not partner_reasons:
            return self.env["mailing.trace"]
        trace_type = "sms" if mailing.mailing_type == "sms" else "mail"
        # the senders' users (Customer Base) only read the traces: the policy writes them
        return (
            self.env["mailing.trace"]
            .sudo()
            .create(
                [
                    {
                        "trace_type": trace_type,
                        "trace_status": "cancel",
                        "failure_type": reason,
                        "mass_mailing_id": mailing.id,
                        "model": "res.partner",
                        "res_id": partner.id,
                        "email": partner.email_normalized or partner.email if trace_type == "mail" else False,
                        "sms_number": partner.phone_sanitized if trace_type == "sms" else False,
                    }
                    for partner, reason in partner_reasons
                ]
            )
        )
