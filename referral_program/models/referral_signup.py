"""The referral link's sign-up: a friend opens ``/r/<code>``, reads the
offer and leaves a name, a phone and, if they like, an email, with their
consent. The server finds the customer by normalised phone, then by email,
or creates them, with the code's owner as who brought them; it never makes
a second customer of the same person.

Every attempt is written down (``referral.signup``): the staff see who
signed up through whom and why an attempt was refused, and the attempts of
the last hour from one address, or of the last day for one phone, are what
the rate limits count. The controller (controllers/referral_signup.py) only
passes the form through; every check is here.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, email_normalize

_logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 128
FIELD_MAX_LENGTH = 254
# Attempts before the page asks to come back later.
LIMIT_PER_ADDRESS_HOUR = 10
LIMIT_PER_PHONE_DAY = 3


class ReferralSignup(models.Model):
    _name = "referral.signup"
    _description = "Referral Sign-up"
    _order = "id desc"
    _rec_name = "name"

    name = fields.Char(readonly=True)
    referrer_id = fields.Many2one("res.partner", "Invited By", readonly=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index="btree_not_null", ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    code = fields.Char(readonly=True)
    phone = fields.Char(readonly=True, index="btree_not_null", help="The phone typed, in the international format.")
    email = fields.Char(readonly=True)
    ip_address = fields.Char("Address", readonly=True, index="btree_not_null")
    result = fields.Selection(
        [
            ("created", "New customer"),
            ("linked", "Existing customer, now referred"),
            ("existing", "Already a customer"),
            ("refused", "Refused"),
        ],
        readonly=True,
        required=True,
        index=True,
    )
    reason = fields.Char(readonly=True, help="Why the sign-up was refused, or what was found.")

    # ------------------------------------------------------------------
    # What the page shows
    # ------------------------------------------------------------------
    @api.model
    def _referrer_of(self, code):
        """(referrer, programme) of a code from a link, or two empty
        recordsets: an unknown code, a customer archived, or a company
        without a programme that pays referrals."""
        Partner, Program = self.env["res.partner"].sudo(), self.env["loyalty.program"].sudo()
        if not isinstance(code, str) or len(code) > 64:
            return Partner, Program
        try:
            normalized = Partner._normalize_referral_code(code)
        except UserError:
            return Partner, Program
        referrer = Partner.search([("referral_code", "=", normalized)], limit=1)
        if not referrer:
            return Partner, Program
        company = referrer.company_id or self.env.company
        program = Program._referral_paying_programs(company)[:1]
        if not program:
            return Partner, Program
        return referrer, program

    @api.model
    def _page_values(self, code):
        referrer, program = self._referrer_of(code)
        company = referrer.company_id or program.company_id or self.env.company
        return {
            # the page wears the colours and logo of the referrer's company
            "res_company": company.sudo(),
            "code": code if referrer else "",
            "referrer": referrer,
            "referrer_first_name": (referrer.name or "").split()[0] if referrer.name else "",
            "program": program,
            "values": {},
            "error": False,
        }

    # ------------------------------------------------------------------
    # The sign-up
    # ------------------------------------------------------------------
    @api.model
    def _recent_attempts(self, ip_address, phone):
        now = fields.Datetime.now()
        by_address = self.search_count(
            [("ip_address", "=", ip_address), ("create_date", ">=", now - timedelta(hours=1))]
        ) if ip_address else 0
        by_phone = self.search_count(
            [("phone", "=", phone), ("create_date", ">=", now - timedelta(days=1))]
        ) if phone else 0
        return by_address, by_phone

    @api.model
    def _sign_up(self, code, name=None, phone=None, email=None, consent=None, ip_address=None):
        """Sign a friend up through the link of ``code``: the page's values.

        :return: the values of the page to show: ``state`` ``done`` (with
            ``partner``), ``form`` (with ``error``, the form filled again),
            ``unknown`` (the code does not invite) or ``limited`` (too many
            attempts: come back later), and ``status`` the HTTP status.
        """
        page = self._page_values(code)
        if not page["referrer"]:
            return dict(page, state="unknown", status=404)
        referrer, program = page["referrer"], page["program"]
        texts = {"name": name, "phone": phone, "email": email}
        if any(value is not None and not isinstance(value, str) for value in texts.values()):
            return dict(page, state="form", status=400, error=_("The form was sent incomplete: fill it in again."))
        name = " ".join((name or "").split())[:FIELD_MAX_LENGTH]
        phone = (phone or "").strip()[:FIELD_MAX_LENGTH]
        email = (email or "").strip()[:FIELD_MAX_LENGTH]
        page["values"] = {"name": name, "phone": phone, "email": email, "consent": bool(consent)}
        log = {
            "name": name,
            "referrer_id": referrer.id,
            "company_id": (referrer.company_id or self.env.company).id,
            "code": referrer.referral_code,
            "ip_address": (ip_address or "")[:64] or False,
            "email": email or False,
        }
        Partner = self.env["res.partner"].sudo()
        region = ((referrer.company_id or self.env.company).country_id.code or "").upper() or None
        e164 = international = False
        try:
            e164, international = Partner._pos_quick_customer_phone(phone, region)
        except UserError:
            pass
        log["phone"] = e164 or phone or False
        by_address, by_phone = self._recent_attempts(log["ip_address"], e164)
        if by_address >= LIMIT_PER_ADDRESS_HOUR or by_phone >= LIMIT_PER_PHONE_DAY:
            self._log_attempt(log, "refused", "rate limit")
            return dict(page, state="limited", status=429)

        def refuse(message, reason):
            self._log_attempt(log, "refused", reason)
            return dict(page, state="form", status=200, error=message)

        if not name:
            return refuse(_("Type your name."), "no name")
        if len(name) > NAME_MAX_LENGTH:
            return refuse(_("A name has at most %(length)s characters.", length=NAME_MAX_LENGTH), "name too long")
        if not e164:
            return refuse(
                _("%(phone)s is not a phone number we can text: type it with the country code, like +7 912 345-67-89.",
                  phone=phone[:40] or _("An empty phone")),
                "invalid phone",
            )
        normalized_email = False
        if email:
            normalized_email = email_normalize(email)
            if not normalized_email:
                return refuse(_("%(email)s is not an email address.", email=email[:60]), "invalid email")
        if not consent:
            return refuse(_("Tick the box to agree: we need your consent to sign you up."), "no consent")

        # two submissions of the same phone at once: one waits for the other
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", f"referral.signup:{e164}"))
        existing = Partner.with_context(active_test=False).search([("phone_sanitized", "=", e164)], limit=1)
        if not existing and normalized_email:
            existing = Partner.with_context(active_test=False).search(
                [("email_normalized", "=", normalized_email)], limit=1
            )
        if existing:
            return self._sign_up_existing(existing, referrer, page, log)
        values = {
            "name": name,
            "phone": international,
            "email": normalized_email or False,
            "marketing_consent": True,
            "customer_rank": 1,
            "referred_by_id": referrer.id,
        }
        lang = self.env.context.get("lang")
        if lang and self.env["res.lang"]._lang_get(lang):
            values["lang"] = lang
        try:
            with self.env.cr.savepoint():
                partner = Partner.create(values)
        except ValidationError as error:
            # the referrer's own phone or email, a contact of the same company
            _logger.info("Referral sign-up through %s refused: %s", referrer.referral_code, error)
            return refuse(_("This invitation cannot be used for you: ask the front desk."), "fraud check")
        self._log_attempt(dict(log, partner_id=partner.id), "created", False)
        welcome = self._welcome_values(partner, True)
        return dict(page, state="done", status=200, partner=partner, created=True, **welcome)

    @api.model
    def _sign_up_existing(self, partner, referrer, page, log):
        """The person is already in the base: link them to the referrer if
        they are still new (no referrer, no paid purchase), else say so.
        Nothing is created, nothing of theirs is overwritten."""
        log = dict(log, partner_id=partner.id)
        coupon_before = partner.referral_welcome_coupon_id
        if partner == referrer:
            self._log_attempt(log, "refused", "own code")
            return dict(page, state="form", status=200, error=_("This is your own invitation: share it with a friend."))
        if partner.referred_by_id:
            self._log_attempt(log, "existing", "already referred")
            return dict(page, state="done", status=200, partner=partner, created=False)
        if partner._referral_has_paid_purchase():
            self._log_attempt(log, "existing", "already a customer")
            return dict(page, state="done", status=200, partner=partner, created=False)
        try:
            with self.env.cr.savepoint():
                partner.referred_by_id = referrer
                partner.flush_recordset(["referred_by_id"])
        except ValidationError as error:
            _logger.info("Referral sign-up through %s refused: %s", referrer.referral_code, error)
            self._log_attempt(log, "refused", "fraud check")
            return dict(
                page, state="form", status=200, error=_("This invitation cannot be used for you: ask the front desk.")
            )
        if not partner.marketing_consent:
            partner.marketing_consent = True
        self._log_attempt(log, "linked", False)
        welcome = self._welcome_values(partner, False) if partner.referral_welcome_coupon_id != coupon_before else {}
        return dict(page, state="done", status=200, partner=partner, created=False, **welcome)

    @api.model
    def _welcome_values(self, partner, show_code):
        """What the thanks say of the welcome coupon just given to
        ``partner``. Its code is shown only to a friend the sign-up has just
        created: the phone they typed was nobody else's in the base, so the
        coupon is theirs. A customer found by a phone or an email already
        known could be someone else typing it: they are told the coupon is
        on their customer card, to be used at the till, not its code."""
        coupon = partner.referral_welcome_coupon_id
        if not coupon:
            return {}
        return {"welcome_program": coupon.program_id.name, "welcome_code": coupon.code if show_code else False}

    @api.model
    def _log_attempt(self, log, result, reason):
        attempt = self.sudo().create(dict(log, result=result, reason=reason or False))
        if result in ("created", "linked") and attempt.partner_id:
            # the sign-ups from one address are counted on this log
            attempt.partner_id._referral_flag_suspicious()
        return attempt
