from odoo import api, fields, models

from .abc_xyz_snapshot import ABC_CLASSES, ABC_XYZ_CLASSES, XYZ_CLASSES


class ResPartner(models.Model):
    _inherit = "res.partner"

    lifecycle_stage_id = fields.Many2one(
        "lifecycle.stage",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        group_expand="_read_group_lifecycle_stage_ids",
        copy=False,
    )
    birthday = fields.Date(
        help="For birthday greetings and the 'days until birthday' condition of the stage rules.",
    )
    lifecycle_stage_date = fields.Datetime(
        string="In Stage Since",
        readonly=True,
        copy=False,
        help="When the customer entered the current lifecycle stage.",
    )

    # Classes of the last ABC-XYZ run, per company (company-dependent: a
    # customer of two companies has a class in each). Written by abc.xyz.run.
    abc_class = fields.Selection(
        ABC_CLASSES,
        "ABC Class",
        company_dependent=True,
        readonly=True,
        help="A: the customers who make the bulk of revenue; C: the long tail.",
    )
    xyz_class = fields.Selection(
        XYZ_CLASSES, "XYZ Class", company_dependent=True, readonly=True, help="X: buys regularly; Z: irregularly."
    )
    abc_xyz_class = fields.Selection(ABC_XYZ_CLASSES, "ABC-XYZ Class", company_dependent=True, readonly=True)
    abc_xyz_new = fields.Boolean(
        "New (no XYZ yet)",
        company_dependent=True,
        readonly=True,
        help="Too little purchase history for an XYZ class.",
    )
    abc_xyz_date = fields.Date("Last Segmentation", compute="_compute_abc_xyz_date")
    lifecycle_history_ids = fields.One2many("lifecycle.stage.history", "partner_id", string="Stage History")

    ltv_currency_id = fields.Many2one(related="company_id.currency_id", string="LTV Currency")
    ltv_revenue = fields.Monetary(
        "Revenue in Window",
        compute="_compute_ltv",
        currency_field="ltv_currency_id",
        help="Net revenue over the analysis window of the last segmentation.",
    )
    ltv_monthly = fields.Monetary("Revenue per Month", compute="_compute_ltv", currency_field="ltv_currency_id")
    ltv_trend = fields.Float("Revenue Trend (%)", compute="_compute_ltv", digits=(16, 1))

    def _compute_abc_xyz_date(self):
        last_run = self.env["abc.xyz.run"].search([("company_id", "=", self.env.company.id)], limit=1)
        for partner in self:
            partner.abc_xyz_date = last_run.run_date.date() if last_run and partner.abc_class else False

    def _compute_ltv(self):
        """Lifetime-value figures from the last segmentation of the current company."""
        last_run = self.env["abc.xyz.run"].search([("company_id", "=", self.env.company.id)], limit=1)
        snapshots = {}
        if last_run and self.ids:
            snapshots = {
                snap.partner_id.id: snap
                for snap in self.env["abc.xyz.snapshot"].search(
                    [("run_id", "=", last_run.id), ("partner_id", "in", self.ids)]
                )
            }
        for partner in self:
            snap = snapshots.get(partner.id)
            partner.ltv_revenue = snap.revenue if snap else 0.0
            partner.ltv_monthly = snap.monthly_revenue if snap else 0.0
            partner.ltv_trend = snap.revenue_trend if snap else 0.0

    @api.model
    def _read_group_lifecycle_stage_ids(self, stages, domain):
        # Show every active stage as a kanban column, empty ones included.
        return stages.search([], order=stages._order)

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("lifecycle_stage_id") and not vals.get("lifecycle_stage_date"):
                vals["lifecycle_stage_date"] = now
        partners = super().create(vals_list)
        partners.filtered("lifecycle_stage_id")._log_stage_changes(
            dict.fromkeys(partners, (False, False)), self.env.context.get("lifecycle_reason")
        )
        return partners

    def write(self, vals):
        if "lifecycle_stage_id" not in vals:
            return super().write(vals)
        # Only customers that really change stage get a new entry date and a
        # history line.
        new_stage_id = vals["lifecycle_stage_id"] or False
        moving = self.filtered(lambda p: p.lifecycle_stage_id.id != new_stage_id)
        staying = self - moving
        before = {partner: (partner.lifecycle_stage_id, partner.lifecycle_stage_date) for partner in moving}
        if staying:
            super(ResPartner, staying).write(vals)
        if moving:
            moving_vals = dict(vals)
            if "lifecycle_stage_date" not in vals:
                moving_vals["lifecycle_stage_date"] = fields.Datetime.now() if new_stage_id else False
            super(ResPartner, moving).write(moving_vals)
            moving._log_stage_changes(before, self.env.context.get("lifecycle_reason"))
        return True

    def _log_stage_changes(self, before, reason=None):
        """One history line per partner of ``self``; ``before`` maps each to
        its previous (stage, date entered)."""
        now = fields.Datetime.now()
        # Append-only log: users who may move a customer may not forge its history.
        self.env["lifecycle.stage.history"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "from_stage_id": before[partner][0].id if before[partner][0] else False,
                    "to_stage_id": partner.lifecycle_stage_id.id,
                    "date": now,
                    "user_id": self.env.uid,
                    "reason": reason or False,
                    "rule_id": self.env.context.get("lifecycle_rule_id") or False,
                    "days_in_previous_stage": (now - before[partner][1]).days if before[partner][1] else 0,
                }
                for partner in self
            ]
        )
