from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.loyalty_lifecycle.models.loyalty_contact_policy import SKIPPED

from ..tools import nps


class LoyaltyContactPolicy(models.AbstractModel):
    """Detractors rest: after a detractor answer, no marketing message for
    the company's pause (default 90 days). Transactional messages go."""

    _inherit = "loyalty.contact.policy"

    @api.model
    def _check(self, partners, channel, marketing=True, company=None, at=None, holdout=None):
        result = super()._check(partners, channel, marketing=marketing, company=company, at=at, holdout=holdout)
        company = company or self.env.company
        days = company.nps_detractor_quiet_days
        if not marketing or days <= 0:
            return result
        since = (at or fields.Datetime.now()) - timedelta(days=days)
        resting = partners.sudo().filtered(
            lambda p: p.nps_last_category == nps.DETRACTOR and p.nps_last_date and p.nps_last_date >= since
        )
        for partner in resting:
            if partner.id in result and result[partner.id][0] != SKIPPED:
                result[partner.id] = (SKIPPED, "nps_detractor", False)
        return result
