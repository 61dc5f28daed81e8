from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MAX_LEVEL = 3
# UDS: 5% of the friend's paid purchase to who brought them, 3% one level up, 1% two levels up
DEFAULT_RATES = ((1, 5.0), (2, 3.0), (3, 1.0))


class ReferralRate(models.Model):
    """What one level of referrers earns on a friend's paid purchase, as a
    percentage of its untaxed amount: level 1 brought the friend, level 2
    brought level 1, level 3 brought level 2."""

    _name = "referral.rate"
    _description = "Referral Rate"
    _order = "program_id, level"

    program_id = fields.Many2one("loyalty.program", required=True, index=True, ondelete="cascade")
    level = fields.Integer(required=True, default=1, help="1: who brought the friend; 2 and 3: further up the chain.")
    percent = fields.Float(
        "Reward (%)", required=True, digits=(16, 2), help="Share of the friend's paid untaxed amount, in points."
    )

    _sql_constraints = [
        ("level_range", f"CHECK(level >= 1 AND level <= {MAX_LEVEL})", "A referral level is 1, 2 or 3."),
        ("percent_range", "CHECK(percent >= 0 AND percent <= 100)", "A referral rate is between 0% and 100%."),
        ("level_unique", "UNIQUE(program_id, level)", "A programme has one rate per referral level."),
    ]

    # Checked before the database sees the values, so that the user reads
    # these messages rather than the constraints' (which stay as the guard).

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_rate_values(vals.get("level", 1), vals.get("percent", 0.0))
        self._check_levels_free([(vals.get("program_id"), vals.get("level", 1), False) for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        if "level" in vals or "percent" in vals or "program_id" in vals:
            for rate in self:
                self._check_rate_values(vals.get("level", rate.level), vals.get("percent", rate.percent))
            self._check_levels_free(
                [(vals.get("program_id", rate.program_id.id), vals.get("level", rate.level), rate.id) for rate in self]
            )
        return super().write(vals)

    @api.model
    def _check_rate_values(self, level, percent):
        if not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
            raise ValidationError(_("Referral level %(level)s does not exist: levels are 1, 2 and 3.", level=level))
        if not 0 <= (percent or 0.0) <= 100:
            raise ValidationError(
                _(
                    "Level %(level)s pays %(percent)s%%: a referral rate is between 0%% and 100%%.",
                    level=level,
                    percent=percent,
                )
            )

    @api.model
    def _check_levels_free(self, rates):
        """``rates``: [(programme id, level, rate id or False)] about to be
        saved; a level already used in its programme by another rate is refused."""
        program_ids = {program_id for program_id, _level, _rate_id in rates if program_id}
        if not program_ids:
            return
        taken = {
            (rate.program_id.id, rate.level): rate.id for rate in self.search([("program_id", "in", list(program_ids))])
        }
        seen = set()
        for program_id, level, rate_id in rates:
            other = taken.get((program_id, level))
            if (program_id, level) in seen or (other and other != rate_id):
                program = self.env["loyalty.program"].browse(program_id)
                raise ValidationError(
                    _(
                        "The programme %(program)s already has a rate for referral level %(level)s.",
                        program=program.name,
                        level=level,
                    )
                )
            seen.add((program_id, level))
