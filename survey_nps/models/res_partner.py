from odoo import _, api, fields, models

from odoo.addons.loyalty_lifecycle.models.res_partner import CUSTOMER_BASE_OR_POS, CUSTOMER_BASE_USER

from .survey_user_input import NPS_CATEGORIES


class ResPartner(models.Model):
    """The customer's latest NPS answer: what they said last, and when.
    Written by the server when an answer is finished
    (survey_user_input_followup.py), never by a user."""

    _inherit = "res.partner"

    nps_last_score = fields.Integer(
        "Last NPS Answer",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,
        help="The customer's latest 0-10 answer to an NPS survey.",
    )
    nps_last_category = fields.Selection(
        NPS_CATEGORIES,
        string="Last NPS Category",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=CUSTOMER_BASE_OR_POS,
    )
    nps_last_date = fields.Datetime(
        "Last NPS Answer On",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,
    )

    nps_invitation_url = fields.Char(
        "NPS Invitation Link",
        compute="_compute_nps_invitation_url",
        groups=CUSTOMER_BASE_USER,
        help="The personal link of the customer's latest unanswered NPS invitation: the placeholder of the "
        "invitation mailings.",
    )

    def _compute_nps_invitation_url(self):
        ids = [partner_id for partner_id in self._origin.ids if partner_id]
        latest = {}
        if ids:
            invitations = self.env["survey.user_input"].sudo().search(
                [("partner_id", "in", ids), ("nps_invited_on", "!=", False), ("state", "!=", "done")],
                order="nps_invited_on desc, id desc",
            )
            for invitation in invitations:
                latest.setdefault(invitation.partner_id.id, invitation)
        for partner in self:
            invitation = latest.get(partner._origin.id)
            partner.nps_invitation_url = invitation._nps_url() if invitation else False

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {
            "nps_last_score",
            "nps_last_category",
            "nps_last_date",
            "nps_invitation_url",
        }

    @api.model
    def _customer_base_server_fields(self):
        why = _("A customer's last NPS answer is set when they finish an NPS survey.")
        return dict(
            super()._customer_base_server_fields(),
            nps_last_score=why,
            nps_last_category=why,
            nps_last_date=why,
        )
