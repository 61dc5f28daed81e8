"""A coupon in a journey's message: a step may give each customer it sends
to a coupon of a ``loyalty.program`` of type coupons (a card of the
programme with its own code, redeemed at the till or on a sale like any
Odoo coupon); the mailing shows it with the ``lc_coupon_code`` placeholder.

The coupon is made right before the mailing sends, only for the customers
the contact policy lets through: nobody held back, in the holdout or
without consent gets a code.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import CUSTOMER_BASE_USER


class LifecycleJourneyStep(models.Model):
    _inherit = "lifecycle.journey.step"

    coupon_program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon",
        domain=[("program_type", "=", "coupons")],
        ondelete="restrict",
        help="Each customer the step sends to gets a coupon of this programme; the mailing shows its code "
        "with {{ object.lc_coupon_code }}.",
    )
    coupon_validity_days = fields.Integer(
        "Coupon Valid (days)",
        default=30,
        help="Days the coupon can be used after it is sent; 0: as long as the programme runs.",
    )

    @api.constrains("coupon_program_id", "coupon_validity_days")
    def _check_coupon_program(self):
        for step in self:
            if step.coupon_validity_days < 0:
                raise ValidationError(_("A coupon is valid for a number of days, 0 or more."))
            program = step.coupon_program_id
            if program and program.company_id and program.company_id != step.journey_id.company_id:
                raise ValidationError(
                    _(
                        "The coupon programme %(program)s belongs to another company than the journey.",
                        program=program.display_name,
                    )
                )


class LifecycleJourneyMessage(models.Model):
    _inherit = "lifecycle.journey.message"

    coupon_id = fields.Many2one("loyalty.card", string="Coupon", readonly=True, ondelete="set null")
    coupon_code = fields.Char(related="coupon_id.code", string="Coupon Code")

    def _send(self, mailing, now):
        self._give_coupons(now)
        return super()._send(mailing, now)

    def _give_coupons(self, now):
        """One coupon card per message of a step that gives one, created in
        one batch before the mailing renders its placeholders."""
        for step, messages in self.filtered(lambda m: m.step_id.coupon_program_id and not m.coupon_id).grouped(
            "step_id"
        ).items():
            program = step.coupon_program_id.sudo()
            points = min(program.reward_ids.mapped("required_points") or [1.0]) or 1.0
            expiration = (
                fields.Date.context_today(self, now) + timedelta(days=step.coupon_validity_days)
                if step.coupon_validity_days
                else False
            )
            cards = self.env["loyalty.card"].sudo().create(
                [
                    {
                        "program_id": program.id,
                        "partner_id": message.partner_id.id,
                        "points": points,
                        "expiration_date": expiration,
                    }
                    for message in messages
                ]
            )
            for message, card in zip(messages, cards):
                message.coupon_id = card


class ResPartner(models.Model):
    _inherit = "res.partner"

    lc_coupon_code = fields.Char(
        "Journey Coupon Code",
        compute="_compute_lc_coupon",
        groups=CUSTOMER_BASE_USER,
        help="For the mailings: the code of the last coupon a journey gave the customer.",
    )
    lc_coupon_expiration_date = fields.Date(
        "Journey Coupon Valid Until", compute="_compute_lc_coupon", groups=CUSTOMER_BASE_USER
    )

    def _compute_lc_coupon(self):
        messages = self.env["lifecycle.journey.message"].sudo().search(
            [("partner_id", "in", self._origin.ids), ("coupon_id", "!=", False)], order="id desc"
        )
        last = {}
        for message in messages:
            last.setdefault(message.partner_id.id, message.coupon_id)
        for partner in self:
            coupon = last.get(partner._origin.id)
            partner.lc_coupon_code = coupon.code if coupon else False
            partner.lc_coupon_expiration_date = coupon.expiration_date if coupon else False
