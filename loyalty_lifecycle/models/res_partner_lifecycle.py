# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import format_date

from .res_partner import CUSTOMER_BASE_USER, HOLD_FIELDS
from .res_partner import ResPartner as CustomerBasePartner


class _StageMove:
    """An automatic stage move as server code describes it: the reason and
    the rule logged in the history, and the company whose rules moved the
    customer. Only server code builds one (a JSON-RPC client sends JSON, never
    a Python object, and cannot call private methods)."""

    __slots__ = ("company", "reason", "rule")

    def __init__(self, reason=None, rule=None, company=None):
        self.reason = reason
        self.rule = rule
        self.company = company


class ResPartner(models.Model):
    """The lifecycle stage of a customer: moves by hand (through write(),
    routed here by res_partner.py) and by the stage rules, the hold a move by
    hand sets, and the stage history.

    The moves write past the guards of res_partner.py
    (``super(CustomerBasePartner, ...)``): the stage date, the hold and the
    history are the server's to set."""

    _inherit = "res.partner"

    lifecycle_stage_id = fields.Many2one(
        "lifecycle.stage",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        group_expand="_read_group_lifecycle_stage_ids",
        copy=False,
        groups=CUSTOMER_BASE_USER,
    )
    lifecycle_stage_date = fields.Datetime(
        string="In Stage Since",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="When the customer entered the current lifecycle stage.",
    )
    lifecycle_stage_days = fields.Integer(
        "Days in Stage",
        compute="_compute_lifecycle_stage_days",
        groups=CUSTOMER_BASE_USER,
        help="Days since the customer entered the current lifecycle stage.",
    )
    lifecycle_last_purchase_date = fields.Date(
        "Last Purchase",
        compute="_compute_lifecycle_last_purchase_date",
        groups=CUSTOMER_BASE_USER,
        help="The day of the customer's latest purchase (a paid POS order or a posted invoice) "
        "in the current companies.",
    )
    lifecycle_stage_company_id = fields.Many2one(
        "res.company",
        string="Stage Set by Company",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=CUSTOMER_BASE_USER,
        help="The company whose rules or users set the current stage. A shared customer (no company) "
        "shows on the stage board of this company only.",
    )
    lifecycle_manual_date = fields.Datetime(
        "Stage Set by Hand On",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="When a user last moved the customer to a stage by hand; empty once the rules move them.",
    )
    lifecycle_hold_until = fields.Date(
        "Rules Paused Until",
        readonly=True,
        copy=False,
        groups=CUSTOMER_BASE_USER,
        help="The stage was set by hand: the stage rules leave the customer in it until this day (excluded), "
        "or until their next purchase.",
    )
    lifecycle_history_ids = fields.One2many(
        "lifecycle.stage.history", "partner_id", string="Stage History", groups=CUSTOMER_BASE_USER
    )

    @api.model
    def _customer_base_fields(self):
        return super()._customer_base_fields() | {
            "lifecycle_stage_id",
            "lifecycle_stage_date",
            "lifecycle_stage_company_id",
            "lifecycle_stage_days",
            "lifecycle_last_purchase_date",
            "lifecycle_history_ids",
        }

    @api.depends("lifecycle_stage_date")
    @api.depends_context("tz")
    def _compute_lifecycle_stage_days(self):
        today = fields.Date.context_today(self)
        for partner in self:
            entered = partner.lifecycle_stage_date
            partner.lifecycle_stage_days = (
                (today - fields.Date.context_today(self, entered)).days if entered and partner.lifecycle_stage_id else 0
            )

    def _compute_lifecycle_last_purchase_date(self):
        """One query for the whole batch (a kanban page); refunds are not purchases."""
        last = {}
        ids = [partner_id for partner_id in self.ids if partner_id]
        if ids:
            # the purchase facts under the user's record rules (their companies)
            last = dict(
                self.env["customer.purchase"]._read_group(
                    [("partner_id", "in", ids), ("amount", ">=", 0)], ["partner_id"], ["date:max"]
                )
            )
        for partner in self:
            partner.lifecycle_last_purchase_date = last.get(partner._origin, False)

    @api.model
    def _customer_base_server_fields(self):
        return dict(
            super()._customer_base_server_fields(),
            lifecycle_stage_date=_("The date a customer entered a stage is set when the stage changes."),
            lifecycle_stage_company_id=_("The company of a customer's stage is set when the stage changes."),
            lifecycle_history_ids=_("The stage history is written when a customer changes stage."),
        )

    @api.model
    def _read_group_lifecycle_stage_ids(self, stages, domain):
        # Show every active stage as a kanban column, empty ones included.
        return stages.search([], order=stages._order)

    def _lifecycle_move(self, stage, reason=None, rule=None, company=None):
        """Move these customers to ``stage`` from server code: the stage rules,
        or another addon's server code. The reason and the rule are logged in
        the stage history; the move does not hold the stage the way a move by
        hand does.

        Private on purpose: RPC clients cannot call it, and a context key
        cannot stand in for it, so no client can forge the reason or the rule
        of a move.

        :param stage: a ``lifecycle.stage`` record, or empty to clear the stage
        :param rule: the ``lifecycle.stage.rule`` that moved them, if any
        :param company: the company whose rules moved them (the history's
            company); default: each customer's company, else the current one
        """
        move = _StageMove(reason=reason, rule=rule, company=company)
        return self._write_lifecycle_stage({"lifecycle_stage_id": stage.id if stage else False}, move=move)

    def _write_lifecycle_stage(self, vals, move=None):
        """Write ``vals`` (with a stage); only customers that really change
        stage get a new entry date and a history line. ``move`` is the
        server's description of an automatic move, None for a move by hand."""
        vals = {key: value for key, value in vals.items() if key not in HOLD_FIELDS}
        new_stage_id = vals["lifecycle_stage_id"] or False
        moving = self.filtered(lambda p: p.lifecycle_stage_id.id != new_stage_id)
        staying = self - moving
        before = {partner: (partner.lifecycle_stage_id, partner.lifecycle_stage_date) for partner in moving}
        if staying:
            super(CustomerBasePartner, staying).write(vals)
        if moving:
            moving_vals = dict(vals)
            if "lifecycle_stage_date" not in vals:
                moving_vals["lifecycle_stage_date"] = fields.Datetime.now() if new_stage_id else False
            if move:
                # The rules moved them: a hold from an older move by hand is over.
                moving_vals.update(lifecycle_manual_date=False, lifecycle_hold_until=False)
            super(CustomerBasePartner, moving).write(moving_vals)
            if not move:
                moving._lifecycle_hold()
            moving._log_stage_changes(before, move)
        return True

    def _lifecycle_home_company(self):
        """The company whose settings apply to a move by hand of this
        customer: the customer's company, else the one the user works in."""
        self.ensure_one()
        return self.company_id or self.env.company

    def _lifecycle_hold(self):
        """A stage set by hand holds: the stage rules skip the customer for
        the days of the company's setting, or until their next purchase."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        by_days = defaultdict(self.browse)
        for partner in self:
            by_days[partner._lifecycle_home_company().lifecycle_manual_hold_days] |= partner
        for days, partners in by_days.items():
            super(CustomerBasePartner, partners).write(
                {
                    "lifecycle_manual_date": now,
                    "lifecycle_hold_until": today + timedelta(days=days) if days > 0 else False,
                }
            )

    def _log_stage_changes(self, before, move=None):
        """One history line per partner of ``self``; ``before`` maps each to
        its previous (stage, date entered); ``move`` describes an automatic
        move (reason, rule, company), None for a move by hand."""
        now = fields.Datetime.now()
        vals_list = []
        by_company = defaultdict(self.browse)
        for partner in self:
            company = (move and move.company) or partner._lifecycle_home_company()
            by_company[company if partner.lifecycle_stage_id else self.env["res.company"]] |= partner
            if move:
                reason = move.reason or False
            elif partner.lifecycle_hold_until:
                reason = _(
                    "Moved by hand: the stage rules leave the customer here until %(date)s or their next purchase.",
                    date=format_date(self.env, partner.lifecycle_hold_until),
                )
            else:
                reason = _("Moved by hand.")
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "from_stage_id": before[partner][0].id if before[partner][0] else False,
                    "to_stage_id": partner.lifecycle_stage_id.id,
                    "date": now,
                    "user_id": self.env.uid,
                    "manual": not move,
                    "reason": reason,
                    "rule_id": move.rule.id if move and move.rule else False,
                    "days_in_previous_stage": (now - before[partner][1]).days if before[partner][1] else 0,
                }
            )
        for company, partners in by_company.items():
            super(CustomerBasePartner, partners).write({"lifecycle_stage_company_id": company.id})
        # Append-only log: users who may move a customer may not forge its history.
        self.env["lifecycle.stage.history"].sudo().create(vals_list)
