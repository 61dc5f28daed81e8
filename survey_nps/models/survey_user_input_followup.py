"""Closing the loop of an NPS answer: the customer's last answer on their
contact, and a call-back activity for a detractor."""

from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, fields, models

from ..tools import nps

TEXT_ANSWERS = ("text_box", "char_box")


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    def _mark_done(self):
        res = super()._mark_done()
        self._nps_close_loop()
        return res

    def _nps_close_loop(self, followup=True):
        """Server code only (the survey's routes finish an answer as sudo):
        the customer's last NPS answer, and for a detractor an activity for
        the customer's salesperson (else the company's follow-up user, else
        the survey's responsible), due within the company's days."""
        answers = self.filtered(
            lambda a: a.survey_id.is_nps and a.nps_category and a.partner_id and not a.test_entry
        ).sorted(lambda a: (a.end_datetime or fields.Datetime.now(), a.id))
        for answer in answers:
            partner = answer.partner_id.sudo()
            done = answer.end_datetime or fields.Datetime.now()
            if partner.nps_last_date and partner.nps_last_date > done:
                continue  # an older answer finished late: the newer one stays
            partner.write(
                {"nps_last_score": answer.nps_score, "nps_last_category": answer.nps_category, "nps_last_date": done}
            )
            if followup and answer.nps_category == nps.DETRACTOR:
                answer._nps_schedule_followup(partner, done)

    def _nps_schedule_followup(self, partner, done):
        self.ensure_one()
        company = partner.company_id or self.env.company
        user = partner.user_id or company.nps_followup_user_id or self.survey_id.user_id
        comments = [
            line.value_text_box or line.value_char_box
            for line in self.user_input_line_ids
            if line.answer_type in TEXT_ANSWERS and not line.skipped and (line.value_text_box or line.value_char_box)
        ]
        summary = _("Detractor: %(score)s of 10 — call back", score=self.nps_score)
        note = Markup("<p>%s</p>") % _(
            "%(customer)s answered %(score)s of 10 to %(survey)s.",
            customer=partner.name,
            score=self.nps_score,
            survey=self.survey_id.title,
        )
        if comments:
            note += Markup("").join(Markup("<blockquote>%s</blockquote>") % escape(text) for text in comments)
        note += Markup("<p>%s</p>") % _("Call them back, then mark the activity done with the outcome.")
        if not user:
            partner.message_post(body=note, subject=summary)
            return
        partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self, done) + timedelta(days=company.nps_followup_days),
            summary=summary,
            note=note,
            user_id=user.id,
        )
