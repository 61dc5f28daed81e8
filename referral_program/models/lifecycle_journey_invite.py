"""The invitation to bring a friend (seed 000, "make a gift to someone you
love"): a journey trigger of the daily journey cron
(loyalty_lifecycle/models/lifecycle_journey_participant_event.py) that
starts the journey for the customers who would recommend us, with their
consent, at most once per ``referral_invite_days``:

- the A-class customers of the journey's company (ABC-XYZ), on the day;
- the promoters, when survey_nps is installed: the events of its trigger
  "NPS answer: promoter" (``_sql_events_nps_promoter``), read through the
  trigger's selection at run time, so the outcome does not depend on which
  addon was installed first and survey_nps does not depend on this one.

Set-based like the other triggers: one ``INSERT ... SELECT``; a rerun, the
next day or another audience within the days start nothing twice. The
customers invited get a referral code for their link (``referral_url``).
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

PROMOTER_TRIGGER = "nps_promoter"


class LifecycleJourney(models.Model):
    _inherit = "lifecycle.journey"

    trigger = fields.Selection(
        selection_add=[("referral_invite", "Invitation to bring a friend")],
        ondelete={"referral_invite": "cascade"},
    )
    referral_invite_days = fields.Integer(
        "Invite Again After (days)",
        default=90,
        help="A customer invited to bring a friend is not invited again by this journey before these days "
        "have passed, whatever made them eligible again (still A-class, a new promoter answer).",
    )

    @api.constrains("trigger", "referral_invite_days")
    def _check_referral_invite_days(self):
        for journey in self.filtered(lambda j: j.trigger == "referral_invite"):
            if not 1 <= journey.referral_invite_days <= 3660:
                raise ValidationError(_("A customer is invited again after 1 to 3660 days."))


class LifecycleJourneyParticipant(models.Model):
    _inherit = "lifecycle.journey.participant"

    @api.model
    def _start_event_journeys(self, today):
        started = super()._start_event_journeys(today)
        invited = started.filtered(lambda p: p.journey_id.trigger == "referral_invite" and not p.holdout)
        # their link is the message: whoever is invited has a code
        invited.partner_id.sudo()._referral_assign_codes()
        return started

    @api.model
    def _referral_invite_with_promoters(self):
        """True when an addon (survey_nps) starts journeys on a promoter's
        NPS answer: the invitation then includes its events."""
        selection = self.env["lifecycle.journey"]._fields["trigger"].selection
        return PROMOTER_TRIGGER in dict(selection)

    @api.model
    def _sql_referral_invite_audiences(self, today):
        """The customers the invitation is for, one query each, with the
        columns of an event (journey, customer, event day, start day)."""
        audiences = [
            SQL(
                """
                SELECT j.id AS journey_id, p.id AS partner_id, %(today)s::date AS event_date,
                       %(today)s::date AS start_date
                  FROM j
                  JOIN res_partner p ON p.abc_class ->> j.company_id::text = 'A'
                 WHERE %(customer)s
                """,
                today=today,
                customer=self._sql_event_customer(),
            )
        ]
        if self._referral_invite_with_promoters():
            audiences.append(getattr(self, f"_sql_events_{PROMOTER_TRIGGER}")(today))
        return audiences

    @api.model
    def _sql_events_referral_invite(self, today):
        """One invitation per customer with consent among the audiences,
        none for a customer the journey started within its days (holdout
        and stopped ones included); it starts today, whatever day the event
        (a promoter's answer caught up) was."""
        return SQL(
            """
            SELECT DISTINCT ON (a.journey_id, a.partner_id)
                   a.journey_id, a.partner_id, a.event_date, %(today)s::date AS start_date
              FROM (%(audiences)s) a
              JOIN lifecycle_journey lj ON lj.id = a.journey_id
              JOIN res_partner p ON p.id = a.partner_id
             WHERE p.marketing_consent
               AND NOT EXISTS (
                   SELECT 1 FROM lifecycle_journey_participant started
                    WHERE started.journey_id = a.journey_id AND started.partner_id = a.partner_id
                      AND started.start_date > %(since)s
               )
             ORDER BY a.journey_id, a.partner_id, a.event_date DESC
            """,
            today=today,
            since=SQL("%s::date - lj.referral_invite_days", today),
            audiences=SQL(" UNION ALL ").join(self._sql_referral_invite_audiences(today)),
        )
