from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

MANAGER_GROUP = "loyalty_lifecycle.loyalty_lifecycle_group_manager"
DEFAULT_MAX_POINTS_PER_ENTRY = 1_000_000_000


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    points_ledger = fields.Boolean(
        default=True,
        help="Loyalty programmes: keep every card's points as dated lots (expiry, pending period, refunds).",
    )
    points_validity_months = fields.Integer(
        "Points Validity (months)", default=12, help="Earned points expire after this many months; 0: never."
    )
    points_pending_days = fields.Integer(
        "Pending Period (days)",
        default=0,
        help="Points earned by a purchase become spendable this many days later (e.g. after the refund window).",
    )
    points_refund_policy = fields.Selection(
        [("negative", "Allow a negative balance"), ("block", "Block the reversal and flag it")],
        "When Refunded Points Were Spent",
        default="block",
        required=True,
        help="A refund takes back the points its purchase earned. If some were already spent: either the "
        "balance goes negative (the next earnings pay it back), or the refund keeps them and the entry is "
        "flagged for review.",
    )
    points_expiry_warning_days = fields.Integer(
        "Warn Before Expiry (days)",
        default=30,
        help="Email the customer this many days before points expire; 0: no warning. When the company has an "
        "active journey started by points about to expire, the journey warns instead.",
    )
    points_expiry_mail_template_id = fields.Many2one(
        "mail.template",
        "Expiry Warning Email",
        domain=[("model", "=", "loyalty.card")],
        default=lambda self: self.env.ref("loyalty_lifecycle.mail_template_points_expiry", raise_if_not_found=False),
    )
    points_tier_ids = fields.One2many("loyalty.points.tier", "program_id", "Tiers", copy=True)
    points_earn_on_invoice = fields.Boolean(
        "Earn on Paid Invoices",
        help="Customer invoices earn points by this programme's rules when they are paid (POS orders always do).",
    )
    points_max_per_entry = fields.Float(
        "Most Points per Entry",
        default=DEFAULT_MAX_POINTS_PER_ENTRY,
        digits=(16, 2),
        required=True,
        help="No earning, spending or adjustment may move more points than this at once: a typing error "
        "(an extra row of zeros) is refused instead of booked.",
    )
    uses_points_ledger = fields.Boolean(compute="_compute_uses_points_ledger")
    points_has_tiers = fields.Boolean(
        "Has Tiers",
        compute="_compute_points_has_tiers",
        help="Purchases earn the points of the rules times the multiplier of the customer's tier.",
    )

    _sql_constraints = [
        ("points_validity_positive", "CHECK(points_validity_months >= 0)", "The points validity cannot be negative."),
        ("points_pending_positive", "CHECK(points_pending_days >= 0)", "The pending period cannot be negative."),
        (
            "points_warning_positive",
            "CHECK(points_expiry_warning_days >= 0)",
            "The expiry warning delay cannot be negative.",
        ),
        (
            "points_max_per_entry_positive",
            f"CHECK(points_max_per_entry > 0 AND points_max_per_entry <= {DEFAULT_MAX_POINTS_PER_ENTRY * 1000})",
            "The most points per entry must be positive and at most a trillion.",
        ),
    ]

    @api.depends("program_type", "points_ledger")
    def _compute_uses_points_ledger(self):
        for program in self:
            program.uses_points_ledger = program.program_type == "loyalty" and program.points_ledger

    @api.depends("points_tier_ids", "uses_points_ledger")
    def _compute_points_has_tiers(self):
        for program in self:
            program.points_has_tiers = bool(program.points_tier_ids) and program.uses_points_ledger

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + ["points_has_tiers"]

    @api.constrains("points_ledger", "program_type", "points_tier_ids")
    def _check_points_tiers(self):
        for program in self:
            if program.points_tier_ids and not program.uses_points_ledger:
                raise ValidationError(_("Tiers need a loyalty programme with the points ledger."))

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------

    def _points_tier_spend(self, partners, date=None, exclude=None):
        """{commercial partner id: spend over the rolling 12 months} from the
        purchase facts (paid POS orders, posted invoices, net of refunds), in
        the programme's company, or every company when it has none.
        ``exclude``: a POS order or an invoice whose own purchase is left out
        (the spend before it)."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        domain = [
            ("partner_id", "in", partners.commercial_partner_id.ids),
            ("date", ">", date - relativedelta(months=12)),
            ("date", "<=", date),
        ]
        if exclude and exclude._name == "pos.order":
            domain.append(("pos_order_id", "!=", exclude.id))
            if exclude.account_move:
                domain.append(("move_id", "!=", exclude.account_move.id))
        elif exclude and exclude._name == "account.move":
            domain.append(("move_id", "!=", exclude.id))
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        # purchase facts are for Customer Base users; tiers apply to everyone
        rows = self.env["customer.purchase"].sudo()._read_group(domain, ["partner_id"], ["amount:sum"])
        return {partner.id: amount for partner, amount in rows}

    def _points_tier_for(self, spend):
        self.ensure_one()
        tiers = self.points_tier_ids.filtered(lambda t: t.min_spend <= spend)
        return tiers.sorted("min_spend")[-1:] if tiers else self.env["loyalty.points.tier"]

    def _points_tier_multipliers(self, cards, exclude=None):
        """{card id: multiplier of the tier its customer holds before
        ``exclude`` (today's spend without that purchase), 1 without a tier}
        for ``cards`` of the programmes of ``self``. The one rule of the till,
        the receipt, the ledger, invoices and sales orders."""
        result = {card.id: 1.0 for card in cards}
        for program in self.filtered("points_has_tiers"):
            program_cards = cards.filtered(lambda c, p=program: c.program_id == p and c.partner_id)
            if not program_cards:
                continue
            spend = program._points_tier_spend(program_cards.partner_id, exclude=exclude)
            for card in program_cards:
                tier = program._points_tier_for(spend.get(card.partner_id.commercial_partner_id.id, 0.0))
                result[card.id] = tier.multiplier or 1.0
        return result

    def _points_update_tiers(self, cards=None, date=None):
        """Set each card's tier from its customer's spend; cards of ``self``
        when ``cards`` is not given. Returns the cards whose tier changed."""
        changed = self.env["loyalty.card"]
        for program in self.filtered("points_tier_ids"):
            program_cards = (cards or program.coupon_ids).filtered(
                lambda c, p=program: c.program_id == p and c.partner_id
            )
            spend = program._points_tier_spend(program_cards.partner_id, date)
            by_tier = {}
            for card in program_cards:
                tier = program._points_tier_for(spend.get(card.partner_id.commercial_partner_id.id, 0.0))
                if card.points_tier_id != tier:
                    by_tier.setdefault(tier, self.env["loyalty.card"])
                    by_tier[tier] |= card
            for tier, tier_cards in by_tier.items():
                # the tier is the ledger's own figure, written for whoever posted
                tier_cards.sudo().points_tier_id = tier
                changed |= tier_cards
        return changed

    # ------------------------------------------------------------------
    # Check and repair
    # ------------------------------------------------------------------

    def _points_mismatches(self):
        """{card: (card points, ledger balance)} for the cards of ``self``
        whose points differ from the sum of their available lots.

        Compared as double precision, the type of ``loyalty_card.points``:
        casting it to numeric keeps 15 significant digits only, so a big
        balance with cents would never match its ledger (nor be repaired)."""
        programs = self.filtered("uses_points_ledger")
        if not programs:
            return {}
        self.env["loyalty.card"].flush_model(["points", "program_id"])
        self.env["loyalty.points.entry"].flush_model(["card_id", "remaining", "is_pending"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT card.id, card.points, ledger.balance
                  FROM loyalty_card card
                  LEFT JOIN LATERAL (
                        SELECT COALESCE(SUM(entry.remaining), 0) AS balance
                          FROM loyalty_points_entry entry
                         WHERE entry.card_id = card.id AND entry.is_pending IS NOT TRUE
                  ) ledger ON TRUE
                 WHERE card.program_id IN %s
                   AND ABS(card.points - ledger.balance::float8) >= 0.005
                 ORDER BY card.id
                """,
                tuple(programs.ids),
            )
        )
        cards = self.env["loyalty.card"].browse([row[0] for row in rows])
        return {card: (row[1], row[2]) for card, row in zip(cards, rows, strict=True)}

    def _points_broken_entries(self):
        """Entries of ``self`` whose remaining points disagree with their
        allocations: a lot must hold what it earned less what was taken from
        it, a consumption must have taken what it consumed less what it
        still owes."""
        programs = self.filtered("uses_points_ledger")
        if not programs:
            return self.env["loyalty.points.entry"]
        self.env["loyalty.points.entry"].flush_model()
        self.env["loyalty.points.allocation"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT entry.id
                  FROM loyalty_points_entry entry
                  LEFT JOIN (SELECT lot_id, SUM(points) AS points FROM loyalty_points_allocation GROUP BY lot_id) used
                         ON used.lot_id = entry.id
                  LEFT JOIN (SELECT entry_id, SUM(points) AS points FROM loyalty_points_allocation GROUP BY entry_id)
                            took ON took.entry_id = entry.id
                 WHERE entry.program_id IN %s
                   AND CASE WHEN entry.points > 0
                            THEN ROUND((entry.points - entry.remaining - COALESCE(used.points, 0))::numeric, 2)
                            ELSE ROUND((entry.remaining - entry.points - COALESCE(took.points, 0))::numeric, 2)
                       END <> 0
                 ORDER BY entry.id
                """,
                tuple(programs.ids),
            )
        )
        return self.env["loyalty.points.entry"].browse([row[0] for row in rows])

    def _points_check_manager(self):
        """Checking and repairing the ledger is for Customer Base managers,
        whoever calls the method (a button's groups only hide the button)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Customer Base managers check and repair the points ledger."))

    def action_points_check(self):
        """Report the cards whose points do not match their ledger, then the
        ledger entries that do not add up."""
        self._points_check_manager()
        mismatches = self._points_mismatches()
        broken = self._points_broken_entries()
        if broken and not mismatches:
            return {
                "type": "ir.actions.act_window",
                "name": _("Ledger entries that do not add up"),
                "res_model": "loyalty.points.entry",
                "view_mode": "list,form",
                "domain": [("id", "in", broken.ids)],
            }
        if not mismatches:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "title": _("Points ledger"),
                    "message": _("Every card's points match its ledger."),
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Cards not matching their ledger"),
            "res_model": "loyalty.card",
            "view_mode": "list,form",
            "domain": [("id", "in", [card.id for card in mismatches])],
            "context": {"create": False},
        }

    def _points_open_balances(self):
        """Give every card of ``self`` that has no ledger yet its current
        points as an opening lot (install, upgrade, a programme switched to
        the ledger). Returns the cards opened."""
        programs = self.filtered("uses_points_ledger")
        cards = self.env["loyalty.card"].search(
            [("program_id", "in", programs.ids), ("points", "!=", 0), ("points_entry_ids", "=", False)]
        )
        cards._points_open_balance()
        return cards

    def write(self, vals):
        res = super().write(vals)
        if "points_ledger" in vals or "program_type" in vals:
            self._points_open_balances()
        return res

    def action_points_repair(self):
        """Post an adjustment for each mismatching card, so that the ledger
        agrees with the points the customer sees; returns how many."""
        self._points_check_manager()
        mismatches = self._points_mismatches()
        for card, (points, balance) in mismatches.items():
            card._points_post_difference(points - balance, origin="repair", reason=_("Ledger repair"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if mismatches else "info",
                "title": _("Points ledger"),
                "message": _("%(count)s card(s) repaired.", count=len(mismatches)),
            },
        }
