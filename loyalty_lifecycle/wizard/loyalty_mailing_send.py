"""Send a mailing by hand to the customers selected in any customer list.

A Customer Base user picks an email or SMS mailing of Email/SMS Marketing on
contacts; the wizard shows how many of the selected customers will get it
and, by reason, how many will not: the verdicts of the one contact policy
(``loyalty.contact.policy._check``). The mailing then sends with its own
per-recipient sending; the customers the policy holds back are cancelled
traces of the mailing with the reason (``_trace_not_sent``), and the SMS the
quiet hours hold back go in the morning: a copy of the mailing restricted
to them, scheduled (Odoo's queue) for the end of the quiet hours.

Marketing by default; only a Customer Base manager sends as transactional
(no consent or caps, the valid phone or email and Odoo's blacklists still
apply). The server checks the rights and recomputes the verdicts when it
sends: nothing the client sends decides.
"""

from collections import Counter, defaultdict

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.loyalty_contact_policy import ALLOWED, DEFERRED

USER_GROUP = "loyalty_lifecycle.loyalty_lifecycle_group_user"
MANAGER_GROUP = "loyalty_lifecycle.loyalty_lifecycle_group_manager"
MAILING_DOMAIN = [("mailing_model_name", "=", "res.partner"), ("mailing_type", "in", ["mail", "sms"])]


class LoyaltyMailingSend(models.TransientModel):
    _name = "loyalty.mailing.send"
    _description = "Send a Mailing to Customers"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    mailing_id = fields.Many2one("mailing.mailing", "Mailing", required=True, domain=MAILING_DOMAIN)
    mailing_type = fields.Selection(related="mailing_id.mailing_type", string="Channel")
    transactional = fields.Boolean(
        help="A message the customer expects, not an offer: no consent to offers or caps apply (a valid phone "
        "or email address and Odoo's blacklists still do). Customer Base managers only."
    )
    customer_count = fields.Integer("Selected", compute="_compute_verdicts")
    send_count = fields.Integer("Will Get It", compute="_compute_verdicts")
    scheduled_count = fields.Integer(
        "After the Quiet Hours", compute="_compute_verdicts", help="SMS sent when the quiet hours end."
    )
    skipped_count = fields.Integer("Will Not Get It", compute="_compute_verdicts")
    skipped_summary = fields.Html("Not Sent Because", compute="_compute_verdicts", sanitize=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "partner_ids" in fields_list and context.get("active_model") == "res.partner" and context.get("active_ids"):
            # the selection of the list: only ids, read below with the user's rights
            ids = [i for i in context["active_ids"] if isinstance(i, int) and not isinstance(i, bool)]
            values["partner_ids"] = [(6, 0, self.env["res.partner"].browse(ids).exists().ids)]
        return values

    def _verdicts(self, at=None):
        """{partner id: (state, reason, retry_at)} of the contact policy for
        this mailing and these customers, now."""
        self.ensure_one()
        channel = "sms" if self.mailing_id.mailing_type == "sms" else "mail"
        return self.env["loyalty.contact.policy"]._check(
            self.partner_ids, channel, marketing=not self.transactional, company=self.env.company, at=at
        )

    @api.depends("partner_ids", "mailing_id", "transactional")
    def _compute_verdicts(self):
        labels = dict(self.env["mailing.trace"]._fields["failure_type"]._description_selection(self.env))
        for wizard in self:
            wizard.customer_count = len(wizard.partner_ids)
            if not wizard.mailing_id or not wizard.partner_ids:
                wizard.send_count = wizard.scheduled_count = wizard.skipped_count = 0
                wizard.skipped_summary = False
                continue
            verdicts = wizard._verdicts().values()
            states = Counter(state for state, _reason, _retry in verdicts)
            reasons = Counter(reason for state, reason, _retry in verdicts if state not in (ALLOWED, DEFERRED))
            wizard.send_count = states[ALLOWED]
            wizard.scheduled_count = states[DEFERRED]
            wizard.skipped_count = sum(reasons.values())
            wizard.skipped_summary = (
                Markup("<ul>%s</ul>")
                % Markup().join(
                    Markup("<li>%s: %s</li>") % (escape(labels.get(reason, reason)), count)
                    for reason, count in reasons.most_common()
                )
                if reasons
                else False
            )

    def _check_send_rights(self):
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(_("Only Customer Base users send mailings to customers from here."))
        if any(wizard.transactional for wizard in self) and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Customer Base managers send a mailing as transactional."))

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._check_send_rights()
        return wizards

    def write(self, vals):
        res = super().write(vals)
        self._check_send_rights()
        return res

    def action_send(self):
        """Send the mailing to the customers the policy allows now, schedule
        the SMS held by the quiet hours, write the others as cancelled
        traces with their reason."""
        self.ensure_one()
        self._check_send_rights()
        # Customer Base users read the mailings, not the models they are on;
        # the sending is Email/SMS Marketing's own, for the customers the
        # policy allows below
        mailing = self.mailing_id.sudo()
        if mailing.mailing_model_real != "res.partner" or mailing.mailing_type not in ("mail", "sms"):
            raise UserError(_("Choose an email or SMS mailing on contacts."))
        partners = self.partner_ids
        if not partners:
            raise UserError(_("Select the customers to send the mailing to."))
        partners.check_access("read")
        now = fields.Datetime.now()
        verdicts = self._verdicts(at=now)
        allowed, skipped = [], []
        deferred = defaultdict(list)
        for partner in partners:
            state, reason, retry_at = verdicts[partner.id]
            if state == ALLOWED:
                allowed.append(partner.id)
            elif state == DEFERRED:
                deferred[retry_at].append(partner.id)
            else:
                skipped.append((partner, reason))
        if allowed:
            if mailing.mailing_type == "sms":
                mailing.action_send_sms(allowed)
            else:
                mailing._action_send_mail(allowed)
        for retry_at, partner_ids in deferred.items():
            self._schedule_copy(mailing, partner_ids, retry_at)
        self.env["loyalty.contact.policy"]._trace_not_sent(mailing, skipped)
        scheduled = sum(len(ids) for ids in deferred.values())
        message = _(
            "%(mailing)s: %(sent)s sent, %(scheduled)s after the quiet hours, %(skipped)s not sent.",
            mailing=mailing.subject,
            sent=len(allowed),
            scheduled=scheduled,
            skipped=len(skipped),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success" if allowed or scheduled else "warning",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _schedule_copy(self, mailing, partner_ids, at):
        """A copy of ``mailing`` for ``partner_ids`` only, in Odoo's mailing
        queue for ``at`` (the end of the quiet hours): its cron sends it
        then, with its own traces."""
        copy = mailing.copy(
            {
                "subject": _("%(subject)s (after the quiet hours)", subject=mailing.subject),
                "mailing_domain": repr([("id", "in", sorted(partner_ids))]),
                "schedule_type": "scheduled",
                "schedule_date": at,
                "user_id": self.env.uid,
            }
        )
        copy.action_put_in_queue()
        return copy
