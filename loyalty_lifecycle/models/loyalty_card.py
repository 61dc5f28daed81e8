import math

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.ledger_call import ledger_call
from ..tools.points_ledger import round_points

MANAGER_GROUP = "loyalty_lifecycle.loyalty_lifecycle_group_manager"
EXPIRING_DAYS = 30


class LoyaltyCard(models.Model):
    """A loyalty card with a points ledger: its hooks into Odoo's loyalty.

    On cards of a loyalty programme with the ledger, ``points`` is always the
    sum of the remaining points of the available lots (minus a debt, if the
    refund policy allowed one). Every change goes through the ledger methods
    (loyalty_card_ledger.py); a plain write of ``points`` (pos_loyalty at the
    till, Odoo's update-balance wizard, an import) is turned into ledger
    entries here: an earning when it rises, a FIFO consumption when it falls.
    """

    _inherit = "loyalty.card"

    points_entry_ids = fields.One2many("loyalty.points.entry", "card_id", "Points Ledger", readonly=True)
    points_tier_id = fields.Many2one(
        "loyalty.points.tier", "Tier", readonly=True, index="btree_not_null", ondelete="set null", copy=False
    )
    points_pending = fields.Float("Pending Points", compute="_compute_points_figures", digits=(16, 2))
    points_expiring = fields.Float(
        "Expiring within 30 Days", compute="_compute_points_figures", digits=(16, 2), help="Available points only."
    )
    points_next_expiry = fields.Date("Next Expiry", compute="_compute_points_figures")
    points_tier_multiplier = fields.Float(
        "Tier Multiplier",
        compute="_compute_points_tier_multiplier",
        digits=(16, 2),
        help="What the card's purchases earn is multiplied by this: the multiplier of the tier the customer "
        "holds before the purchase (1 without a tier). The till, the receipt and the ledger use the same figure.",
    )

    @api.model
    def _load_pos_data_domain(self, data):
        """Opening a POS session loads the cards of the customers the session
        loads (its frequent customers and those of its open orders), not every
        card of the programs: a programme with 100,000 members would otherwise
        ship them all to every till. The POS fetches the card of any other
        customer when the cashier finds and selects them (pos_loyalty's
        fetchLoyaltyCard and partner search)."""
        domain = super()._load_pos_data_domain(data)
        partner_ids = [partner["id"] for partner in data.get("res.partner", {}).get("data", [])]
        return domain + [("partner_id", "in", partner_ids)]

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + ["points_tier_multiplier"]

    @api.depends("partner_id", "program_id.points_tier_ids.multiplier", "program_id.points_tier_ids.min_spend")
    def _compute_points_tier_multiplier(self):
        multipliers = self._points_tier_multipliers()
        for card in self:
            card.points_tier_multiplier = multipliers[card.id]

    def _points_tier_multipliers(self, exclude=None):
        """{card id: multiplier of the customer's tier before ``exclude``}."""
        return self.program_id._points_tier_multipliers(self, exclude=exclude)

    @api.depends("points", "points_entry_ids.remaining", "points_entry_ids.is_pending")
    def _compute_points_figures(self):
        figures = self._points_figures()
        for card in self:
            card.points_pending = figures[card.id]["pending"]
            card.points_expiring = figures[card.id]["expiring"]
            card.points_next_expiry = figures[card.id]["next_expiry"]

    # ------------------------------------------------------------------
    # Public API (POS, other addons)
    # ------------------------------------------------------------------

    def points_summary(self):
        """What a till or a portal shows: one dict per card."""
        figures = self._points_figures()
        return [
            {
                "card_id": card.id,
                "code": card.code,
                "program_id": card.program_id.id,
                "program_name": card.program_id.name,
                "partner_id": card.partner_id.id,
                "available": figures[card.id]["available"],
                "pending": figures[card.id]["pending"],
                "expiring": figures[card.id]["expiring"],
                "expiring_days": EXPIRING_DAYS,
                "next_expiry": figures[card.id]["next_expiry"]
                and fields.Date.to_string(figures[card.id]["next_expiry"]),
                "tier": card.points_tier_id.name or False,
                "tier_multiplier": card.points_tier_multiplier,
            }
            for card in self
        ]

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        cards = super().create(vals_list)
        cards._points_ledger_cards()._points_open_balance()
        return cards

    def write(self, vals):
        if "points" not in vals or ledger_call(self.env).sync:
            return super().write(vals)
        ledger_cards = self._points_ledger_cards()
        if not ledger_cards:
            return super().write(vals)
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Customer Base managers change loyalty points, with the Adjust Points wizard."))
        others = self - ledger_cards
        if others:
            super(LoyaltyCard, others).write(vals)
        other_vals = {key: value for key, value in vals.items() if key != "points"}
        if other_vals:
            super(LoyaltyCard, ledger_cards).write(other_vals)
        try:
            new_points = float(vals["points"] or 0.0)
        except (TypeError, ValueError):
            new_points = math.nan
        if not math.isfinite(new_points):
            raise UserError(_("%(points)s is not a number of points.", points=vals["points"]))
        ledger_cards._points_apply_new_value(new_points)
        return True

    def _points_apply_new_value(self, new_points):
        """Turn a plain write of ``points`` into ledger entries.

        The context's :class:`LedgerCall` (set by server code only) may name
        the ``source`` (the POS order whose points pos_loyalty is writing):
        a rise is then its earning and a fall its spending; ``prespent`` are
        the points that source already spent through the ledger (the POS
        order's rewards, consumed when the order was paid), which the written
        value still counts; ``reason`` explains an adjustment.
        """
        call = ledger_call(self.env)
        source = call.source
        prespent = dict(call.prespent)
        reason = call.reason or _("Points changed on the card")
        self._points_lock()
        for card in self:
            delta = round_points(new_points - card.points + prespent.get(card.id, 0.0))
            if not source:
                card._points_post_difference(delta, origin="manual", reason=reason)
            elif delta > 0:
                # the till counted the tier in: the claim is checked, not multiplied again
                delta = card._points_claim_to_earn(delta, tuple(source))
                if delta > 0:
                    card._points_earn(delta, origin="purchase", source=tuple(source), apply_tier=False)
            elif delta < 0:
                card._points_consume(-delta, kind="spend", source=tuple(source))
            else:
                card._points_sync()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_points_ledger(self):
        if self.env["loyalty.points.entry"].sudo().search_count([("card_id", "in", self.ids)], limit=1):
            raise UserError(_("A loyalty card with a points ledger cannot be deleted; archive it instead."))
