# Kept apart from res_partner.py (referral codes) on purpose:
# pylint: disable=consider-merging-classes-inherited
"""Suspicious referrals, flagged on the friend when their referrer is
recorded (the sign-up page, the till, the back office: every path writes
``referred_by_id``): more sign-ups than the programme allows in 24 hours
through one referrer or from one internet address, or a phone, email or
street address shared with the referrer's household (the referrer's company
and its contacts). A flagged friend's rewards wait for a manager
(referral_reward_review.py); a manager may clear the flags."""

import re
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .res_partner import CUSTOMER_BASE_MANAGER, CUSTOMER_BASE_USER

# Sign-ups in 24 hours a programme allows without a review, when no
# programme says otherwise.
DEFAULT_SIGNUPS_PER_DAY = 5
SIGNUP_WINDOW = timedelta(hours=24)
SIGNED_UP = ("created", "linked")


def _address_text(text):
    return re.sub(r"[\W_]+", " ", (text or "").lower()).strip()


class ResPartner(models.Model):
    _inherit = "res.partner"

    referral_date = fields.Datetime(
        "Referred On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=CUSTOMER_BASE_USER,
        help="When the referrer was recorded: what the sign-ups of a day are counted by.",
    )
    referral_flag_ids = fields.One2many(
        "referral.flag", "partner_id", "Referral Flags", readonly=True, groups=CUSTOMER_BASE_USER
    )

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {"referral_date", "referral_flag_ids"}

    @api.model
    def _customer_base_server_fields(self):
        why = _("Referral flags are set by Customer Base when a referral is recorded.")
        return dict(
            super()._customer_base_server_fields(),
            referral_date=_("The date of a referral is set when the referrer is recorded."),
            referral_flag_ids=why,
        )

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            # only the server records referrers (others are refused by the guard)
            if vals.get("referred_by_id") and self.env.su:
                vals["referral_date"] = now
        partners = super().create(vals_list)
        partners.filtered(lambda p: p.sudo().referred_by_id)._referral_flag_suspicious()
        return partners

    def write(self, vals):
        if "referred_by_id" in vals and self.env.su:
            vals = dict(vals, referral_date=fields.Datetime.now() if vals["referred_by_id"] else False)
        res = super().write(vals)
        if vals.get("referred_by_id"):
            self._referral_flag_suspicious()
        return res

    # ------------------------------------------------------------------
    # Flagging
    # ------------------------------------------------------------------
    @api.model
    def _referral_flag_limits(self, companies):
        """{company id: (sign-ups per referrer, sign-ups per address) allowed
        in 24 hours}: the strictest of the programmes that pay referrals in
        the company (0 turns a check off), else the default."""
        Program = self.env["loyalty.program"]
        limits = {}
        for company in companies:
            programs = Program._referral_paying_programs(company)
            per_referrer = [p.referral_flag_signups_per_referrer for p in programs]
            per_address = [p.referral_flag_signups_per_address for p in programs]
            limits[company.id] = (
                min(per_referrer) if per_referrer else DEFAULT_SIGNUPS_PER_DAY,
                min(per_address) if per_address else DEFAULT_SIGNUPS_PER_DAY,
            )
        return limits

    def _referral_flag_suspicious(self):
        """Flag these referred customers for every suspicious pattern they
        show; a friend is flagged once per pattern. Set-based: a few
        queries whatever the number of friends. Returns the new flags."""
        # flags are the server's bookkeeping, whoever records the referral
        friends = self.sudo().with_context(active_test=False).filtered("referred_by_id")
        Flag = self.env["referral.flag"].sudo()
        if not friends:
            return Flag
        now = fields.Datetime.now()
        since = now - SIGNUP_WINDOW
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        referrers = friends.referred_by_id
        company_of = {p.id: (p.company_id or self.env.company) for p in friends | referrers}
        limits = {}

        def limits_of(company):
            if company.id not in limits:
                limits.update(self._referral_flag_limits(company))
            return limits[company.id]

        found = []  # (friend id, kind, referrer id, count, limit, contact id, detail)

        # many sign-ups through one referrer: all that referrer's friends of the day
        for referrer, friend_ids in Partner._read_group(
            [("referred_by_id", "in", referrers.ids), ("referral_date", ">=", since)],
            ["referred_by_id"],
            ["id:array_agg"],
        ):
            limit = limits_of(company_of[referrer.id])[0]
            if limit and len(friend_ids) > limit:
                count = len(friend_ids)
                found += [(fid, "referrer_day", referrer.id, count, limit, False, False) for fid in friend_ids]

        # many sign-ups from one internet address (the link's sign-up log)
        Signup = self.env["referral.signup"].sudo()
        addresses = Signup.search(
            [
                ("partner_id", "in", friends.ids),
                ("result", "in", SIGNED_UP),
                ("ip_address", "!=", False),
                ("create_date", ">=", since),
            ]
        ).mapped("ip_address")
        if addresses:
            for address, company, partner_ids in Signup._read_group(
                [("ip_address", "in", addresses), ("result", "in", SIGNED_UP), ("create_date", ">=", since)],
                ["ip_address", "company_id"],
                ["partner_id:array_agg"],
            ):
                partner_ids = set(filter(None, partner_ids))
                limit = limits_of(company or self.env.company)[1]
                if not limit or len(partner_ids) <= limit:
                    continue
                for partner in Partner.browse(partner_ids).filtered("referred_by_id"):
                    found.append(
                        (partner.id, "address_day", partner.referred_by_id.id, len(partner_ids), limit, False, address)
                    )

        # the referrer's household: their company and its contacts
        found += self._referral_household_flags(friends)
        return self._referral_insert_flags(found, company_of)

    def _referral_household_flags(self, friends):
        """[(friend id, kind, referrer id, 0, 0, contact id, detail)] for the
        friends who share a phone, an email or a street address with someone
        of their referrer's household."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        heads = friends.referred_by_id.commercial_partner_id
        members = Partner.search([("id", "child_of", heads.ids)])
        household = {}
        for member in members:
            household.setdefault(member.commercial_partner_id.id, []).append(member)
        found = []
        for friend in friends:
            referrer = friend.referred_by_id
            phones, emails = friend._referral_phone_keys(), friend._referral_email_keys()
            address = friend._referral_address_key()
            seen = set()
            for member in household.get(referrer.commercial_partner_id.id, []):
                if member == friend:
                    continue
                for kind, shared, detail in (
                    ("household_phone", phones & member._referral_phone_keys(), member.phone or member.mobile),
                    ("household_email", emails & member._referral_email_keys(), member.email),
                    (
                        "household_address",
                        address and address == member._referral_address_key(),
                        ", ".join(filter(None, (member.street, member.zip, member.city))),
                    ),
                ):
                    if shared and kind not in seen:
                        seen.add(kind)
                        found.append((friend.id, kind, referrer.id, 0, 0, member.id, (detail or "")[:128]))
        return found

    def _referral_address_key(self):
        """Street and postcode (or city) of the customer, normalised; False
        without a street."""
        self.ensure_one()
        street = _address_text(self.street)
        place = _address_text(self.zip) or _address_text(self.city)
        return (street, place) if street and place else False

    @api.model
    def _referral_insert_flags(self, found, company_of):
        """Insert the flags ``found`` in one statement; a friend already
        flagged for a pattern (even cleared by a manager) is not flagged
        again. Returns the new flags."""
        Flag = self.env["referral.flag"].sudo()
        if not found:
            return Flag
        Flag.flush_model()
        now = fields.Datetime.now()
        rows, keys = [], set()
        for friend_id, kind, referrer_id, count, limit, contact_id, detail in found:
            if (friend_id, kind) in keys:
                continue
            keys.add((friend_id, kind))
            company = company_of.get(referrer_id) or self.env.company
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, TRUE, %s, %s, %s, %s)",
                    friend_id,
                    kind,
                    referrer_id or None,
                    company.id,
                    count,
                    limit,
                    contact_id or None,
                    detail or None,
                    self.env.uid,
                    self.env.uid,
                    now,
                    now,
                )
            )
        ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """INSERT INTO referral_flag (partner_id, kind, referrer_id, company_id, signup_count, signup_limit,
                                                  contact_id, detail, active, create_uid, write_uid,
                                                  create_date, write_date)
                       VALUES %s
                       ON CONFLICT (partner_id, kind) DO NOTHING
                       RETURNING id""",
                    SQL(", ").join(rows),
                )
            )
        ]
        Flag.invalidate_model()
        self.env["res.partner"].invalidate_model(["referral_flag_ids"])
        return Flag.browse(ids)

    # ------------------------------------------------------------------
    # Clearing
    # ------------------------------------------------------------------
    def action_referral_clear_flags(self):
        """A manager trusts these customers: their flags are cleared (kept,
        archived, never raised again for the same pattern) and the rewards
        of their next purchases are paid at once. Rewards already held stay
        in the review queue."""
        if not self.env.user.has_group(CUSTOMER_BASE_MANAGER):
            raise AccessError(_("Only a Customer Base manager clears the referral flags of a customer."))
        self.check_access("write")
        # flags are written by the server only; the manager's right was checked above
        flags = self.sudo().referral_flag_ids
        if not flags:
            return True
        flags.write({"active": False})
        for partner in flags.partner_id:
            body = _(
                "Referral flags cleared by %(user)s: %(reasons)s",
                user=self.env.user.name,
                reasons=" ".join(flags.filtered(lambda f, p=partner: f.partner_id == p).mapped("name")),
            )
            partner._message_log(body=Markup("<p>%s</p>") % body)
        return True
