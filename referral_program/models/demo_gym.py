# Demo data only, kept apart from res_partner.py: the demo file calls it.
# pylint: disable=consider-merging-classes-inherited
from odoo import api, models

from odoo.addons.loyalty_lifecycle.models.demo_gym import customer_ref
from odoo.addons.loyalty_lifecycle.tools import demo_gym


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _demo_gym_referrals(self, seed=demo_gym.SEED):
        """Who brought whom in the demo gym, the way the staff records it:
        the salesperson generates the referrer's code and types it on the
        newcomer. Returns the newcomers."""
        Company = self.env["res.company"]
        gym = Company._demo_gym_find()
        if not gym:
            return self.env["res.partner"]
        plan = demo_gym.plan(seed)
        desk = Company._demo_gym_salesperson("maxim")
        customers = {partner.ref: partner for partner in Company._demo_gym_customers_of(gym)}
        Partner = self.env["res.partner"]
        newcomers = Partner
        for referrer_index, newcomer_index in plan.referrals:
            referrer = customers[customer_ref(referrer_index)]
            newcomer = customers[customer_ref(newcomer_index)]
            if newcomer.referred_by_id:
                continue
            staff = newcomer.user_id or desk
            referrer.with_user(staff).action_generate_referral_code()
            newcomer.with_user(staff).action_apply_referral_code(referrer.referral_code)
            newcomers |= newcomer
        return newcomers
