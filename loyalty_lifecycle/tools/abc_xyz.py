"""ABC-XYZ classification of customers, without the ORM.

ABC ranks customers by revenue over the analysis window: sorted from the
largest, a customer is A while the cumulative share of revenue, theirs
included, stays within the A threshold (default 80%), B within the B
threshold (default 95%), C beyond. The largest customer is always A, even
alone above the threshold. Customers whose net revenue is zero or negative
(refunds above purchases, or no purchase in the window) are C.

XYZ measures regularity: the coefficient of variation (population standard
deviation / mean) of the revenue per bucket (default month), over the buckets
from the customer's first purchase (or the window start, if later) to the
window end, empty buckets counted as zero. X up to 10%, Y up to 25%, Z above;
a mean of zero or less is Z. Customers with fewer buckets than the minimum
(default 3) get no XYZ class: they are "new".

This module is the specification: the database computes the same classes in
one SQL statement (``abc.xyz.run``), and the tests hold the two to each other.
"""

import math

EPSILON = 1e-9


def abc_classes(revenues, a_threshold=0.80, b_threshold=0.95):
    """{key: revenue} -> {key: "A" | "B" | "C"}; ties ranked by key."""
    if not 0 < a_threshold <= b_threshold <= 1:
        raise ValueError("ABC thresholds must satisfy 0 < A <= B <= 1")
    positive = sorted(((-rev, key) for key, rev in revenues.items() if rev > 0))
    total = sum(-neg for neg, _key in positive)
    classes = dict.fromkeys(revenues, "C")
    cumulative = 0.0
    for rank, (neg, key) in enumerate(positive):
        cumulative += -neg
        share = cumulative / total
        if rank == 0 or share <= a_threshold + EPSILON:
            classes[key] = "A"
        elif share <= b_threshold + EPSILON:
            classes[key] = "B"
    return classes


def coefficient_of_variation(amounts):
    """Population standard deviation / mean; None when the mean is not positive."""
    if not amounts:
        return None
    mean = sum(amounts) / len(amounts)
    if mean <= 0:
        return None
    variance = sum((x - mean) ** 2 for x in amounts) / len(amounts)
    return math.sqrt(variance) / mean


def xyz_class(amounts, x_threshold=0.10, y_threshold=0.25, min_buckets=3):
    """Revenue per bucket -> "X" | "Y" | "Z", or None for a new customer."""
    if not 0 <= x_threshold <= y_threshold:
        raise ValueError("XYZ thresholds must satisfy 0 <= X <= Y")
    if len(amounts) < min_buckets:
        return None
    cv = coefficient_of_variation(amounts)
    if cv is None:
        return "Z"
    if cv <= x_threshold + EPSILON:
        return "X"
    if cv <= y_threshold + EPSILON:
        return "Y"
    return "Z"
