"""What a journey brings, without the ORM: SMS segments, conversion rates,
uplift with its confidence interval, cost per extra conversion, and the cost
of the blanket approach the journeys replace.

The report (report/lifecycle_journey_report.py) counts messages and
conversions in SQL; the results screen (wizard/lifecycle_journey_results.py)
turns the counts into rates with the functions here, which the tests check on
hand-made numbers.

Uplift is the difference of two conversion rates, the messaged group's minus
the holdout group's (the customers of the journey drawn never to be messaged:
what would have happened anyway). Its 95% confidence interval is the normal
(Wald) interval of a difference of two independent proportions::

    d = p1 - p0,   se = sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0),
    d +/- 1.96 se

Fine for the hundreds of customers a journey sees; with a few customers in a
group, or no conversion at all, the interval is wide or degenerate and says
so. The cost per extra conversion is the messaged group's cost divided by
the conversions the journey added: ``d * n1``; none when the journey added
nothing (d <= 0).
"""

import math
import re

Z_95 = 1.959963984540054

# Odoo counts SMS in its SMS editor (addons/sms/static/src/components/
# sms_widget/fields_sms_widget.js, _extractEncoding and _countSMS): a text of
# GSM 7-bit characters only is one SMS up to 160 characters, else segments of
# 153; any other character makes it UNICODE: one SMS up to 70, else segments
# of 67. A line break counts twice. The same rule, in Python.
GSM7_CHARS = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_RE = re.compile("^[" + re.escape(GSM7_CHARS) + "]*$")


def sms_encoding(body):
    """"GSM7" when every character of ``body`` is in the GSM 7-bit alphabet
    Odoo's SMS editor knows, else "UNICODE"."""
    return "GSM7" if _GSM7_RE.match(body or "") else "UNICODE"


def sms_segments(body):
    """How many SMS ``body`` costs, counted as Odoo's SMS editor counts them."""
    body = body or ""
    length = len(body) + body.count("\n")
    if not length:
        return 0
    if sms_encoding(body) == "UNICODE":
        return 1 if length <= 70 else math.ceil(length / 67)
    return 1 if length <= 160 else math.ceil(length / 153)


def rate(conversions, customers):
    """Share of ``customers`` who converted; None for an empty group."""
    if customers < 0 or conversions < 0 or conversions > customers:
        raise ValueError("conversions must be between 0 and the number of customers")
    return conversions / customers if customers else None


def uplift(conversions, customers, holdout_conversions, holdout_customers, z=Z_95):
    """The messaged group's rate minus the holdout's, with its confidence
    interval (95% by default).

    :return: dict with ``rate`` and ``holdout_rate`` (None for an empty
        group), ``uplift``, ``low`` and ``high`` (None unless both groups
        have customers)
    """
    p1 = rate(conversions, customers)
    p0 = rate(holdout_conversions, holdout_customers)
    result = {"rate": p1, "holdout_rate": p0, "uplift": None, "low": None, "high": None}
    if p1 is None or p0 is None:
        return result
    diff = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / customers + p0 * (1 - p0) / holdout_customers)
    result.update(uplift=diff, low=diff - z * se, high=diff + z * se)
    return result


def cost_per_extra_conversion(cost, customers, uplift_value):
    """The messaged group's cost divided by the conversions the journey
    added (``uplift_value * customers``); None when it added none."""
    if uplift_value is None or uplift_value <= 0 or not customers:
        return None
    return cost / (uplift_value * customers)


def blanket_messages(customers, days, per_month):
    """Messages of the blanket approach: ``per_month`` messages a month to
    each of ``customers`` over ``days`` days (a month of 365.25 / 12 days)."""
    if customers < 0 or days < 0 or per_month < 0:
        raise ValueError("customers, days and messages a month cannot be negative")
    return round(customers * per_month * days * 12 / 365.25)
