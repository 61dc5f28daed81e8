"""The demo gym, generated in the test database as the demo data does it at
install: a gym in Moscow whose Customer Base screens have something to show
in every stage, class and report."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.loyalty_lifecycle.models.demo_gym import POS_CATEGORIES, customer_ref
from odoo.addons.loyalty_lifecycle.tools import demo_gym

STAGES = ("new", "activation", "stimulation", "cross_sell", "hot", "warm", "retention", "winback", "lost")


@tagged("post_install", "-at_install")
class TestDemoGym(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        for lang in ("ru_RU", "uk_UA"):
            cls.env["res.lang"]._activate_lang(lang)
        Company = cls.env["res.company"]
        cls.gym = Company._demo_gym_generate()
        cls.plan = demo_gym.plan()
        cls.customers = Company._demo_gym_customers_of(cls.gym)
        cls.irina = Company._demo_gym_salesperson("irina")
        cls.maxim = Company._demo_gym_salesperson("maxim")
        cls.reception = Company._demo_gym_reception(cls.gym)
        # The programme and the survey come from the demo files; the same here.
        cls.cards = Company._demo_gym_loyalty()
        cls.program = Company._demo_gym_program(cls.gym)
        cls.newcomers = cls.env["res.partner"]._demo_gym_referrals()
        cls.survey = cls.env["survey.survey"].create({"title": "How do you like our gym?", "is_nps": True})
        question = cls.env["survey.question"].create(
            {"survey_id": cls.survey.id, "title": "Recommend us?", "question_type": "scale"}
        )
        reason = cls.env["survey.question"].create(
            {"survey_id": cls.survey.id, "title": "Why?", "question_type": "text_box"}
        )
        cls.survey.nps_question_id = question
        cls.answers = cls.env["survey.survey"]._demo_gym_nps_answers(cls.survey.id, reason.id)
        cls.journeys = Company._demo_gym_journeys()

    def test_a_gym_in_moscow_selling_in_roubles(self):
        self.assertEqual(self.gym.currency_id, self.env.ref("base.RUB"))
        self.assertEqual(self.gym.country_id, self.env.ref("base.ru"))
        self.assertEqual(self.gym, self.env["res.company"]._demo_gym_generate(), "generated once")
        reception = self.reception
        self.assertEqual((reception.name, reception.company_id), ("Reception", self.gym))
        self.assertTrue(reception.payment_method_ids)
        products = self.env["product.product"].search(
            [("company_id", "=", self.gym.id), ("available_in_pos", "=", True)]
        )
        self.assertEqual(
            sorted(products.filtered("validity_days").mapped("validity_days")), [30, 90, 365], "1, 3 and 12 months"
        )
        self.assertEqual(len(products), len(demo_gym.PRODUCTS))
        self.assertEqual(len(self.customers), 200)
        self.assertEqual(self.customers.mapped("ref")[:2], ["SILA-0001", "SILA-0002"])
        self.assertEqual(self.customers[-1].ref, customer_ref(199))
        self.assertEqual(self.customers.company_id, self.gym)
        self.assertTrue(all(p.phone_sanitized.startswith("+79") for p in self.customers), "+7 mobile phones")

    def test_a_year_of_posted_invoices(self):
        invoices = self.env["account.move"].search(
            [("company_id", "=", self.gym.id), ("move_type", "=", "out_invoice")]
        )
        self.assertEqual(len(invoices), self.plan.documents)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(invoices.currency_id, self.env.ref("base.RUB"))
        self.assertEqual(max(invoices.mapped("invoice_date")), self.today)
        self.assertLess(min(invoices.mapped("invoice_date")), self.today - timedelta(days=365))
        purchases = self.env["customer.purchase"].search_count([("company_id", "=", self.gym.id)])
        self.assertGreater(purchases, len(invoices), "every line a purchase fact")

    def test_every_stage_has_its_customers(self):
        by_stage = {code: self.customers.filtered(lambda p, c=code: p.lifecycle_stage_id.code == c) for code in STAGES}
        self.assertTrue(all(by_stage.values()), {code: len(p) for code, p in by_stage.items()})
        for customer, partner in zip(self.plan.customers, self.customers, strict=True):
            self.assertEqual(partner.lifecycle_stage_id.code, customer.stage, f"{partner.name} ({customer.profile})")
        # The rules were replayed over the year: history and counts go back.
        history = self.env["lifecycle.stage.history"].search([("partner_id", "in", self.customers.ids)])
        self.assertLess(min(history.mapped("date")).date(), self.today - timedelta(days=300))
        self.assertTrue(history.filtered(lambda h: h.rule_id and h.from_stage_id and h.days_in_previous_stage > 0))
        warm = by_stage["warm"]
        self.assertEqual(
            set(warm.lifecycle_history_ids.filtered("manual").mapped("user_id")) - {self.irina, self.maxim}, set()
        )
        counts = self.env["lifecycle.stage.count"].search([("company_id", "=", self.gym.id)])
        self.assertGreaterEqual(len(set(counts.mapped("date"))), 25, "customers per stage every two weeks")
        self.assertTrue(all(p.lifecycle_stage_date for p in self.customers))

    def test_both_salespersons_have_a_portfolio(self):
        for user in (self.irina, self.maxim):
            self.assertGreater(self.env["res.partner"].search_count([("user_id", "=", user.id)]), 50)
            self.assertTrue(user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_user"))
        # Irina's board: her customers with what the card shows.
        Partner = self.env["res.partner"].with_user(self.irina)
        rows = Partner.web_search_read(
            [("user_id", "=", self.irina.id), ("lifecycle_stage_id.code", "=", "hot")],
            {"lifecycle_last_purchase_date": {}, "lifecycle_stage_days": {}, "loyalty_points_available": {}},
        )["records"]
        self.assertTrue(rows)
        self.assertTrue(all(row["lifecycle_last_purchase_date"] for row in rows))
        self.assertTrue(any(row["loyalty_points_available"] > 0 for row in rows))

    def test_two_segmentations_a_month_apart(self):
        runs = self.env["abc.xyz.run"].search([("company_id", "=", self.gym.id)])
        self.assertEqual(len(runs), 2)
        latest, previous = runs  # newest first
        self.assertEqual(latest.previous_run_id, previous)
        self.assertEqual(previous.date_to, latest.date_to - relativedelta(months=1))
        moved = latest.snapshot_ids.filtered(
            lambda s: s.previous_abc_xyz_class and s.previous_abc_xyz_class != s.abc_xyz_class
        )
        self.assertTrue(moved, "the migration matrix shows moves")
        self.assertEqual(set(latest.snapshot_ids.mapped("abc_class")), {"A", "B", "C"})
        self.assertTrue({"X", "Z"} <= set(latest.snapshot_ids.mapped("xyz_class")))

    def test_points_on_the_till(self):
        self.assertGreater(len(self.cards), 100)
        self.assertEqual(self.program.pos_config_ids.name, "Reception")
        entries = self.env["loyalty.points.entry"].search([("program_id", "=", self.program.id)])
        self.assertTrue({"opening", "birthday"} <= set(entries.mapped("origin")), set(entries.mapped("origin")))
        self.assertTrue({"spend", "adjust"} <= set(entries.mapped("kind")), set(entries.mapped("kind")))
        self.assertEqual(set(self.cards.points_tier_id.mapped("name")), {"Silver", "Gold"})
        self.assertFalse(self.program._points_mismatches(), "every card matches its ledger")

    def test_referral_chains(self):
        self.assertEqual(len(self.newcomers), len(self.plan.referrals))
        referrers = self.newcomers.referred_by_id
        self.assertTrue(all(referrers.mapped("referral_code")))
        self.assertTrue(self.newcomers & referrers, "a friend who was brought brought a friend")
        self.assertFalse(self.newcomers._has_cycle("referred_by_id"), "no circle")
        self.assertFalse(self.newcomers.filtered(lambda p: p.referred_by_id == p))

    def test_nps_answers_of_every_kind(self):
        self.assertEqual(len(self.answers), len(self.plan.nps))
        self.assertEqual(set(self.answers.mapped("nps_category")), {"promoter", "passive", "detractor"})
        self.assertEqual(self.answers.partner_id.company_id, self.gym)
        self.assertLess(min(self.answers.mapped("end_datetime")).date(), self.today - timedelta(days=60))

    def test_customer_base_users_only(self):
        cashier = new_test_user(
            self.env,
            login="gym_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=self.gym.id,
            company_ids=[Command.set(self.gym.ids)],
        )
        with self.assertRaises(AccessError):
            self.customers[:1].with_user(cashier).read(["lifecycle_last_purchase_date"])

    def test_reception_sells_only_the_gym(self):
        """The till shows the gym's four categories, not Odoo's demo furniture."""
        self.assertTrue(self.reception.limit_categories)
        self.assertEqual(sorted(self.reception.iface_available_categ_ids.mapped("name")), sorted(POS_CATEGORIES))
        # a product of every company, in no category of the gym: not at the Reception
        self.env["product.product"].create({"name": "Office Chair", "available_in_pos": True, "list_price": 90})
        domain = self.reception._get_available_product_domain()
        available = self.env["product.product"].search(domain)
        gym_products = self.env["res.company"]._demo_gym_products_of(self.gym)
        self.assertEqual(available, self.env["product.product"].concat(*gym_products.values()))
        memberships = available.filtered(lambda p: p.pos_categ_ids.name == "Memberships")
        self.assertEqual(sorted(memberships.mapped("validity_days")), [30, 90, 365])
        self.assertEqual(set(available.pos_categ_ids.mapped("name")), set(POS_CATEGORIES))

    def test_names_in_russian_and_ukrainian(self):
        """The till, the products and the points read in the language the
        user works in."""
        products = self.env["res.company"]._demo_gym_products_of(self.gym)
        categories = self.reception.iface_available_categ_ids
        tiers = self.program.points_tier_ids
        for lang, column in (("ru_RU", 0), ("uk_UA", 1)):
            env = self.env(context=dict(self.env.context, lang=lang))
            for key, (name, *_rest) in demo_gym.PRODUCTS.items():
                self.assertEqual(products[key].with_env(env).name, demo_gym.NAMES[name][column])
            self.assertEqual(
                sorted(categories.with_env(env).mapped("name")),
                sorted(demo_gym.NAMES[name][column] for name in POS_CATEGORIES),
            )
            program = self.program.with_env(env)
            self.assertEqual(program.name, demo_gym.NAMES["Sila Club Points"][column])
            self.assertEqual(program.portal_point_name, demo_gym.NAMES["Club Points"][column])
            self.assertEqual(
                sorted(tiers.with_env(env).mapped("name")),
                sorted(demo_gym.NAMES[name][column] for name in ("Silver", "Gold")),
            )
        self.assertEqual(products["month"].name, "Membership, 1 month", "English stays the source")
        self.assertEqual(self.env["res.company"]._demo_gym_program(self.gym), self.program, "found again by name")

    def test_gym_board_shows_the_gym_only(self):
        """Customers by Stage in the gym: its customers, not a shared contact
        whose stage another company's rules set (Odoo's demo furniture
        buyers)."""
        main = self.env.ref("base.main_company")
        new = self.env.ref("loyalty_lifecycle.lifecycle_stage_new")
        furniture = (
            self.env["res.partner"].with_company(main).create({"name": "Deco Addict", "lifecycle_stage_id": new.id})
        )
        self.assertEqual(furniture.lifecycle_stage_company_id, main)
        action = self.env.ref("loyalty_lifecycle.res_partner_action_lifecycle")
        domain = safe_eval(action.domain, {"allowed_company_ids": self.gym.ids, "uid": self.env.uid})
        board = self.env["res.partner"].with_context(allowed_company_ids=self.gym.ids).search(domain)
        self.assertNotIn(furniture, board)
        self.assertLessEqual(self.customers.filtered("lifecycle_stage_id"), board)
        self.assertGreater(len(board), 150)
        self.assertEqual(board.company_id, self.gym)

    def test_generated_records_have_no_external_id_of_ours(self):
        """Uninstalling the addons would delete records named after them, and
        cannot: posted invoices and cards point at the generated ones."""
        Company = self.env["res.company"]
        generated = {
            "res.company": self.gym.ids,
            "res.partner": (self.customers | self.gym.partner_id | (self.irina | self.maxim).partner_id).ids,
            "res.users": (self.irina | self.maxim).ids,
            "product.product": [p.id for p in Company._demo_gym_products_of(self.gym).values()],
            "pos.config": self.reception.ids,
            "pos.category": self.reception.iface_available_categ_ids.ids,
            "loyalty.program": self.program.ids,
            "loyalty.card": self.cards.ids,
            "survey.user_input": self.answers.ids,
        }
        names = self.env["ir.model.data"].search(
            [("module", "in", ["loyalty_lifecycle", "referral_program", "survey_nps"])]
        )
        named = {(data.model, data.res_id) for data in names}
        for model, ids in generated.items():
            self.assertTrue(ids, model)
            self.assertFalse({(model, res_id) for res_id in ids} & named, f"{model} named after an addon")

    def test_reinstall_reuses_the_gym(self):
        """After an uninstall the gym, its customers and invoices stay (Odoo's
        records); the addons' tables went. A reinstall reuses the gym and gives
        back the products' validity, the stages, the classes and the tiers."""
        Company = self.env["res.company"]
        companies = Company.search_count([])
        invoices = self.env["account.move"].search_count([("company_id", "=", self.gym.id)])
        # what an uninstall takes away with the addon's tables and columns
        self.env["abc.xyz.snapshot"].search([("run_id.company_id", "=", self.gym.id)]).unlink()
        self.env["abc.xyz.run"].search([("company_id", "=", self.gym.id)]).unlink()
        products = Company._demo_gym_products_of(self.gym)
        products["year"].validity_days = 0
        self.env["lifecycle.stage.history"].search([("partner_id", "in", self.customers.ids)]).unlink()
        self.env["lifecycle.stage.run"].search([]).unlink()
        self.env["lifecycle.stage.count"].search([]).unlink()
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET lifecycle_stage_id = NULL WHERE id IN %s", [tuple(self.customers.ids)])
        self.customers.invalidate_recordset()
        self.program.points_tier_ids.unlink()
        group = self.env.ref("loyalty_lifecycle.loyalty_lifecycle_group_user")
        (self.irina | self.maxim).write({"groups_id": [Command.unlink(group.id)]})
        self.assertEqual(Company._demo_gym_generate(), self.gym)
        self.assertFalse(Company._demo_gym_loyalty(), "no second set of cards")
        self.assertEqual(Company.search_count([]), companies, "no second gym")
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.gym.id)]), invoices)
        self.assertEqual(Company._demo_gym_customers_of(self.gym), self.customers)
        self.assertEqual(products["year"].validity_days, 365)
        self.assertEqual(self.env["abc.xyz.run"].search_count([("company_id", "=", self.gym.id)]), 2)
        self.assertEqual(sorted(self.program.points_tier_ids.mapped("name")), ["Gold", "Silver"])
        self.assertEqual(
            self.env["loyalty.program"].search_count([("company_id", "=", self.gym.id)]), 1, "one programme"
        )
        self.assertEqual(len(self.env["pos.config"].search([("company_id", "=", self.gym.id)])), 1)
        for customer, partner in zip(self.plan.customers, self.customers, strict=True):
            self.assertEqual(partner.lifecycle_stage_id.code, customer.stage, "the year replayed again")
        self.assertFalse(self.env["res.partner"]._demo_gym_referrals(), "the referrals are not recorded twice")
        self.assertTrue(self.irina.has_group("loyalty_lifecycle.loyalty_lifecycle_group_user"), "rights given back")

    def test_journeys_replayed(self):
        """The gym's journeys, their last months replayed by the daily job:
        messages sent, held back for the holdout and not sent, nothing left
        in the outgoing queues, the results report showing them."""
        self.assertEqual(sorted(self.journeys.mapped("name")), ["Activation", "Retention", "Win-back"])
        self.assertEqual(self.journeys.company_id, self.gym)
        self.assertEqual(set(self.journeys.mapped("holdout_percent")), {20.0})
        self.assertTrue(self.gym.lc_cost_sms_segment and self.gym.lc_cost_email)
        Message = self.env["lifecycle.journey.message"]
        messages = Message.search([("journey_id", "in", self.journeys.ids)])
        self.assertEqual(messages.company_id, self.gym)
        self.assertTrue(messages.filtered(lambda m: m.state == "sent"), "messages sent")
        self.assertTrue(messages.filtered(lambda m: m.reason == "lc_holdout"), "the holdout recorded")
        first = self.today - timedelta(days=120)
        dated = messages.filtered("date")
        self.assertTrue(all(first <= m.date.date() <= self.today for m in dated), "dated in the replayed days")
        self.assertGreater(len({m.date.date() for m in dated}), 10, "sent over many days")
        traces = messages.mailing_trace_id
        statuses = set(traces.mapped("trace_status"))
        self.assertIn("sent", statuses, "delivered")
        self.assertFalse(statuses & {"outgoing", "process"}, "nothing left to send")
        self.assertNotIn("mail_smtp", traces.mapped("failure_type"), "no connection failure left")
        self.assertEqual(
            {(t.id, t.create_date.date()) for t in traces},
            {(m.mailing_trace_id.id, m.date.date()) for m in messages if m.mailing_trace_id},
            "each trace dated the day it stands for",
        )
        mailings = self.journeys.step_ids.mailing_id
        self.assertFalse(self.env["sms.sms"].search([("mailing_id", "in", mailings.ids)]), "no SMS queued")
        self.assertFalse(self.env["mail.mail"].search([("mailing_id", "in", mailings.ids)]), "no e-mail queued")
        self.assertFalse(self.env["ir.config_parameter"].get_param("mail.mail.force.send.limit"))
        report = self.env["lifecycle.journey.report"].search([("company_id", "=", self.gym.id)])
        self.assertEqual(len(report), len(messages.filtered(lambda m: m.state in ("sent", "skipped", "cancelled"))))
        self.assertGreater(sum(report.mapped("cost")), 0)
        self.assertFalse(self.env["res.company"]._demo_gym_journeys(), "no second set of journeys")

    def test_admin_works_in_the_gym(self):
        self.env["res.company"]._demo_gym_admin()
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.company_id, self.gym)
        self.assertIn(self.env.ref("base.main_company"), admin.company_ids, "Odoo's own company stays")
