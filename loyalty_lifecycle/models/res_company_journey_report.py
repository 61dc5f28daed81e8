"""The company's settings of the journeys' report: how long after a message a
purchase counts as its conversion, and what a message costs."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    lc_attribution_days = fields.Integer(
        "Attribution Window (days)",
        default=14,
        help="A paid purchase on the day of a journey message or in the days after, up to this many, is a "
        "conversion of the message; for a customer of the holdout group, counted from the day they would "
        "have got it.",
    )
    lc_cost_sms_segment = fields.Monetary(
        "Cost per SMS",
        currency_field="currency_id",
        help="What one SMS segment costs (160 characters, 70 with Cyrillic); a longer text costs several.",
    )
    lc_cost_email = fields.Monetary("Cost per Email", currency_field="currency_id", help="What one email costs.")

    @api.constrains("lc_attribution_days", "lc_cost_sms_segment", "lc_cost_email")
    def _check_journey_report(self):
        for company in self:
            if company.lc_attribution_days < 1:
                raise ValidationError(_("The attribution window is at least one day."))
            if company.lc_cost_sms_segment < 0 or company.lc_cost_email < 0:
                raise ValidationError(_("The cost of a message cannot be negative."))
