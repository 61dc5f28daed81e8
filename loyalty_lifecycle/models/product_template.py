from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    validity_days = fields.Integer(
        "Validity (days)",
        help="For memberships, subscriptions and passes: how many days a purchase of this product "
        "stays valid. The latest validity end of a customer drives the retention and win-back stages.",
    )

    _sql_constraints = [
        ("validity_days_positive", "CHECK(validity_days >= 0)", "A validity cannot be negative."),
    ]
