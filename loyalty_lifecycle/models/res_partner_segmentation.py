# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models

from .abc_xyz_snapshot import ABC_CLASSES, ABC_XYZ_CLASSES, XYZ_CLASSES
from .res_partner import CUSTOMER_BASE_OR_POS, CUSTOMER_BASE_USER


class ResPartner(models.Model):
    """The ABC-XYZ classes of a customer (written by ``abc.xyz.run``) and the
    lifetime-value figures of the last segmentation."""

    _inherit = "res.partner"

    # customer of two companies has a class in each). Written by abc.xyz.run.
    abc_class = fields.Selection(
        ABC_CLASSES,
        "ABC Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="A: the customers who make the bulk of revenue; C: the long tail.",
    )
    xyz_class = fields.Selection(
        XYZ_CLASSES,
        "XYZ Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="X: buys regularly; Z: irregularly.",
    )
    abc_xyz_class = fields.Selection(
        ABC_XYZ_CLASSES,
        "ABC-XYZ Class",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,  # a badge at the till
    )
    abc_xyz_new = fields.Boolean(
        "New (no XYZ yet)",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="Too little purchase history for an XYZ class.",
    )
    abc_xyz_date = fields.Date("Last Segmentation", compute="_compute_abc_xyz_date", groups=CUSTOMER_BASE_USER)

    ltv_currency_id = fields.Many2one(
        related="company_id.currency_id", string="LTV Currency", groups=CUSTOMER_BASE_USER
    )
    ltv_revenue = fields.Monetary(
        "Revenue in Window",
        compute="_compute_ltv",
        currency_field="ltv_currency_id",
        groups=CUSTOMER_BASE_USER,
        help="Net revenue over the analysis window of the last segmentation.",
    )
    ltv_monthly = fields.Monetary(
        "Revenue per Month", compute="_compute_ltv", currency_field="ltv_currency_id", groups=CUSTOMER_BASE_USER
    )
    ltv_trend = fields.Float("Revenue Trend (%)", compute="_compute_ltv", digits=(16, 1), groups=CUSTOMER_BASE_USER)

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {"abc_class", "xyz_class", "abc_xyz_class", "abc_xyz_new"}

    @api.model
    def _customer_base_server_fields(self):
        segmentation = _("The ABC-XYZ classes are set by the segmentation runs, not by hand.")
        return dict(
            super()._customer_base_server_fields(),
            abc_class=segmentation,
            xyz_class=segmentation,
            abc_xyz_class=segmentation,
            abc_xyz_new=segmentation,
        )

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
