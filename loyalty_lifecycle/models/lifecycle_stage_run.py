import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class LifecycleStageRun(models.Model):
    """One day's run of the stage rules for one company.

    The rules are evaluated once, at the start of the run, from the stages
    and purchases of that moment: the moves found are stored as the run's
    lines, then applied in batches (each committed by the cron). A batch
    moves the next pending lines and marks them done in the same
    transaction, so a crash and a rerun neither skip nor repeat a customer,
    and rules that chain (X to Y, Y to Z, or back to X) move a customer at
    most once a day. A further run the same day (*Update Stages Now*) leaves
    out who the rules already moved that day.
    """

    _name = "lifecycle.stage.run"
    _description = "Lifecycle Stage Run"
    _order = "id desc"
    _rec_name = "date"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    date = fields.Date("Day", required=True, readonly=True, index=True, help="The day the rules are evaluated for.")
    state = fields.Selection(
        [("pending", "Waiting"), ("running", "Moving Customers"), ("done", "Done")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    user_id = fields.Many2one("res.users", "Requested By", readonly=True, help="Empty for the daily run.")
    evaluated_date = fields.Datetime("Evaluated On", readonly=True)
    done_date = fields.Datetime("Finished On", readonly=True)
    move_count = fields.Integer("Moves Found", readonly=True)
    moved_count = fields.Integer("Moved", readonly=True)
    skipped_count = fields.Integer(
        "Skipped",
        readonly=True,
        help="Customers whose stage changed (by hand) between the evaluation and their move: left where they are.",
    )
    line_ids = fields.One2many("lifecycle.stage.run.line", "run_id", readonly=True)

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    @api.model
    def _request(self, companies):
        """A run for each of ``companies`` as soon as possible (the manager's
        *Update Stages Now*): one waiting run per company, picked up by the
        cron, which this triggers."""
        today = fields.Date.context_today(self)
        # The runs and the cron belong to the system: managers ask, the cron runs.
        Run = self.sudo()
        waiting = Run.search([("company_id", "in", companies.ids), ("state", "=", "pending")])
        Run.create(
            [
                {"company_id": company.id, "date": today, "user_id": self.env.uid}
                for company in companies - waiting.company_id
            ]
        )
        cron = self.env.ref("loyalty_lifecycle.ir_cron_lifecycle_update", raise_if_not_found=False)
        if not cron or not cron.sudo().active:
            raise UserError(_("The scheduled action 'Customer Base: lifecycle stages' is missing or archived."))
        cron.sudo()._trigger()

    # ------------------------------------------------------------------
    # Processing (cron)
    # ------------------------------------------------------------------

    @api.model
    def _process(self, today=None, batch_size=None):
        """Create the day's runs that are missing, evaluate the waiting ones
        and apply up to ``batch_size`` moves (all when None), oldest run
        first.

        :return: (moved, processed, remaining): customers moved, lines
            handled (moved or skipped), lines left for a next call.
        """
        today = today or fields.Date.context_today(self)
        # Two callers (the cron, a test, a data file) never interleave.
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext('lifecycle.stage.rule'))"))
        # The run covers every company, whatever the caller's record rules.
        Run = self.sudo()
        Run._create_daily_runs(today)
        moved = processed = 0
        while True:
            run = Run.search([("state", "in", ("pending", "running"))], order="id", limit=1)
            if not run:
                break
            if run.state == "pending":
                run._evaluate()
            budget = None if batch_size is None else batch_size - processed
            if budget is not None and budget <= 0:
                break
            run_moved, run_processed = run._apply_batch(budget)
            moved += run_moved
            processed += run_processed
            if run._pending_count():
                break  # the budget is spent
            run._finish()
        remaining = Run._remaining()
        return moved, processed, remaining

    @api.model
    def _create_daily_runs(self, today):
        companies = self.env["res.company"].search([])
        have = self.search([("date", "=", today), ("company_id", "in", companies.ids)]).company_id
        self.create([{"company_id": company.id, "date": today} for company in companies - have])

    @api.model
    def _remaining(self):
        """Moves left: pending lines of the runs under way, plus one per run
        not evaluated yet (its moves are not known before)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT (SELECT COUNT(*) FROM lifecycle_stage_run_line l
                          JOIN lifecycle_stage_run r ON r.id = l.run_id
                         WHERE r.state = 'running' AND l.state = 'pending')
                     + (SELECT COUNT(*) FROM lifecycle_stage_run WHERE state = 'pending')
                """
            )
        )
        return self.env.cr.fetchone()[0]

    def _pending_count(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM lifecycle_stage_run_line WHERE run_id = %s AND state = 'pending'",
                self.id,
            )
        )
        return self.env.cr.fetchone()[0]

    def _evaluate(self):
        """Evaluate the company's enabled rules once, as of the run's day,
        and store the moves found; who the rules already moved that day is
        left out."""
        self.ensure_one()
        Rule = self.env["lifecycle.stage.rule"]
        company = self.company_id
        rules = Rule.search([("enabled", "=", True), "|", ("company_id", "=", False), ("company_id", "=", company.id)])
        self.env.flush_all()
        # Lines of finished runs of earlier days served their purpose.
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM lifecycle_stage_run_line l
                 USING lifecycle_stage_run r
                 WHERE r.id = l.run_id AND r.company_id = %(company)s AND r.state = 'done' AND r.date < %(date)s
                """,
                company=company.id,
                date=self.date,
            )
        )
        count = 0
        query = Rule._sql_stage_changes(company, self.date, rules)
        if query is not None:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO lifecycle_stage_run_line
                           (run_id, partner_id, rule_id, from_stage_id, to_stage_id, manual_date, state,
                            create_uid, create_date, write_uid, write_date)
                    SELECT %(run)s, c.partner_id, c.rule_id, c.current_stage_id, c.stage_id,
                           p.lifecycle_manual_date, 'pending',
                           %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM (%(changes)s) c
                      JOIN res_partner p ON p.id = c.partner_id
                     WHERE NOT EXISTS (
                           SELECT 1
                             FROM lifecycle_stage_run_line done
                             JOIN lifecycle_stage_run r ON r.id = done.run_id
                            WHERE r.company_id = %(company)s AND r.date = %(date)s
                              AND done.state = 'moved' AND done.partner_id = c.partner_id
                     )
                    """,
                    run=self.id,
                    changes=query,
                    company=company.id,
                    date=self.date,
                    uid=self.env.uid,
                )
            )
            count = self.env.cr.rowcount
        self.write({"state": "running", "evaluated_date": fields.Datetime.now(), "move_count": count})
        _logger.info("Lifecycle stages of %s on %s: %s moves found", company.name, self.date, count)

    def _apply_batch(self, limit=None):
        """Apply the next ``limit`` pending moves (all when None), in partner
        order. A customer whose stage or hand-set hold changed since the
        evaluation is skipped: the user's move wins.

        :return: (moved, processed)
        """
        self.ensure_one()
        self.env["res.partner"].flush_model(["lifecycle_stage_id", "lifecycle_manual_date", "active"])
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.partner_id, l.rule_id, l.to_stage_id,
                       l.rule_id IS NOT NULL AND p.active
                       AND p.lifecycle_stage_id IS NOT DISTINCT FROM l.from_stage_id
                       AND p.lifecycle_manual_date IS NOT DISTINCT FROM l.manual_date AS valid
                  FROM lifecycle_stage_run_line l
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE l.run_id = %(run)s AND l.state = 'pending'
                 ORDER BY l.partner_id
                 %(limit)s
                   FOR UPDATE OF l
                """,
                run=self.id,
                limit=SQL("LIMIT %s", limit) if limit else SQL(),
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0, 0
        changes = [(partner_id, rule_id, stage_id) for _id, partner_id, rule_id, stage_id, valid in rows if valid]
        by_state = defaultdict(list)
        for line_id, *_rest, valid in rows:
            by_state["moved" if valid else "skipped"].append(line_id)
        self.env["lifecycle.stage.rule"]._apply_stage_changes(changes, company=self.company_id)
        for state, line_ids in by_state.items():
            self.env.cr.execute(
                SQL("UPDATE lifecycle_stage_run_line SET state = %s WHERE id IN %s", state, tuple(line_ids))
            )
        self.env["lifecycle.stage.run.line"].invalidate_model(["state"])
        self.write(
            {
                "moved_count": self.moved_count + len(by_state["moved"]),
                "skipped_count": self.skipped_count + len(by_state["skipped"]),
            }
        )
        return len(by_state["moved"]), len(rows)

    def _finish(self):
        """The run is over: record the company's customers per stage of the day."""
        self.ensure_one()
        self.write({"state": "done", "done_date": fields.Datetime.now()})
        self.env["lifecycle.stage.count"]._record(self.date, self.company_id)


class LifecycleStageRunLine(models.Model):
    """A move found by a run, applied in a later batch of the same run."""

    _name = "lifecycle.stage.run.line"
    _description = "Lifecycle Stage Run Move"
    _order = "run_id, partner_id"

    run_id = fields.Many2one("lifecycle.stage.run", required=True, index=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade", readonly=True
    )
    rule_id = fields.Many2one("lifecycle.stage.rule", ondelete="set null", readonly=True)
    from_stage_id = fields.Many2one("lifecycle.stage", "From", ondelete="cascade", readonly=True)
    to_stage_id = fields.Many2one("lifecycle.stage", "To", required=True, ondelete="cascade", readonly=True)
    manual_date = fields.Datetime(
        "Set by Hand On", readonly=True, help="The customer's last move by hand when the rules were evaluated."
    )
    state = fields.Selection(
        [("pending", "To Move"), ("moved", "Moved"), ("skipped", "Skipped")],
        required=True,
        default="pending",
        readonly=True,
    )

    def init(self):
        # The next batch of a run: its pending lines in partner order.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS lifecycle_stage_run_line_pending_index "
                "ON lifecycle_stage_run_line (run_id, partner_id) WHERE state = 'pending'"
            )
        )
