from odoo import api, fields, models

from ..tools import nps

NPS_CATEGORIES = [
    (nps.PROMOTER, "Promoter"),
    (nps.PASSIVE, "Passive"),
    (nps.DETRACTOR, "Detractor"),
]


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    nps_score = fields.Integer(
        "NPS Answer",
        compute="_compute_nps_score",
        store=True,
        aggregator="avg",
        help="The 0-10 answer to the NPS question; empty when not answered.",
    )
    nps_category = fields.Selection(NPS_CATEGORIES, compute="_compute_nps_score", store=True)

    @api.depends(
        "survey_id.nps_question_id",
        "user_input_line_ids.value_scale",
        "user_input_line_ids.skipped",
    )
    def _compute_nps_score(self):
        for user_input in self:
            question = user_input.survey_id.nps_question_id
            line = user_input.user_input_line_ids.filtered(
                lambda ln, q=question: q and ln.question_id == q and not ln.skipped
            )[:1]
            # Out-of-scale values are refused by a constraint on the line;
            # the compute stays quiet about them so that it never blocks a flush.
            if line and nps.MIN_SCORE <= line.value_scale <= nps.MAX_SCORE:
                user_input.nps_score = line.value_scale
                user_input.nps_category = nps.category(line.value_scale)
            else:
                user_input.nps_score = False
                user_input.nps_category = False
