# Kept apart from loyalty_program.py (the rewards' configuration) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""How many sign-ups in 24 hours a programme that pays referrals allows,
through one referrer and from one internet address, before the friends are
flagged and their rewards held for a manager's review."""

from odoo import fields, models

from .res_partner_referral_flag import DEFAULT_SIGNUPS_PER_DAY


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    referral_flag_signups_per_referrer = fields.Integer(
        "Sign-ups per Referrer in a Day",
        default=DEFAULT_SIGNUPS_PER_DAY,
        help="More friends than this recorded through one referrer within 24 hours are flagged: their rewards wait "
        "for a manager's review. 0: no check.",
    )
    referral_flag_signups_per_address = fields.Integer(
        "Sign-ups per Internet Address in a Day",
        default=DEFAULT_SIGNUPS_PER_DAY,
        help="More sign-ups than this on referral links from one internet address within 24 hours are flagged: "
        "their rewards wait for a manager's review. 0: no check.",
    )

    _sql_constraints = [
        (
            "referral_flag_signups_positive",
            "CHECK(referral_flag_signups_per_referrer >= 0 AND referral_flag_signups_per_address >= 0)",
            "The sign-ups allowed in a day cannot be negative.",
        ),
    ]
