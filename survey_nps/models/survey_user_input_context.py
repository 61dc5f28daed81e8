"""Where a customer stood when they answered an NPS survey (or, until they
answer, when they were invited): their lifecycle stage (the stage history),
their ABC-XYZ class (the latest segmentation before) and the POS shop of
their last paid POS order before.

Kept on the answer, written when its state, end or invitation changes, so
that *NPS Analysis* (report/survey_nps_report.py) reads three columns instead
of looking up three histories for every answer of every report: the figures
of 100,000 answers group in a fraction of a second. Later moves of the
customer change nothing here, as intended. Computed by one statement per
batch of answers.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.loyalty_lifecycle.models.abc_xyz_snapshot import ABC_XYZ_CLASSES


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    nps_stage_id = fields.Many2one(
        "lifecycle.stage",
        "Stage When Answered",
        compute="_compute_nps_context",
        store=True,
        help="The customer's lifecycle stage when they answered the NPS survey (or were invited to).",
    )
    nps_abc_xyz_class = fields.Selection(
        ABC_XYZ_CLASSES,
        "ABC-XYZ When Answered",
        compute="_compute_nps_context",
        store=True,
        help="The customer's class in the latest ABC-XYZ run before they answered.",
    )
    nps_pos_config_id = fields.Many2one(
        "pos.config",
        "POS Shop",
        compute="_compute_nps_context",
        store=True,
        help="Where the customer last paid at the POS before answering.",
    )

    @api.depends("state", "end_datetime", "nps_invited_on", "partner_id", "survey_id.is_nps")
    def _compute_nps_context(self):
        moments = {}
        for user_input in self:
            moment = user_input.end_datetime if user_input.state == "done" else user_input.nps_invited_on
            if user_input.survey_id.is_nps and user_input.partner_id and moment and user_input.id:
                moments[user_input.id] = (user_input.partner_id.id, moment)
        found = {}
        if moments:
            for model in ("lifecycle.stage.history", "abc.xyz.snapshot", "pos.order"):
                self.env[model].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT a.id, stage.to_stage_id, snapshot.abc_xyz_class, shop.config_id
                      FROM (VALUES %(rows)s) AS a (id, partner_id, moment)
                      LEFT JOIN LATERAL (
                            SELECT h.to_stage_id FROM lifecycle_stage_history h
                             WHERE h.partner_id = a.partner_id AND h.date <= a.moment
                             ORDER BY h.date DESC, h.id DESC LIMIT 1
                      ) stage ON TRUE
                      LEFT JOIN LATERAL (
                            SELECT sn.abc_xyz_class FROM abc_xyz_snapshot sn
                             WHERE sn.partner_id = a.partner_id AND sn.date <= a.moment::date
                             ORDER BY sn.date DESC, sn.id DESC LIMIT 1
                      ) snapshot ON TRUE
                      LEFT JOIN LATERAL (
                            SELECT o.config_id FROM pos_order o
                             WHERE o.partner_id = a.partner_id AND o.state IN ('paid', 'done', 'invoiced')
                               AND o.date_order <= a.moment
                             ORDER BY o.date_order DESC, o.id DESC LIMIT 1
                      ) shop ON TRUE
                    """,
                    rows=SQL(", ").join(
                        SQL("(%s, %s, %s::timestamp)", key, partner_id, moment)
                        for key, (partner_id, moment) in moments.items()
                    ),
                )
            )
            found = {key: values for key, *values in self.env.cr.fetchall()}
        Stage, Config = self.env["lifecycle.stage"], self.env["pos.config"]
        for user_input in self:
            stage_id, abc_xyz_class, config_id = found.get(user_input.id, (False, False, False))
            user_input.nps_stage_id = Stage.browse(stage_id)
            user_input.nps_abc_xyz_class = abc_xyz_class
            user_input.nps_pos_config_id = Config.browse(config_id)
