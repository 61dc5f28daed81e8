# Kept apart from res_partner.py (the fields) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""The customer's last NPS answer at the till: loaded with the customers of a
POS session and shown in the customer list (score, category, date)."""

from odoo import api, models

POS_NPS_FIELDS = ["nps_last_score", "nps_last_category", "nps_last_date"]


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + POS_NPS_FIELDS
