from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    abc_window_months = fields.Integer(
        "Analysis Window (months)", default=12, help="ABC-XYZ looks at the purchases of the last N whole months."
    )
    abc_a_threshold = fields.Float(
        "A up to (%)", default=80.0, help="Customers who together make this share of revenue, largest first, are A."
    )
    abc_b_threshold = fields.Float("B up to (%)", default=95.0, help="The next customers, up to this share, are B.")
    xyz_bucket = fields.Selection(
        [("week", "Week"), ("month", "Month"), ("quarter", "Quarter")],
        "Regularity Period",
        default="month",
        required=True,
        help="XYZ compares the revenue of each period of this length.",
    )
    xyz_x_threshold = fields.Float(
        "X up to (%)", default=10.0, help="Coefficient of variation of revenue per period up to which a customer is X."
    )
    xyz_y_threshold = fields.Float("Y up to (%)", default=25.0, help="Up to this, Y; above, Z.")
    xyz_min_buckets = fields.Integer(
        "Periods Before XYZ",
        default=3,
        help="Customers with fewer periods since their first purchase get no XYZ class and are marked new.",
    )
    lifecycle_manual_hold_days = fields.Integer(
        "Manual Stage Held For (days)",
        default=30,
        help="After a customer is moved to a stage by hand, the stage rules leave them there for this many "
        "days, or until their next purchase. 0: the rules may move them at their next run.",
    )

    # Contact policy (models/loyalty_contact_policy.py)
    lc_cap_email_30d = fields.Integer(
        "Marketing Emails per 30 Days", default=4, help="At most this many marketing emails to a customer in 30 days."
    )
    lc_cap_sms_30d = fields.Integer(
        "Marketing SMS per 30 Days", default=4, help="At most this many marketing SMS to a customer in 30 days."
    )
    lc_cap_sms_day = fields.Integer("Marketing SMS per Day", default=1, help="At most this many marketing SMS a day.")
    lc_quiet_hours_start = fields.Float(
        "Quiet Hours From", default=21.0, help="No SMS from this hour (company time zone); they go in the morning."
    )
    lc_quiet_hours_end = fields.Float("Quiet Hours Until", default=9.0, help="SMS due in the quiet hours go at this hour.")

    @api.constrains("lc_cap_email_30d", "lc_cap_sms_30d", "lc_cap_sms_day", "lc_quiet_hours_start", "lc_quiet_hours_end")
    def _check_contact_policy(self):
        for company in self:
            if min(company.lc_cap_email_30d, company.lc_cap_sms_30d, company.lc_cap_sms_day) < 0:
                raise ValidationError(_("The contact caps cannot be negative."))
            if not (0 <= company.lc_quiet_hours_start < 24 and 0 <= company.lc_quiet_hours_end < 24):
                raise ValidationError(_("Quiet hours are hours of the day, from 0 to 24."))

    @api.constrains(
        "abc_window_months",
        "abc_a_threshold",
        "abc_b_threshold",
        "xyz_x_threshold",
        "xyz_y_threshold",
        "xyz_min_buckets",
    )
    def _check_abc_xyz_settings(self):
        for company in self:
            if company.abc_window_months < 1:
                raise ValidationError(_("The ABC-XYZ analysis window is at least one month."))
            if not 0 < company.abc_a_threshold <= company.abc_b_threshold <= 100:
                raise ValidationError(_("ABC thresholds must satisfy 0 < A <= B <= 100%."))
            if not 0 <= company.xyz_x_threshold <= company.xyz_y_threshold:
                raise ValidationError(_("XYZ thresholds must satisfy 0 <= X <= Y."))
            if company.xyz_min_buckets < 2:
                raise ValidationError(_("XYZ needs at least two periods of history."))

    @api.constrains("lifecycle_manual_hold_days")
    def _check_lifecycle_manual_hold_days(self):
        if any(company.lifecycle_manual_hold_days < 0 for company in self):
            raise ValidationError(_("The days a stage set by hand is held cannot be negative."))
