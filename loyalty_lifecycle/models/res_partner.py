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

    def _compute_abc_xyz_date(self):
        last_run = self.env["abc.xyz.run"].search([("company_id", "=", self.env.company.id)], limit=1)
        for partner in self:
            partner.abc_xyz_date = last_run.run_date.date() if last_run and partner.abc_class else False

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
        return super().create(vals_list)

    def write(self, vals):
        if "lifecycle_stage_id" not in vals or "lifecycle_stage_date" in vals:
            return super().write(vals)
        # Only customers that really change stage get a new entry date.
        new_stage_id = vals["lifecycle_stage_id"] or False
        moving = self.filtered(lambda p: p.lifecycle_stage_id.id != new_stage_id)
        staying = self - moving
        if staying:
            super(ResPartner, staying).write(vals)
        if moving:
            super(ResPartner, moving).write(
                dict(vals, lifecycle_stage_date=fields.Datetime.now() if new_stage_id else False)
            )
        return True
