import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# What a condition measures. Every measure is computed per customer, as of the
# day of the run, from the purchase facts (customer.purchase) and the partner.
CRITERIA = [
    ("never_bought", "Never bought (registered only)"),
    ("days_since_first_purchase", "Days since first purchase"),
    ("days_since_last_purchase", "Days since last purchase"),
    ("purchase_count", "Purchases (visits) ever"),
    ("purchases_in_window", "Purchases (visits) in the last N days"),
    ("days_until_validity_end", "Days until the validity ends"),
    ("days_since_validity_end", "Days since the validity ended"),
    ("days_until_birthday", "Days until birthday"),
]
OPERATORS = [("gte", "at least"), ("lte", "at most"), ("between", "between")]

# Stage changes applied per cron call; the rest is picked up by the next call
# of the same job (ir.cron progress API).
CRON_BATCH_SIZE = 5000


class LifecycleStageRule(models.Model):
    """A rule that moves customers into a stage.

    Every day the enabled rules are evaluated in order of priority; a customer
    goes to the stage of the first rule whose conditions all hold. A customer
    no rule matches keeps their stage. Conditions are evaluated set-based in
    one SQL query over the purchase facts.
    """

    _name = "lifecycle.stage.rule"
    _description = "Customer Lifecycle Stage Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        "Priority", default=100, help="Rules are tried in this order; the first one that matches decides."
    )
    stage_id = fields.Many2one("lifecycle.stage", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="The company whose customers the rule moves, on that company's purchases. "
        "Empty: a shared rule, applied in every company to that company's customers and purchases.",
    )
    enabled = fields.Boolean(
        default=False,
        copy=False,
        help="Only enabled rules move customers. Preview a new rule before enabling it.",
    )
    from_stage_ids = fields.Many2many(
        "lifecycle.stage",
        "lifecycle_stage_rule_from_stage_rel",
        "rule_id",
        "stage_id",
        string="Only From Stages",
        help="If set, the rule only applies to customers currently in one of these stages "
        "(e.g. Warm only for customers who were Hot).",
    )
    condition_ids = fields.One2many("lifecycle.stage.rule.condition", "rule_id", string="Conditions", copy=True)
    description = fields.Char(compute="_compute_description", string="Conditions Summary")
    cycle_warning = fields.Char(
        compute="_compute_cycle_warning",
        help="Rules limited to some stages that lead a customer back to where they started.",
    )

    @api.depends(
        "condition_ids.criterion",
        "condition_ids.operator",
        "condition_ids.value",
        "condition_ids.value_to",
        "condition_ids.window_days",
        "from_stage_ids",
    )
    def _compute_description(self):
        for rule in self:
            parts = [cond.description for cond in rule.condition_ids]
            if rule.from_stage_ids:
                parts.append(_("from %(stages)s", stages=", ".join(rule.from_stage_ids.mapped("name"))))
            rule.description = "; ".join(parts) or _("always")

    @api.depends("stage_id", "from_stage_ids", "enabled", "company_id")
    def _compute_cycle_warning(self):
        """Warn when this rule and the enabled rules of its company, through
        their 'Only From Stages', form a circle (X to Y, then Y to X). The
        daily run moves each customer at most once a day, so a circle cannot
        loop; it still moves customers back and forth from one day to the
        next, which is rarely what the rules meant."""
        enabled = self.search([("enabled", "=", True)])
        for rule in self:
            others = (enabled - rule._origin).filtered(
                lambda r, rule=rule: not rule.company_id or not r.company_id or r.company_id == rule.company_id
            )
            cycle = rule._find_stage_cycle(others + rule)
            if cycle:
                rule.cycle_warning = _(
                    "These rules move customers in a circle: %(cycle)s. Each customer moves at most once a day, "
                    "but may go back and forth from one day to the next.",
                    cycle=" → ".join(cycle.mapped("name") + cycle[:1].mapped("name")),
                )
            else:
                rule.cycle_warning = False

    def _find_stage_cycle(self, rules):
        """Stages of a circle through this rule, or an empty recordset.
        Only rules with 'Only From Stages' are edges (from each of those
        stages to the rule's stage): a rule open to every stage would make
        a circle of any two rules."""
        self.ensure_one()
        if not self.from_stage_ids or not self.stage_id:
            return self.env["lifecycle.stage"]
        edges = defaultdict(set)
        for rule in rules:
            for source in rule.from_stage_ids:
                if source != rule.stage_id:
                    edges[source.id].add(rule.stage_id.id)
        # Paths from this rule's target back to one of its sources.
        sources = set(self.from_stage_ids.ids) - {self.stage_id.id}
        start = self.stage_id.id
        parents = {start: None}
        queue = [start]
        while queue:
            node = queue.pop(0)
            if node in sources:
                path = []
                while node is not None:
                    path.append(node)
                    node = parents[node]
                # path: source ... target; the circle is source -> target -> ... -> source
                path.reverse()
                return self.env["lifecycle.stage"].browse([path[-1]] + path[:-1])
            for nxt in sorted(edges[node]):
                if nxt not in parents:
                    parents[nxt] = node
                    queue.append(nxt)
        return self.env["lifecycle.stage"]

    # ------------------------------------------------------------------
    # Evaluation
    # ------------------------------------------------------------------

    @api.model
    def _compute_stage_changes(self, today, rules=None, limit=None, companies=None):
        """Which customers the rules move, as of ``today``.

        Each company's customers are evaluated with the rules of that company
        and the shared rules, on that company's purchases.

        :param rules: the rules to evaluate (default: the enabled ones);
            rules of archived stages are ignored.
        :param companies: the companies whose customers to evaluate (default:
            the current companies)
        :return: list of ``(partner_id, rule_id, stage_id)`` for customers
            whose stage would change, ordered by partner.
        """
        if rules is None:
            rules = self.search([("enabled", "=", True)])
        companies = companies if companies is not None else self.env.companies
        changes = []
        for company in companies:
            company_rules = rules.filtered(lambda r, c=company: not r.company_id or r.company_id == c)
            query = self._sql_stage_changes(company, today, company_rules)
            if query is None:
                continue
            self.env.cr.execute(query)
            changes += [
                (partner_id, rule_id, stage_id) for partner_id, rule_id, stage_id, _from in self.env.cr.fetchall()
            ]
        changes.sort()
        return changes[:limit] if limit else changes

    @api.model
    def _sql_stage_changes(self, company, today, rules):
        """One query: the customers of ``company`` that ``rules`` move as of
        ``today``, as rows ``(partner_id, rule_id, stage_id, current_stage_id)``;
        None when no rule applies. Customers whose stage was set by hand and
        is still held are left out."""
        rules = rules.filtered(lambda r: r.stage_id.active).sorted(lambda r: (r.sequence, r.id))
        if not rules:
            return None
        self.env["customer.purchase"].flush_model()
        self.env["res.partner"].flush_model(
            [
                "lifecycle_stage_id",
                "birthday",
                "active",
                "commercial_partner_id",
                "company_id",
                "lifecycle_manual_date",
                "lifecycle_hold_until",
                "customer_rank",
                "supplier_rank",
                "marketing_consent",
            ]
        )
        self.env["loyalty.card"].flush_model(["partner_id", "program_id"])
        self.env["product.template"].flush_model(["validity_days"])
        windows = sorted(
            {
                cond.window_days
                for cond in rules.condition_ids
                if cond.criterion == "purchases_in_window" and cond.window_days > 0
            }
        )
        window_columns = SQL(", ").join(
            SQL(
                "COUNT(*) FILTER (WHERE d.amount >= 0 AND d.date > %(today)s::date - %(w)s) AS %(col)s",
                today=today,
                w=window,
                col=SQL.identifier(f"visits_{window}"),
            )
            for window in windows
        )
        matches = SQL(" ").join(SQL("WHEN %s THEN %s", rule._sql_condition(today), rule.id) for rule in rules)
        return SQL(
            """
            WITH docs AS (
                -- One row per purchase document (POS order or invoice) of the company.
                SELECT partner_id,
                       COALESCE(pos_order_id, -move_id) AS doc,
                       MIN(date) AS date,
                       SUM(amount) AS amount
                  FROM customer_purchase
                 WHERE company_id = %(company)s
                 GROUP BY partner_id, COALESCE(pos_order_id, -move_id)
            ),
            validity AS (
                -- The end of the customer's stacked memberships
                -- (res_partner_membership.py).
                SELECT partner_id, end_date AS validity_end FROM (%(membership_ends)s) ends
            ),
            facts AS (
                SELECT d.partner_id,
                       MIN(d.date) FILTER (WHERE d.amount >= 0) AS first_date,
                       MAX(d.date) FILTER (WHERE d.amount >= 0) AS last_date,
                       COUNT(*) FILTER (WHERE d.amount >= 0) AS purchase_count
                       %(window_columns)s
                  FROM docs d
                 WHERE d.date <= %(today)s
                 GROUP BY d.partner_id
            ),
            customers AS (
                SELECT p.id AS partner_id,
                       p.lifecycle_stage_id AS stage_id,
                       %(today)s::date - f.first_date AS days_since_first_purchase,
                       %(today)s::date - f.last_date AS days_since_last_purchase,
                       COALESCE(f.purchase_count, 0) AS purchase_count,
                       f.first_date IS NULL AS never_bought,
                       v.validity_end - %(today)s::date AS days_until_validity_end,
                       %(today)s::date - v.validity_end AS days_since_validity_end,
                       %(birthday_days)s AS days_until_birthday
                       %(customer_window_columns)s
                  FROM res_partner p
                  LEFT JOIN facts f ON f.partner_id = p.id
                  LEFT JOIN validity v ON v.partner_id = p.id
                  %(home_join)s
                 WHERE %(scope)s
                   AND %(home)s
                   -- A stage set by hand holds until the day set, or until a
                   -- purchase on a later day than the move.
                   AND NOT (
                       p.lifecycle_hold_until IS NOT NULL
                       AND p.lifecycle_hold_until > %(today)s
                       AND (f.last_date IS NULL OR f.last_date <= p.lifecycle_manual_date::date)
                   )
            ),
            matched AS (
                SELECT partner_id, stage_id AS current_stage_id,
                       CASE %(matches)s END AS rule_id
                  FROM customers
            )
            SELECT m.partner_id, m.rule_id, r.stage_id, m.current_stage_id
              FROM matched m
              JOIN lifecycle_stage_rule r ON r.id = m.rule_id
             WHERE m.current_stage_id IS DISTINCT FROM r.stage_id
            """,
            today=today,
            company=company.id,
            window_columns=SQL(", %s", window_columns) if windows else SQL(),
            customer_window_columns=(
                SQL(
                    ", %s",
                    SQL(", ").join(
                        SQL("COALESCE(f.%s, 0) AS %s", SQL.identifier(f"visits_{w}"), SQL.identifier(f"visits_{w}"))
                        for w in windows
                    ),
                )
                if windows
                else SQL()
            ),
            membership_ends=self.env["res.partner"]._sql_membership_ends(today, [company.id]),
            birthday_days=self._sql_days_until_birthday(SQL("p.birthday"), today),
            scope=self._sql_customer_scope(),
            home_join=self._sql_home_company_join(),
            home=self._sql_home_company(company),
            matches=matches,
        )

    @api.model
    def _sql_home_company_join(self):
        """The join that ``_sql_home_company`` needs on ``res_partner p``:
        the company of each customer's latest purchase, and the company of
        the user who registered them. Nothing to join with a single company."""
        if self.env["res.company"].sudo().with_context(active_test=False).search_count([]) <= 1:
            return SQL()
        return SQL(
            """
            LEFT JOIN (
                SELECT DISTINCT ON (partner_id) partner_id, company_id
                  FROM customer_purchase
                 ORDER BY partner_id, date DESC, id DESC
            ) home ON home.partner_id = p.id
            LEFT JOIN res_users home_creator ON home_creator.id = p.create_uid
            """
        )

    @api.model
    def _sql_home_company(self, company):
        """Whether customer ``p`` has their lifecycle in ``company`` (a
        record, or an SQL expression of its id): a
        customer of a company is that company's; a shared customer (no
        company) belongs to the company of their latest purchase, else (never
        bought) to the company of the user who registered them, else to the
        first company. A customer has one stage, so exactly one company's
        rules decide it."""
        companies = self.env["res.company"].sudo().with_context(active_test=False).search([], order="id")
        if len(companies) <= 1:
            return SQL("TRUE")
        return SQL(
            "COALESCE(p.company_id, home.company_id, home_creator.company_id, %s) = %s",
            companies[:1].id,
            company.id if isinstance(company, models.BaseModel) else company,
        )

    @api.model
    def _sql_customer_scope(self):
        """Which partners have a lifecycle: the customers, not every contact.

        A customer is an active person or company (not a contact of a
        company: contacts follow their company) that is not the company
        itself nor the partner of an internal or archived user, and that
        either bought from the company, or already has a stage (registered
        in one, moved by hand or by the rules), or, unless it is a supplier,
        was registered as a customer: a customer rank (Sales, Invoicing, a
        till's sale), the consent to offers or the birthday of the
        registration form, or a card of a loyalty programme. A supplier
        without a purchase, a company met once and a colleague's address
        stay out of the base. Evaluated over ``res_partner p`` joined with
        the purchase facts ``f`` of the company."""
        return SQL(
            """
            p.active
            AND p.id = COALESCE(p.commercial_partner_id, p.id)
            AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
            AND NOT EXISTS (
                SELECT 1 FROM res_users u WHERE u.partner_id = p.id AND (NOT u.share OR NOT u.active)
            )
            AND (
                f.partner_id IS NOT NULL
                OR p.lifecycle_stage_id IS NOT NULL
                OR (
                    COALESCE(p.supplier_rank, 0) = 0
                    AND (
                        COALESCE(p.customer_rank, 0) > 0
                        OR p.marketing_consent
                        OR p.birthday IS NOT NULL
                        OR EXISTS (
                            SELECT 1
                              FROM loyalty_card card
                              JOIN loyalty_program program ON program.id = card.program_id
                             WHERE card.partner_id = p.id AND program.program_type = 'loyalty'
                        )
                    )
                )
            )
            """
        )

    @api.model
    def _sql_days_until_birthday(self, column, today):
        """Days from ``today`` to the next birthday (0 on the day itself);
        29 February is celebrated on 28 February in other years."""
        age = SQL("(EXTRACT(YEAR FROM %s::date) - EXTRACT(YEAR FROM %s))::int", today, column)
        this_year = SQL("(%s + make_interval(years => %s))::date", column, age)
        next_year = SQL("(%s + make_interval(years => %s + 1))::date", column, age)
        return SQL(
            "CASE WHEN %(b)s IS NULL THEN NULL WHEN %(this)s >= %(t)s::date THEN %(this)s - %(t)s::date "
            "ELSE %(next)s - %(t)s::date END",
            b=column,
            t=today,
            this=this_year,
            next=next_year,
        )

    def _sql_condition(self, today):
        """The rule's conditions as one SQL boolean over the ``customers`` CTE."""
        self.ensure_one()
        parts = [cond._sql_condition() for cond in self.condition_ids]
        if self.from_stage_ids:
            parts.append(SQL("stage_id IN %s", tuple(self.from_stage_ids.ids)))
        if not parts:
            return SQL("TRUE")
        return SQL("(%s)", SQL(" AND ").join(parts))

    # ------------------------------------------------------------------
    # Applying
    # ------------------------------------------------------------------

    @api.model
    def _apply_stage_changes(self, changes, company=None):
        """Move customers: one write per rule, the rule named in the history.

        Automatic moves are logged in the stage history rather than in each
        customer's chatter, which would grow by thousands of messages a day.

        :param changes: ``(partner_id, rule_id, stage_id)`` tuples
        :param company: the company whose run moves them (the history's)
        """
        by_rule = defaultdict(list)
        for partner_id, rule_id, _stage_id in changes:
            by_rule[rule_id].append(partner_id)
        Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        for rule in self.browse(list(by_rule)):
            Partner.browse(by_rule[rule.id])._lifecycle_move(
                rule.stage_id, reason=rule.name, rule=rule, company=company or rule.company_id or None
            )
        return len(changes)

    @api.model
    def _update_stages(self, today=None, batch_size=None):
        """Evaluate the enabled rules and move who must move, company by
        company: the day's run of each company (``lifecycle.stage.run``).

        :return: (moved, remaining) with ``remaining`` the moves left for a
            next call when ``batch_size`` bounds this one.
        """
        moved, _processed, remaining = self.env["lifecycle.stage.run"]._process(today, batch_size)
        return moved, remaining

    @api.model
    def _cron_update_stages(self, batch_size=CRON_BATCH_SIZE):
        moved, processed, remaining = self.env["lifecycle.stage.run"]._process(None, batch_size)
        _logger.info("Lifecycle stages: %s customers moved, %s left for the next batch", moved, remaining)
        # Every call with work left has processed some (done > 0), so the
        # scheduler calls again; remaining = 0 when the day is done.
        self.env["ir.cron"]._notify_progress(done=processed, remaining=remaining)

    def action_update_stages_now(self):
        """Ask for a run of the enabled rules for the current companies, in
        the background: the cron moves the customers in batches, not this
        request."""
        if not self.env.user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_manager"):
            raise AccessError(_("Only Customer Base managers can run the stage rules."))
        self.env["lifecycle.stage.run"]._request(self.env.companies)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _(
                    "The stage rules run in the background; customers move within minutes. "
                    "Follow the run in Stage Runs."
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_preview(self):
        """Who this rule would move if it were enabled, before enabling it."""
        self.check_access("write")
        self.ensure_one()
        return self.env["lifecycle.stage.preview"].create({"rule_id": self.id}).action_open()

    def action_enable(self):
        self.check_access("write")
        self.enabled = True

    def action_disable(self):
        self.check_access("write")
        self.enabled = False


class LifecycleStageRuleCondition(models.Model):
    """One condition of a rule; all conditions of a rule must hold."""

    _name = "lifecycle.stage.rule.condition"
    _description = "Customer Lifecycle Stage Rule Condition"
    _order = "id"

    rule_id = fields.Many2one("lifecycle.stage.rule", required=True, ondelete="cascade", index=True)
    criterion = fields.Selection(CRITERIA, required=True, default="days_since_last_purchase")
    operator = fields.Selection(OPERATORS, required=True, default="gte")
    value = fields.Integer()
    value_to = fields.Integer("And")
    window_days = fields.Integer("Window (days)", default=30, help="For purchases in the last N days: the N.")
    description = fields.Char(compute="_compute_description")

    _sql_constraints = [
        ("window_positive", "CHECK(window_days >= 0)", "The window of a condition cannot be negative."),
    ]

    @api.constrains("criterion", "operator", "value", "value_to", "window_days")
    def _check_values(self):
        for cond in self:
            if cond.criterion == "never_bought":
                continue
            if cond.operator == "between" and cond.value_to < cond.value:
                raise ValidationError(
                    _(
                        "Condition '%(criterion)s': the upper bound %(to)s is below the lower bound %(from)s.",
                        criterion=cond._criterion_label(),
                        to=cond.value_to,
                        **{"from": cond.value},
                    )
                )
            if cond.criterion == "purchases_in_window" and cond.window_days <= 0:
                raise ValidationError(_("Purchases in the last N days needs a window of at least one day."))

    def _criterion_label(self):
        return dict(self._fields["criterion"]._description_selection(self.env))[self.criterion]

    @api.depends("criterion", "operator", "value", "value_to", "window_days")
    def _compute_description(self):
        operators = dict(self._fields["operator"]._description_selection(self.env))
        for cond in self:
            if not cond.criterion:
                cond.description = False
                continue
            label = cond._criterion_label()
            if cond.criterion == "purchases_in_window":
                label = _("Purchases in the last %(days)s days", days=cond.window_days)
            if cond.criterion == "never_bought":
                cond.description = label
            elif cond.operator == "between":
                cond.description = _(
                    "%(label)s between %(from)s and %(to)s", label=label, to=cond.value_to, **{"from": cond.value}
                )
            else:
                cond.description = f"{label} {operators[cond.operator]} {cond.value}"

    def _sql_condition(self):
        """This condition over the ``customers`` CTE; a customer without the
        measured value (no purchase, no validity, no birthday) fails it."""
        self.ensure_one()
        if self.criterion == "never_bought":
            return SQL("never_bought")
        column = (
            SQL.identifier(f"visits_{self.window_days}")
            if self.criterion == "purchases_in_window"
            else SQL.identifier(self.criterion)
        )
        if self.operator == "gte":
            return SQL("%s >= %s", column, self.value)
        if self.operator == "lte":
            return SQL("%s <= %s", column, self.value)
        return SQL("%s BETWEEN %s AND %s", column, self.value, self.value_to)
