from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    nps_followup_user_id = fields.Many2one(
        "res.users",
        string="Detractor Follow-up By",
        help="Who calls back a detractor whose customer has no salesperson.",
    )
    nps_followup_days = fields.Integer(
        "Detractor Call Back Within (days)",
        default=2,
        help="The follow-up activity of a detractor's answer is due this many days after it.",
    )
    nps_detractor_quiet_days = fields.Integer(
        "No Offers to Detractors for (days)",
        default=90,
        help="After a detractor answer, the customer gets no marketing message for this many days; "
        "transactional messages still go. 0: no pause.",
    )

    @api.constrains("nps_followup_days", "nps_detractor_quiet_days")
    def _check_nps_days(self):
        for company in self:
            if company.nps_followup_days < 0 or company.nps_detractor_quiet_days < 0:
                raise ValidationError(_("The NPS follow-up and pause days cannot be negative."))
