from odoo import _, api, fields, models


class LifecycleStagePreview(models.TransientModel):
    """Who a rule would move, computed with the enabled rules plus this one,
    before it is enabled. Nothing is written to the customers."""

    _name = "lifecycle.stage.preview"
    _description = "Preview of a Lifecycle Stage Rule"

    rule_id = fields.Many2one("lifecycle.stage.rule", required=True, ondelete="cascade")
    rule_enabled = fields.Boolean(related="rule_id.enabled")
    date = fields.Date("As Of", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("lifecycle.stage.preview.line", "preview_id", string="Customers", readonly=True)
    move_count = fields.Integer("Moved by This Rule", compute="_compute_counts")
    other_count = fields.Integer(
        "Moved by Other Rules",
        compute="_compute_counts",
        help="Customers the other enabled rules move at their next run anyway.",
    )

    @api.depends("line_ids.by_this_rule")
    def _compute_counts(self):
        for preview in self:
            preview.move_count = len(preview.line_ids.filtered("by_this_rule"))
            preview.other_count = len(preview.line_ids) - preview.move_count

    def _compute_lines(self):
        self.ensure_one()
        Rule = self.env["lifecycle.stage.rule"]
        company = self.rule_id.company_id or self.env.company
        rules = (
            Rule.search([("enabled", "=", True), "|", ("company_id", "=", False), ("company_id", "=", company.id)])
            | self.rule_id
        )
        changes = Rule._compute_stage_changes(self.date, rules=rules, companies=company)
        partners = self.env["res.partner"].browse([partner_id for partner_id, _rule, _stage in changes])
        current = {partner.id: partner.lifecycle_stage_id.id for partner in partners}
        self.line_ids.unlink()
        self.env["lifecycle.stage.preview.line"].create(
            [
                {
                    "preview_id": self.id,
                    "partner_id": partner_id,
                    "from_stage_id": current.get(partner_id) or False,
                    "to_stage_id": stage_id,
                    "rule_id": rule_id,
                    "by_this_rule": rule_id == self.rule_id.id,
                }
                for partner_id, rule_id, stage_id in changes
            ]
        )

    def action_open(self):
        self.check_access("write")  # managers only (ir.model.access.csv)
        self.ensure_one()
        self._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "name": _("Preview: %(rule)s", rule=self.rule_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_refresh(self):
        return self.action_open()

    def action_enable_rule(self):
        self.check_access("write")
        self.ensure_one()
        self.rule_id.action_enable()
        return {"type": "ir.actions.act_window_close"}


class LifecycleStagePreviewLine(models.TransientModel):
    _name = "lifecycle.stage.preview.line"
    _description = "Customer in a Lifecycle Stage Rule Preview"
    _order = "by_this_rule desc, partner_id"

    preview_id = fields.Many2one("lifecycle.stage.preview", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    from_stage_id = fields.Many2one("lifecycle.stage", string="Now In", readonly=True)
    to_stage_id = fields.Many2one("lifecycle.stage", string="Would Move To", readonly=True)
    rule_id = fields.Many2one("lifecycle.stage.rule", readonly=True)
    by_this_rule = fields.Boolean(readonly=True)
