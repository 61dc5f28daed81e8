"""Referral reward maths, without the ORM.

A friend's paid purchase pays each referrer up the chain ``percent`` of its
untaxed amount, in points at ``points_per_unit`` points per unit of currency;
the referrer who brought the friend also earns a fixed bonus on the friend's
first paid purchase. A monthly cap bounds what one referrer earns in a
programme in a calendar month. Points are kept to two decimals, as the
points ledger keeps them.
"""

PRECISION = 2


def round_points(points):
    return round(points + 0.0, PRECISION)


def level_points(base_amount, percent, points_per_unit=1.0):
    """Points of a ``percent`` reward on ``base_amount`` (never negative)."""
    if base_amount <= 0 or percent <= 0 or points_per_unit <= 0:
        return 0.0
    return round_points(base_amount * percent / 100.0 * points_per_unit)


def capped(points, cap, used):
    """What is left of ``points`` under a monthly ``cap`` (0: no cap) of which
    ``used`` points were already earned this month."""
    points = round_points(points)
    if not cap:
        return max(points, 0.0)
    return round_points(max(min(points, cap - used), 0.0))


def paid_share(paid, total, already=0.0):
    """The share of a document of ``total`` that a payment of ``paid`` pays,
    when earlier payments paid the share ``already``; never above what is
    left unpaid."""
    if total <= 0 or paid <= 0:
        return 0.0
    return max(min(paid / total, 1.0 - already), 0.0)
