"""Visits of the referral links: the first step of the referral funnel.

One row per code, visitor and day, whatever the number of page loads: a
visit is written with ``INSERT ... ON CONFLICT DO NOTHING`` on that unique
key, so reloading the page, or a bot hammering it from one address, adds
nothing. The visitor is a keyed hash of the address (the database secret is
the key), not the address itself. Robots that say so (Odoo's
``ir.http.is_a_bot``) are not counted.
"""

import hashlib
import hmac

from odoo import api, fields, models
from odoo.tools import SQL


class ReferralLinkVisit(models.Model):
    _name = "referral.link.visit"
    _description = "Referral Link Visit"
    _order = "date desc, id desc"
    _rec_name = "referrer_id"
    _log_access = False

    referrer_id = fields.Many2one(
        "res.partner", "Referrer", required=True, readonly=True, index=True, ondelete="cascade",
        help="Whose link was opened.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    date = fields.Date(required=True, readonly=True, index=True)
    visitor = fields.Char(readonly=True, required=True, help="A keyed hash of the visitor's address.")

    _sql_constraints = [
        ("visit_unique", "UNIQUE(referrer_id, date, visitor)", "A visitor counts once a day per link."),
    ]

    @api.model
    def _visitor_key(self, address):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        return hmac.new(secret.encode(), (address or "").encode(), hashlib.sha256).hexdigest()[:32]

    @api.model
    def _record_visit(self, referrer, address, is_bot=False):
        """Count a visit of ``referrer``'s link from ``address`` today (once
        per address and day); nothing for an unknown code or a robot."""
        if not referrer or is_bot:
            return
        company = referrer.company_id or self.env.company
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO referral_link_visit (referrer_id, company_id, date, visitor)
                VALUES (%s, %s, %s, %s)
                ON CONFLICT DO NOTHING
                """,
                referrer.id,
                company.id,
                fields.Date.context_today(self),
                self._visitor_key(address),
            )
        )
