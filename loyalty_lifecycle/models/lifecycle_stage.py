from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class LifecycleStage(models.Model):
    """A stage of the customer lifecycle (activation, retention, win-back...).

    Stages are configured by managers; the code is the stable key that other
    addons, integrations and data files use to refer to a stage.
    """

    _name = "lifecycle.stage"
    _description = "Customer Lifecycle Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key of the stage, unique. Used by campaigns, "
        "integrations and reports; renaming the stage does not change it.",
    )
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True,
        help="What the stage means for the customer and what the team does with customers in it.",
    )
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Fold this stage in the customers kanban (e.g. lost customers).",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")
    rule_ids = fields.One2many("lifecycle.stage.rule", "stage_id", string="Rules")

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A lifecycle stage with this code already exists."),
    ]

    @api.model
    def _normalize_code(self, code):
        return (code or "").strip().lower().replace(" ", "_").replace("-", "_")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "code" in vals:
                vals["code"] = self._normalize_code(vals["code"])
        return super().create(vals_list)

    def write(self, vals):
        if "code" in vals:
            vals["code"] = self._normalize_code(vals["code"])
        return super().write(vals)

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("lifecycle_stage_id", "in", self.ids)],
                ["lifecycle_stage_id"],
                ["__count"],
            )
        )
        for stage in self:
            stage.partner_count = counts.get(stage, 0)

    def action_view_partners(self):
        if not self.env.user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_user"):
            raise AccessError(_("Only Customer Base users see the customers of a stage."))
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_lifecycle.res_partner_action_lifecycle")
        action["domain"] = [("lifecycle_stage_id", "=", self.id)]
        action["context"] = {"default_lifecycle_stage_id": self.id}
        action["view_mode"] = "list,form"
        action["views"] = [(False, "list"), (False, "form")]
        return action
