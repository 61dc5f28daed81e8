"""Journeys on the customer: start and stop them on stage moves, their
messages on the form, and the fields mailings use as placeholders."""

import operator as op

from odoo import _, api, fields, models
from odoo.tools import format_date

from ..tools.points_ledger import round_points

from .res_partner import CUSTOMER_BASE_USER


class ResPartner(models.Model):
    _inherit = "res.partner"

    contact_first_name = fields.Char(
        "First Name",
        compute="_compute_contact_first_name",
        help="For the mailings' greetings: the first word of the name of a person, the name of a company.",
    )
    lc_points_available_text = fields.Char(
        "Points Available (text)",
        compute="_compute_lc_points_available_text",
        help="The customer's available points as the mailings show them (120, 12.5).",
    )
    lc_points_expiring_text = fields.Char(
        "Points Expiring (text)",
        compute="_compute_lc_points_expiring_text",
        help="The customer's spendable points that expire next, on the day of the placeholder "
        "Points Expire On (text): those of the earliest expiry date to come.",
    )
    lc_points_expiry_date_text = fields.Char(
        "Points Expire On (text)",
        compute="_compute_lc_points_expiring_text",
        help="The next day some of the customer's points expire, in the customer's language.",
    )
    lc_journey_message_ids = fields.One2many(
        "lifecycle.journey.message", "partner_id", string="Journey Message Lines", groups=CUSTOMER_BASE_USER
    )
    lc_journey_message_count = fields.Integer(
        "Journey Messages", compute="_compute_lc_journey_message_count", groups=CUSTOMER_BASE_USER
    )
    lc_visit_count = fields.Integer(
        "Visits",
        compute="_compute_lc_visit_count",
        search="_search_lc_visit_count",
        groups=CUSTOMER_BASE_USER,
        help="Purchases (visits) ever, at the till or by invoice.",
    )

    @api.depends("name", "is_company")
    def _compute_contact_first_name(self):
        for partner in self:
            name = (partner.name or "").strip()
            partner.contact_first_name = name if partner.is_company else (name.split() or [""])[0]

    def _compute_lc_points_available_text(self):
        for partner in self.sudo():
            partner.lc_points_available_text = f"{partner.loyalty_points_available:g}"

    def _compute_lc_points_expiring_text(self):
        today = fields.Date.context_today(self)
        next_expiry = {}
        # the ledger is read for whoever renders the mailing
        for partner, day, remaining in (
            self.env["loyalty.points.entry"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("is_lot", "=", True),
                    ("is_pending", "=", False),
                    ("remaining", ">", 0),
                    ("expiry_date", ">", today),
                ],
                ["partner_id", "expiry_date:day"],
                ["remaining:sum"],
            )
        ):
            if partner.id not in next_expiry or day < next_expiry[partner.id][0]:
                next_expiry[partner.id] = (day, remaining)
        for partner in self:
            day, points = next_expiry.get(partner._origin.id, (False, 0.0))
            partner.lc_points_expiring_text = f"{round_points(points):g}"
            partner.lc_points_expiry_date_text = day and format_date(self.env, day, lang_code=partner.lang) or ""

    def _compute_lc_journey_message_count(self):
        counts = dict(
            self.env["lifecycle.journey.message"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.lc_journey_message_count = counts.get(partner, 0)

    def _compute_lc_visit_count(self):
        counts = dict(
            self.env["customer.purchase"].sudo()._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.lc_visit_count = counts.get(partner._origin, 0)

    def _search_lc_visit_count(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(value, int):
            return NotImplemented
        counts = dict(self.env["customer.purchase"].sudo()._read_group([], ["partner_id"], ["__count"]))
        compare = {"=": op.eq, "!=": op.ne, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge}[operator]
        if compare(0, value):
            # customers without any purchase match too
            excluded = [partner.id for partner, count in counts.items() if not compare(count, value)]
            return [("id", "not in", excluded)]
        return [("id", "in", [partner.id for partner, count in counts.items() if compare(count, value)])]

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {"lc_journey_message_ids"}

    @api.model
    def _customer_base_server_fields(self):
        return dict(
            super()._customer_base_server_fields(),
            lc_journey_message_ids=_("Journey messages are written by the journeys only."),
        )

    def _log_stage_changes(self, before, move=None):
        res = super()._log_stage_changes(before, move)
        self.env["lifecycle.journey.participant"]._on_stage_change(self, company=move and move.company or None)
        return res

    def action_view_journey_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_lifecycle.lifecycle_journey_message_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action
