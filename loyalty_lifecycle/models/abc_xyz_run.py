import logging

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, date_utils

from .abc_xyz_snapshot import XYZ_CLASSES

_logger = logging.getLogger(__name__)

# Takes a transaction-level advisory lock per company: two runs of the same
# company (cron and button, two users) never interleave.
_LOCK_NAMESPACE = 0x4C4C4142  # "LLAB"


class AbcXyzRun(models.Model):
    """One ABC-XYZ segmentation of a company's customers.

    The whole run is one SQL statement over ``customer.purchase`` (window
    functions for the cumulative revenue share, a grid of periods for the
    regularity), then one UPDATE of the customers' classes: no loop over
    partners. Running again for the same window replaces that run's
    snapshot, so a second run the same day changes nothing.
    """

    _name = "abc.xyz.run"
    _description = "ABC-XYZ Run"
    _order = "date_to desc, id desc"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date_from = fields.Date("Window Start", required=True, readonly=True)
    date_to = fields.Date("Window End", required=True, readonly=True, help="First day after the window (not included).")
    run_date = fields.Datetime("Run On", readonly=True)
    previous_run_id = fields.Many2one("abc.xyz.run", readonly=True, ondelete="set null")
    bucket = fields.Selection(
        [("week", "Week"), ("month", "Month"), ("quarter", "Quarter")], "Regularity Period", readonly=True
    )
    a_threshold = fields.Float("A up to (%)", readonly=True)
    b_threshold = fields.Float("B up to (%)", readonly=True)
    x_threshold = fields.Float("X up to (%)", readonly=True)
    y_threshold = fields.Float("Y up to (%)", readonly=True)
    min_buckets = fields.Integer("Periods Before XYZ", readonly=True)
    snapshot_ids = fields.One2many("abc.xyz.snapshot", "run_id", readonly=True)
    customer_count = fields.Integer("Customers", compute="_compute_counts")
    a_count = fields.Integer("A", compute="_compute_counts")
    b_count = fields.Integer("B", compute="_compute_counts")
    c_count = fields.Integer("C", compute="_compute_counts")
    x_count = fields.Integer("X", compute="_compute_counts")
    y_count = fields.Integer("Y", compute="_compute_counts")
    z_count = fields.Integer("Z", compute="_compute_counts")
    new_count = fields.Integer("New", compute="_compute_counts")
    dropped_count = fields.Integer("Dropped from A/X", compute="_compute_counts")

    _sql_constraints = [
        ("window_unique", "UNIQUE(company_id, date_to)", "There is already a run for this company and window."),
    ]

    @api.depends("date_from", "date_to", "company_id")
    def _compute_name(self):
        for run in self:
            last_day = run.date_to and run.date_to - relativedelta(days=1)
            run.name = _(
                "%(company)s: %(start)s - %(end)s",
                company=run.company_id.name,
                start=run.date_from,
                end=last_day,
            )

    def _compute_counts(self):
        Snapshot = self.env["abc.xyz.snapshot"]
        counts = {run: dict.fromkeys(["total", "A", "B", "C", "X", "Y", "Z", "new", "dropped"], 0) for run in self}
        domain = [("run_id", "in", self.ids)]
        for run, abc, xyz, is_new, dropped, count in Snapshot._read_group(
            domain, ["run_id", "abc_class", "xyz_class", "is_new", "is_dropped"], ["__count"]
        ):
            c = counts[run]
            c["total"] += count
            for key in (abc, xyz):
                if key:
                    c[key] += count
            c["new"] += count if is_new else 0
            c["dropped"] += count if dropped else 0
        for run in self:
            c = counts[run]
            run.customer_count = c["total"]
            run.a_count, run.b_count, run.c_count = c["A"], c["B"], c["C"]
            run.x_count, run.y_count, run.z_count = c["X"], c["Y"], c["Z"]
            run.new_count, run.dropped_count = c["new"], c["dropped"]

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------

    @api.model
    def _get_window(self, company, today):
        """(date_from, date_to) of whole periods, date_to excluded."""
        date_to = date_utils.start_of(today, company.xyz_bucket)
        date_from = date_utils.start_of(date_to - relativedelta(months=company.abc_window_months), company.xyz_bucket)
        return date_from, date_to

    @api.model
    def _run_for_companies(self, companies, today=None):
        """Segment the customers of each company; returns the runs."""
        today = today or fields.Date.context_today(self)
        if not isinstance(companies, models.BaseModel):  # ids, from data files
            companies = self.env["res.company"].browse(companies)
        runs = self.browse()
        for company in companies:
            runs |= self._run_for_company(company, today)
        return runs

    @api.model
    def _run_for_company(self, company, today):
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", _LOCK_NAMESPACE, company.id))
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                _("An ABC-XYZ run for %(company)s is already in progress; try again shortly.", company=company.name)
            )
        date_from, date_to = self._get_window(company, today)
        vals = {
            "company_id": company.id,
            "date_from": date_from,
            "date_to": date_to,
            "run_date": fields.Datetime.now(),
            "bucket": company.xyz_bucket,
            "a_threshold": company.abc_a_threshold,
            "b_threshold": company.abc_b_threshold,
            "x_threshold": company.xyz_x_threshold,
            "y_threshold": company.xyz_y_threshold,
            "min_buckets": company.xyz_min_buckets,
        }
        run = self.search([("company_id", "=", company.id), ("date_to", "=", date_to)], limit=1)
        already_flagged = set()
        if run:
            # Same window again: replace its snapshot, keep who was flagged.
            already_flagged = set(
                self.env["abc.xyz.snapshot"].search([("run_id", "=", run.id), ("is_dropped", "=", True)]).partner_id.ids
            )
            # Set-based: a run of a big base has one snapshot per customer.
            self.env.cr.execute(SQL("DELETE FROM abc_xyz_snapshot WHERE run_id = %s", run.id))
            self.env["abc.xyz.snapshot"].invalidate_model()
            run.invalidate_recordset(["snapshot_ids"])
            run.write(vals)
        else:
            run = self.create(vals)
        run.previous_run_id = self.search(
            [("company_id", "=", company.id), ("date_to", "<", date_to)], order="date_to desc", limit=1
        )
        self.env.flush_all()
        run._insert_snapshots()
        # Fresh statistics, or the planner takes the new snapshot rows for an
        # empty table and joins them to the partners row by row.
        self.env.cr.execute("ANALYZE abc_xyz_snapshot")
        run._update_partner_classes()
        run._notify_dropped_customers(already_flagged)
        run.invalidate_recordset()
        _logger.info("ABC-XYZ run %s: %s customers", run.name, run.customer_count)
        return run

    def _insert_snapshots(self):
        self.ensure_one()
        bucket = self.bucket
        self.env.cr.execute(
            SQL(
                """
            WITH facts AS (
                SELECT partner_id, date, amount
                  FROM customer_purchase
                 WHERE company_id = %(company)s AND date < %(date_to)s AND partner_id IS NOT NULL
            ),
            revenue AS (
                SELECT partner_id, MIN(date) AS first_date,
                       COALESCE(SUM(amount) FILTER (WHERE date >= %(date_from)s), 0) AS revenue
                  FROM facts
                 GROUP BY partner_id
            ),
            total AS (
                SELECT SUM(revenue) AS total FROM revenue WHERE revenue > 0
            ),
            ranked AS (
                SELECT r.partner_id,
                       r.revenue / t.total AS share,
                       SUM(r.revenue) OVER w / t.total AS cumulative_share,
                       ROW_NUMBER() OVER w AS rank
                  FROM revenue r, total t
                 WHERE r.revenue > 0
                WINDOW w AS (ORDER BY r.revenue DESC, r.partner_id ROWS UNBOUNDED PRECEDING)
            ),
            buckets AS (
                SELECT generate_series(
                           date_trunc(%(bucket)s, %(date_from)s::timestamp),
                           date_trunc(%(bucket)s, %(date_to)s::timestamp - interval '1 day'),
                           %(step)s::interval
                       ) AS bucket
            ),
            per_bucket AS (
                SELECT partner_id, date_trunc(%(bucket)s, date::timestamp) AS bucket, SUM(amount) AS amount
                  FROM facts
                 WHERE date >= %(date_from)s
                 GROUP BY 1, 2
            ),
            stats AS (
                SELECT r.partner_id,
                       COUNT(b.bucket) AS bucket_count,
                       AVG(COALESCE(pb.amount, 0)) AS mean_amount,
                       STDDEV_POP(COALESCE(pb.amount, 0)) AS deviation
                  FROM revenue r
                  JOIN buckets b ON b.bucket >= date_trunc(%(bucket)s, r.first_date::timestamp)
                  LEFT JOIN per_bucket pb ON pb.partner_id = r.partner_id AND pb.bucket = b.bucket
                 GROUP BY r.partner_id
            ),
            classes AS (
                SELECT r.partner_id, r.revenue, k.share, k.cumulative_share,
                       COALESCE(s.bucket_count, 0) AS bucket_count, s.mean_amount,
                       CASE WHEN s.mean_amount > 0 THEN s.deviation / s.mean_amount END AS variation,
                       CASE WHEN k.partner_id IS NULL THEN 'C'
                            WHEN k.rank = 1 OR k.cumulative_share <= %(a)s + 1e-9 THEN 'A'
                            WHEN k.cumulative_share <= %(b)s + 1e-9 THEN 'B'
                            ELSE 'C' END AS abc_class,
                       CASE WHEN COALESCE(s.bucket_count, 0) < %(min_buckets)s THEN NULL
                            WHEN NOT s.mean_amount > 0 THEN 'Z'
                            WHEN s.deviation / s.mean_amount <= %(x)s + 1e-9 THEN 'X'
                            WHEN s.deviation / s.mean_amount <= %(y)s + 1e-9 THEN 'Y'
                            ELSE 'Z' END AS xyz_class,
                       COALESCE(s.bucket_count, 0) < %(min_buckets)s AS is_new
                  FROM revenue r
                  LEFT JOIN ranked k ON k.partner_id = r.partner_id
                  LEFT JOIN stats s ON s.partner_id = r.partner_id
            )
            INSERT INTO abc_xyz_snapshot (
                run_id, date, company_id, currency_id, partner_id, user_id, revenue,
                monthly_revenue, previous_revenue, revenue_trend, share,
                cumulative_share, bucket_count, mean_amount, variation, abc_class, xyz_class,
                abc_xyz_class, is_new, previous_abc_class, previous_xyz_class,
                previous_abc_xyz_class, is_dropped, create_uid, create_date, write_uid, write_date
            )
            SELECT %(run)s, %(date_to)s, %(company)s, company.currency_id, c.partner_id, p.user_id,
                   c.revenue, c.revenue / %(months)s, prev.revenue,
                   CASE WHEN prev.revenue > 0 THEN ROUND(100 * (c.revenue - prev.revenue) / prev.revenue, 2) END,
                   ROUND(100 * c.share, 4), ROUND(100 * c.cumulative_share, 4), c.bucket_count,
                   c.mean_amount, ROUND(100 * c.variation, 4), c.abc_class, c.xyz_class,
                   c.abc_class || c.xyz_class, c.is_new, prev.abc_class, prev.xyz_class,
                   prev.abc_xyz_class,
                   (prev.abc_class = 'A' AND c.abc_class <> 'A')
                       OR (prev.xyz_class = 'X' AND c.xyz_class IS DISTINCT FROM 'X'),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM classes c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_company company ON company.id = %(company)s
              LEFT JOIN abc_xyz_snapshot prev ON prev.run_id = %(previous_run)s AND prev.partner_id = c.partner_id
                """,
                company=self.company_id.id,
                date_from=self.date_from,
                date_to=self.date_to,
                bucket=bucket,
                step=f"1 {bucket}",
                a=self.a_threshold / 100.0,
                b=self.b_threshold / 100.0,
                x=self.x_threshold / 100.0,
                y=self.y_threshold / 100.0,
                min_buckets=self.min_buckets,
                months=max(
                    1,
                    (self.date_to.year - self.date_from.year) * 12 + self.date_to.month - self.date_from.month,
                ),
                run=self.id,
                previous_run=self.previous_run_id.id or 0,
                uid=self.env.uid,
            )
        )
        self.env["abc.xyz.snapshot"].invalidate_model()

    def _update_partner_classes(self):
        """Copy the run's classes onto the customers, for its company only."""
        self.ensure_one()
        columns = ("abc_class", "xyz_class", "abc_xyz_class")
        Partner = self.env["res.partner"]
        key = str(self.company_id.id)

        def merged(column, value):
            # {company: class} of the partner, this company's entry replaced
            return SQL(
                "%s = jsonb_strip_nulls(COALESCE(p.%s, '{}'::jsonb) || jsonb_build_object(%s, %s))",
                SQL.identifier(column),
                SQL.identifier(column),
                key,
                SQL(value),
            )

        self.env.cr.execute(
            SQL(
                "UPDATE res_partner p SET %s FROM abc_xyz_snapshot s WHERE s.run_id = %s AND s.partner_id = p.id",
                SQL(", ").join(
                    [
                        merged("abc_class", "s.abc_class"),
                        merged("xyz_class", "s.xyz_class"),
                        merged("abc_xyz_class", "s.abc_xyz_class"),
                        merged("abc_xyz_new", "s.is_new"),
                    ]
                ),
                self.id,
            )
        )
        # Customers of this company that dropped out of the base lose its classes.
        self.env.cr.execute(
            SQL(
                """
            UPDATE res_partner p
               SET abc_class = p.abc_class - %(key)s,
                   xyz_class = p.xyz_class - %(key)s,
                   abc_xyz_class = p.abc_xyz_class - %(key)s,
                   abc_xyz_new = p.abc_xyz_new - %(key)s
             WHERE p.abc_class ? %(key)s
               AND NOT EXISTS (SELECT 1 FROM abc_xyz_snapshot s WHERE s.run_id = %(run)s AND s.partner_id = p.id)
                """,
                key=key,
                run=self.id,
            )
        )
        Partner.invalidate_model([*columns, "abc_xyz_new"])

    def _notify_dropped_customers(self, already_flagged=()):
        """An activity for the salesperson of each customer who left A or X."""
        self.ensure_one()
        dropped = self.env["abc.xyz.snapshot"].search(
            [
                ("run_id", "=", self.id),
                ("is_dropped", "=", True),
                ("user_id", "!=", False),
                ("partner_id", "not in", list(already_flagged)),
            ]
        )
        if not dropped:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id("res.partner")
        xyz_labels = dict(XYZ_CLASSES)
        # Not inline in the _() below: the .pot export misses a _() nested in another one.
        new_label = _("new")
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": snap.partner_id.id,
                    "user_id": snap.user_id.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "date_deadline": fields.Date.context_today(self),
                    "summary": self.env._(
                        "Customer moved from %(before)s to %(after)s",
                        before=snap.previous_abc_xyz_class or snap.previous_abc_class,
                        after=snap.abc_xyz_class or snap.abc_class,
                    ),
                    "note": self.env._(
                        "In the ABC-XYZ run %(run)s this customer dropped from %(before)s (XYZ: %(xyz)s).",
                        run=self.name,
                        before=snap.previous_abc_class,
                        xyz=xyz_labels.get(snap.xyz_class, new_label),
                    ),
                }
                for snap in dropped
            ]
        )

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_update(self):
        """Monthly cron: one run per company."""
        companies = self.env["res.company"].search([])
        self._run_for_companies(companies)

    def action_run_now(self):
        """Button of the runs' list: segment the customers of the current
        company now (the web client passes the selected runs, if any; they
        play no part)."""
        if not self.env.user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_manager"):
            raise AccessError(_("Only Customer Base managers run the segmentation."))
        run = self._run_for_companies(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "res_model": "abc.xyz.run",
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_view_snapshots(self):
        self.check_access("read")
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_lifecycle.abc_xyz_snapshot_action")
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_migrations(self):
        self.check_access("read")
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty_lifecycle.abc_xyz_snapshot_action_migration")
        action["domain"] = [("run_id", "=", self.id)]
        return action
