# Kept apart from res_partner.py (referral codes) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""What the till shows and prints about a customer's referrals: their code,
their link and the QR code of it, loaded with the customers of a POS session
(customer list, receipt). Computed by the server from the customer's code;
empty for a customer without a code, or when no programme pays referrals."""

from odoo import _, api, fields, models

from odoo.addons.loyalty_lifecycle.models.res_partner import CUSTOMER_BASE_OR_POS

POS_REFERRAL_FIELDS = ("pos_referral_code", "pos_referral_url", "pos_referral_qr_url")


class ResPartner(models.Model):
    _inherit = "res.partner"

    pos_referral_code = fields.Char(
        "Referral Code (POS)", compute="_compute_pos_referral", groups=CUSTOMER_BASE_OR_POS
    )
    pos_referral_url = fields.Char("Referral Link (POS)", compute="_compute_pos_referral", groups=CUSTOMER_BASE_OR_POS)
    pos_referral_qr_url = fields.Char(
        "Referral QR Code (POS)", compute="_compute_pos_referral", groups=CUSTOMER_BASE_OR_POS
    )

    @api.depends("referral_code")
    @api.depends_context("company")
    def _compute_pos_referral(self):
        # a cashier reads no referral field: the code is read for them, and
        # shown only while a programme of their company pays referrals
        paying = bool(self.env["loyalty.program"]._referral_paying_programs(self.env.company)) if self else False
        for partner, sudo_partner in zip(self, self.sudo(), strict=True):
            if paying and sudo_partner.referral_code:
                partner.pos_referral_code = sudo_partner.referral_code
                partner.pos_referral_url = sudo_partner.referral_url
                partner.pos_referral_qr_url = sudo_partner.referral_qr_url
            else:
                partner.pos_referral_code = partner.pos_referral_url = partner.pos_referral_qr_url = False

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | set(POS_REFERRAL_FIELDS)

    @api.model
    def _customer_base_server_fields(self):
        from_code = _("A customer's referral link is made from their referral code.")
        return dict(super()._customer_base_server_fields(), **dict.fromkeys(POS_REFERRAL_FIELDS, from_code))

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + list(POS_REFERRAL_FIELDS)
