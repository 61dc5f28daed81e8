# Demo data only, kept apart from res_company.py: the demo files call it.
# pylint: disable=consider-merging-classes-inherited
import json
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

# The generated records get no external id of the addon: uninstalling it
# would delete them, and cannot (posted invoices and loyalty cards point at
# them). They are found by stable markers instead: the gym by the reference
# of its partner, the customers by theirs, the rest by a query in the gym.
GYM_REF = "SILA"
PROGRAM_NAME = "Sila Club Points"
# The Reception till's categories: {name: product keys of tools/demo_gym.py}.
POS_CATEGORIES = {
    "Memberships": ("month", "quarter", "year"),
    "Visits and Training": ("visit", "checkin", "pt"),
    "SPA": ("spa", "solarium"),
    "Bar": ("shake", "water"),
}
# Days between the stage runs replayed over the demo year.
STAGE_RUN_EVERY = 14
# The hour (UTC) the replayed runs happened: 10:00 in Moscow.
STAGE_RUN_HOUR = 7
# Invoices created per batch.
INVOICE_BATCH = 250


def customer_ref(index):
    """The reference of the demo gym's customer number ``index`` (from 0)."""
    return f"{GYM_REF}-{index + 1:04d}"


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _demo_gym_translate(self, records, *fnames):
        """Give the gym's names of ``records`` their Russian and Ukrainian
        values (tools/demo_gym.py, NAMES), whether or not those languages
        are active yet: Odoo shows them once a user switches language."""
        records.flush_recordset(list(fnames))
        for fname in fnames:
            for record in records.with_context(lang="en_US"):
                names = demo_gym.NAMES.get(record[fname])
                if not names:
                    continue
                self.env.cr.execute(
                    SQL(
                        "UPDATE %(table)s SET %(column)s = %(column)s || %(names)s::jsonb WHERE id = %(id)s",
                        table=SQL.identifier(records._table),
                        column=SQL.identifier(fname),
                        names=json.dumps(dict(zip(demo_gym.NAME_LANGS, names, strict=True))),
                        id=record.id,
                    )
                )
        records.invalidate_recordset(list(fnames))

    @api.model
    def _demo_gym_generate(self, today=None, seed=demo_gym.SEED):
        """The demo gym: a company in Moscow selling in roubles, its
        reception till, two salespersons and about 200 customers with a year
        of purchases (posted invoices, dated back from ``today``), the stage
        rules replayed over that year, and two ABC-XYZ runs a month apart.
        Returns the gym. A gym generated before (a second call, or a
        reinstall of the addon: the gym outlives it) is reused: it only gets
        back what the uninstall dropped with the addon's tables."""
        gym = self._demo_gym_find()
        if gym:
            self.with_company(gym)._demo_gym_reuse(gym, today or fields.Date.context_today(self))
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
    def _demo_gym_find(self):
        """The demo gym generated before, if any (by its partner's reference)."""
        return (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id.ref", "=", GYM_REF)], order="id", limit=1)
        )

    @api.model
    def _demo_gym_customers_of(self, gym):
        """The demo gym's customers, in the order of the plan."""
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("company_id", "=", gym.id), ("ref", "=like", f"{GYM_REF}-%")])
        )
        by_ref = {partner.ref: partner for partner in partners}
        plan = demo_gym.plan()
        return self.env["res.partner"].browse(
            [by_ref[customer_ref(c.index)].id for c in plan.customers if customer_ref(c.index) in by_ref]
        )

    @api.model
    def _demo_gym_salesperson(self, login):
        return self.env["res.users"].with_context(active_test=False).search([("login", "=", login)], limit=1)

    @api.model
    def _demo_gym_products_of(self, gym):
        """{product key: product} of the gym (by their internal references)."""
        codes = {value[3]: key for key, value in demo_gym.PRODUCTS.items()}
        products = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("company_id", "=", gym.id), ("default_code", "in", list(codes))])
        )
        return {codes[product.default_code]: product for product in products}

    @api.model
    def _demo_gym_reception(self, gym):
        return self.env["pos.config"].search([("company_id", "=", gym.id), ("name", "=", "Reception")], limit=1)

    @api.model
    def _demo_gym_program(self, gym):
        return self.env["loyalty.program"].with_context(lang="en_US").search(
            [("company_id", "=", gym.id), ("program_type", "=", "loyalty"), ("name", "=", PROGRAM_NAME)], limit=1
        ).with_env(self.env)

    @api.model
    def _demo_gym_reuse(self, gym, today):
        """The gym outlived an uninstall of the addon: give back what went
        with the addon's tables and columns (the products' validity, the
        stage history replayed over the year, the classes of today and a
        month ago); what is still there stays as it is."""
        for key, product in self._demo_gym_products_of(gym).items():
            validity = demo_gym.PRODUCTS[key][2]
            if product.validity_days != validity:
                product.validity_days = validity
        partners = self._demo_gym_customers_of(gym)
        plan = demo_gym.plan()
        users = self.env["res.users"].concat(
            *(self._demo_gym_salesperson(login) for _name, login, _email, _phone in demo_gym.SALESPERSONS)
        )
        # The Customer Base group went with the addon, and its members with it.
        users.write({"groups_id": [Command.link(group_id) for group_id in self._demo_gym_salesperson_groups()]})
        if len(partners) == len(plan.customers) and not partners.filtered("lifecycle_stage_id"):
            if len(users) == len(demo_gym.SALESPERSONS):
                self._demo_gym_stages(plan, partners, users, today)
        if not self.env["abc.xyz.run"].search_count([("company_id", "=", gym.id)]):
            self._demo_gym_segmentation(gym, today)

    @api.model
    def _demo_gym_admin(self):
        """The administrator works in the gym (and keeps their companies)."""
        gym = self._demo_gym_find()
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        if gym and admin:
            admin.write({"company_ids": [Command.link(gym.id)], "company_id": gym.id})

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
        gym.partner_id.ref = GYM_REF
        # Not try_loading(): it warns while the registry is still loading,
        # which it is when demo data is installed.
        self.env["account.chart.template"]._load("generic_coa", gym, install_demo=False)
        # The generic chart sets its own currency; the gym sells in roubles
        # (no journal item yet, so the currency may still change).
        gym.currency_id = rub
        return gym

    @api.model
    def _demo_gym_salesperson_groups(self):
        return [
            self.env.ref(xmlid).id
            for xmlid in (
                "base.group_user",
                "base.group_partner_manager",
                "sales_team.group_sale_salesman",
                "point_of_sale.group_pos_user",
                "loyalty_lifecycle.loyalty_lifecycle_group_user",
            )
        ]

    @api.model
    def _demo_gym_salespersons(self, gym):
        groups = self._demo_gym_salesperson_groups()
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
        return users

    @api.model
    def _demo_gym_products(self, gym):
        keys = list(demo_gym.PRODUCTS)
        categories = self._demo_gym_pos_categories()
        category_of = {key: categories[name] for name, keys_ in POS_CATEGORIES.items() for key in keys_}
        products = self.env["product.product"].create(
            [
                {
                    "name": name,
                    "default_code": code,
                    "list_price": price,
                    "validity_days": validity,
                    "type": "consu" if key in ("shake", "water") else "service",
                    "available_in_pos": True,
                    "pos_categ_ids": [Command.set(category_of[key].ids)],
                    "company_id": gym.id,
                    # a small business on the simplified tax system: no VAT
                    "taxes_id": [Command.clear()],
                }
                for key in keys
                for name, price, validity, code in [demo_gym.PRODUCTS[key]]
            ]
        )
        self._demo_gym_translate(products.product_tmpl_id, "name")
        return dict(zip(keys, products, strict=True))

    @api.model
    def _demo_gym_pos_categories(self):
        """{name: pos.category} of the Reception till (found again by name)."""
        Category = self.env["pos.category"].with_context(lang="en_US")
        categories = {}
        for sequence, name in enumerate(POS_CATEGORIES, start=1):
            category = Category.search([("name", "=", name), ("parent_id", "=", False)], limit=1)
            if not category:
                category = Category.create({"name": name, "sequence": sequence})
                self._demo_gym_translate(category, "name")
            categories[name] = category.with_env(self.env)
        return categories

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
                # the gym's own categories only, not Odoo's demo furniture
                "limit_categories": True,
                "iface_available_categ_ids": [
                    Command.set([category.id for category in self._demo_gym_pos_categories().values()])
                ],
            }
        )
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
                    "ref": customer_ref(customer.index),
                    "customer_rank": 1,
                    "user_id": users[customer.salesperson].id if customer.salesperson is not None else False,
                    "birthday": birthday,
                    "marketing_consent": customer.consent,
                }
            )
        return self.env["res.partner"].with_context(tracking_disable=True).create(vals_list)

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
    def _demo_gym_loyalty(self, seed=demo_gym.SEED):
        """The gym's points programme at the Reception till: one point per
        10 roubles, a point pays a rouble, points valid 12 months and
        spendable 14 days after the purchase (the refund window); Silver and
        Gold members earn more. Cards for the customers who bought in the
        last twelve months: a balance opened from their spend (part of it
        spent), a birthday bonus for who has a birthday this week, some
        points spent at the till and a goodwill adjustment; then the tiers.
        Returns the cards created (none when the programme existed: a
        reinstall gets back only its tiers; the ledger opens the cards'
        balances in the addon's post-install hook)."""
        gym = self._demo_gym_find()
        if not gym:
            return self.env["loyalty.card"]
        self = self.with_company(gym)
        program = self._demo_gym_program(gym)
        tiers = [
            Command.create({"name": "Silver", "min_spend": 30000, "multiplier": 1.5}),
            Command.create({"name": "Gold", "min_spend": 45000, "multiplier": 2}),
        ]
        if program:
            if not program.points_tier_ids:
                program.write({"points_tier_ids": tiers})
                self._demo_gym_translate(program.points_tier_ids, "name")
                program._points_update_tiers()
            return self.env["loyalty.card"]
        program = self.env["loyalty.program"].create(
            {
                "name": PROGRAM_NAME,
                "company_id": gym.id,
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "portal_visible": True,
                "portal_point_name": "Club Points",
                "pos_config_ids": [Command.set(self._demo_gym_reception(gym).ids)],
                "points_validity_months": 12,
                "points_pending_days": 14,
                "points_refund_policy": "block",
                "points_expiry_warning_days": 30,
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 0.1, "minimum_amount": 0}),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_point",
                            "discount": 1,
                            "required_points": 1,
                            "discount_applicability": "order",
                        }
                    ),
                ],
                "points_tier_ids": tiers,
            }
        )
        self._demo_gym_translate(program, "name", "portal_point_name")
        self._demo_gym_translate(program.points_tier_ids, "name")
        plan = demo_gym.plan(seed)
        refs = {customer_ref(c.index): c for c in plan.customers if c.purchases}
        customers = {p.id: refs[p.ref] for p in self._demo_gym_customers_of(gym) if p.ref in refs}
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
        _logger.info("Demo gym: %s loyalty cards of %s", len(cards), program.name)
        return cards
