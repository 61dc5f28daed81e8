# Demo data only, kept apart from res_company.py: the demo files call it.
# pylint: disable=consider-merging-classes-inherited
import logging
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..tools import demo_gym

_logger = logging.getLogger(__name__)

GYM_XMLID = "loyalty_lifecycle.res_company_gym_demo"
# Days between the stage runs replayed over the demo year.
STAGE_RUN_EVERY = 14
# The hour (UTC) the replayed runs happened: 10:00 in Moscow.
STAGE_RUN_HOUR = 7
# Invoices created per batch.
INVOICE_BATCH = 250


def customer_xmlid(index):
    return f"loyalty_lifecycle.res_partner_gym_{index:03d}_demo"


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _demo_gym_generate(self, today=None, seed=demo_gym.SEED):
        """The demo gym: a company in Moscow selling in roubles, its
        reception till, two salespersons and about 200 customers with a year
        of purchases (posted invoices, dated back from ``today``), the stage
        rules replayed over that year, and two ABC-XYZ runs a month apart.
        Returns the gym; a second call returns it unchanged."""
        gym = self.env.ref(GYM_XMLID, raise_if_not_found=False)
        if gym:
            return gym
        started = time.monotonic()
        today = today or fields.Date.context_today(self)
        plan = demo_gym.plan(seed)
        gym = self._demo_gym_company()
        env_gym = self.with_company(gym)
        users = env_gym._demo_gym_salespersons(gym)
        products = env_gym._demo_gym_products(gym)
        env_gym._demo_gym_pos_config(gym)
        partners = env_gym._demo_gym_customers(gym, plan, users, today)
        env_gym._demo_gym_invoices(gym, plan, partners, products, today)
        _logger.info("Demo gym: invoices posted after %.1f s", time.monotonic() - started)
        env_gym._demo_gym_stages(plan, partners, users, today)
        env_gym._demo_gym_segmentation(gym, today)
        _logger.info(
            "Demo gym: %s customers, %s invoices in %.1f s",
            len(partners),
            plan.documents,
            time.monotonic() - started,
        )
        return gym

    @api.model
    def _demo_gym_xmlids(self, pairs):
        """Name the generated records: [(xml id, record)]."""
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": xmlid, "record": record, "noupdate": True} for xmlid, record in pairs]
        )

    @api.model
    def _demo_gym_company(self):
        rub = self.env.ref("base.RUB")
        rub.active = True
        gym = self.create(
            {
                "name": "Sila Fitness Club",
                "currency_id": rub.id,
                "country_id": self.env.ref("base.ru").id,
                "city": "Moscow",
                "zip": "119334",
                "street": "Leninsky Prospekt, 45",
                "phone": "+7 495 120-45-67",
            }
        )
        # Written after the create: a new company with a web domain is looked
        # up on Odoo's partner autocomplete service (partner_autocomplete).
        gym.write({"email": "hello@sila-fitness.example.com", "website": "https://sila-fitness.example.com"})
        self._demo_gym_xmlids([(GYM_XMLID, gym)])
        # Not try_loading(): it warns while the registry is still loading,
        # which it is when demo data is installed.
        self.env["account.chart.template"]._load("generic_coa", gym, install_demo=False)
        # The generic chart sets its own currency; the gym sells in roubles
        # (no journal item yet, so the currency may still change).
        gym.currency_id = rub
        return gym

    @api.model
    def _demo_gym_salespersons(self, gym):
        groups = [
            self.env.ref(xmlid).id
            for xmlid in (
                "base.group_user",
                "base.group_partner_manager",
                "sales_team.group_sale_salesman",
                "point_of_sale.group_pos_user",
                "loyalty_lifecycle.loyalty_lifecycle_group_user",
            )
        ]
        users = (
            self.env["res.users"]
            .with_context(no_reset_password=True, tracking_disable=True)
            .create(
                [
                    {
                        "name": name,
                        "login": login,
                        "password": login,
                        "email": email,
                        "phone": phone,
                        "tz": "Europe/Moscow",
                        "company_id": gym.id,
                        "company_ids": [Command.set(gym.ids)],
                        "groups_id": [Command.set(groups)],
                    }
                    for name, login, email, phone in demo_gym.SALESPERSONS
                ]
            )
        )
        self._demo_gym_xmlids(
            [(f"loyalty_lifecycle.res_users_{user.login}_demo", user) for user in users]
            + [(f"loyalty_lifecycle.res_partner_{user.login}_demo", user.partner_id) for user in users]
        )
        return users

    @api.model
    def _demo_gym_products(self, gym):
        keys = list(demo_gym.PRODUCTS)
        products = self.env["product.product"].create(
            [
                {
                    "name": name,
                    "default_code": code,
                    "list_price": price,
                    "validity_days": validity,
                    "type": "consu" if key in ("shake", "water") else "service",
                    "available_in_pos": True,
                    "company_id": gym.id,
                    # a small business on the simplified tax system: no VAT
                    "taxes_id": [Command.clear()],
                }
                for key in keys
                for name, price, validity, code in [demo_gym.PRODUCTS[key]]
            ]
        )
        self._demo_gym_xmlids(
            [
                (f"loyalty_lifecycle.product_gym_{key}_demo", product)
                for key, product in zip(keys, products, strict=True)
            ]
        )
        return dict(zip(keys, products, strict=True))

    @api.model
    def _demo_gym_pos_config(self, gym):
        if not self.env["stock.warehouse"].search_count([("company_id", "=", gym.id)]):
            # Odoo creates a company's warehouse on its onboarding screen, not on create.
            self.env["stock.warehouse"].create({"name": gym.name, "code": "SILA", "company_id": gym.id})
        PosConfig = self.env["pos.config"]
        journal, payment_methods = PosConfig._create_journal_and_payment_methods(
            cash_journal_vals={"name": "Cash Reception", "show_on_dashboard": False}
        )
        config = PosConfig.create(
            {
                "name": "Reception",
                "company_id": gym.id,
                "journal_id": journal.id,
                "payment_method_ids": [Command.set(payment_methods)],
            }
        )
        self._demo_gym_xmlids([("loyalty_lifecycle.pos_config_reception_demo", config)])
        return config

    @api.model
    def _demo_gym_customers(self, gym, plan, users, today):
        russia = self.env.ref("base.ru")
        vals_list = []
        for customer in plan.customers:
            birthday = False
            if customer.birthday_age:
                years, days = customer.birthday_age
                birthday = today + timedelta(days=days) - relativedelta(years=years)
            vals_list.append(
                {
                    "name": customer.name,
                    "phone": customer.phone,
                    "email": customer.email or False,
                    "city": "Moscow",
                    "country_id": russia.id,
                    "company_id": gym.id,
                    "customer_rank": 1,
                    "user_id": users[customer.salesperson].id if customer.salesperson is not None else False,
                    "birthday": birthday,
                    "marketing_consent": customer.consent,
                }
            )
        partners = self.env["res.partner"].with_context(tracking_disable=True).create(vals_list)
        self._demo_gym_xmlids(
            [(customer_xmlid(c.index), partner) for c, partner in zip(plan.customers, partners, strict=True)]
        )
        return partners

    @api.model
    def _demo_gym_invoices(self, gym, plan, partners, products, today):
        """Every purchase of the plan as a posted customer invoice, oldest
        first (so that the numbers follow the dates)."""
        journal = self.env["account.journal"].search(
            [("company_id", "=", gym.id), ("type", "=", "sale")], order="sequence, id", limit=1
        )
        purchases = sorted(
            (
                (age, partner, lines)
                for customer, partner in zip(plan.customers, partners, strict=True)
                for age, lines in customer.purchases
            ),
            key=lambda purchase: (-purchase[0], purchase[1].id),
        )
        vals_list = [
            {
                "move_type": "out_invoice",
                "journal_id": journal.id,
                "partner_id": partner.id,
                "invoice_user_id": partner.user_id.id,
                "invoice_date": today - timedelta(days=age),
                "invoice_line_ids": [
                    Command.create({"product_id": products[key].id, "quantity": quantity}) for key, quantity in lines
                ],
            }
            for age, partner, lines in purchases
        ]
        Move = self.env["account.move"].with_context(tracking_disable=True)
        moves = Move.browse()
        for start in range(0, len(vals_list), INVOICE_BATCH):
            moves |= Move.create(vals_list[start : start + INVOICE_BATCH])
            self.env.flush_all()
            # Fresh statistics after each batch: a planner that takes the new
            # rows for none joins them row by row, and creating or posting
            # two thousand invoices at once then takes minutes.
            self.env.cr.execute(SQL("ANALYZE account_move, account_move_line, account_partial_reconcile"))
        moves.action_post()
        return moves

    # ------------------------------------------------------------------
    # The year replayed: the stage rules every STAGE_RUN_EVERY days
    # ------------------------------------------------------------------
    @api.model
    def _demo_gym_stages(self, plan, partners, users, today):
        """Run the stage rules as the daily job would have over the demo
        year, every STAGE_RUN_EVERY days, then today: the stage history, the
        customers per stage over time and the stages of today come from the
        rules themselves. A customer joins the base on the day of their
        registration (archived before). The rules date what they write with
        the day they run; the replay dates it with the day it stands for.

        The default rules never move anyone to Warm (a hot customer who
        slows down is Cross-sell long before the two months without a
        purchase that Warm asks for), so the regulars who stopped coming
        are moved there by hand today, by their salesperson."""
        Rule = self.env["lifecycle.stage.rule"]
        History = self.env["lifecycle.stage.history"]
        first_age = 364 // STAGE_RUN_EVERY * STAGE_RUN_EVERY
        ages = list(range(first_age, 0, -STAGE_RUN_EVERY)) + [0]
        registered = {
            partner: customer.registered_age for customer, partner in zip(plan.customers, partners, strict=True)
        }
        waiting = partners.filtered(lambda p: registered[p] < first_age)
        waiting.with_context(tracking_disable=True).active = False
        last_history = History.search([], order="id desc", limit=1).id or 0
        first_history = last_history
        for age in ages:
            day = today - timedelta(days=age)
            joining = waiting.filtered(lambda p, age=age: registered[p] >= age)
            if joining:
                joining.with_context(tracking_disable=True).active = True
                waiting -= joining
            Rule._update_stages(today=day)
            if age:
                self.env.flush_all()
                moment = datetime.combine(day, datetime.min.time()) + timedelta(hours=STAGE_RUN_HOUR)
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE lifecycle_stage_history SET date = %(moment)s WHERE id > %(last)s;
                        UPDATE lifecycle_stage_run SET evaluated_date = %(moment)s, done_date = %(moment)s
                         WHERE date = %(day)s
                        """,
                        moment=moment,
                        last=last_history,
                        day=day,
                    )
                )
            last_history = History.search([], order="id desc", limit=1).id or 0
        # Entry dates and days in the previous stage, from the replayed dates.
        self.env.cr.execute(
            SQL(
                """
                UPDATE lifecycle_stage_history h
                   SET days_in_previous_stage = COALESCE(EXTRACT(DAY FROM h.date - d.previous), 0)
                  FROM (
                        SELECT id, LAG(date) OVER (PARTITION BY partner_id ORDER BY date, id) AS previous
                          FROM lifecycle_stage_history
                         WHERE id > %(first)s
                       ) d
                 WHERE d.id = h.id;
                UPDATE res_partner p
                   SET lifecycle_stage_date = last.date
                  FROM (
                        SELECT DISTINCT ON (partner_id) partner_id, date
                          FROM lifecycle_stage_history
                         WHERE id > %(first)s
                         ORDER BY partner_id, date DESC, id DESC
                       ) last
                 WHERE last.partner_id = p.id
                """,
                first=first_history,
            )
        )
        History.invalidate_model()
        self.env["res.partner"].invalidate_model(["lifecycle_stage_date"])
        self.env["lifecycle.stage.run"].invalidate_model()
        # Warm: the salespersons' move by hand of the regulars who stopped.
        warm = self.env.ref("loyalty_lifecycle.lifecycle_stage_warm")
        by_user = defaultdict(lambda: self.env["res.partner"])
        for customer, partner in zip(plan.customers, partners, strict=True):
            if customer.stage == "warm":
                by_user[partner.user_id] |= partner
        for user, warm_partners in by_user.items():
            warm_partners.with_user(user).write({"lifecycle_stage_id": warm.id})

    @api.model
    def _demo_gym_segmentation(self, gym, today):
        """Two ABC-XYZ runs a month apart: the migration matrix shows who
        moved between classes."""
        Run = self.env["abc.xyz.run"]
        month_ago = today - relativedelta(months=1)
        previous = Run._run_for_companies(gym, today=month_ago)
        previous.run_date = datetime.combine(month_ago, datetime.min.time()) + timedelta(hours=STAGE_RUN_HOUR)
        return previous | Run._run_for_companies(gym, today=today)

    # ------------------------------------------------------------------
    # Loyalty points (after the demo programme is created)
    # ------------------------------------------------------------------
    @api.model
    def _demo_gym_loyalty(self, program_id, seed=demo_gym.SEED):
        """Cards of the gym's points programme for the customers who bought
        in the last twelve months: a balance opened from their spend (a
        point per 10 roubles, part of it spent), a birthday bonus for who
        has a birthday this week, some points spent at the till and a
        goodwill adjustment; then the tiers."""
        program = self.env["loyalty.program"].browse(program_id)
        gym = program.company_id
        plan = demo_gym.plan(seed)
        customers = {self.env.ref(customer_xmlid(c.index)).id: c for c in plan.customers if c.purchases}
        partners = self.env["res.partner"].browse(list(customers))
        spend = program._points_tier_spend(partners)
        rng = random.Random(seed)
        vals_list = [
            {"program_id": program.id, "partner_id": partner.id, "points": round(amount * 0.1 * kept)}
            for partner in partners
            for amount, kept in [(spend.get(partner.id, 0.0), rng.choice((0.35, 0.5, 0.7, 0.9)))]
            if amount > 0
        ]
        cards = self.env["loyalty.card"].with_company(gym).with_context(loyalty_no_mail=True).create(vals_list)
        program._points_update_tiers(cards)
        for card in cards:
            birthday = customers[card.partner_id.id].birthday_age
            if birthday and birthday[1] <= 7:
                card._points_earn(300, "birthday")
        regulars = cards.filtered(
            lambda c: customers[c.partner_id.id].stage in ("hot", "cross_sell") and c.points >= 100
        )
        for card in regulars[:6]:
            card._points_consume(min(card.points, 500), "spend")
        if regulars[6:7]:
            regulars[6]._points_post_difference(200, "manual", None, "Goodwill: class cancelled")
        _logger.info("Demo gym: %s loyalty cards", len(cards))
        return cards
