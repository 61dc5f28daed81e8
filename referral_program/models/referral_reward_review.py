# Kept apart from referral_reward.py (paying a purchase) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""The review of held referral rewards: the rewards of a friend flagged as
suspicious (referral_flag.py) wait, without points, until a Customer Base
manager approves them (the points are then credited through the ledger as
any reward's, once, under the monthly cap of the purchase's month) or
rejects them with a reason (nothing is credited). A refund of the purchase
while its rewards are held reduces or cancels what is held."""

from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import referral_rewards
from .res_partner import CUSTOMER_BASE_MANAGER


class ReferralReward(models.Model):
    _inherit = "referral.reward"

    refunded_points = fields.Float(
        "Points Cancelled by Refunds",
        digits=(16, 2),
        readonly=True,
        help="Held points that refunds of the purchase cancelled before the review: never credited.",
    )
    flag_reasons = fields.Text("Reasons", compute="_compute_flag_reasons")
    reviewer_id = fields.Many2one("res.users", "Reviewed By", readonly=True, ondelete="set null")
    review_date = fields.Datetime("Reviewed On", readonly=True)
    reject_reason = fields.Text("Reason for Rejection", readonly=True)

    @api.depends("friend_id")
    def _compute_flag_reasons(self):
        # the reasons are what the reviewer decides on
        # (cleared flags too: they are why the rewards were held)
        flags = (
            self.env["referral.flag"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", self.friend_id.ids)])
        )
        reasons = defaultdict(list)
        for flag in flags:
            reasons[flag.partner_id.id].append(flag.name)
        for reward in self:
            reward.flag_reasons = "\n".join(reasons.get(reward.friend_id.id, [])) or False

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------
    def _referral_check_reviewer(self):
        if not self.env.user.has_group(CUSTOMER_BASE_MANAGER):
            raise AccessError(_("Only a Customer Base manager approves or rejects held referral rewards."))
        self.check_access("read")

    def _referral_lock_held(self):
        """The rewards of ``self`` still held, their rows locked until the end
        of the transaction: a second click, or another manager reviewing the
        same rewards at once, waits here and then finds them reviewed."""
        if not self:
            return self
        self.flush_recordset(["state"])
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM referral_reward WHERE id IN %s AND state = 'held' ORDER BY id FOR UPDATE",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["state", "points", "refunded_points"])
        return self.browse([row[0] for row in rows])

    def action_approve(self):
        """Credit the held points of these rewards to the referrers, as the
        purchase would have: through the ledger, origin referral, linked to
        the friend's order or invoice, under the programme's monthly cap of
        the purchase's month. Rewards already reviewed change nothing."""
        self._referral_check_reviewer()
        # rewards are written by the server only; the manager's right was checked above
        rewards = self.sudo()._referral_lock_held().sorted(lambda r: (r.date, r.id))
        if not rewards:
            return True
        now = fields.Datetime.now()
        used = {}
        for month, group in rewards.grouped(lambda r: r.date.date().replace(day=1)).items():
            for (program_id, referrer_id), points in self._referral_month_points(
                group.program_id, group.referrer_id, month
            ).items():
                used[(program_id, referrer_id, month)] = points
        for reward in rewards:
            due = referral_rewards.round_points(max(reward.points - reward.refunded_points, 0.0))
            key = (reward.program_id.id, reward.referrer_id.id, reward.date.date().replace(day=1))
            credited = referral_rewards.capped(due, reward.program_id.referral_monthly_cap, used.get(key, 0.0))
            used[key] = used.get(key, 0.0) + credited
            reward._referral_write_bookkeeping(
                {
                    "state": "paid",
                    "points": credited,
                    "capped_points": referral_rewards.round_points(due - credited),
                    "reviewer_id": self.env.uid,
                    "review_date": now,
                }
            )
        for (model, res_id), group in rewards.grouped(lambda r: (r.source_model, r.source_id)).items():
            group._referral_credit(self.env[model].browse(res_id))
        self._referral_log_review(rewards)
        return True

    def _referral_reject(self, reason):
        """Reject these held rewards with ``reason``: nothing is credited."""
        self._referral_check_reviewer()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Give the reason why the referral rewards are rejected."))
        rewards = self.sudo()._referral_lock_held()
        if not rewards:
            return True
        rewards._referral_write_bookkeeping(
            {
                "state": "rejected",
                "reject_reason": reason,
                "reviewer_id": self.env.uid,
                "review_date": fields.Datetime.now(),
            }
        )
        self._referral_log_review(rewards, reason=reason)
        return True

    def action_open_reject(self):
        self._referral_check_reviewer()
        return {
            "type": "ir.actions.act_window",
            "name": _("Reject Referral Rewards"),
            "res_model": "referral.reward.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_reward_ids": self.ids},
        }

    @api.model
    def _referral_log_review(self, rewards, reason=None):
        """One note per friend: which held rewards a manager approved, or
        rejected with ``reason``."""
        for friend, group in rewards.grouped("friend_id").items():
            paid = ", ".join(
                _("%(points)s points to %(referrer)s", points=r.points, referrer=r.referrer_id.name) for r in group
            )
            if reason:
                body = _(
                    "Held referral rewards rejected by %(user)s (%(reason)s): %(rewards)s",
                    user=self.env.user.name,
                    reason=reason,
                    rewards=paid,
                )
            else:
                body = _(
                    "Held referral rewards approved by %(user)s: %(rewards)s", user=self.env.user.name, rewards=paid
                )
            friend.sudo()._message_log(body=Markup("<p>%s</p>") % body)

    # ------------------------------------------------------------------
    # Refunds of a purchase whose rewards are held
    # ------------------------------------------------------------------
    @api.model
    def _referral_reduce_held(self, source, refunded_share):
        """The purchase ``source`` is refunded by ``refunded_share`` (0 to 1)
        in all: the held rewards it earned keep only the rest (cancelled when
        nothing is left). Computed from the whole refunded share, so that a
        refund seen again cancels nothing more."""
        held = self.sudo().search(
            [("source_model", "=", source._name), ("source_id", "=", source.id), ("state", "=", "held")]
        )
        share = min(max(refunded_share, 0.0), 1.0)
        for reward in held:
            cancelled = referral_rewards.round_points(reward.points * share)
            vals = {"refunded_points": cancelled}
            if cancelled >= reward.points:
                vals["state"] = "cancelled"
            # a refund's bookkeeping of held points, not a change of what was earned
            reward._referral_write_bookkeeping(vals)
        return held
