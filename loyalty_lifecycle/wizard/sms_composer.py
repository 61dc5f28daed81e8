"""Count the SMS segments of each mass SMS once its body is final (opt-out
link and shortened links included) and keep them on its trace."""

from collections import defaultdict

from odoo import models

from ..tools.journey_stats import sms_segments


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    def _prepare_mass_sms(self, records, sms_record_values):
        sms_all = super()._prepare_mass_sms(records, sms_record_values)
        if self.mailing_id:
            by_count = defaultdict(list)
            for sms in sms_all:
                by_count[sms_segments(sms.body)].append(sms.id)
            traces = self.env["mailing.trace"].sudo()
            for count, sms_ids in by_count.items():
                # one write per segment count, not per SMS
                traces.search([("sms_id_int", "in", sms_ids)]).write({"lc_sms_segments": count})
        return sms_all
