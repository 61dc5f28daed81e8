"""How server code tells the points ledger who is writing a card's points.

A plain write of ``loyalty.card.points`` is turned into ledger entries (see
``models/loyalty_card.py``). Server code that writes points for a reason of its own
(the ledger syncing a card with its entries, a POS order confirming what it
earned, Odoo's update-balance wizard) says so with a :class:`LedgerCall` in the
context under :data:`CONTEXT_KEY`.

The value is a Python object: a JSON-RPC client can put any JSON value into the
context, but never one of these, so no client can claim to be the ledger, an
order or a wizard. Read it with :func:`ledger_call`, which ignores anything
else found under the key.
"""

from dataclasses import dataclass

CONTEXT_KEY = "loyalty_points_call"


@dataclass(frozen=True)
class LedgerCall:
    """:param sync: the ledger itself writes the balance of its entries
    :param source: ``(model, id)`` of the order whose points are written: a
        rise is that order's earning (refused above what its rules and tier allow), a
        fall its spending
    :param prespent: ``((card id, points), ...)`` the source already spent
        through the ledger, which the written value still counts
    :param reason: the reason of an adjustment
    :param no_history: the caller writes Odoo's card history itself
    :param no_link: history rows written by the ledger, not to be linked again
    """

    sync: bool = False
    source: tuple | None = None
    prespent: tuple = ()
    reason: str | None = None
    no_history: bool = False
    no_link: bool = False


def ledger_call(env):
    """The :class:`LedgerCall` server code put in ``env``'s context, else an
    empty one (whatever a client sent under the key is ignored)."""
    value = env.context.get(CONTEXT_KEY)
    return value if isinstance(value, LedgerCall) else LedgerCall()


def with_ledger_call(records, **values):
    """``records`` with a :class:`LedgerCall` of ``values`` in their context."""
    return records.with_context(**{CONTEXT_KEY: LedgerCall(**values)})
