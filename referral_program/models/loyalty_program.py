from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError

from .referral_rate import DEFAULT_RATES


class LoyaltyProgram(models.Model):
    """A loyalty programme may pay referrers in its points, up to three
    levels up the chain of who brought whom, when a friend pays."""

    _inherit = "loyalty.program"

    referral_enabled = fields.Boolean(
        "Pays Referrals",
        help="When a referred customer pays, the customers who brought them earn points of this programme.",
    )
    referral_rate_ids = fields.One2many("referral.rate", "program_id", "Referral Rates", copy=True)
    referral_points_per_currency = fields.Float(
        "Points per Currency Unit",
        default=1.0,
        digits=(16, 4),
        help="Points a referrer earns per unit of currency of their reward (a 5% reward on 1,000 is 50 points at 1).",
    )
    referral_first_purchase_bonus = fields.Float(
        "First Purchase Bonus",
        digits=(16, 2),
        help="Points the customer who brought a friend (level 1) earns once, on the friend's first paid purchase.",
    )
    referral_monthly_cap = fields.Float(
        "Monthly Cap per Referrer",
        digits=(16, 2),
        help="The most referral points one referrer earns in a calendar month in this programme; 0: no cap.",
    )

    referral_welcome_program_id = fields.Many2one(
        "loyalty.program",
        "Welcome Coupon for the Friend",
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', [False, company_id])]",
        ondelete="set null",
        help="A programme of type coupons: a customer recorded as referred for the first time (on the referral "
        "link's page, at the till or in the back office) gets one coupon of it, once ever.",
    )

    referral_offer = fields.Html(
        "Offer to the Friend",
        translate=True,
        sanitize=True,
        default=lambda self: self._referral_default_offer(),
        help="What a friend reads on the page of a referral link (/r/<code>), above the sign-up form.",
    )
    referral_consent_text = fields.Text(
        "Consent Text",
        translate=True,
        default=lambda self: self._referral_default_consent(),
        help="The box a friend ticks on the sign-up page: their consent to be registered and contacted.",
    )

    _sql_constraints = [
        (
            "referral_points_per_currency_positive",
            "CHECK(referral_points_per_currency > 0)",
            "The referral points per currency unit must be positive.",
        ),
        (
            "referral_bonus_positive",
            "CHECK(referral_first_purchase_bonus >= 0)",
            "The first purchase bonus cannot be negative.",
        ),
        ("referral_cap_positive", "CHECK(referral_monthly_cap >= 0)", "The monthly referral cap cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        programs._referral_default_rates()
        return programs

    def write(self, vals):
        res = super().write(vals)
        if vals.get("referral_enabled"):
            self._referral_default_rates()
        return res

    def _referral_default_offer(self):
        return _(
            "<p>Sign up with the invitation of a friend: show your phone at the front desk on your first visit and "
            "get a welcome gift. Your friend is thanked when you make your first purchase.</p>"
        )

    def _referral_default_consent(self):
        return _(
            "I agree that my name, phone and email are kept to register me as a customer and to send me offers; "
            "I can unsubscribe at any time."
        )

    def _referral_default_rates(self):
        """A programme that starts paying referrals without rates gets the
        default three levels."""
        missing = self.filtered(lambda program: program.referral_enabled and not program.referral_rate_ids)
        for program in missing:
            program.referral_rate_ids = [
                Command.create({"level": level, "percent": percent}) for level, percent in DEFAULT_RATES
            ]

    @api.onchange("referral_enabled")
    def _onchange_referral_enabled(self):
        if self.referral_enabled and not self.referral_rate_ids:
            self.referral_rate_ids = [
                Command.create({"level": level, "percent": percent}) for level, percent in DEFAULT_RATES
            ]

    @api.constrains("referral_enabled", "program_type", "points_ledger")
    def _check_referral_program(self):
        for program in self.filtered("referral_enabled"):
            if not program.uses_points_ledger:
                raise ValidationError(
                    _(
                        "%(program)s cannot pay referrals: only a loyalty programme with the points ledger pays "
                        "referrers in points.",
                        program=program.name,
                    )
                )

    @api.constrains("referral_welcome_program_id", "company_id")
    def _check_referral_welcome_program(self):
        for program in self.filtered("referral_welcome_program_id"):
            welcome = program.referral_welcome_program_id
            if welcome.program_type != "coupons":
                raise ValidationError(
                    _("The welcome coupon of %(program)s must be a programme of type coupons.", program=program.name)
                )
            if welcome.company_id and welcome.company_id != program.company_id:
                raise ValidationError(
                    _(
                        "The welcome coupon programme %(welcome)s belongs to another company than %(program)s.",
                        welcome=welcome.name,
                        program=program.name,
                    )
                )

    @api.model
    def _referral_paying_programs(self, company):
        """The programmes that pay referrals on a purchase of ``company``."""
        # programmes are configuration; whoever's purchase is paid, the referrers earn
        return (
            self.sudo()
            .search(
                [
                    ("referral_enabled", "=", True),
                    ("program_type", "=", "loyalty"),
                    ("points_ledger", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
            .filtered("referral_rate_ids")
        )
