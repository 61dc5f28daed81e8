from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import nps


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    is_nps = fields.Boolean(
        string="NPS Survey",
        help="Counts the answers to its NPS question as Net Promoter Score.",
    )
    nps_question_id = fields.Many2one(
        "survey.question",
        string="NPS Question",
        domain="[('survey_id', '=', id), ('question_type', '=', 'scale')]",
        help='The 0-10 "How likely are you to recommend us?" question.',
    )
    nps_response_count = fields.Integer("NPS Responses", compute="_compute_nps")
    nps_promoter_count = fields.Integer("Promoters", compute="_compute_nps")
    nps_passive_count = fields.Integer("Passives", compute="_compute_nps")
    nps_detractor_count = fields.Integer("Detractors", compute="_compute_nps")
    nps_score = fields.Float("NPS", compute="_compute_nps", digits=(5, 1))

    @api.constrains("is_nps", "nps_question_id")
    def _check_nps_question(self):
        for survey in self.filtered("nps_question_id"):
            question = survey.nps_question_id
            if question.survey_id != survey:
                raise ValidationError(_("The NPS question must be a question of the survey itself."))
            if (question.question_type, question.scale_min, question.scale_max) != ("scale", 0, 10):
                raise ValidationError(
                    _("The NPS question %(question)s must be a 0 to 10 scale.", question=question.title)
                )

    @api.depends("nps_question_id")
    def _compute_nps(self):
        nps_surveys = self.filtered(lambda s: s.is_nps and s.nps_question_id)
        counts = {}
        if nps_surveys:
            for survey, value, count in self.env["survey.user_input.line"]._read_group(
                [
                    ("survey_id", "in", nps_surveys.ids),
                    ("question_id", "in", nps_surveys.nps_question_id.ids),
                    ("user_input_id.state", "=", "done"),
                    ("skipped", "=", False),
                    ("value_scale", ">=", nps.MIN_SCORE),
                    ("value_scale", "<=", nps.MAX_SCORE),
                ],
                ["survey_id", "value_scale"],
                ["__count"],
            ):
                counts.setdefault(survey, {})[value] = count
        for survey in self:
            summary = nps.summarize(counts.get(survey, {}))
            survey.nps_response_count = summary.responses
            survey.nps_promoter_count = summary.promoters
            survey.nps_passive_count = summary.passives
            survey.nps_detractor_count = summary.detractors
            survey.nps_score = summary.score

    def action_view_nps_answers(self):
        self.check_access("read")
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("survey_nps.survey_user_input_action_nps")
        action["domain"] = [("survey_id", "=", self.id), ("nps_category", "!=", False)]
        return action
