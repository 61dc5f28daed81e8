"""A customer in a journey: started on entering the journey's stage
(cancelled on leaving it) or on an event (lifecycle_journey_participant_event.py);
cancelled, for a journey that stops on a purchase, on a paid purchase after
the start; done when every step is sent or skipped."""

import hashlib

from odoo import api, fields, models
from odoo.tools import SQL

from .loyalty_contact_policy import REASONS


def holdout_draw(partner_id, journey_id, percent):
    """Deterministic draw: the same customer and journey always land on the
    same side, in every run and on every worker."""
    digest = hashlib.sha256(f"lifecycle.journey:{journey_id}:res.partner:{partner_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000 < round(percent * 100)


class LifecycleJourneyParticipant(models.Model):
    _name = "lifecycle.journey.participant"
    _description = "Journey Participant"
    _order = "start_date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade", index=True)
    journey_id = fields.Many2one("lifecycle.journey", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="journey_id.company_id", store=True, index=True)
    stage_id = fields.Many2one(related="journey_id.stage_id")
    trigger = fields.Selection(related="journey_id.trigger", string="Started On")
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    event_date = fields.Date(
        "Event Day",
        readonly=True,
        help="The day of the event that started the journey: the first paid purchase, the points credited, "
        "the points' expiry, the birthday. An event starts a journey once for a customer.",
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="running",
        required=True,
        index=True,
    )
    holdout = fields.Boolean(
        readonly=True, help="In the journey's holdout group: never messaged, to measure what the journey brings."
    )
    message_ids = fields.One2many("lifecycle.journey.message", "participant_id", string="Messages")
    end_date = fields.Date("Ended On")
    stop_reason = fields.Selection(REASONS, "Stopped Because", readonly=True)

    def init(self):
        super().init()
        # the same event never starts a journey twice for a customer: a rerun,
        # a second worker and a batch started again after a crash find the row
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS lifecycle_journey_participant_event_unique
                    ON lifecycle_journey_participant (journey_id, partner_id, event_date)
                 WHERE event_date IS NOT NULL
                """
            )
        )

    @api.model
    def _on_stage_change(self, partners, company=None):
        """``partners`` just changed stage: cancel their running journeys of
        another stage, and start the journeys of their new stage. Journeys
        started on an event do not follow the stage."""
        running = self.sudo().search(
            [("partner_id", "in", partners.ids), ("state", "=", "running"), ("journey_id.trigger", "=", "stage")]
        )
        leaving = running.filtered(lambda p: p.journey_id.stage_id != p.partner_id.lifecycle_stage_id)
        leaving._cancel()
        by_stage = {}
        for partner in partners.sudo():
            if partner.lifecycle_stage_id:
                by_stage.setdefault(partner.lifecycle_stage_id, []).append(partner)
        if not by_stage:
            return self
        journeys = (
            self.env["lifecycle.journey"]
            .sudo()
            .search([("trigger", "=", "stage"), ("stage_id", "in", [s.id for s in by_stage])])
        )
        today = fields.Date.context_today(self)
        vals_list = []
        for journey in journeys:
            for partner in by_stage.get(journey.stage_id, []):
                home = partner.company_id or company or self.env.company
                if home != journey.company_id:
                    continue
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "journey_id": journey.id,
                        "start_date": today,
                        "holdout": holdout_draw(partner.id, journey.id, journey.holdout_percent),
                    }
                )
        return self.sudo().create(vals_list)

    def _cancel(self, reason="lc_stage_left"):
        """Stop: the steps not sent yet will not be (deferred ones included:
        each a cancelled trace of its mailing with the reason)."""
        if not self:
            return
        self.write({"state": "cancelled", "end_date": fields.Date.context_today(self), "stop_reason": reason})
        waiting = self.message_ids.filtered(lambda m: m.state in ("deferred", "pending"))
        # processed now: the day the message was finally not sent, as its trace
        waiting.write({"state": "cancelled", "reason": reason, "next_try": False, "date": fields.Datetime.now()})
        waiting._trace_not_sent()

    @api.model
    def _stop_on_purchase(self, today):
        """Cancel the running participants of the journeys that stop on a
        purchase who paid for something on a day after their start (the
        purchase that brought them into the stage does not count): the
        offers stop once the customer bought. One query for all of them."""
        self.flush_model(["state", "journey_id", "partner_id", "start_date"])
        self.env["lifecycle.journey"].flush_model(
            ["stop_on_purchase", "stop_products", "stop_product_ids", "company_id", "active"]
        )
        self.env["res.partner"]._flush_membership_facts()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM lifecycle_journey_participant p
                  JOIN lifecycle_journey j ON j.id = p.journey_id
                 WHERE p.state = 'running' AND j.stop_on_purchase AND j.active
                   AND EXISTS (
                       SELECT 1 FROM customer_purchase cp
                         LEFT JOIN product_product pp ON pp.id = cp.product_id
                         LEFT JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
                        WHERE cp.partner_id = p.partner_id AND cp.company_id = j.company_id
                          AND cp.amount > 0 AND cp.date > p.start_date AND cp.date <= %s
                          AND (j.stop_products = 'any'
                               OR (j.stop_products = 'membership' AND COALESCE(tmpl.validity_days, 0) > 0)
                               OR (j.stop_products = 'products' AND cp.product_id IN (
                                       SELECT r.product_id FROM lifecycle_journey_stop_product_rel r
                                        WHERE r.journey_id = j.id)))
                   )
                """,
                today,
            )
        )
        stopped = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        stopped._cancel("lc_purchased")
        return stopped

    def _check_done(self):
        """Running participants with a final message for every step and
        every time it is sent are done."""
        done = self.browse()
        for participant in self.filtered(lambda p: p.state == "running"):
            final = participant.message_ids.filtered(lambda m: m.state in ("sent", "skipped", "cancelled"))
            if all(
                len(final.filtered(lambda m, step=step: m.step_id == step)) >= step.repeat_count
                for step in participant.journey_id.step_ids
            ):
                done |= participant
        done.write({"state": "done", "end_date": fields.Date.context_today(self)})
