"""The SMS segments of a mass SMS, kept on its trace: Odoo deletes the SMS
once sent, and a journey's report counts what each message cost."""

from odoo import fields, models


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    lc_sms_segments = fields.Integer(
        "SMS Segments",
        readonly=True,
        help="How many SMS the text took when it was sent, counted as Odoo's SMS editor counts them "
        "(160 characters, 153 per segment beyond; 70 and 67 with characters outside the GSM alphabet).",
    )
