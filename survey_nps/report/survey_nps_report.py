from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.loyalty_lifecycle.models.abc_xyz_snapshot import ABC_XYZ_CLASSES

from ..models.survey_user_input import NPS_CATEGORIES


class SurveyNpsReport(models.Model):
    """One row per finished NPS answer of a known customer, and per
    invitation not answered yet, with where the customer stood when they
    answered (or were invited), as the answer keeps it
    (models/survey_user_input_context.py): the lifecycle stage, the ABC-XYZ
    class, the POS shop of their last paid POS order before; and their
    salesperson today.

    ``nps_value`` is +100 for a promoter, 0 for a passive and -100 for a
    detractor: its average over any group is that group's NPS (% promoters
    minus % detractors), so the pivot and the graph show NPS per month,
    stage, class or salesperson without a custom aggregate."""

    _name = "survey.nps.report"
    _description = "NPS Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    date = fields.Datetime("Date", readonly=True, help="When the customer answered, else when they were invited.")
    invited_on = fields.Datetime("Invited On", readonly=True)
    survey_id = fields.Many2one("survey.survey", readonly=True)
    user_input_id = fields.Many2one("survey.user_input", string="Answer", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    lifecycle_stage_id = fields.Many2one(
        "lifecycle.stage", string="Stage When Answered", readonly=True
    )
    abc_xyz_class = fields.Selection(ABC_XYZ_CLASSES, string="ABC-XYZ When Answered", readonly=True)
    pos_config_id = fields.Many2one(
        "pos.config", string="POS Shop", readonly=True, help="Where the customer last paid at the POS before answering."
    )
    answered = fields.Integer("Answers", readonly=True, aggregator="sum")
    invited = fields.Integer("Invitations", readonly=True, aggregator="sum")
    response_rate = fields.Float(
        "Response Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="The share of the invitations grouped together that were answered.",
    )
    nps_score = fields.Integer("Answer (0-10)", readonly=True, aggregator="avg")
    nps_category = fields.Selection(NPS_CATEGORIES, string="Category", readonly=True)
    nps_value = fields.Float(
        "NPS",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="% promoters minus % detractors of the answers grouped together.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                SELECT ui.id,
                       ui.id AS user_input_id,
                       CASE WHEN a.answered THEN ui.end_datetime ELSE ui.nps_invited_on END AS date,
                       ui.nps_invited_on AS invited_on,
                       ui.survey_id,
                       ui.partner_id,
                       p.company_id,
                       p.user_id,
                       ui.nps_stage_id AS lifecycle_stage_id,
                       ui.nps_abc_xyz_class AS abc_xyz_class,
                       ui.nps_pos_config_id AS pos_config_id,
                       CASE WHEN a.answered THEN ui.nps_score END AS nps_score,
                       CASE WHEN a.answered THEN ui.nps_category END AS nps_category,
                       CASE WHEN a.answered THEN
                            CASE ui.nps_category WHEN 'promoter' THEN 100.0 WHEN 'detractor' THEN -100.0 ELSE 0.0 END
                       END AS nps_value,
                       a.answered::int AS answered,
                       (ui.nps_invited_on IS NOT NULL)::int AS invited,
                       CASE WHEN ui.nps_invited_on IS NOT NULL THEN CASE WHEN a.answered THEN 100.0 ELSE 0.0 END
                       END AS response_rate
                  FROM survey_user_input ui
                  JOIN survey_survey s ON s.id = ui.survey_id AND s.is_nps
                  JOIN res_partner p ON p.id = ui.partner_id
                 CROSS JOIN LATERAL (
                       SELECT ui.state = 'done' AND ui.nps_category IS NOT NULL AS answered
                 ) a
                 WHERE (a.answered OR ui.nps_invited_on IS NOT NULL)
                   AND NOT COALESCE(ui.test_entry, FALSE)
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
