"""Journeys started by a promoter's NPS answer (9 or 10): the trigger
"NPS answer: promoter" of the daily journey cron
(loyalty_lifecycle/models/lifecycle_journey_participant_event.py), set-based
like the others: one ``INSERT ... SELECT`` for all its journeys, once per
customer and answer day, the answers of the last days caught up.

Other addons reuse its events: referral_program's invitation to bring a
friend includes the promoters when this addon is installed.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import nps


class LifecycleJourney(models.Model):
    _inherit = "lifecycle.journey"

    trigger = fields.Selection(
        selection_add=[("nps_promoter", "NPS answer: promoter")],
        ondelete={"nps_promoter": "cascade"},
    )


class LifecycleJourneyParticipant(models.Model):
    _inherit = "lifecycle.journey.participant"

    @api.model
    def _start_event_journeys(self, today):
        # the answers finished in this transaction count
        self.env["survey.user_input"].flush_model(["state", "nps_category", "end_datetime", "partner_id"])
        return super()._start_event_journeys(today)

    @api.model
    def _sql_events_nps_promoter(self, today):
        """A promoter's finished answer to an NPS survey, once per customer
        (the answer's company, contacts counted as their company) and day of
        the answer: the journey starts on that day."""
        return SQL(
            """
            SELECT j.id AS journey_id, p.id AS partner_id, a.end_datetime::date AS event_date,
                   a.end_datetime::date AS start_date
              FROM j
              JOIN survey_user_input a ON a.nps_category = %(promoter)s AND a.state = 'done'
                                       AND NOT COALESCE(a.test_entry, FALSE)
                                       AND a.end_datetime >= j.from_day AND a.end_datetime < %(tomorrow)s
              JOIN survey_survey s ON s.id = a.survey_id AND s.is_nps
              JOIN res_partner answered ON answered.id = a.partner_id
              JOIN res_partner p ON p.id = COALESCE(answered.commercial_partner_id, answered.id)
             WHERE %(customer)s
            """,
            promoter=nps.PROMOTER,
            tomorrow=today + timedelta(days=1),
            customer=self._sql_event_customer(),
        )
