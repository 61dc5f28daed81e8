from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..tools import nps

# What the value_scale column holds (a PostgreSQL integer).
_INT4_MIN, _INT4_MAX = -(2**31), 2**31 - 1


class SurveyUserInputLine(models.Model):
    _inherit = "survey.user_input.line"

    @api.model_create_multi
    def create(self, vals_list):
        question_ids = {
            vals["question_id"]
            for vals in vals_list
            if vals.get("value_scale") not in (None, False) and isinstance(vals.get("question_id"), int)
        }
        questions = {q.id: q for q in self.env["survey.question"].browse(question_ids).exists()}
        for vals in vals_list:
            if vals.get("value_scale") not in (None, False):
                qid = vals.get("question_id")
                question = (isinstance(qid, int) and questions.get(qid)) or self.env["survey.question"]
                vals["value_scale"] = self._parse_scale_answer(question, vals["value_scale"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("value_scale") not in (None, False):
            question = self.env["survey.question"]
            if isinstance(vals.get("question_id"), int):
                question = question.browse(vals["question_id"]).exists()
            questions = question or self.question_id
            # lines of several questions: the value must suit each of them
            numbers = {self._parse_scale_answer(q, vals["value_scale"]) for q in (questions or [questions])}
            vals = dict(vals, value_scale=numbers.pop())
        return super().write(vals)

    @api.model
    def _parse_scale_answer(self, question, value):
        """The whole number a scale answer stands for, within the scale of
        ``question``; a ValidationError a person understands otherwise (Odoo
        would store 3.5 as 3 and fail on "abc" or 1e30)."""
        if question and question.question_type == "scale":
            low, high, title = question.scale_min, question.scale_max, question.title
        else:
            low, high, title = _INT4_MIN, _INT4_MAX, None
        try:
            number = nps.whole_number(value)
        except ValueError:
            number = None
        if number is None or not _INT4_MIN <= number <= _INT4_MAX:
            if title is None:
                raise ValidationError(_("A scale answer must be a whole number.")) from None
            raise ValidationError(
                _(
                    "An answer to %(question)s must be a whole number between %(min)s and %(max)s.",
                    question=title,
                    min=low,
                    max=high,
                )
            ) from None
        if not low <= number <= high:
            raise ValidationError(self._scale_range_message(title, low, high, number))
        return number

    @api.model
    def _scale_range_message(self, title, low, high, value):
        return _(
            "An answer to %(question)s must be between %(min)s and %(max)s, not %(value)s.",
            question=title,
            min=low,
            max=high,
            value=value,
        )

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
                    self._scale_range_message(question.title, question.scale_min, question.scale_max, line.value_scale)
                )
