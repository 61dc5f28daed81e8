from odoo import _, api, models
from odoo.exceptions import ValidationError


class SurveyUserInputLine(models.Model):
    _inherit = "survey.user_input.line"

    @api.constrains("value_scale", "question_id", "skipped")
    def _check_nps_value_in_scale(self):
        for line in self:
            question = line.question_id
            if line.skipped or question.question_type != "scale":
                continue
            if question.survey_id.nps_question_id != question:
                continue
            if not question.scale_min <= line.value_scale <= question.scale_max:
                raise ValidationError(
                    _(
                        "An answer to %(question)s must be between %(min)s and %(max)s, not %(value)s.",
                        question=question.title,
                        min=question.scale_min,
                        max=question.scale_max,
                        value=line.value_scale,
                    )
                )
