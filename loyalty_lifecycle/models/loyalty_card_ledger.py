"""The points ledger's mechanics (lots, lock, earn, consume, reverse, settle, sync), as a ``loyalty.card`` part.
Not on loyalty.points.entry: each method posts on one card, under its row lock, and callers use card._points_*()."""

# Kept apart from loyalty_card.py (its hooks into Odoo's loyalty) on purpose:
# pylint: disable=consider-merging-classes-inherited
import math
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare

from ..tools import points_ledger
from ..tools.ledger_call import ledger_call, with_ledger_call
from ..tools.points_ledger import round_points
from .loyalty_card import EXPIRING_DAYS


class LoyaltyCard(models.Model):
    """The points ledger of a loyalty card: reading it, and posting to it.
    The entries are ``loyalty.points.entry`` lines (loyalty_points_entry.py);
    the maths without the ORM are in tools/points_ledger.py."""

    _inherit = "loyalty.card"

    # ------------------------------------------------------------------
    # Reading the ledger
    # ------------------------------------------------------------------

    def _points_ledger_cards(self):
        return self.filtered(lambda card: card.program_id.uses_points_ledger)

    def _points_figures(self, days=EXPIRING_DAYS):
        """{card id: {available, pending, expiring (within ``days``), next_expiry}}."""
        today = fields.Date.context_today(self)
        figures = {card.id: {"available": 0.0, "pending": 0.0, "expiring": 0.0, "next_expiry": False} for card in self}
        if not self.ids:
            return figures
        # the ledger is read for whoever may read the card (cashiers included)
        Entry = self.env["loyalty.points.entry"].sudo()
        for card, pending, remaining in Entry._read_group(
            [("card_id", "in", self.ids), ("remaining", "!=", 0)], ["card_id", "is_pending"], ["remaining:sum"]
        ):
            figures[card.id]["pending" if pending else "available"] = round_points(remaining)
        for card, remaining, next_expiry in Entry._read_group(
            [
                ("card_id", "in", self.ids),
                ("is_pending", "=", False),
                ("remaining", ">", 0),
                ("expiry_date", "!=", False),
                ("expiry_date", "<=", today + timedelta(days=days)),
            ],
            ["card_id"],
            ["remaining:sum", "expiry_date:min"],
        ):
            figures[card.id].update(expiring=round_points(remaining), next_expiry=next_expiry)
        return figures

    def _points_balances(self):
        """{card id: sum of the remaining points that are not pending}."""
        balances = dict.fromkeys(self.ids, 0.0)
        for card, remaining in (
            self.env["loyalty.points.entry"]
            .sudo()
            ._read_group([("card_id", "in", self.ids), ("is_pending", "=", False)], ["card_id"], ["remaining:sum"])
        ):
            balances[card.id] = round_points(remaining)
        return balances

    def _points_available_lots(self, exclude=None):
        """Lots that may be consumed, in consumption order (oldest first)."""
        self.ensure_one()
        domain = [
            ("card_id", "=", self.id),
            ("is_lot", "=", True),
            ("is_pending", "=", False),
            ("remaining", ">", 0),
        ]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        return self.env["loyalty.points.entry"].sudo().search(domain, order="date, id")

    # ------------------------------------------------------------------
    # Posting to the ledger
    # ------------------------------------------------------------------

    def _points_lock(self):
        """Lock the cards' rows until the end of the transaction: two tills
        spending the same points are serialised here, and the second one
        sees what the first one left (or fails on a concurrent update and is
        retried by the request)."""
        if not self.ids:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT id FROM loyalty_card WHERE id IN %s ORDER BY id FOR UPDATE", tuple(sorted(self.ids)))
        )
        self.invalidate_recordset(["points"])
        self.env["loyalty.points.entry"].invalidate_model(["remaining", "is_pending"])

    @api.model
    def _points_source_record(self, source):
        """The order or invoice of a ledger ``source`` (a record or a ``(model, id)`` pair)."""
        if not source:
            return None
        if isinstance(source, tuple):
            return self.env[source[0]].browse(source[1])
        return source

    @api.model
    def _points_source_vals(self, source):
        if not source:
            return {}
        model, res_id = source if isinstance(source, tuple) else (source._name, source.id)
        return {"order_model": model, "order_id": res_id}

    def _points_entry_vals(self, kind, points, source=None, reason=False, origin=False):
        self.ensure_one()
        return {
            "card_id": self.id,
            "partner_id": self.partner_id.id,
            "program_id": self.program_id.id,
            "kind": kind,
            "origin": origin,
            "points": round_points(points),
            "reason": reason,
            "user_id": self.env.uid,
            **self._points_source_vals(source),
        }

    def _points_check_amount(self, points, origin=False):
        """Refuse an entry of ``points`` that is not a finite number, or that
        moves more points than the programme allows in one entry (a typing
        error, a forged figure). Repairs and opening balances book what the
        card already holds, whatever its size."""
        self.ensure_one()
        if not math.isfinite(points):
            raise UserError(_("%(points)s is not a number of points.", points=points))
        limit = self.program_id.points_max_per_entry
        if origin not in ("repair", "opening") and limit and abs(points) > limit:
            raise UserError(
                _(
                    "%(points)s points in one entry is more than the programme %(program)s allows (%(limit)s). "
                    "Check the figure; a manager sets the limit on the programme.",
                    points=points,
                    program=self.program_id.name,
                    limit=limit,
                )
            )

    def _points_holder_name(self):
        """Who the card belongs to, as a cashier or a manager knows them."""
        self.ensure_one()
        return self.partner_id.display_name or self.code

    def _points_earn(
        self, points, origin="purchase", source=None, reason=False, kind="earn", apply_tier=None, refund_of=None
    ):
        """Post a lot of ``points`` on this card and return it.

        Purchases get the programme's pending period and the multiplier of the
        tier the customer holds before the purchase (``apply_tier=False`` when
        the points already count it: the till's, sale_loyalty's); the tier is
        then brought up to date for the next purchase. Every lot gets the
        programme's validity. ``refund_of``: the order whose spending a refund
        gives back.
        """
        self.ensure_one()
        self._points_check_amount(points, origin)
        points = round_points(points)
        if points <= 0:
            raise UserError(_("Only a positive number of points can be earned."))
        program = self.program_id
        if apply_tier is None:
            apply_tier = origin == "purchase"
        if apply_tier and program.points_has_tiers:
            record = self._points_source_record(source)
            points = round_points(points * self._points_tier_multipliers(exclude=record)[self.id])
        pending_days = program.points_pending_days if origin == "purchase" else 0
        today = fields.Date.context_today(self)
        available_on = points_ledger.available_date(today, pending_days)
        self._points_lock()
        lot = (
            self.env["loyalty.points.entry"]
            .sudo()
            .create(
                {
                    **self._points_entry_vals(kind, points, source, reason, origin),
                    "remaining": points,
                    "is_pending": available_on > today,
                    "available_date": available_on,
                    "expiry_date": points_ledger.expiry_date(today, program.points_validity_months),
                    "refund_of": refund_of and f"{refund_of._name},{refund_of.id}",
                }
            )
        )
        if not lot.is_pending:
            self._points_settle_debts()
        self._points_mirror_history(lot)
        self._points_sync()
        if origin == "purchase" and program.points_tier_ids:
            program._points_update_tiers(self)
        return lot

    def _points_consume(self, points, kind="spend", source=None, reason=False, origin=False, allow_negative=False):
        """Consume ``points`` from the available lots, oldest first, and return
        the entry. Refused when the card has fewer points, unless
        ``allow_negative`` (the missing points become a debt)."""
        self.ensure_one()
        self._points_check_amount(points, origin)
        points = round_points(points)
        if points <= 0:
            raise UserError(_("Only a positive number of points can be consumed."))
        self._points_lock()
        self._points_bring_up_to_date()
        balance = self._points_balances()[self.id]
        if not allow_negative and float_compare(points, balance, precision_digits=2) > 0:
            raise UserError(
                _(
                    "Not enough points: %(customer)s has %(balance)s points available in %(program)s, "
                    "%(points)s requested.",
                    customer=self._points_holder_name(),
                    program=self.program_id.name,
                    balance=balance,
                    points=points,
                )
            )
        lots = self._points_available_lots()
        allocations, shortfall = points_ledger.fifo_allocate(((lot, lot.remaining) for lot in lots), points)
        entry = (
            self.env["loyalty.points.entry"]
            .sudo()
            .create({**self._points_entry_vals(kind, -points, source, reason, origin), "remaining": -shortfall})
        )
        self._points_allocate(entry, allocations)
        self._points_mirror_history(entry)
        self._points_sync()
        return entry

    def _points_bring_up_to_date(self):
        """Before consuming: what the nightly run would do today (pending lots
        released, lots expired), so that a spending never takes expired
        points nor misses spendable ones."""
        today = fields.Date.context_today(self)
        Entry = self.env["loyalty.points.entry"]
        Entry._points_release(self, today)
        Entry._points_expire(self, today)

    def _points_reverse(self, points, refund_of, source=None, reason=False):
        """Take back ``points`` earned by ``refund_of`` (the refunded order or
        invoice), for the refund ``source``: first from the lots that
        purchase earned, then by the programme's refund policy (a negative
        balance, or a flagged entry that keeps the spent points)."""
        self.ensure_one()
        points = round_points(points)
        Entry = self.env["loyalty.points.entry"].sudo()
        if points <= 0:
            return Entry
        self._points_lock()
        own_lots = Entry.search(
            [
                ("card_id", "=", self.id),
                ("is_lot", "=", True),
                ("order_model", "=", refund_of._name),
                ("order_id", "=", refund_of.id),
                ("remaining", ">", 0),
            ],
            order="date, id",
        )
        allocations, shortfall = points_ledger.fifo_allocate(((lot, lot.remaining) for lot in own_lots), points)
        debt = 0.0
        if shortfall and self.program_id.points_refund_policy == "negative":
            others = self._points_available_lots(exclude=own_lots)
            more, debt = points_ledger.fifo_allocate(((lot, lot.remaining) for lot in others), shortfall)
            allocations += more
            shortfall = 0.0
        taken = round_points(sum(taken for _lot, taken in allocations))
        entry = Entry.create(
            {
                **self._points_entry_vals("reverse", -(taken + debt), source, reason),
                "remaining": -debt,
                "shortfall": shortfall,
                "needs_review": bool(shortfall),
                "refund_of": f"{refund_of._name},{refund_of.id}",
            }
        )
        self._points_allocate(entry, allocations)
        if shortfall:
            body = _(
                "%(refund)s should have taken back %(points)s points earned by %(origin)s, but %(short)s of them "
                "were already spent: the refund policy blocks their reversal. Review the ledger entry.",
                refund=entry.source_name or _("A refund"),
                points=points,
                origin=refund_of.display_name,
                short=shortfall,
            )
            self.sudo()._message_log(body=Markup("<p>%s</p>") % body)
        self._points_mirror_history(entry)
        self._points_sync()
        return entry

    @api.model
    def _points_reverse_refund(self, original, refund, original_amount, refunded_amount, origins=None):
        """Take back, on every card, the share of points ``original`` (an order
        or invoice) earned that ``refund`` refunds: ``refunded_amount`` over
        ``original_amount``, less what earlier refunds already took back; a
        refund seen again takes back nothing more. ``origins``: only the
        earnings of these origins (all when not given)."""
        Entry = self.env["loyalty.points.entry"].sudo()
        reference = f"{original._name},{original.id}"
        domain = [("order_model", "=", original._name), ("order_id", "=", original.id), ("kind", "=", "earn")]
        if origins:
            domain.append(("origin", "in", list(origins)))
        earned = Entry._read_group(domain, ["card_id"], ["points:sum"])
        taken_back = {}
        by_this_refund = {}
        for card, order_model, order_id, points, shortfall in Entry._read_group(
            [("refund_of", "=", reference), ("kind", "=", "reverse")],
            ["card_id", "order_model", "order_id"],
            ["points:sum", "shortfall:sum"],
        ):
            taken_back[card] = taken_back.get(card, 0.0) - points + shortfall
            if (order_model, order_id) == (refund._name, refund.id):
                by_this_refund[card] = by_this_refund.get(card, 0.0) - points + shortfall
        entries = Entry
        for card, points in earned:
            to_reverse = min(
                points_ledger.refund_share(points, original_amount, refunded_amount, taken_back.get(card, 0.0)),
                points_ledger.refund_share(points, original_amount, refunded_amount) - by_this_refund.get(card, 0.0),
            )
            to_reverse = round_points(to_reverse)
            if to_reverse > 0:
                entries |= card._points_reverse(to_reverse, original, source=refund)
        return entries

    def _points_allocate(self, entry, allocations):
        """Record that ``entry`` took ``allocations`` [(lot, points)] and lower
        the lots' remaining points."""
        if not allocations:
            return
        self.env["loyalty.points.allocation"].sudo().create(
            [{"entry_id": entry.id, "lot_id": lot.id, "points": taken} for lot, taken in allocations]
        )
        for lot, taken in allocations:
            lot.sudo().remaining = round_points(lot.remaining - taken)

    def _points_settle_debts(self):
        """Available lots pay back debts (negative balances), oldest first."""
        self.ensure_one()
        Entry = self.env["loyalty.points.entry"].sudo()
        debts = Entry.search([("card_id", "=", self.id), ("remaining", "<", 0)], order="date, id")
        if not debts:
            return
        lots = self._points_available_lots()
        left = {lot: lot.remaining for lot in lots}
        for debt in debts:
            allocations, shortfall = points_ledger.fifo_allocate(((lot, left[lot]) for lot in lots), -debt.remaining)
            if not allocations:
                break
            for lot, taken in allocations:
                left[lot] = round_points(left[lot] - taken)
            self._points_allocate(debt, allocations)
            debt.remaining = -shortfall

    def _points_post_difference(self, delta, origin="manual", source=None, reason=False, kind="adjust"):
        """Post an adjustment of ``delta`` points (a lot when positive, a FIFO
        consumption when negative); repairs may leave a negative balance."""
        self.ensure_one()
        delta = round_points(delta)
        if delta > 0:
            return self._points_earn(delta, origin=origin, source=source, reason=reason, kind=kind)
        if delta < 0:
            return self._points_consume(
                -delta,
                kind=kind,
                source=source,
                reason=reason,
                origin=origin,
                allow_negative=origin in ("repair", "opening"),
            )
        return self.env["loyalty.points.entry"]

    def _points_mirror_history(self, entries):
        """Mirror ledger entries into Odoo's card history (``loyalty.history``),
        except what pos_loyalty and sale_loyalty record themselves: an
        order's earning and spending."""
        if ledger_call(self.env).no_history:
            return
        entries = entries.filtered(
            lambda e: (
                round_points(e.points)
                and not (
                    e.order_model in ("pos.order", "sale.order")
                    and e.kind in ("earn", "spend")
                    and e.origin != "referral"
                )
            )
        )
        if not entries:
            return
        # the card history is written by the ledger for whoever triggered it
        rows = with_ledger_call(self.env["loyalty.history"].sudo(), no_link=True).create(
            [
                {
                    "card_id": entry.card_id.id,
                    "description": entry._history_description(),
                    "issued": max(entry.points, 0.0),
                    "used": max(-entry.points, 0.0),
                    "order_model": entry.order_model,
                    "order_id": entry.order_id,
                }
                for entry in entries
            ]
        )
        for entry, row in zip(entries, rows, strict=True):
            entry.history_id = row

    def _points_sync(self):
        """Set ``points`` to the ledger balance where they differ."""
        balances = self._points_balances()
        for card in self:
            if float_compare(card.points, balances[card.id], precision_digits=2):
                # the ledger writes what its entries say, whoever triggered it
                with_ledger_call(card.sudo(), sync=True).points = balances[card.id]

    # ------------------------------------------------------------------
    # What a card brings to the ledger (loyalty_card.py's create and write)
    # ------------------------------------------------------------------

    def _points_open_balance(self):
        """The balance a card has before its ledger starts (created with
        points, or older than the ledger) becomes its first lot, or a debt
        if negative."""
        # the points are not new to the customer: no "points reached" email
        # (Odoo's loyalty_no_mail, as for imports)
        for card in self.with_context(loyalty_no_mail=True):
            opening = round_points(card.points)
            if opening:
                with_ledger_call(card.with_context(tracking_disable=True), sync=True).points = 0.0
                card._points_post_difference(opening, origin="opening", reason=_("Opening balance"))

    def _points_claim_to_earn(self, points, source, till_figure=None):
        """The server is the authority: a till claiming that ``source`` won
        more points than the programme's rules give its purchase at most
        (``_points_earn_bound``) times the multiplier of the tier the customer
        held before it is refused, and nothing is credited. ``till_figure``:
        the part of ``points`` the till sent itself (its net figure, when the
        server repriced the order's rewards and added their cost back); only
        that part is refused, the rest is capped and the cap logged. Returns
        what is left to earn: the claim less what ``source`` already earned on
        this card (a replayed confirmation earns nothing more)."""
        self.ensure_one()
        record = self._points_source_record(source)
        earned = sum(
            self.env["loyalty.points.entry"]
            .sudo()
            .search(
                [
                    ("card_id", "=", self.id),
                    ("order_model", "=", record._name),
                    ("order_id", "=", record.id),
                    ("kind", "=", "earn"),
                    ("origin", "=", "purchase"),
                ]
            )
            .mapped("points")
        )
        if hasattr(record, "_points_earn_bound"):
            allowed = record._points_earn_bound(self.program_id)
            if self.program_id.points_has_tiers:
                allowed *= self._points_tier_multipliers(exclude=record)[self.id]
            allowed = round_points(allowed)
            if float_compare(points, allowed, precision_digits=2) > 0:
                message = _(
                    "The till claimed %(claimed)s points for %(card)s; the programme's rules and the "
                    "customer's tier allow at most %(allowed)s.",
                    claimed=points,
                    card=self.display_name,
                    allowed=allowed,
                )
                till_figure = points if till_figure is None else till_figure
                if float_compare(till_figure, allowed, precision_digits=2) > 0:
                    raise UserError(message)
                # the excess is the server's repricing of the rewards, not the till's claim
                record.sudo()._message_log(body=Markup("<p>%s</p>") % message)
                points = allowed
        return round_points(max(points - earned, 0.0))
