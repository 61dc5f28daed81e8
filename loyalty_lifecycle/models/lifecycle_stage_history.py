from odoo import fields, models


class LifecycleStageHistory(models.Model):
    """Append-only log of stage changes: who moved where, when, and why.

    Each line belongs to the company whose rules moved the customer, or, for
    a move by hand, to the customer's company (else the company the user
    worked in): each company sees its own history of a shared customer.
    """

    _name = "lifecycle.stage.history"
    _description = "Customer Lifecycle Stage History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    from_stage_id = fields.Many2one("lifecycle.stage", string="From", ondelete="restrict")
    to_stage_id = fields.Many2one("lifecycle.stage", string="To", index=True, ondelete="restrict")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    manual = fields.Boolean("By Hand", readonly=True, help="Moved by a user, not by the stage rules.")
    rule_id = fields.Many2one("lifecycle.stage.rule", ondelete="set null", index="btree_not_null")
    reason = fields.Char(help="The rule that moved the customer, or how long a move by hand holds.")
    days_in_previous_stage = fields.Integer(
        "Days in Previous Stage", aggregator="avg", help="How long the customer stayed in the stage they left."
    )
