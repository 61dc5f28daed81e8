from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    abc_window_months = fields.Integer(related="company_id.abc_window_months", readonly=False)
    abc_a_threshold = fields.Float(related="company_id.abc_a_threshold", readonly=False)
    abc_b_threshold = fields.Float(related="company_id.abc_b_threshold", readonly=False)
    xyz_bucket = fields.Selection(related="company_id.xyz_bucket", readonly=False)
    xyz_x_threshold = fields.Float(related="company_id.xyz_x_threshold", readonly=False)
    xyz_y_threshold = fields.Float(related="company_id.xyz_y_threshold", readonly=False)
    xyz_min_buckets = fields.Integer(related="company_id.xyz_min_buckets", readonly=False)
    lifecycle_manual_hold_days = fields.Integer(related="company_id.lifecycle_manual_hold_days", readonly=False)
    lc_cap_email_30d = fields.Integer(related="company_id.lc_cap_email_30d", readonly=False)
    lc_cap_sms_30d = fields.Integer(related="company_id.lc_cap_sms_30d", readonly=False)
    lc_cap_sms_day = fields.Integer(related="company_id.lc_cap_sms_day", readonly=False)
    lc_quiet_hours_start = fields.Float(related="company_id.lc_quiet_hours_start", readonly=False)
    lc_quiet_hours_end = fields.Float(related="company_id.lc_quiet_hours_end", readonly=False)
