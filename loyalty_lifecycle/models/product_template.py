from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    validity_days = fields.Integer(
        "Validity (days)",
        help="For memberships, subscriptions and passes: how many days a purchase of this product "
        "stays valid. A renewal before the end adds its validity to the end of the running one; "
        "the end drives the retention and win-back stages.",
    )

    _sql_constraints = [
        ("validity_days_positive", "CHECK(validity_days >= 0)", "A validity cannot be negative."),
    ]
