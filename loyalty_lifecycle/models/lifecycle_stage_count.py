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
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO lifecycle_stage_count (date, stage_id, customer_count, create_uid, create_date,
                                                   write_uid, write_date)
                SELECT %(day)s, p.lifecycle_stage_id, COUNT(*), %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM res_partner p
                 WHERE p.active AND p.lifecycle_stage_id IS NOT NULL
                 GROUP BY p.lifecycle_stage_id
                ON CONFLICT (date, stage_id) DO UPDATE SET customer_count = EXCLUDED.customer_count,
                                                          write_date = EXCLUDED.write_date
                """,
                day=day,
                uid=self.env.uid,
            )
        )
        # Stages emptied since an earlier run of the same day.
        self.env.cr.execute(
            SQL(
                """
                UPDATE lifecycle_stage_count c SET customer_count = 0
                 WHERE c.date = %(day)s
                   AND NOT EXISTS (SELECT 1 FROM res_partner p
                                    WHERE p.active AND p.lifecycle_stage_id = c.stage_id)
                """,
                day=day,
            )
        )
        self.invalidate_model()
