from odoo import _, models

from ..tools import nps


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    def _validate_scale(self, answer):
        """What a browser sends for a scale question must be one of its whole
        numbers: "3.5", "abc", -1, 11 or 1e30 get the survey's own validation
        message under the question instead of a server error."""
        errors = super()._validate_scale(answer)
        if errors or answer in (None, False, ""):
            return errors
        try:
            number = nps.whole_number(answer)
        except ValueError:
            number = None
        if number is None or not self.scale_min <= number <= self.scale_max:
            return {
                self.id: _(
                    "Choose a whole number from %(min)s to %(max)s.",
                    min=self.scale_min,
                    max=self.scale_max,
                )
            }
        return {}
