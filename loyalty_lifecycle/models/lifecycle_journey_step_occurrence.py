"""A different mailing for a later sending of a repeated journey step.

A step repeated every N days up to K times sends its own mailing the first
time; each later time may send another one (the win-back sequence: two extra
weeks, then a free week, then 20% off). Without a line for a time, the step's
mailing goes again.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class LifecycleJourneyStepOccurrence(models.Model):
    _name = "lifecycle.journey.step.occurrence"
    _description = "Journey Step: Mailing of a Later Sending"
    _order = "step_id, occurrence, id"

    step_id = fields.Many2one("lifecycle.journey.step", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    occurrence = fields.Integer(
        "Sending",
        required=True,
        default=2,
        help="Which sending of the step sends this mailing: 2 is the second time, 3 the third.",
    )
    mailing_id = fields.Many2one(
        "mailing.mailing",
        string="Mailing",
        required=True,
        ondelete="restrict",
        domain=[("mailing_model_name", "=", "res.partner")],
    )
    mailing_type = fields.Selection(related="mailing_id.mailing_type", string="Channel")

    _sql_constraints = [
        (
            "step_occurrence_unique",
            "UNIQUE(step_id, occurrence)",
            "A step has one mailing per sending.",
        )
    ]

    @api.constrains("occurrence", "step_id")
    def _check_occurrence(self):
        for line in self:
            if not 2 <= line.occurrence <= line.step_id.repeat_count:
                raise ValidationError(
                    _(
                        "The step is sent %(times)s time(s): a mailing of its own goes from the second sending "
                        "to the last one.",
                        times=line.step_id.repeat_count,
                    )
                )

    @api.constrains("mailing_id")
    def _check_mailing(self):
        self.mailing_id._lc_check_journey_mailing()


class LifecycleJourneyStep(models.Model):
    _inherit = "lifecycle.journey.step"

    occurrence_ids = fields.One2many(
        "lifecycle.journey.step.occurrence",
        "step_id",
        string="Later Sendings",
        copy=True,
        help="A mailing of its own for a later sending of a repeated step; without one, the step's mailing "
        "goes again.",
    )

    @api.constrains("repeat_count")
    def _check_occurrences_within_count(self):
        for step in self:
            if any(line.occurrence > step.repeat_count for line in step.occurrence_ids):
                raise ValidationError(_("A step has a mailing for a sending after its last one."))

    def _mailing_for(self, occurrence):
        """The mailing of the step's sending ``occurrence`` (0 the first)."""
        self.ensure_one()
        line = self.occurrence_ids.filtered(lambda o: o.occurrence == occurrence + 1)[:1]
        return line.mailing_id or self.mailing_id

    def _all_mailings(self):
        return self.mailing_id | self.occurrence_ids.mailing_id
