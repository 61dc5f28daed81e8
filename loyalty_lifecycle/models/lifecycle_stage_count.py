from odoo import api, fields, models
from odoo.tools import SQL


class LifecycleStageCount(models.Model):
    """How many customers sat in each stage, day by day and per company: the
    report of customers per stage over time. Written once a company's stage
    run of the day is over; a second run of the same day replaces that
    company's figures of the day."""

    _name = "lifecycle.stage.count"
    _description = "Customers per Lifecycle Stage"
    _order = "date desc, stage_id"
    _rec_name = "stage_id"

    date = fields.Date(required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    stage_id = fields.Many2one("lifecycle.stage", required=True, ondelete="cascade", readonly=True)
    customer_count = fields.Integer("Customers", aggregator="avg", readonly=True)

    _sql_constraints = [
        (
            "date_stage_unique",
            "UNIQUE(date, stage_id, company_id)",
            "One count per stage, day and company.",
        ),
    ]

    @api.model
    def _record(self, day, company=None):
        """Count the customers of ``company`` (default: the current one) per
        stage: the customers its stage rules evaluate."""
        company = company or self.env.company
        Rule = self.env["lifecycle.stage.rule"]
        self.env["res.partner"].flush_model(["lifecycle_stage_id", "active", "company_id"])
        self.env["customer.purchase"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM lifecycle_stage_count WHERE date = %(day)s AND company_id = %(company)s;
                INSERT INTO lifecycle_stage_count (date, company_id, stage_id, customer_count, create_uid,
                                                   create_date, write_uid, write_date)
                SELECT %(day)s, %(company)s, p.lifecycle_stage_id, COUNT(*), %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM res_partner p
                  %(home_join)s
                 WHERE p.active AND p.lifecycle_stage_id IS NOT NULL AND %(home)s
                 GROUP BY p.lifecycle_stage_id
                """,
                day=day,
                company=company.id,
                uid=self.env.uid,
                home_join=Rule._sql_home_company_join(),
                home=Rule._sql_home_company(company),
            )
        )
        self.invalidate_model()
