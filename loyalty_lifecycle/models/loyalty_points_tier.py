from odoo import fields, models


class LoyaltyPointsTier(models.Model):
    """A tier of a loyalty programme (e.g. Silver, Gold): customers whose spend
    over the rolling 12 months reaches ``min_spend`` earn ``multiplier`` times
    the points."""

    _name = "loyalty.points.tier"
    _description = "Loyalty Tier"
    _order = "program_id, min_spend, id"

    program_id = fields.Many2one("loyalty.program", required=True, index=True, ondelete="cascade")
    name = fields.Char(required=True, translate=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    min_spend = fields.Monetary("Spend over 12 Months", currency_field="currency_id", required=True)
    multiplier = fields.Float("Points Multiplier", default=1.0, required=True, digits=(16, 2))

    _sql_constraints = [
        ("multiplier_positive", "CHECK(multiplier > 0)", "The points multiplier must be positive."),
        ("min_spend_positive", "CHECK(min_spend >= 0)", "The spend threshold cannot be negative."),
        ("spend_unique", "UNIQUE(program_id, min_spend)", "Two tiers of a programme cannot share a threshold."),
    ]
