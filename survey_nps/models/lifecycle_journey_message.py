from odoo import fields, models


class LifecycleJourneyMessage(models.Model):
    _inherit = "lifecycle.journey.message"

    reason = fields.Selection(
        selection_add=[("nps_detractor", "Detractor (NPS): resting from offers")],
        ondelete={"nps_detractor": "set null"},
    )
