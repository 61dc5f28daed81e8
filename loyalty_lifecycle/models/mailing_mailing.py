from odoo import _, models
from odoo.exceptions import ValidationError


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _lc_check_journey_mailing(self):
        """A journey's step (or a later sending of it) sends mailings to contacts only."""
        if any(mailing.mailing_model_real != "res.partner" for mailing in self):
            raise ValidationError(_("A journey step sends a mailing whose recipients are contacts."))

    def _lc_in_journey(self):
        """A journey's mailing goes to each customer on their day, again when
        they enter the stage again: Odoo's "already sent by this mailing"
        check, meant for one-off campaigns, does not apply to it."""
        self.ensure_one()
        return bool(
            self.env["lifecycle.journey.step"].sudo().search_count([("mailing_id", "=", self.id)], limit=1)
            or self.env["lifecycle.journey.step.occurrence"].sudo().search_count(
                [("mailing_id", "=", self.id)], limit=1
            )
        )

    def _get_seen_list(self):
        if self._lc_in_journey():
            return set()
        return super()._get_seen_list()

    def _get_seen_list_sms(self):
        if self._lc_in_journey():
            return [], []
        return super()._get_seen_list_sms()
