"""Why a referred customer looks suspicious: one row per pattern seen on the
friend (many sign-ups through one referrer or from one internet address in
a day, a phone, email or address shared with the referrer's household).

Written by the server only, when a referral is recorded
(res_partner_referral_flag.py); a friend with a flag has the rewards of
their purchases held until a manager approves or rejects them
(referral_reward_review.py). The reason is worded when it is read, in the
reader's language.
"""

from odoo import _, api, fields, models

FLAG_KINDS = [
    ("referrer_day", "Many sign-ups through one referrer in a day"),
    ("address_day", "Many sign-ups from one internet address in a day"),
    ("household_phone", "Phone of the referrer's household"),
    ("household_email", "Email of the referrer's household"),
    ("household_address", "Address of the referrer's household"),
]


class ReferralFlag(models.Model):
    _name = "referral.flag"
    _description = "Suspicious Referral"
    _order = "create_date desc, id desc"

    name = fields.Char("Reason", compute="_compute_name")
    partner_id = fields.Many2one(
        "res.partner", "Friend", required=True, index=True, ondelete="cascade", readonly=True, help="Who was brought."
    )
    referrer_id = fields.Many2one(
        "res.partner", "Referrer", index=True, ondelete="cascade", readonly=True, help="Who brought them."
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    kind = fields.Selection(FLAG_KINDS, required=True, readonly=True)
    signup_count = fields.Integer("Sign-ups", readonly=True, help="How many sign-ups the pattern counted.")
    signup_limit = fields.Integer(
        "Allowed Sign-ups", readonly=True, help="How many sign-ups in 24 hours the programme allows without a review."
    )
    contact_id = fields.Many2one(
        "res.partner", "Household Contact", readonly=True, ondelete="set null", help="Who shares the detail."
    )
    detail = fields.Char(readonly=True, help="The internet address, phone, email or address shared.")
    active = fields.Boolean(default=True, readonly=True, help="Cleared by a manager: the friend's rewards are paid.")

    _sql_constraints = [
        ("partner_kind_unique", "UNIQUE(partner_id, kind)", "A friend is flagged once for each pattern."),
    ]

    @api.depends_context("lang")
    @api.depends("kind", "signup_count", "signup_limit", "contact_id", "referrer_id", "detail")
    def _compute_name(self):
        for flag in self:
            # the names of who brought whom are part of the reason a reviewer reads
            referrer = flag.referrer_id.sudo().display_name or _("the referrer")
            contact = flag.contact_id.sudo().display_name or referrer
            if flag.kind == "referrer_day":
                name = _(
                    "%(count)s friends signed up through %(referrer)s within 24 hours (more than %(limit)s).",
                    count=flag.signup_count,
                    referrer=referrer,
                    limit=flag.signup_limit,
                )
            elif flag.kind == "address_day":
                name = _(
                    "%(count)s sign-ups from the internet address %(address)s within 24 hours (more than %(limit)s).",
                    count=flag.signup_count,
                    address=flag.detail,
                    limit=flag.signup_limit,
                )
            elif flag.kind == "household_phone":
                name = _(
                    "Same phone number as %(contact)s, of the household of %(referrer)s.",
                    contact=contact,
                    referrer=referrer,
                )
            elif flag.kind == "household_email":
                name = _(
                    "Same email address as %(contact)s, of the household of %(referrer)s.",
                    contact=contact,
                    referrer=referrer,
                )
            elif flag.kind == "household_address":
                name = _(
                    "Same address as %(contact)s, of the household of %(referrer)s: %(address)s.",
                    contact=contact,
                    referrer=referrer,
                    address=flag.detail,
                )
            else:
                name = False
            flag.name = name
