# Demo data only, kept apart from res_partner.py: the demo file calls it.
# pylint: disable=consider-merging-classes-inherited
from odoo import api, models

from odoo.addons.loyalty_lifecycle.models.demo_gym import GYM_XMLID, customer_xmlid
from odoo.addons.loyalty_lifecycle.tools import demo_gym


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _demo_gym_referrals(self, seed=demo_gym.SEED):
        """Who brought whom in the demo gym, the way the staff records it:
        the salesperson generates the referrer's code and types it on the
        newcomer. Returns the newcomers."""
        if not self.env.ref(GYM_XMLID, raise_if_not_found=False):
            return self.env["res.partner"]
        plan = demo_gym.plan(seed)
        desk = self.env.ref("loyalty_lifecycle.res_users_maxim_demo")
        Partner = self.env["res.partner"]
        newcomers = Partner
        for referrer_index, newcomer_index in plan.referrals:
            referrer = self.env.ref(customer_xmlid(referrer_index))
            newcomer = self.env.ref(customer_xmlid(newcomer_index))
            staff = newcomer.user_id or desk
            referrer.with_user(staff).action_generate_referral_code()
            newcomer.with_user(staff).action_apply_referral_code(referrer.referral_code)
            newcomers |= newcomer
        return newcomers
