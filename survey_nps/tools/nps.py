"""Net Promoter Score arithmetic, without the ORM.

"How likely are you to recommend us?" on a 0-10 scale: promoters answer 9-10,
passives 7-8, detractors 0-6; NPS = % promoters - % detractors, from -100 to 100.
"""

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_SCORE = 0
MAX_SCORE = 10
PROMOTER = "promoter"
PASSIVE = "passive"
DETRACTOR = "detractor"
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,15}")


def whole_number(value):
    """The whole number an answer stands for: an int, a float without a
    fraction (7.0) or a string of ASCII digits (" 7 "). ValueError for
    anything else: 3.5, "abc", "1e3", booleans, None, lists, dicts, NaN."""
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        return int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value.strip())
    raise ValueError(f"not a whole number: {value!r:.40}")


def category(score):
    """The NPS category of one 0-10 answer; ValueError outside the scale."""
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValueError(f"an NPS answer is a whole number, not {score!r}")
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise ValueError(f"an NPS answer is between {MIN_SCORE} and {MAX_SCORE}, not {score}")
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


@dataclass(frozen=True)
class NpsSummary:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def responses(self):
        return self.promoters + self.passives + self.detractors

    @property
    def score(self):
        """NPS from -100 to 100, rounded to 2 decimals; 0.0 with no answers."""
        if not self.responses:
            return 0.0
        return round(100.0 * (self.promoters - self.detractors) / self.responses, 2)


def summarize(answers):
    """Summary of answers given as scores, or as a {score: count} mapping."""
    counts = answers if isinstance(answers, Mapping) else _count(answers)
    totals = {PROMOTER: 0, PASSIVE: 0, DETRACTOR: 0}
    for score, count in counts.items():
        totals[category(score)] += count
    return NpsSummary(totals[PROMOTER], totals[PASSIVE], totals[DETRACTOR])


def _count(scores: Iterable[int]):
    counts = {}
    for score in scores:
        counts[score] = counts.get(score, 0) + 1
    return counts
