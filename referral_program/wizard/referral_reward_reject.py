from odoo import api, fields, models


class ReferralRewardReject(models.TransientModel):
    """Reject held referral rewards, with the reason a manager gives: no
    points are credited, the reason is kept on each reward and logged on the
    friend."""

    _name = "referral.reward.reject"
    _description = "Reject Held Referral Rewards"

    reward_ids = fields.Many2many("referral.reward", string="Rewards", readonly=True)
    reward_count = fields.Integer("Rewards to Reject", compute="_compute_reward_count")
    reason = fields.Text(required=True, help="Why these rewards are not paid; kept on the rewards.")

    @api.depends("reward_ids")
    def _compute_reward_count(self):
        for wizard in self:
            wizard.reward_count = len(wizard.reward_ids)

    def action_confirm(self):
        self.ensure_one()
        self.reward_ids._referral_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
