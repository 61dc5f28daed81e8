from odoo import fields, models

ABC_CLASSES = [("A", "A"), ("B", "B"), ("C", "C")]
XYZ_CLASSES = [("X", "X"), ("Y", "Y"), ("Z", "Z")]
ABC_XYZ_CLASSES = [(a + x, a + x) for a, _la in ABC_CLASSES for x, _lx in XYZ_CLASSES]


class AbcXyzSnapshot(models.Model):
    """Where one customer stood in one ABC-XYZ run: the figures and the classes.

    Rows are written by ``abc.xyz.run`` in one SQL statement per run; nobody
    edits them. The previous run's classes are kept on the row, so a pivot of
    "previous class" by "class" is the migration matrix.
    """

    _name = "abc.xyz.snapshot"
    _description = "ABC-XYZ Snapshot"
    _order = "run_id desc, revenue desc, id"
    _rec_name = "partner_id"

    run_id = fields.Many2one("abc.xyz.run", required=True, readonly=True, index=True, ondelete="cascade")
    date = fields.Date("Window End", readonly=True, help="End of the analysis window of the run.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True, index="btree_not_null")
    revenue = fields.Monetary(readonly=True, currency_field="currency_id", help="Net revenue in the window.")
    monthly_revenue = fields.Monetary(
        "Revenue per Month", readonly=True, currency_field="currency_id", aggregator="avg"
    )
    previous_revenue = fields.Monetary(readonly=True, currency_field="currency_id")
    revenue_trend = fields.Float(
        "Trend (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Change of revenue against the previous run; empty without a previous positive revenue.",
    )
    share = fields.Float("Share (%)", readonly=True, aggregator="sum", digits=(16, 2))
    cumulative_share = fields.Float("Cumulative Share (%)", readonly=True, aggregator=None, digits=(16, 2))
    bucket_count = fields.Integer("Periods", readonly=True, aggregator=None)
    mean_amount = fields.Monetary("Mean per Period", readonly=True, currency_field="currency_id", aggregator="avg")
    variation = fields.Float(
        "Variation (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Coefficient of variation of revenue per period.",
    )
    abc_class = fields.Selection(ABC_CLASSES, "ABC", readonly=True)
    xyz_class = fields.Selection(XYZ_CLASSES, "XYZ", readonly=True)
    abc_xyz_class = fields.Selection(ABC_XYZ_CLASSES, "ABC-XYZ", readonly=True)
    is_new = fields.Boolean("New", readonly=True, help="Too little history for an XYZ class.")
    previous_abc_class = fields.Selection(ABC_CLASSES, "Previous ABC", readonly=True)
    previous_xyz_class = fields.Selection(XYZ_CLASSES, "Previous XYZ", readonly=True)
    previous_abc_xyz_class = fields.Selection(ABC_XYZ_CLASSES, "Previous ABC-XYZ", readonly=True)
    is_dropped = fields.Boolean(
        "Dropped from A or X", readonly=True, help="Was A and is no longer, or was X and is no longer."
    )
