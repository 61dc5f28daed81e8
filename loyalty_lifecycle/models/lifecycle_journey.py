"""Journeys: timed SMS and email of Odoo's Email/SMS Marketing.

A journey starts for a customer when they enter its stage (a participant,
lifecycle_journey_participant.py) or on an event: their first paid purchase,
points credited, points about to expire, their birthday coming
(lifecycle_journey_participant_event.py, started by the daily cron). Its
steps send a ``mailing.mailing`` on their day: a delay from the start or
from the end of the customer's membership (res_partner_membership.py),
within a window of days, repeated if set; the daily cron sends what is due
(lifecycle_journey_message.py) through the contact policy
(loyalty_contact_policy.py).
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class LifecycleJourney(models.Model):
    _name = "lifecycle.journey"
    _description = "Journey"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    trigger = fields.Selection(
        [
            ("stage", "Entering a stage"),
            ("first_purchase", "First paid purchase"),
            ("points_credited", "Points credited"),
            ("points_expiring", "Points about to expire"),
            ("birthday", "Birthday coming"),
        ],
        string="Starts On",
        default="stage",
        required=True,
        help="Entering a stage: the journey starts when the customer enters its stage and leaving it cancels "
        "what is still to send. An event: the daily run starts the journey once per event (the first paid "
        "purchase once ever, points credited once a day, points expiring once per expiry date, the birthday "
        "once a year), whatever the customer's stage; its steps count from the day it starts: the day of the "
        "event, or the days before it set below.",
    )
    trigger_days = fields.Integer(
        "Days Before",
        default=0,
        help="Points about to expire: the journey starts this many days before a lot of points expires. "
        "Birthday coming: this many days before the birthday (0: on the day).",
    )
    events_since = fields.Date(
        "Events From",
        default=fields.Date.context_today,
        help="Only the events from this day on start the journey (the day it was created): customers whose "
        "first purchase was long ago do not all get a welcome on the day the journey is set up. The daily "
        "run catches up the events of the last few days, so a missed run loses nobody.",
    )
    stage_id = fields.Many2one(
        "lifecycle.stage",
        string="Starts When Entering",
        ondelete="restrict",
        index=True,
        help="A customer who enters this stage starts the journey; leaving it cancels what is still to send.",
    )
    holdout_percent = fields.Float(
        "Holdout (%)",
        default=10.0,
        help="This share of the customers, drawn per customer and journey, is never messaged: the group "
        "that measures what the journey brings.",
    )
    step_ids = fields.One2many("lifecycle.journey.step", "journey_id", string="Steps", copy=True)
    participant_ids = fields.One2many("lifecycle.journey.participant", "journey_id", string="Participant Lines")
    participant_count = fields.Integer("Participants", compute="_compute_counts")
    message_count = fields.Integer("Messages", compute="_compute_counts")
    description = fields.Text(translate=True)
    stop_on_purchase = fields.Boolean(
        "Stop on Purchase",
        default=True,
        help="A paid purchase on a day after the customer started the journey cancels what is still to send: "
        "the offers stop once the customer bought.",
    )
    stop_products = fields.Selection(
        [("any", "Anything"), ("membership", "A membership"), ("products", "One of these products")],
        string="Stop When They Buy",
        default="any",
        required=True,
        help="Which purchase stops the journey: anything paid, a membership (a product with a validity), "
        "so that a drink at the bar does not stop the renewal offers, or one of the products the journey "
        "offers.",
    )
    stop_product_ids = fields.Many2many(
        "product.product",
        "lifecycle_journey_stop_product_rel",
        "journey_id",
        "product_id",
        string="Stop Products",
        help="A paid purchase of one of these products stops the journey.",
    )

    @api.constrains("trigger", "stage_id", "trigger_days")
    def _check_trigger(self):
        for journey in self:
            if journey.trigger == "stage" and not journey.stage_id:
                raise ValidationError(_("A journey that starts on entering a stage needs the stage."))
            if journey.trigger != "stage" and journey.stage_id:
                raise ValidationError(_("A journey that starts on an event has no stage."))
            if journey.trigger_days < 0 or journey.trigger_days > 366:
                raise ValidationError(_("The days before the event are between 0 and 366."))

    @api.constrains("trigger", "active", "company_id")
    def _check_one_points_expiring(self):
        """Two warnings for the same points would be one too many."""
        for company in self.filtered(lambda j: j.active and j.trigger == "points_expiring").company_id:
            if (
                self.with_context(active_test=True).search_count(
                    [("trigger", "=", "points_expiring"), ("company_id", "=", company.id)]
                )
                > 1
            ):
                raise ValidationError(
                    _(
                        "%(company)s already has an active journey started by points about to expire: a customer "
                        "gets one warning for the same points.",
                        company=company.name,
                    )
                )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for journey, vals in zip(self, vals_list, strict=True):
            if journey.trigger == "points_expiring" and "active" not in (default or {}):
                # one active points-expiring journey per company: the copy waits, archived
                vals["active"] = False
        return vals_list

    @api.onchange("trigger")
    def _onchange_trigger(self):
        if self.trigger != "stage":
            self.stage_id = False

    @api.constrains("holdout_percent")
    def _check_holdout_percent(self):
        for journey in self:
            if not 0 <= journey.holdout_percent <= 100:
                raise ValidationError(_("The holdout is a share between 0 and 100%."))

    @api.constrains("stop_on_purchase", "stop_products", "stop_product_ids")
    def _check_stop_products(self):
        for journey in self:
            if journey.stop_on_purchase and journey.stop_products == "products" and not journey.stop_product_ids:
                raise ValidationError(_("Choose the products whose purchase stops the journey."))

    def _compute_counts(self):
        participants = dict(
            self.env["lifecycle.journey.participant"]._read_group(
                [("journey_id", "in", self.ids)], ["journey_id"], ["__count"]
            )
        )
        messages = dict(
            self.env["lifecycle.journey.message"]._read_group(
                [("journey_id", "in", self.ids)], ["journey_id"], ["__count"]
            )
        )
        for journey in self:
            journey.participant_count = participants.get(journey, 0)
            journey.message_count = messages.get(journey, 0)

    def action_view_participants(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_lifecycle.lifecycle_journey_participant_action")
        action["domain"] = [("journey_id", "=", self.id)]
        action["context"] = {"default_journey_id": self.id}
        return action

    def action_view_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_lifecycle.lifecycle_journey_message_action")
        action["domain"] = [("journey_id", "=", self.id)]
        return action


class LifecycleJourneyStep(models.Model):
    _name = "lifecycle.journey.step"
    _description = "Journey Step"
    _order = "journey_id, sequence, delay_days, id"

    sequence = fields.Integer(default=10)
    journey_id = fields.Many2one("lifecycle.journey", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="journey_id.company_id", store=True)
    mailing_id = fields.Many2one(
        "mailing.mailing",
        string="Mailing",
        required=True,
        ondelete="restrict",
        domain=[("mailing_model_name", "=", "res.partner")],
        help="An email or SMS mailing of Email/SMS Marketing on contacts; the step sends it to each customer "
        "on their day.",
    )
    mailing_type = fields.Selection(related="mailing_id.mailing_type", string="Channel")
    anchor = fields.Selection(
        [("stage_entry", "The start"), ("membership_end", "Membership end")],
        string="Timed From",
        default="stage_entry",
        required=True,
        help="The day the delay counts from: the day the customer started the journey (entered its stage, "
        "or the day of its event), or the day their membership ends (stacked validities, renewals included: "
        "a renewal moves the step's day).",
    )
    delay_days = fields.Integer(
        "Delay (days)",
        default=0,
        help="Days after the day it is timed from; before a membership end, a negative number "
        "(-45: 45 days before the end).",
    )
    window_days = fields.Integer(
        "Window (days)",
        default=0,
        help="Days after its day during which the message may still go: when the caps hold it back, it "
        "waits for the next free day within the window, else it is not sent. Days 20-30 after the start: "
        "a delay of 20 and a window of 10.",
    )
    repeat_count = fields.Integer(
        "Times",
        default=1,
        help="How many times the step is sent: 1 sends it once; more repeats it every so many days, "
        "each time on its own day and window, until the customer leaves the journey.",
    )
    repeat_every_days = fields.Integer("Repeat Every (days)", default=0, help="Days between two sendings of the step.")
    condition_domain = fields.Char(
        "Condition",
        default="[]",
        help="Only the customers who match this condition on the day get the message; the others are "
        "skipped with the reason.",
    )
    marketing = fields.Boolean(
        default=True,
        help="A marketing message needs the customer's consent and counts against the caps; a "
        "transactional one does not. A valid phone (SMS) or email address and Odoo's blacklists apply to both.",
    )

    @api.constrains("mailing_id")
    def _check_mailing(self):
        self.mailing_id._lc_check_journey_mailing()

    @api.constrains("anchor", "delay_days", "window_days", "repeat_count", "repeat_every_days")
    def _check_delay(self):
        for step in self:
            if step.repeat_count < 1:
                raise ValidationError(_("A step is sent at least once."))
            if step.repeat_count > 1 and step.repeat_every_days < 1:
                raise ValidationError(_("A step sent several times needs the days between two sendings."))
            if step.anchor == "stage_entry" and step.delay_days < 0:
                raise ValidationError(_("A step cannot be sent before the journey starts."))
            if step.window_days < 0:
                raise ValidationError(_("The window of a step cannot be negative."))

    @api.constrains("condition_domain")
    def _check_condition_domain(self):
        for step in self:
            try:
                self.env["res.partner"].search_count(step._condition())
            except Exception as error:  # noqa: BLE001 - any bad domain is the user's input
                raise ValidationError(
                    _("The condition of the step is not a valid domain: %(error)s", error=error)
                ) from error

    def _condition(self):
        self.ensure_one()
        return safe_eval(self.condition_domain or "[]", {"context_today": fields.Date.context_today})
