# Kept apart from res_partner.py (referral codes) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""The referral part of the customer's own loyalty page (My loyalty): their
link with its QR code and share buttons, the friends they brought (first
names only) and the points each brought them."""

from urllib.parse import quote

from odoo import _, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _loyalty_portal_values(self):
        values = super()._loyalty_portal_values()
        partner = self.sudo()
        if not partner.referral_code:
            values["referral"] = False
            return values
        rewards = self.env["referral.reward"].sudo()._read_group(
            [("referrer_id", "=", partner.id), ("state", "in", ("paid", "held"))],
            ["friend_id", "level", "state"],
            ["points:sum", "refunded_points:sum"],
        )
        by_friend = {}
        through_others = pending = 0.0
        for friend, level, state, points, refunded in rewards:
            if state == "held":
                pending += points - refunded
            elif level == 1:
                by_friend[friend.id] = by_friend.get(friend.id, 0.0) + points
            else:
                through_others += points
        url = partner.referral_url
        text = _("Join me: sign up with my invitation %(url)s", url=url)
        values["referral"] = {
            "code": partner.referral_code,
            "url": url,
            "qr_url": partner.referral_qr_url,
            "share": [
                ("SMS", f"sms:?&body={quote(text)}"),
                ("WhatsApp", f"https://wa.me/?text={quote(text)}"),
                ("Telegram", f"https://t.me/share/url?url={quote(url)}&text={quote(text)}"),
                ("Viber", f"viber://forward?text={quote(text)}"),
            ],
            "friends": [
                {
                    "first_name": (friend.name or "").split()[0] if friend.name else "",
                    "points": by_friend.get(friend.id, 0.0),
                }
                for friend in partner.referral_ids.sorted("create_date", reverse=True)
            ],
            "through_others": through_others,
            # rewards of friends flagged for a check: not spendable until a manager approves them
            "pending": round(pending, 2),
        }
        return values
