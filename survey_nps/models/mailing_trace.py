"""The detractors' rest as a failure type of Odoo's mailing traces: a
message the contact policy held back for it is a cancelled trace with this
reason, as the policy's own reasons are."""

from odoo import fields, models


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(
        selection_add=[("nps_detractor", "Detractor (NPS): resting from offers")],
        ondelete={"nps_detractor": "set null"},
    )
