from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.points_ledger import round_points
from .loyalty_contact_policy import ALLOWED

ENTRY_KINDS = [
    ("earn", "Earned"),
    ("spend", "Spent"),
    ("expire", "Expired"),
    ("reverse", "Reversed (refund)"),
    ("adjust", "Adjustment"),
]
EARN_ORIGINS = [
    ("purchase", "Purchase"),
    ("referral", "Referral"),
    ("birthday", "Birthday"),
    ("lifecycle", "Lifecycle bonus"),
    ("manual", "Manual adjustment"),
    ("opening", "Opening balance"),
    ("repair", "Ledger repair"),
    ("reward_refund", "Refunded reward"),
]
# The only fields the ledger itself updates on a posted entry.
BOOKKEEPING_FIELDS = frozenset({"remaining", "is_pending", "expiry_warned", "needs_review", "history_id"})


class LoyaltyPointsEntry(models.Model):
    """One line of a customer's points ledger (append-only).

    Positive entries (earnings and positive adjustments) are *lots*: their
    ``remaining`` points are what is left to spend, from ``available_date``
    (pending before) until ``expiry_date``. Negative entries (spending,
    expiry, refund reversals, negative adjustments) consume lots, oldest
    first, through ``loyalty.points.allocation`` lines; a negative entry with
    negative ``remaining`` is a debt (a negative balance allowed by the refund
    policy), settled by the next earnings. The card's points are the sum of
    ``remaining`` over entries that are not pending.

    Entries are posted by the ledger methods of ``loyalty.card``
    (``_points_earn``, ``_points_consume``, ``_points_reverse``, in
    loyalty_card_ledger.py), never edited.
    """

    _name = "loyalty.points.entry"
    _description = "Loyalty Points Entry"
    _order = "date desc, id desc"
    _rec_name = "reference"

    card_id = fields.Many2one("loyalty.card", required=True, index=True, ondelete="restrict", readonly=True)
    partner_id = fields.Many2one("res.partner", index=True, readonly=True)
    program_id = fields.Many2one("loyalty.program", required=True, index=True, readonly=True)
    company_id = fields.Many2one(related="program_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    kind = fields.Selection(ENTRY_KINDS, required=True, readonly=True)
    origin = fields.Selection(EARN_ORIGINS, readonly=True, help="Why the points were earned or adjusted.")
    points = fields.Float(required=True, readonly=True, digits=(16, 2), help="Signed: earned > 0, consumed < 0.")
    remaining = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="Lots: points left to spend. Debts (negative balance): points still owed.",
    )
    is_lot = fields.Boolean(compute="_compute_is_lot", store=True)
    is_pending = fields.Boolean("Pending", default=False, readonly=True, index=True, help="Earned, not yet spendable.")
    available_date = fields.Date("Spendable From", readonly=True)
    expiry_date = fields.Date("Expires On", readonly=True, index=True, help="From this day the lot is expired.")
    expiry_warned = fields.Boolean(readonly=True, help="The customer was told that this lot expires soon.")
    order_model = fields.Char("Source Model", readonly=True, index=True)
    order_id = fields.Many2oneReference("Source ID", model_field="order_model", readonly=True, index=True)
    source_name = fields.Char("Source", compute="_compute_source_name")
    refund_of = fields.Char(
        readonly=True, index=True, help="Reversals: the order or invoice whose points the refund takes back."
    )
    history_id = fields.Many2one("loyalty.history", readonly=True, index="btree_not_null", ondelete="set null")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    reason = fields.Char(readonly=True)
    shortfall = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="Points a refund should have taken back but could not, as they were already spent.",
    )
    needs_review = fields.Boolean(readonly=True, index=True, help="A refund's reversal was blocked by the policy.")
    allocation_ids = fields.One2many("loyalty.points.allocation", "entry_id", string="Consumed Lots", readonly=True)
    consumed_by_ids = fields.One2many("loyalty.points.allocation", "lot_id", string="Used By", readonly=True)
    reference = fields.Char(compute="_compute_reference")

    _sql_constraints = [
        ("points_not_zero", "CHECK(points <> 0 OR shortfall > 0)", "A ledger entry moves points."),
        (
            "lot_remaining_bounds",
            "CHECK(points < 0 OR (remaining >= 0 AND remaining <= points))",
            "A lot cannot have more remaining points than it earned, nor fewer than none.",
        ),
        (
            "debt_bounds",
            "CHECK(points > 0 OR (remaining <= 0 AND remaining >= points))",
            "A consumption can owe at most its own points.",
        ),
    ]

    @api.depends("points")
    def _compute_is_lot(self):
        for entry in self:
            entry.is_lot = entry.points > 0

    @api.depends("order_model", "order_id")
    def _compute_source_name(self):
        for entry in self:
            name = False
            if entry.order_model in self.env and entry.order_id:
                # the source may be a POS order or an invoice the reader cannot
                # open; its name alone is no secret to who reads the ledger
                record = self.env[entry.order_model].sudo().browse(entry.order_id).exists()
                name = record.display_name if record else False
            entry.source_name = name

    @api.depends("kind", "date")
    def _compute_reference(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for entry in self:
            entry.reference = f"{kinds.get(entry.kind, '')} {fields.Date.to_string(entry.date) or ''}".strip()

    def _history_description(self):
        """The line shown in Odoo's card history for this entry."""
        self.ensure_one()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        origins = dict(self._fields["origin"]._description_selection(self.env))
        label = origins.get(self.origin) if self.kind in ("earn", "adjust") and self.origin else kinds[self.kind]
        details = [detail for detail in (self.source_name, self.reason) if detail]
        return f"{label}: {', '.join(details)}" if details else label

    # ------------------------------------------------------------------
    # Daily run: pending lots become spendable, old lots expire, customers
    # are warned before their points expire, tiers follow the spend.
    # ------------------------------------------------------------------

    @api.model
    def _cron_points_daily(self, batch_size=500):
        """One batch of cards per call; the cron runs again at once while
        ``_notify_progress`` reports cards left. A second run with nothing
        due changes nothing."""
        today = fields.Date.context_today(self)
        cards = self._points_due_cards(today)
        batch = cards[:batch_size]
        self._points_daily(batch, today)
        if len(cards) <= batch_size:
            self.env["loyalty.program"].search([("points_tier_ids", "!=", False)])._points_update_tiers(date=today)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(cards) - len(batch))
        return len(cards) - len(batch)

    @api.model
    def _points_due_cards(self, today):
        """Cards with a lot to release, to expire or to warn about, by id."""
        Entry = self.sudo()
        domains = [
            [("is_pending", "=", True), ("available_date", "<=", today)],
            [("is_lot", "=", True), ("remaining", ">", 0), ("expiry_date", "<=", today)],
        ]
        programs = self.env["loyalty.program"].sudo().search([("points_expiry_warning_days", ">", 0)])
        programs -= self._points_warned_by_journey(programs)
        for days, programs_with in programs.grouped("points_expiry_warning_days").items():
            domains.append(
                [
                    ("program_id", "in", programs_with.filtered("points_expiry_mail_template_id").ids),
                    ("is_lot", "=", True),
                    ("is_pending", "=", False),
                    ("remaining", ">", 0),
                    ("expiry_warned", "=", False),
                    ("expiry_date", ">", today),
                    ("expiry_date", "<=", today + timedelta(days=days)),
                ]
            )
        card_ids = set()
        for domain in domains:
            card_ids.update(card.id for [card] in Entry._read_group(domain, ["card_id"]))
        return self.env["loyalty.card"].sudo().browse(sorted(card_ids))

    @api.model
    def _points_daily(self, cards, today):
        if not cards:
            return
        cards._points_lock()
        self._points_release(cards, today)
        self._points_expire(cards, today)
        self._points_warn(cards, today)

    @api.model
    def _points_release(self, cards, today):
        lots = self.sudo().search(
            [("card_id", "in", cards.ids), ("is_pending", "=", True), ("available_date", "<=", today)]
        )
        if not lots:
            return
        lots.is_pending = False
        for card in lots.card_id:
            card._points_settle_debts()
        lots.card_id._points_sync()

    @api.model
    def _points_expire(self, cards, today):
        """One expiry entry per card, consuming every lot that expired."""
        lots = self.sudo().search(
            [("card_id", "in", cards.ids), ("is_lot", "=", True), ("remaining", ">", 0), ("expiry_date", "<=", today)],
            order="date, id",
        )
        if not lots:
            return
        by_card = lots.grouped("card_id")
        # translated here, not inside the comprehension: _() finds no env there
        reason = _("Points past their validity")
        entries = self.sudo().create(
            [
                card._points_entry_vals("expire", -sum(card_lots.mapped("remaining")), reason=reason)
                for card, card_lots in by_card.items()
            ]
        )
        self.env["loyalty.points.allocation"].sudo().create(
            [
                {"entry_id": entry.id, "lot_id": lot.id, "points": lot.remaining}
                for entry, card_lots in zip(entries, by_card.values(), strict=True)
                for lot in card_lots
            ]
        )
        lots.remaining = 0.0
        for card, entry in zip(by_card, entries, strict=True):
            card._points_mirror_history(entry)
        lots.card_id._points_sync()

    @api.model
    def _points_warned_by_journey(self, programs):
        """The ``programs`` whose customers a journey warns instead: their
        company has an active journey started by points about to expire
        (lifecycle_journey_participant_event.py), which marks the lots it
        covers as warned. A customer never gets both warnings."""
        companies = (
            self.env["lifecycle.journey"]
            .sudo()
            .search([("trigger", "=", "points_expiring"), ("company_id", "in", programs.company_id.ids)])
            .company_id
        )
        return programs.filtered(lambda program: program.company_id in companies)

    @api.model
    def _points_warn(self, cards, today):
        """Email each customer whose points expire within the programme's
        warning delay, once per lot. A transactional message, asked of the
        contact policy like every message (``loyalty.contact.policy._check``):
        nobody without an email address Odoo accepts, nobody who opted out
        (blacklisted). A programme whose company has an active points
        expiring journey steps aside: the journey warns."""
        lots = self.sudo().search(
            [
                ("card_id", "in", cards.ids),
                ("is_lot", "=", True),
                ("is_pending", "=", False),
                ("remaining", ">", 0),
                ("expiry_warned", "=", False),
                ("expiry_date", ">", today),
            ]
        )
        by_journey = self._points_warned_by_journey(lots.program_id)
        lots = lots.filtered(
            lambda lot: (
                lot.program_id not in by_journey
                and lot.program_id.points_expiry_warning_days
                and lot.program_id.points_expiry_mail_template_id
                and lot.expiry_date <= today + timedelta(days=lot.program_id.points_expiry_warning_days)
            )
        )
        # the one contact policy decides, as for every message: a transactional
        # email needs an address Odoo accepts; Odoo's blacklist applies too
        Policy = self.env["loyalty.contact.policy"]
        verdicts = {}
        for company, company_cards in lots.card_id.grouped(lambda c: c.company_id or self.env.company).items():
            verdicts.update(Policy._check(company_cards.partner_id, "mail", marketing=False, company=company))
        for card, card_lots in lots.grouped("card_id").items():
            partner = card.partner_id
            allowed = verdicts.get(partner.id, (False,))[0] == ALLOWED
            if allowed and not partner.is_blacklisted and partner.active:
                template = card.program_id.points_expiry_mail_template_id
                template.with_context(
                    points_expiring=round_points(sum(card_lots.mapped("remaining"))),
                    points_expiry_date=min(card_lots.mapped("expiry_date")),
                    lang=partner.lang,
                ).send_mail(card.id, email_layout_xmlid="mail.mail_notification_light")
            else:
                card._message_log(
                    body=Markup("<p>%s</p>")
                    % _(
                        "No expiry warning sent to %(partner)s: no email address, or they opted out.",
                        partner=partner.display_name,
                    )
                )
        lots.expiry_warned = True

    def write(self, vals):
        if set(vals) - BOOKKEEPING_FIELDS:
            self.check_access("write")
            raise UserError(_("Points ledger entries cannot be changed; post an adjustment instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Points ledger entries cannot be deleted; post an adjustment instead."))


class LoyaltyPointsAllocation(models.Model):
    """How many points of which lot a consuming entry took (FIFO trace), or
    how many points of a new lot settled a debt."""

    _name = "loyalty.points.allocation"
    _description = "Loyalty Points Allocation"
    _order = "id"

    entry_id = fields.Many2one("loyalty.points.entry", required=True, index=True, ondelete="cascade", readonly=True)
    lot_id = fields.Many2one("loyalty.points.entry", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="entry_id.company_id", store=True, index=True)
    points = fields.Float(required=True, readonly=True, digits=(16, 2))
    lot_date = fields.Datetime(related="lot_id.date", string="Lot Date")
    lot_expiry_date = fields.Date(related="lot_id.expiry_date", string="Lot Expiry")

    _sql_constraints = [("points_positive", "CHECK(points > 0)", "An allocation takes a positive number of points.")]

    def write(self, vals):
        if vals:
            raise UserError(_("Points allocations cannot be changed."))
        return super().write(vals)
