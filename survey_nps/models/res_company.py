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

    nps_invite_survey_id = fields.Many2one(
        "survey.survey",
        string="NPS Invitation Survey",
        domain="[('is_nps', '=', True)]",
        help="The NPS survey customers are invited to answer. Empty: the default NPS survey.",
    )
    nps_invite_after_days = fields.Integer(
        "Invite Days after the First Purchase",
        default=30,
        help="A customer is invited to the NPS survey this many days after their first paid purchase. "
        "0: no invitations.",
    )
    nps_invite_each_purchase = fields.Boolean(
        "Also Invite after Each Purchase",
        help="Besides the invitation after the first purchase, invite a customer some days after each paid "
        "purchase or POS visit, still at most once per the pause between invitations.",
    )
    nps_invite_purchase_days = fields.Integer(
        "Invite Days after Each Purchase",
        default=1,
        help="With invitations after each purchase: how many days after a paid purchase the customer is invited.",
    )
    nps_invite_every_days = fields.Integer(
        "At Most One Invitation per (days)",
        default=90,
        help="A customer gets at most one NPS invitation in this many days.",
    )
    nps_reminder_days = fields.Integer(
        "Remind after (days)",
        default=5,
        help="An invitation not answered after this many days is sent once more. 0: no reminder.",
    )

    @api.constrains(
        "nps_followup_days", "nps_detractor_quiet_days", "nps_invite_after_days", "nps_invite_every_days",
        "nps_reminder_days", "nps_invite_purchase_days",
    )
    def _check_nps_days(self):
        for company in self:
            days = (
                company.nps_followup_days,
                company.nps_detractor_quiet_days,
                company.nps_invite_after_days,
                company.nps_invite_every_days,
                company.nps_reminder_days,
                company.nps_invite_purchase_days,
            )
            if min(days) < 0:
                raise ValidationError(_("The NPS days cannot be negative."))

    def _nps_invite_survey(self):
        """The company's NPS invitation survey, else the default one."""
        self.ensure_one()
        survey = self.nps_invite_survey_id or self.env.ref("survey_nps.survey_nps_default", raise_if_not_found=False)
        return survey if survey and survey.active and survey.is_nps and survey.nps_question_id else None
