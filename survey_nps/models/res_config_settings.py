from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    nps_followup_user_id = fields.Many2one(related="company_id.nps_followup_user_id", readonly=False)
    nps_followup_days = fields.Integer(related="company_id.nps_followup_days", readonly=False)
    nps_detractor_quiet_days = fields.Integer(related="company_id.nps_detractor_quiet_days", readonly=False)
    nps_invite_survey_id = fields.Many2one(related="company_id.nps_invite_survey_id", readonly=False)
    nps_invite_after_days = fields.Integer(related="company_id.nps_invite_after_days", readonly=False)
    nps_invite_each_purchase = fields.Boolean(related="company_id.nps_invite_each_purchase", readonly=False)
    nps_invite_purchase_days = fields.Integer(related="company_id.nps_invite_purchase_days", readonly=False)
    nps_invite_every_days = fields.Integer(related="company_id.nps_invite_every_days", readonly=False)
    nps_reminder_days = fields.Integer(related="company_id.nps_reminder_days", readonly=False)
