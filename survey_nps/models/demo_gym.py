# Demo data only, kept apart from survey_survey.py: the demo file calls it.
# pylint: disable=consider-merging-classes-inherited
from datetime import datetime, timedelta

from odoo import Command, api, fields, models

from odoo.addons.loyalty_lifecycle.models.demo_gym import STAGE_RUN_HOUR, customer_ref
from odoo.addons.loyalty_lifecycle.tools import demo_gym


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    @api.model
    def _demo_gym_nps_answers(self, survey_id, reason_question_id=None, seed=demo_gym.SEED):
        """The demo gym's members answer the NPS question of ``survey_id``
        about 30 days after they joined, some with a reason
        (``reason_question_id``). Returns the answers."""
        Company = self.env["res.company"]
        gym = Company._demo_gym_find()
        if not gym:
            return self.env["survey.user_input"]
        customers = {partner.ref: partner for partner in Company._demo_gym_customers_of(gym)}
        survey = self.browse(survey_id)
        today = fields.Date.context_today(self)
        vals_list = []
        for index, score, comment, age in demo_gym.plan(seed).nps:
            moment = datetime.combine(today - timedelta(days=age), datetime.min.time()) + timedelta(
                hours=STAGE_RUN_HOUR + 8
            )
            lines = [
                Command.create({"question_id": survey.nps_question_id.id, "answer_type": "scale", "value_scale": score})
            ]
            if comment and reason_question_id:
                lines.append(
                    Command.create(
                        {"question_id": reason_question_id, "answer_type": "text_box", "value_text_box": comment}
                    )
                )
            vals_list.append(
                {
                    "survey_id": survey.id,
                    "partner_id": customers[customer_ref(index)].id,
                    "state": "done",
                    "start_datetime": moment - timedelta(minutes=2),
                    "end_datetime": moment,
                    "user_input_line_ids": lines,
                }
            )
        answers = self.env["survey.user_input"].create(vals_list)
        # The customers' last answers; the salespersons call back this week's detractors.
        week_ago = fields.Datetime.now() - timedelta(days=7)
        recent = answers.filtered(lambda a: a.end_datetime >= week_ago)
        (answers - recent)._nps_close_loop(followup=False)
        recent._nps_close_loop()
        return answers
