from odoo import api, fields, models
from odoo.tools import SQL


class LifecycleStageCount(models.Model):
    """How many customers sat in each stage, day by day: the report of
    customers per stage over time. Written once a day, after the stage rules
    ran; a second run of the same day replaces that day's figures."""

    _name = "lifecycle.stage.count"
    _description = "Customers per Lifecycle Stage"
    _order = "date desc, stage_id"
    _rec_name = "stage_id"

    date = fields.Date(required=True, index=True, readonly=True)
    stage_id = fields.Many2one("lifecycle.stage", required=True, ondelete="cascade", readonly=True)
    customer_count = fields.Integer("Customers", aggregator="avg", readonly=True)

    _sql_constraints = [
        ("date_stage_unique", "UNIQUE(date, stage_id)", "One count per stage and day."),
    ]

    @api.model
    def _record(self, day):
        self.env["res.partner"].flush_model(["lifecycle_stage_id", "active"])
        # A second run the same day replaces that day's figures.
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM lifecycle_stage_count WHERE date = %(day)s;
                INSERT INTO lifecycle_stage_count (date, stage_id, customer_count, create_uid, create_date,
                                                   write_uid, write_date)
                SELECT %(day)s, p.lifecycle_stage_id, COUNT(*), %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM res_partner p
                 WHERE p.active AND p.lifecycle_stage_id IS NOT NULL
                 GROUP BY p.lifecycle_stage_id
                """,
                day=day,
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
