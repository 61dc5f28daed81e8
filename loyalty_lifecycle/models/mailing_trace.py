"""What the Customer Base adds to Odoo's mailing traces: the contact
policy's reasons as failure types (a message the policy did not send is a
cancelled trace of its mailing with its reason,
``loyalty.contact.policy._trace_not_sent``), and the SMS segments of a mass
SMS, kept on its trace (Odoo deletes the SMS once sent, and a journey's
report counts what each message cost)."""

from odoo import fields, models

from .loyalty_contact_policy import REASONS


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(
        selection_add=REASONS, ondelete={code: "set null" for code, _label in REASONS}
    )
    lc_sms_segments = fields.Integer(
        "SMS Segments",
        readonly=True,
        help="How many SMS the text took when it was sent, counted as Odoo's SMS editor counts them "
        "(160 characters, 153 per segment beyond; 70 and 67 with characters outside the GSM alphabet).",
    )
