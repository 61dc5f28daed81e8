"""The contact policy's reasons as failure types of Odoo's mailing traces: a
message the policy did not send is a cancelled trace of its mailing with
its reason (``loyalty.contact.policy._trace_not_sent``)."""

from odoo import fields, models

from .loyalty_contact_policy import REASONS


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(
        selection_add=REASONS, ondelete={code: "set null" for code, _label in REASONS}
    )
