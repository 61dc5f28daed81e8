from odoo import models

from .survey_user_input_invitation import MAILINGS


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _nps_is_invitation(self):
        """The NPS invitation mailings go to each customer at each
        invitation and its reminder: Odoo's "already sent by this mailing"
        check, meant for one-off campaigns, does not apply to them."""
        self.ensure_one()
        return any(
            self == self.env.ref(xmlid, raise_if_not_found=False) for xmlid in MAILINGS.values()
        )

    def _get_seen_list(self):
        if self._nps_is_invitation():
            return set()
        return super()._get_seen_list()

    def _get_seen_list_sms(self):
        if self._nps_is_invitation():
            return [], []
        return super()._get_seen_list_sms()
