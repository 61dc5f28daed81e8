# Kept apart from res_partner.py (referral codes and referrers) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""The friend's welcome coupon: a customer recorded as referred for the
first time (the referral link's page, the till, the back office) gets one
coupon card of the welcome programme of the loyalty programme that pays
the referrals (``loyalty.program.referral_welcome_program_id``), once ever:
a second sign-up, a manager's change of referrer or a referrer removed and
set again give nothing more. The card is Odoo's own coupon, with its code,
for this customer only: the cashier selects the customer and types the
code at the till, as with any coupon of Odoo's Loyalty."""

from odoo import _, api, fields, models

from .res_partner import CUSTOMER_BASE_USER


class ResPartner(models.Model):
    _inherit = "res.partner"

    referral_welcome_coupon_id = fields.Many2one(
        "loyalty.card",
        "Welcome Coupon",
        readonly=True,
        copy=False,
        ondelete="restrict",
        groups=CUSTOMER_BASE_USER,
        help="The coupon the customer got when they were first recorded as referred by another customer: "
        "given once, never again.",
    )
    referral_welcome_code = fields.Char(
        related="referral_welcome_coupon_id.code", string="Welcome Coupon Code", groups=CUSTOMER_BASE_USER
    )

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {"referral_welcome_coupon_id"}

    @api.model
    def _customer_base_server_fields(self):
        return dict(
            super()._customer_base_server_fields(),
            referral_welcome_coupon_id=_("The welcome coupon is given by the server when a friend is first referred."),
        )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered(lambda p: p.sudo().referred_by_id)._referral_give_welcome_coupon()
        return partners

    def write(self, vals):
        newcomers = self.browse()
        if vals.get("referred_by_id"):
            # read as the server: whoever records the referrer, the coupon follows
            newcomers = self.sudo().filtered(lambda p: not p.referred_by_id).sudo(False)
        res = super().write(vals)
        newcomers._referral_give_welcome_coupon()
        return res

    @api.model
    def _referral_welcome_program(self, company):
        """The welcome coupon programme of the programmes that pay referrals
        at ``company``, or an empty recordset."""
        paying = self.env["loyalty.program"]._referral_paying_programs(company)
        return paying.referral_welcome_program_id.filtered(lambda p: p.active)[:1]

    def _referral_give_welcome_coupon(self):
        """One welcome coupon card for each referred customer of ``self``
        who never got one, in one ``create`` per programme. Server code:
        the callers only record a referrer, they do not choose the coupon."""
        partners = self.sudo().filtered(lambda p: p.referred_by_id and not p.referral_welcome_coupon_id)
        by_program, program_of = {}, {}
        for partner in partners:
            company = partner.company_id or partner.referred_by_id.company_id or self.env.company
            if company not in program_of:
                program_of[company] = self._referral_welcome_program(company)
            if program_of[company]:
                by_program.setdefault(program_of[company], []).append(partner)
        for program, friends in by_program.items():
            points = min(program.reward_ids.mapped("required_points") or [1.0]) or 1.0
            cards = self.env["loyalty.card"].sudo().create(
                [{"program_id": program.id, "partner_id": friend.id, "points": points} for friend in friends]
            )
            for friend, card in zip(friends, cards, strict=True):
                friend.referral_welcome_coupon_id = card
                friend.message_post(
                    body=_(
                        "Welcome coupon %(code)s of %(program)s given: referred by %(referrer)s.",
                        code=card.code,
                        program=program.name,
                        referrer=friend.referred_by_id.display_name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
