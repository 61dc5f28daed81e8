# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""The customer's own loyalty page in Odoo's portal ("My loyalty",
controllers/portal_loyalty.py): what it shows of a customer, and the
personal link to it that mailings can carry.

The link holds a token signed by the server (Odoo's ``hash_sign`` with the
database secret): it names one customer and cannot be forged or changed into
another's. Other addons add to the page through ``_loyalty_portal_values``
(the Referral Program adds the referral link and the friends brought)."""

from odoo import api, fields, models
from odoo.tools import hash_sign, verify_hash_signed

TOKEN_SCOPE = "loyalty_lifecycle.my_loyalty"
LEDGER_LINES = 50


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_portal_url = fields.Char(
        "My Loyalty Link",
        compute="_compute_loyalty_portal_url",
        groups="loyalty_lifecycle.loyalty_lifecycle_group_user",
        help="The customer's personal link to their loyalty page (points, ledger, tier), without logging in. "
        "For the mailings: {{ object.loyalty_portal_url }}.",
    )

    def _compute_loyalty_portal_url(self):
        base_url = self.get_base_url() if self else ""
        for partner in self:
            partner.loyalty_portal_url = (
                f"{base_url}/my/loyalty/{partner._loyalty_portal_token()}" if partner._origin.id else False
            )

    def _loyalty_portal_token(self):
        self.ensure_one()
        return hash_sign(self.env(su=True), TOKEN_SCOPE, self._origin.id)

    @api.model
    def _loyalty_portal_partner(self, token):
        """The customer a personal link's token names, or an empty
        recordset for anything else (malformed, forged, of a deleted
        customer)."""
        if not isinstance(token, str) or not token or len(token) > 512:
            return self.browse()
        try:
            partner_id = verify_hash_signed(self.env(su=True), TOKEN_SCOPE, token)
        except (ValueError, TypeError, UnicodeDecodeError):
            return self.browse()
        if not isinstance(partner_id, int) or isinstance(partner_id, bool):
            return self.browse()
        return self.sudo().browse(partner_id).exists().filtered("active")

    def _loyalty_portal_values(self):
        """What the page shows of this customer, read as the server: their
        cards (points available, pending, expiring, the tier) and the last
        lines of their ledger. Nothing of anyone else."""
        self.ensure_one()
        partner = self.sudo()
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("program_id.program_type", "=", "loyalty"),
                    ("program_id.points_ledger", "=", True),
                ]
            )
        )
        entries = (
            self.env["loyalty.points.entry"]
            .sudo()
            .search([("card_id", "in", cards.ids)], order="date desc, id desc", limit=LEDGER_LINES)
        )
        Entry = self.env["loyalty.points.entry"]
        kinds = dict(Entry._fields["kind"]._description_selection(self.env))
        origins = dict(Entry._fields["origin"]._description_selection(self.env))
        return {
            "partner": partner,
            "first_name": (partner.name or "").split()[0] if partner.name else "",
            "cards": cards.points_summary(),
            "ledger": [
                {
                    "date": entry.date,
                    "what": origins.get(entry.origin) if entry.kind == "earn" and entry.origin else kinds.get(entry.kind),
                    "program": entry.program_id.name,
                    "points": entry.points,
                    "expiry_date": entry.expiry_date if entry.points > 0 else False,
                    "pending": entry.is_pending,
                }
                for entry in entries
            ],
        }
