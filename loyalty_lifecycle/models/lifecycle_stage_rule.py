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

    # ------------------------------------------------------------------
    # Evaluation
    # ------------------------------------------------------------------

    @api.model
    def _compute_stage_changes(self, today, rules=None, limit=None):
        """Which customers the rules move, as of ``today``.

        :param rules: the rules to evaluate (default: the enabled ones);
            rules of archived stages are ignored.
        :return: list of ``(partner_id, rule_id, stage_id)`` for customers
            whose stage would change, ordered by partner.
        """
        if rules is None:
            rules = self.search([("enabled", "=", True)])
        rules = rules.filtered(lambda r: r.stage_id.active).sorted(lambda r: (r.sequence, r.id))
        if not rules:
            return []
        self.env["customer.purchase"].flush_model()
        self.env["res.partner"].flush_model(["lifecycle_stage_id", "birthday", "active", "commercial_partner_id"])
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
        query = SQL(
            """
            WITH docs AS (
                -- One row per purchase document (POS order or invoice).
                SELECT partner_id,
                       COALESCE(pos_order_id, -move_id) AS doc,
                       MIN(date) AS date,
                       SUM(amount) AS amount
                  FROM customer_purchase
                 GROUP BY partner_id, COALESCE(pos_order_id, -move_id)
            ),
            validity_lines AS (
                -- Lines of products with a validity (memberships); a refunded
                -- line of the same product cancels the latest purchase of it.
                SELECT cp.partner_id, cp.date, cp.quantity, tmpl.validity_days,
                       ROW_NUMBER() OVER (
                           PARTITION BY cp.partner_id, cp.product_id, cp.quantity > 0
                           ORDER BY cp.date DESC, cp.id DESC
                       ) AS rank_desc,
                       COUNT(*) FILTER (WHERE cp.quantity < 0) OVER (
                           PARTITION BY cp.partner_id, cp.product_id
                       ) AS refunds
                  FROM customer_purchase cp
                  JOIN product_product pp ON pp.id = cp.product_id
                  JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
                 WHERE tmpl.validity_days > 0 AND cp.date <= %(today)s
            ),
            validity AS (
                SELECT partner_id, MAX(date + validity_days) AS validity_end
                  FROM validity_lines
                 WHERE quantity > 0 AND rank_desc > refunds
                 GROUP BY partner_id
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
                 WHERE %(scope)s
            ),
            matched AS (
                SELECT partner_id, stage_id AS current_stage_id,
                       CASE %(matches)s END AS rule_id
                  FROM customers
            )
            SELECT m.partner_id, m.rule_id, r.stage_id
              FROM matched m
              JOIN lifecycle_stage_rule r ON r.id = m.rule_id
             WHERE m.current_stage_id IS DISTINCT FROM r.stage_id
             ORDER BY m.partner_id
            %(limit)s
            """,
            today=today,
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
            birthday_days=self._sql_days_until_birthday(SQL("p.birthday"), today),
            scope=self._sql_customer_scope(),
            matches=matches,
            limit=SQL("LIMIT %s", limit) if limit else SQL(),
        )
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _sql_customer_scope(self):
        """Which partners have a lifecycle: people and companies the business
        sells to (buyers or not), not the company itself, its employees'
        users or pure suppliers. Contacts of a company follow the company."""
        return SQL(
            """
            p.active
            AND p.id = COALESCE(p.commercial_partner_id, p.id)
            AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
            AND NOT EXISTS (
                SELECT 1 FROM res_users u WHERE u.partner_id = p.id AND (NOT u.share OR NOT u.active)
            )
            AND (COALESCE(p.supplier_rank, 0) = 0 OR f.partner_id IS NOT NULL OR p.lifecycle_stage_id IS NOT NULL)
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
    def _apply_stage_changes(self, changes):
        """Move customers: one write per rule, the rule named in the history.

        Automatic moves are logged in the stage history rather than in each
        customer's chatter, which would grow by thousands of messages a day.
        """
        by_rule = defaultdict(list)
        for partner_id, rule_id, _stage_id in changes:
            by_rule[rule_id].append(partner_id)
        Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        for rule in self.browse(list(by_rule)):
            partners = Partner.browse(by_rule[rule.id])
            partners.with_context(lifecycle_reason=rule.name, lifecycle_rule_id=rule.id).write(
                {"lifecycle_stage_id": rule.stage_id.id}
            )
        return len(changes)

    @api.model
    def _update_stages(self, today=None, batch_size=None):
        """Evaluate the enabled rules and move who must move.

        :return: (moved, remaining) with ``remaining`` the customers left for
            a next call when ``batch_size`` bounds this one.
        """
        today = today or fields.Date.context_today(self)
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext('lifecycle.stage.rule'))"))
        changes = self._compute_stage_changes(today)
        batch = changes[:batch_size] if batch_size else changes
        moved = self._apply_stage_changes(batch)
        remaining = len(changes) - len(batch)
        if not remaining:
            self.env["lifecycle.stage.count"]._record(today)
        return moved, remaining

    @api.model
    def _cron_update_stages(self, batch_size=CRON_BATCH_SIZE):
        moved, remaining = self._update_stages(batch_size=batch_size)
        _logger.info("Lifecycle stages: %s customers moved, %s left for the next batch", moved, remaining)
        self.env["ir.cron"]._notify_progress(done=moved, remaining=remaining)

    def action_update_stages_now(self):
        """Evaluate the enabled rules now, for every customer."""
        if not self.env.user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_manager"):
            raise AccessError(_("Only Customer Base managers can run the stage rules."))
        moved, _remaining = self._update_stages()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(count)s customers moved to a new stage.", count=moved),
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
