"""A journey's email batch goes to Odoo's mail queue inside the journey
cron's transaction. Email Marketing's own sending commits partway and sends
at once through SMTP when a batch is small (``mail.mail.force.send.limit``):
in the cron, a commit in the middle of a batch would let a crash leave
messages marked as not sent whose emails were already queued or sent, and
release the batch's lock to another worker. The journeys' sending
(lifecycle_journey_message.py) sets ``lc_journey_queue``: the batch is
queued and committed with the messages' rows, all or nothing. The key only
ever makes a sending more careful, whoever sets it."""

from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        if self.env.context.get("lc_journey_queue"):
            self.force_send = False
            auto_commit = False
        return super()._action_send_mail(auto_commit=auto_commit)
