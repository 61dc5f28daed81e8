"""Points ledger maths, without the ORM.

A customer's points live in *lots*: every earning is a lot with its own
remaining points, the day it becomes spendable (after a pending period) and
the day it expires. Spending, expiry and refund reversals *consume* lots; the
oldest lot goes first (FIFO). A negative balance, when the programme's refund
policy allows one, is a *debt*: an entry whose remaining points are below zero,
settled first by the next earnings.

The ``loyalty.points.entry`` model keeps the same rules in the database; these
functions are its specification and are tested on their own.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

PRECISION = 2  # points are kept to two decimals, as loyalty.card.points is shown


def round_points(points):
    return round(points + 0.0, PRECISION)


def is_zero(points):
    return abs(round_points(points)) < 10**-PRECISION / 2


def fifo_allocate(lots, points):
    """Consume ``points`` from ``lots``, oldest first.

    :param lots: iterable of ``(key, remaining)`` pairs, in consumption order
        (oldest first); lots with nothing remaining are skipped
    :param points: how many points to consume (>= 0)
    :returns: ``(allocations, shortfall)``: the list of ``(key, taken)`` pairs,
        ``taken > 0``, and the points that the lots could not cover (>= 0)
    """
    if points < 0:
        raise ValueError("points to consume must not be negative")
    wanted = round_points(points)
    allocations = []
    for key, lot_remaining in lots:
        if is_zero(wanted):
            break
        remaining = round_points(lot_remaining)
        if remaining <= 0:
            continue
        taken = min(remaining, wanted)
        allocations.append((key, taken))
        wanted = round_points(wanted - taken)
    return allocations, max(wanted, 0.0)


def expiry_date(earned_on, validity_months):
    """The first day a lot earned on ``earned_on`` is no longer valid; ``None``
    when points never expire (validity 0)."""
    if not validity_months:
        return None
    return earned_on + relativedelta(months=validity_months)


def available_date(earned_on, pending_days):
    """The first day the points of a lot earned on ``earned_on`` may be spent."""
    return earned_on + timedelta(days=max(pending_days or 0, 0))


def refund_share(earned, original_amount, refunded_amount, already_reversed=0.0):
    """Points to take back for a refund of ``refunded_amount`` out of an order
    of ``original_amount`` that earned ``earned`` points: the same share of
    the points, never more than what is left to reverse."""
    if earned <= 0 or original_amount <= 0 or refunded_amount <= 0:
        return 0.0
    share = min(refunded_amount / original_amount, 1.0)
    return round_points(max(min(earned * share, earned - already_reversed), 0.0))


class Ledger:
    """An in-memory ledger of one card: the reference model the ORM ledger is
    tested against (see the property-based tests).

    Lots are ``[key, remaining, available_on, expires_on]``; ``debt`` is the
    negative part of the balance.
    """

    def __init__(self):
        self.lots = []
        self.debt = 0.0
        self._next = 0

    def balance(self, today):
        return round_points(sum(lot[1] for lot in self.lots if lot[2] <= today) - self.debt)

    def pending(self, today):
        return round_points(sum(lot[1] for lot in self.lots if lot[2] > today))

    def earn(self, points, today, pending_days=0, validity_months=0):
        self._next += 1
        lot = [self._next, round_points(points), available_date(today, pending_days), None]
        lot[3] = expiry_date(today, validity_months)
        self.lots.append(lot)
        self.settle(today)
        return self._next

    def settle(self, today):
        """Available lots pay the debt first."""
        if is_zero(self.debt):
            return
        allocations, shortfall = fifo_allocate(((lot, lot[1]) for lot in self.lots if lot[2] <= today), self.debt)
        for lot, taken in allocations:
            lot[1] = round_points(lot[1] - taken)
        self.debt = shortfall

    def spend(self, points, today, allow_negative=False):
        """Consume available lots, oldest first; without ``allow_negative``, a
        spend larger than the balance is refused (``ValueError``)."""
        if not allow_negative and round_points(points) > self.balance(today):
            raise ValueError("not enough points")
        allocations, shortfall = fifo_allocate(((lot, lot[1]) for lot in self.lots if lot[2] <= today), points)
        for lot, taken in allocations:
            lot[1] = round_points(lot[1] - taken)
        self.debt = round_points(self.debt + shortfall)
        return [(lot[0], taken) for lot, taken in allocations]

    def expire(self, today):
        expired = 0.0
        for lot in self.lots:
            if lot[3] is not None and lot[3] <= today and lot[1] > 0:
                expired += lot[1]
                lot[1] = 0.0
        return round_points(expired)
