"""The journeys' report settings of the company, in Settings > Customer Base."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lc_attribution_days = fields.Integer(related="company_id.lc_attribution_days", readonly=False)
    lc_cost_sms_segment = fields.Monetary(related="company_id.lc_cost_sms_segment", readonly=False)
    lc_cost_email = fields.Monetary(related="company_id.lc_cost_email", readonly=False)
