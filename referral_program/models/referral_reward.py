from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import referral_rewards

KINDS = [("percent", "Share of the purchase"), ("bonus", "First purchase bonus")]
STATES = [
    ("held", "To Review"),
    ("paid", "Paid"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled by a Refund"),
]


class ReferralReward(models.Model):
    """What one referrer earned on one payment of a friend's purchase, at one
    level of the chain: the record that makes a payment pay each level once.

    Written by the server only, when a POS order is paid or a payment is
    registered on an invoice (``_referral_pay``); the points themselves are
    a ledger entry of origin ``referral`` on the referrer's card, linked to
    the friend's order or invoice, so that a refund takes them back.

    The rewards of a friend flagged as suspicious are held: no points until
    a manager approves them (referral_reward_review.py).
    """

    _name = "referral.reward"
    _description = "Referral Reward"
    _order = "date desc, id desc"
    _rec_name = "referrer_id"

    program_id = fields.Many2one("loyalty.program", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="program_id.company_id", store=True, index=True)
    friend_id = fields.Many2one(
        "res.partner", "Friend", required=True, index=True, ondelete="cascade", readonly=True, help="Who paid."
    )
    referrer_id = fields.Many2one(
        "res.partner", "Referrer", required=True, index=True, ondelete="cascade", readonly=True, help="Who earned."
    )
    level = fields.Integer(required=True, readonly=True, help="1: brought the friend; 2 and 3: further up the chain.")
    kind = fields.Selection(KINDS, required=True, default="percent", readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    source_model = fields.Char("Source Model", required=True, readonly=True)
    source_id = fields.Many2oneReference("Source ID", model_field="source_model", required=True, readonly=True)
    source_name = fields.Char("Purchase", compute="_compute_source_name")
    payment_ref = fields.Char(
        "Payment", required=True, readonly=True, help="What paid: the POS order, or the payment of the invoice."
    )
    base_amount = fields.Float(
        "Paid Untaxed Amount",
        digits=(16, 2),
        readonly=True,
        help="The part of the purchase this payment paid, untaxed, in the purchase's currency.",
    )
    percent = fields.Float("Rate (%)", digits=(16, 2), readonly=True)
    points = fields.Float(digits=(16, 2), readonly=True, help="Points credited to the referrer.")
    capped_points = fields.Float(
        "Points over the Cap", digits=(16, 2), readonly=True, help="Points not credited: the monthly cap was reached."
    )
    entry_id = fields.Many2one("loyalty.points.entry", "Ledger Entry", readonly=True, ondelete="set null")
    state = fields.Selection(
        STATES,
        required=True,
        default="paid",
        readonly=True,
        index=True,
        help="Paid: the points are on the referrer's card. To Review: the friend was flagged as suspicious, the "
        "points wait for a manager's approval. Rejected by a manager, or cancelled by a refund while held: no points.",
    )
    bonus_friend_id = fields.Many2one("res.partner", readonly=True, ondelete="cascade")

    _sql_constraints = [
        (
            "payment_level_unique",
            "UNIQUE(program_id, source_model, source_id, payment_ref, level, kind)",
            "A payment pays each referral level once.",
        ),
        ("bonus_unique", "UNIQUE(program_id, bonus_friend_id)", "A friend's first purchase bonus is paid once."),
    ]

    @api.depends("source_model", "source_id")
    def _compute_source_name(self):
        for reward in self:
            name = False
            if reward.source_model in self.env and reward.source_id:
                # the name of the friend's order or invoice is no secret to who reads the rewards
                record = self.env[reward.source_model].sudo().browse(reward.source_id).exists()
                name = record.display_name if record else False
            reward.source_name = name

    def write(self, vals):
        if vals:
            raise UserError(_("Referral rewards cannot be changed; adjust the referrer's points instead."))
        return super().write(vals)

    def _referral_write_bookkeeping(self, vals):
        """Write what the server keeps on these rewards (their ledger entry,
        their review, refunds of held points), past the guard of ``write``."""
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Referral rewards cannot be deleted; adjust the referrer's points instead."))

    # ------------------------------------------------------------------
    # Paying a friend's purchase
    # ------------------------------------------------------------------

    @api.model
    def _referral_pay(self, friend, source, payment_ref, base_amount, currency, company, date=None):
        """Pay the referrers of ``friend`` for a payment ``payment_ref`` of
        ``source`` (a POS order or an invoice) that paid ``base_amount``
        untaxed, in ``currency``: each level once per payment (a payment seen
        again pays nothing more), in every programme of ``company`` that pays
        referrals. The rewards of a flagged friend are held, uncapped and
        uncredited: the cap applies when a manager approves them. Returns the
        rewards created."""
        Reward = self.sudo()
        if not friend or base_amount <= 0:
            return Reward
        programs = self.env["loyalty.program"]._referral_paying_programs(company)
        chain = friend._referral_chain()
        if not programs or not chain:
            return Reward
        date = date or fields.Date.context_today(self)
        existing = Reward.search(
            [
                ("program_id", "in", programs.ids),
                ("source_model", "=", source._name),
                ("source_id", "=", source.id),
                ("payment_ref", "=", payment_ref),
            ]
        )
        done = {(r.program_id.id, r.level, r.kind) for r in existing}
        bonus_paid = set(
            Reward.search([("program_id", "in", programs.ids), ("bonus_friend_id", "=", friend.id)]).program_id.ids
        )
        if programs.filtered("referral_first_purchase_bonus") and friend._referral_has_paid_purchase(exclude=source):
            bonus_paid = set(programs.ids)  # not the friend's first paid purchase
        held = self._referral_holds(friend)
        used = self._referral_month_points(programs, chain, date)
        vals_list = []
        for program in programs:
            base = currency._convert(base_amount, program.currency_id, company, date) if currency else base_amount
            rates = {rate.level: rate.percent for rate in program.referral_rate_ids}
            for level, referrer in enumerate(chain, start=1):
                due = []
                if level in rates and (program.id, level, "percent") not in done:
                    points = referral_rewards.level_points(base, rates[level], program.referral_points_per_currency)
                    due.append(("percent", rates[level], points))
                bonus = program.referral_first_purchase_bonus
                if level == 1 and bonus > 0 and program.id not in bonus_paid and (program.id, 1, "bonus") not in done:
                    due.append(("bonus", 0.0, referral_rewards.round_points(bonus)))
                for kind, percent, points in due:
                    key = (program.id, referrer.id)
                    if held:
                        credited = points
                    else:
                        credited = referral_rewards.capped(points, program.referral_monthly_cap, used.get(key, 0.0))
                        used[key] = used.get(key, 0.0) + credited
                    vals_list.append(
                        {
                            "program_id": program.id,
                            "friend_id": friend.id,
                            "referrer_id": referrer.id,
                            "level": level,
                            "kind": kind,
                            "source_model": source._name,
                            "source_id": source.id,
                            "payment_ref": payment_ref,
                            "base_amount": base_amount,
                            "percent": percent,
                            "points": credited,
                            "capped_points": referral_rewards.round_points(points - credited),
                            "bonus_friend_id": friend.id if kind == "bonus" else False,
                            "state": "held" if held else "paid",
                        }
                    )
        if not vals_list:
            return Reward
        rewards = Reward.create(vals_list)
        # the UNIQUE constraints stop a payment that another transaction just paid
        self.env.flush_all()
        rewards.filtered(lambda reward: reward.state == "paid")._referral_credit(source)
        return rewards

    @api.model
    def _referral_holds(self, friend):
        """True when the rewards of ``friend``'s purchases wait for a
        manager: the friend (or their company) is flagged as suspicious."""
        # flags are read for whoever's purchase is paid
        return bool(
            self.env["referral.flag"]
            .sudo()
            .search_count([("partner_id", "in", (friend | friend.commercial_partner_id).ids)], limit=1)
        )

    @api.model
    def _referral_month_points(self, programs, referrers, date):
        """{(program id, referrer id): referral points credited in ``date``'s
        month (paid rewards of purchases paid that month)}."""
        start = date.replace(day=1)
        rows = self.sudo()._read_group(
            [
                ("state", "=", "paid"),
                ("program_id", "in", programs.ids),
                ("referrer_id", "in", [referrer.id for referrer in referrers]),
                ("date", ">=", datetime.combine(start, time.min)),
                ("date", "<", datetime.combine(start + relativedelta(months=1), time.min)),
            ],
            ["program_id", "referrer_id"],
            ["points:sum"],
        )
        return {(program.id, referrer.id): points for program, referrer, points in rows}

    def _referral_credit(self, source):
        """Post the points of these rewards on the referrers' cards, through
        the ledger (origin ``referral``, linked to ``source``)."""
        to_credit = self.filtered(lambda reward: reward.points > 0)
        if not to_credit:
            return
        Card = self.env["loyalty.card"].sudo()
        cards = {
            (card.program_id, card.partner_id): card
            for card in Card.search(
                [("program_id", "in", to_credit.program_id.ids), ("partner_id", "in", to_credit.referrer_id.ids)]
            )
        }
        for reward in to_credit:
            key = (reward.program_id, reward.referrer_id)
            card = cards.get(key)
            if not card:
                card = cards[key] = Card.with_context(loyalty_no_mail=True).create(
                    {"program_id": reward.program_id.id, "partner_id": reward.referrer_id.id, "points": 0}
                )
            if reward.kind == "bonus":
                reason = _("First purchase bonus: %(friend)s", friend=reward.friend_id.name)
            else:
                reason = _("Referral, level %(level)s: %(friend)s", level=reward.level, friend=reward.friend_id.name)
            entry = card._points_earn(reward.points, origin="referral", source=source, reason=reason)
            # the ledger entry is the reward's bookkeeping, not a change of it
            reward._referral_write_bookkeeping({"entry_id": entry.id})
