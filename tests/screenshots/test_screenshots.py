"""The screens of the README and of the Apps menu, opened in headless Chromium
on the database with demo data by the people who use them, checked, and saved
as PNG: the pictures cannot go stale, and a screen that stops showing what it
should fails the test.

bin/test runs this file on its demo database (<db>_demo); bin/screenshots runs
it on a fresh demo database and copies the pictures to docs/screenshots/ and
to each addon's static/description/. The pictures go to the directory in
LC_SCREENSHOTS_DIR, else under Odoo's screenshots directory (--screenshots,
/tmp/odoo_tests by default) / <db> / customer_base.

Nothing here names a demo record: the customer, the programme, the till and
the product are found by query, so the test follows the demo data when it
changes."""

import base64
import json
import os
import re
import struct
import time
from datetime import date, timedelta
from pathlib import Path

from odoo.tests import HttpCase, loaded_demo_data, new_test_user, tagged
from odoo.tests.common import ChromeBrowser, get_db_name
from odoo.tools import config

WIDTH, HEIGHT = 1400, 900
PHONE_WIDTH, PHONE_HEIGHT = 390, 844  # a phone screen, in CSS pixels

# Which addon's description page shows which picture (bin/screenshots copies
# them there; every picture also goes to docs/screenshots/ for the README).
SCREENS = {
    "stage_kanban": "loyalty_lifecycle",
    "customer_form": "loyalty_lifecycle",
    "abc_xyz_migrations": "loyalty_lifecycle",
    "points_ledger": "loyalty_lifecycle",
    "pos_phone_search": "loyalty_lifecycle",
    "pos_reward": "loyalty_lifecycle",
    "journey_form": "loyalty_lifecycle",
    "send_mailing": "loyalty_lifecycle",
    "journey_results": "loyalty_lifecycle",
    "referrals": "referral_program",
    "referral_signup": "referral_program",
    "nps_surveys": "survey_nps",
    "nps_analysis": "survey_nps",
}


def local_phone(partner):
    """The phone as a customer in Russia says it ("8 916 123-45-67"): the
    till finds the customer by it. Other numbers as they are written."""
    number = partner.phone_sanitized or ""
    if number.startswith("+7") and len(number) == 12:
        d = number[2:]
        return f"8 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"
    return partner.phone


@tagged("post_install", "-at_install")
class TestScreenshots(HttpCase):
    browser_size = f"{WIDTH}x{HEIGHT}"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        if not loaded_demo_data(env):
            raise AssertionError(
                f"{get_db_name()} has no demo data: the screenshots are taken on the database with demo data "
                "(bin/test runs them on <db>_demo, bin/screenshots on a fresh one)"
            )
        cls.out_dir = Path(
            os.environ.get("LC_SCREENSHOTS_DIR") or Path(config["screenshots"]) / get_db_name() / "customer_base"
        )
        cls.out_dir.mkdir(parents=True, exist_ok=True)
        cls._find_demo_records()
        common = {"lang": "en_US", "tz": env.ref("base.user_admin").tz or "Europe/Moscow"}
        cls.user = new_test_user(
            env,
            login="lc_screens_user",
            name="Customer Base User",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
            **common,
        )
        cls.cashier = new_test_user(
            env,
            login="lc_screens_cashier",
            name="Cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.pos_config.company_id.id,
            company_ids=[(6, 0, cls.pos_config.company_id.ids)],
            **common,
        )

    @classmethod
    def _find_demo_records(cls):
        """A customer of a points programme that a till uses, with a stage, a
        phone and enough points for a reward; the programme's company is the
        one the pictures show."""
        env = cls.env
        programs = env["loyalty.program"].search(
            [("program_type", "=", "loyalty"), ("pos_config_ids", "!=", False), ("reward_ids", "!=", False)]
        )
        cards = env["loyalty.card"].search(
            [
                ("program_id", "in", programs.ids),
                ("partner_id.phone_sanitized", "!=", False),
                ("partner_id.lifecycle_stage_id", "!=", False),
                ("partner_id.active", "=", True),
            ]
        )
        cards = cards.filtered(
            lambda c: (
                c.points >= max(c.program_id.reward_ids.mapped("required_points"))
                # a customer the till's cashier may find
                and c.partner_id.company_id <= c.program_id.pos_config_ids.company_id
            )
        )
        if not cards:
            raise AssertionError("the demo data has no customer with a phone, a stage and points for a reward")
        # The richest picture: classified, with a birthday, the most points.
        card = max(
            cards,
            key=lambda c: (
                bool(c.partner_id.with_company(c.program_id.company_id or env.company).abc_class),
                bool(c.partner_id.birthday),
                c.points,
                -c.id,
            ),
        )
        cls.card = card
        cls.program = card.program_id
        cls.pos_config = cls.program.pos_config_ids.filtered(lambda p: p.active)[:1] or cls.program.pos_config_ids[:1]
        cls.company = cls.program.company_id or cls.pos_config.company_id
        cls.customer = card.partner_id.with_company(cls.company)
        products = env["product.product"].search(
            [
                ("available_in_pos", "=", True),
                ("list_price", ">", 0),
                ("company_id", "in", [False, cls.pos_config.company_id.id]),
                ("id", "not in", programs.reward_ids.discount_line_product_id.ids),
            ]
        )
        if cls.pos_config.limit_categories and cls.pos_config.iface_available_categ_ids:
            products = products.filtered(lambda p: p.pos_categ_ids & cls.pos_config.iface_available_categ_ids)
        if not products:
            raise AssertionError(f"no product to sell at {cls.pos_config.name}")
        # A membership when the demo sells one: what a gym's till sells.
        cls.product = min(products, key=lambda p: (not p.validity_days, p.id))

    # -- the browser ------------------------------------------------------

    def _open_browser(self, user, success_signal="test successful"):
        self.addCleanup(self._wait_remaining_requests)
        self.browser = ChromeBrowser(self, success_signal=success_signal)
        self.addCleanup(self.browser.stop)
        self.browser._websocket_request(
            "Emulation.setDeviceMetricsOverride",
            params={"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        self.authenticate(user.login, user.login, browser=self.browser)
        self.cr.flush()
        self.cr.clear()

    def _open_public_phone_browser(self):
        """A visitor's phone: not logged in, 390 px wide."""
        self.addCleanup(self._wait_remaining_requests)
        self.browser = ChromeBrowser(self, success_signal="test successful")
        self.addCleanup(self.browser.stop)
        self.browser._websocket_request(
            "Emulation.setDeviceMetricsOverride",
            params={"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 1, "mobile": True},
        )
        self.cr.flush()
        self.cr.clear()

    def _check_browser(self):
        result = self.browser._result
        if result.done() and not result.cancelled() and result.exception():
            self.fail(f"the browser reported an error: {result.exception()}")

    def _eval(self, expression, timeout=30):
        answer = self.browser._websocket_request(
            "Runtime.evaluate",
            params={"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in answer:
            self.fail(f"{expression!r} failed in the browser: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def _wait(self, condition, what, timeout=40):
        """Waits until the JS condition holds in the page, checking every
        two seconds whether the page (or its tour) reported an error."""
        deadline = time.monotonic() + timeout
        while True:
            ok = self._eval(
                f"""new Promise((resolve) => {{
                    const end = Date.now() + 2000;
                    const tick = () => {{
                        let ok = false;
                        try {{ ok = Boolean({condition}); }} catch {{}}
                        if (ok || Date.now() > end) resolve(ok);
                        else setTimeout(tick, 100);
                    }};
                    tick();
                }})""",
                timeout=15,
            )
            self._check_browser()
            if ok:
                return
            self.assertLess(time.monotonic(), deadline, f"{what}: not shown within {timeout} s")

    def _texts(self, selector):
        return self._eval(f"[...document.querySelectorAll({json.dumps(selector)})].map((e) => e.innerText.trim())")

    def _click(self, selector):
        clicked = self._eval(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); el?.click(); return !!el; }})()"
        )
        self.assertTrue(clicked, f"nothing to click at {selector}")

    def _open(self, path, ready, what):
        self.browser.navigate_to(f"{self.base_url()}{path}", wait_stop=True)
        self._wait(ready, what)

    def _shot(self, name, size=(WIDTH, HEIGHT)):
        self.assertIn(name, SCREENS)
        # The last renders and transitions settle, and the page is idle.
        self._eval("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 400)))")
        self._wait("!document.querySelector('.o_loading_indicator, .o_blockUI')", f"{name}: still loading")
        data = self.browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=30)["data"]
        png = base64.b64decode(data)
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(struct.unpack(">II", png[16:24]), size, f"{name}: the fixed viewport")
        (self.out_dir / f"{name}.png").write_bytes(png)
        self._check_browser()

    def _action(self, xmlid, res_id=None):
        path = f"/odoo/action-{xmlid}"
        return f"{path}/{res_id}" if res_id else path

    # -- the screens -------------------------------------------------------

    def test_stage_kanban(self):
        """Customers by stage: a column per stage, the customer's among them."""
        stage_names = self.env["lifecycle.stage"].with_user(self.user).search([]).mapped("name")
        stage = self.customer.lifecycle_stage_id.name
        self._open_browser(self.user)
        self._open(
            self._action("loyalty_lifecycle.res_partner_action_lifecycle"),
            "document.querySelectorAll('.o_kanban_group .o_kanban_record').length > 0",
            "the stage kanban",
        )
        columns = self._texts(".o_kanban_group .o_column_title")
        self.assertTrue(
            all(any(title.startswith(name) for title in columns) for name in stage_names),
            f"a column per stage {stage_names}; shown {columns}",
        )
        in_stage = self._eval(
            f"""[...document.querySelectorAll('.o_kanban_group')]
                .filter((g) => g.querySelector('.o_column_title')?.innerText.trim().startsWith({json.dumps(stage)}))
                .map((g) => g.querySelectorAll('.o_kanban_record').length)"""
        )
        self.assertTrue(in_stage and in_stage[0] > 0, f"the cards of the stage {stage}")
        self._shot("stage_kanban")

    def test_customer_form(self):
        """The customer's form, its Customer Base tab: stage, class, points."""
        customer = self.customer.with_user(self.user)
        stage = customer.lifecycle_stage_id.name
        abc_xyz = customer.abc_xyz_class or customer.abc_class
        points = f"{int(self.card.points):,}"
        self._open_browser(self.user)
        self._open(
            self._action("loyalty_lifecycle.res_partner_action_lifecycle", customer.id),
            "document.querySelector('.o_form_view .o_notebook a[name=customer_base]')",
            "the customer form",
        )
        self._click(".o_notebook a[name=customer_base]")
        self._wait(
            f"document.querySelector('.o_field_widget[name=lifecycle_stage_id] input')?.value === {json.dumps(stage)}",
            "the customer's stage",
        )
        tab = "\n".join(self._texts(".o_notebook .tab-pane.active"))
        self.assertIn(points, tab, "the customer's points")
        if abc_xyz:
            self.assertIn(abc_xyz, tab, "the customer's ABC-XYZ class")
        self._eval("document.querySelector('.o_notebook').scrollIntoView({block: 'start'})")
        self._shot("customer_form")

    def test_abc_xyz_migrations(self):
        """ABC-XYZ: the previous class by the class now, every snapshot counted."""
        snapshots = self.env["abc.xyz.snapshot"].with_user(self.user).search_count([])
        self.assertTrue(snapshots, "the demo data is segmented")
        self._open_browser(self.user)
        self._open(
            self._action("loyalty_lifecycle.abc_xyz_snapshot_action_migration"),
            "document.querySelector('.o_pivot table tbody tr')",
            "the migration matrix",
        )
        header = "\n".join(self._texts(".o_pivot table thead"))
        self.assertTrue({"A", "B", "C"} & set(header.split()), f"the classes as columns: {header}")
        # The first row is the total; its cells: each class, then the total, a count and a revenue each.
        total = self._texts(".o_pivot table tbody tr:first-child td")[-2]
        self.assertEqual(int("".join(ch for ch in total if ch.isdigit())), snapshots, "the total count")
        self._shot("abc_xyz_migrations")

    def test_points_ledger(self):
        """The points ledger, grouped by programme; the customer's one open."""
        groups = self.env["loyalty.points.entry"].with_user(self.user).read_group([], ["program_id"], ["program_id"])
        programs = {g["program_id"][1] for g in groups if g["program_id"]}
        program = json.dumps(self.program.name)
        self.assertIn(self.program.name, programs)
        self._open_browser(self.user)
        self._open(
            self._action("loyalty_lifecycle.loyalty_points_entry_action"),
            "document.querySelector('.o_list_view .o_group_header')",
            "the points ledger",
        )
        shown = self._texts(".o_list_view .o_group_header .o_group_name")
        self.assertEqual({g.rsplit(" (", 1)[0] for g in shown}, programs, "a group per programme")
        # The customer's programme open: its earnings, spendings, adjustments.
        self._eval(
            "[...document.querySelectorAll('.o_list_view .o_group_header')]"
            f".find((h) => h.querySelector('.o_group_name').innerText.trim().startsWith({program})).click()"
        )
        self._wait("document.querySelector('.o_list_view .o_data_row')", "the ledger lines")
        self._shot("points_ledger")

    def test_send_mailing(self):
        """Send a Mailing from a customer list: five customers selected, the
        action of the list, an email mailing picked, what the contact policy
        lets through, sent."""
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Spring offer for our members",
                "mailing_type": "mail",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
                "mailing_domain": "[('id', 'in', [])]",
                "email_from": "gym@example.com",
                "body_html": '<p>Hello <t t-out="object.contact_first_name"/>, spring is here.</p>',
            }
        )
        self._open_browser(self.user)
        self._open(
            self._action("base.action_partner_form") + "?view_type=list",
            "document.querySelectorAll('.o_list_view .o_data_row').length >= 5",
            "the contacts",
        )
        self._eval(
            "[...document.querySelectorAll('.o_list_view .o_data_row .o_list_record_selector input')]"
            ".slice(0, 5).forEach((box) => box.click())"
        )
        actions = "[...document.querySelectorAll('.o_control_panel_actions button')].find((b) => b.innerText.includes('Actions'))"
        self._wait(actions, "the Actions menu of the selection")
        self._eval(f"{actions}.click()")
        item = "[...document.querySelectorAll('.o-dropdown-item, .dropdown-item')].find((i) => i.innerText.includes('Send a Mailing'))"
        self._wait(item, "Send a Mailing in the Actions menu")
        self._eval(f"{item}.click()")
        field = ".modal .o_field_widget[name=mailing_id] input"
        self._wait(f"document.querySelector({json.dumps(field)})", "the wizard")
        self._eval(
            f"(() => {{ const input = document.querySelector({json.dumps(field)}); input.focus();"
            " input.value = 'Spring offer'; input.dispatchEvent(new Event('input', {bubbles: true})); })()"
        )
        choice = "[...document.querySelectorAll('.o-autocomplete--dropdown-item')].find((i) => i.innerText.includes('Spring offer'))"
        self._wait(choice, "the mailing in the list")
        self._eval(f"{choice}.querySelector('a, button')?.click() || {choice}.click()")
        self._wait(
            "document.querySelector('.modal .o_field_widget[name=customer_count]')?.innerText.trim() === '5'"
            " && document.querySelector('.modal button[name=action_send]')",
            "the five customers and what the policy decides",
        )
        shown = int(self._texts(".modal .o_field_widget[name=send_count]")[0] or 0)
        self._shot("send_mailing")
        self._click(".modal button[name=action_send]")
        self._wait("!document.querySelector('.modal')", "the wizard closed")
        # the list reloads behind the dialog: read once the browser's requests are over
        self._wait_remaining_requests()
        self.env.invalidate_all()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(len(traces), 5, "each selected customer: sent, or a cancelled trace with the reason")
        self.assertEqual(len(traces.filtered(lambda t: t.trace_status != "cancel")), shown, "as the wizard said")

    def test_referrals(self):
        """Referred customers, grouped by who brought them."""
        referrers = self.env["res.partner"].with_user(self.user).search([("referral_ids", "!=", False)]).mapped("name")
        self.assertTrue(referrers, "the demo data has referrals")
        self._open_browser(self.user)
        self._open(
            self._action("referral_program.res_partner_action_referred"),
            "document.querySelector('.o_list_view .o_group_header')",
            "the referrals",
        )
        shown = self._texts(".o_list_view .o_group_header .o_group_name")
        self.assertTrue(shown)
        self.assertLessEqual({g.rsplit(" (", 1)[0] for g in shown}, set(referrers), "by referrer")
        for index in range(min(len(shown), 4)):
            self._eval(f"document.querySelectorAll('.o_list_view tr.o_group_header')[{index}].click()")
            self._wait(
                f"document.querySelectorAll('.o_list_view tr.o_group_header.o_group_open').length > {index}",
                "a referrer's customers",
            )
        self._wait("document.querySelector('.o_list_view .o_data_row')", "the referred customers")
        self._shot("referrals")

    def test_referral_signup(self):
        """The page of a customer's referral link on a friend's phone."""
        # the gym's programme pays referrals (as its manager would set it)
        self.program.sudo().referral_enabled = True
        referrer = self.env["res.partner"].search(
            [("referral_code", "!=", False), ("company_id", "=", self.company.id)], limit=1
        )
        self.assertTrue(referrer, "the demo data has a customer with a referral code")
        first_name = referrer.name.split()[0]
        self._open_public_phone_browser()
        self._open(f"/r/{referrer.referral_code}", "document.querySelector('form.o_referral_signup_form')", "the form")
        self.assertIn(f"{first_name} invites you", self._texts("h1")[0])
        self.assertLessEqual(
            self._eval("document.documentElement.scrollWidth"), PHONE_WIDTH, "no sideways scrolling on a phone"
        )
        self._shot("referral_signup", size=(PHONE_WIDTH, PHONE_HEIGHT))

    def test_nps_surveys(self):
        """NPS per survey."""
        surveys = self.env["survey.survey"].with_user(self.user).search([("is_nps", "=", True)])
        self.assertTrue(surveys, "the demo data has an NPS survey")
        decimals = surveys._fields["nps_score"].get_digits(surveys.env)[1]
        scores = {survey.title: f"{survey.nps_score:.{decimals}f}" for survey in surveys}
        self._open_browser(self.user)
        self._open(
            self._action("survey_nps.survey_survey_action_nps"),
            "document.querySelector('.o_list_view .o_data_row')",
            "the NPS surveys",
        )
        rows = "\n".join(self._texts(".o_list_view .o_data_row"))
        for title, score in scores.items():
            self.assertIn(f"{title}\t", rows)
            self.assertIn(score, rows, f"the NPS of {title}")
        self._shot("nps_surveys")

    def test_nps_analysis(self):
        """NPS by the stage customers were in when they answered."""
        Report = self.env["survey.nps.report"].with_user(self.user)
        overall = Report._read_group([], [], ["nps_value:avg"])[0][0]
        self.assertTrue(Report.search_count([("lifecycle_stage_id", "!=", False)]), "answers with their stage")
        self._open_browser(self.user)
        self._open(
            self._action("survey_nps.survey_nps_report_action") + "?view_type=pivot",
            "document.querySelector('.o_pivot table tbody tr')",
            "the NPS pivot",
        )
        answered = Report.search_count([("answered", "=", 1)])
        total = self._texts(".o_pivot table tbody tr:first-child td")
        self.assertEqual(total[:2], [f"{overall:.1f}", str(answered)], "the NPS and the count of every answer")
        self._shot("nps_analysis")

    def test_journey_form(self):
        """A journey of the gym: its stage, holdout, steps and counts."""
        journeys = self.env["lifecycle.journey"].with_user(self.user).search([("company_id", "=", self.company.id)])
        self.assertTrue(journeys, "the demo gym has journeys")
        journey = max(journeys, key=lambda j: (len(j.step_ids), j.message_count, -j.id))
        self.assertTrue(journey.message_count, "the demo replayed the journeys' messages")
        messages = str(journey.message_count)
        # (the ORM is read before the browser opens: its requests share the test's cursor)
        steps = len(journey.step_ids)
        self._open_browser(self.user)
        self._open(
            self._action("loyalty_lifecycle.lifecycle_journey_action", journey.id),
            "document.querySelectorAll('.o_form_view .o_field_one2many .o_data_row').length > 0",
            "the journey form",
        )
        self.assertEqual(len(self._texts(".o_form_view .o_field_one2many .o_data_row")), steps, "a row per step")
        buttons = "\n".join(self._texts(".o_form_view .o-form-buttonbox"))
        self.assertIn(messages, buttons, "the count of its messages")
        self._shot("journey_form")

    def test_journey_results(self):
        """The journeys' results over the demo's replayed months: per journey
        and step, messaged against holdout, uplift and cost."""
        results = (
            self.env["lifecycle.journey.results"]
            .with_user(self.user)
            .with_company(self.company)
            .create({"company_id": self.company.id, "date_from": date.today() - timedelta(days=120)})
        )
        action = results.action_compute()
        lines = results.line_ids
        total = lines.filtered(lambda line: line.level == "total")
        self.assertTrue(total.messaged and total.holdout, "messaged and holdout customers in the demo")
        # an action to open the lines in the browser (the wizard returns it as a dict)
        window = self.env["ir.actions.act_window"].create(
            {
                "name": action["name"],
                "res_model": action["res_model"],
                "view_mode": action["view_mode"],
                "domain": repr(action["domain"]),
                "context": repr(action["context"]),
            }
        )
        self._open_browser(self.user)
        self._open(
            f"/odoo/action-{window.id}",
            f"document.querySelectorAll('.o_list_view .o_data_row').length === {len(lines)}",
            "the journey results",
        )
        rows = self._texts(".o_list_view .o_data_row")
        self.assertTrue(rows[-1].startswith("All journeys"), rows[-1])
        self._shot("journey_results")

    def test_pos_screens(self):
        """At the till, a cashier types the customer's phone as they say it,
        finds them, and adds a reward paid with points."""
        # (the ORM is read before the browser opens: its requests share the test's cursor)
        phone = local_phone(self.customer)
        stage = self.customer.lifecycle_stage_id.name
        shot = {
            "customer": self.customer.name,
            "phone": phone,
            "product": self.product.name,
            "program": self.program.name,
        }
        self._open_browser(self.cashier, success_signal="tour succeeded")
        self._open(
            f"/pos/ui?config_id={self.pos_config.id}",
            "odoo.isTourReady && odoo.isTourReady('LoyaltyLifecycleScreenshots')",
            "the till",
        )
        self._eval(
            f"window.lcScreenshots = {json.dumps(shot)};"
            "odoo.startTour('LoyaltyLifecycleScreenshots', {stepDelay: 0, keepWatchBrowser: false});"
        )
        self._wait("document.body.dataset.lcScreenshot === 'pos_phone_search'", "the customer found by phone", 90)
        found = "\n".join(self._texts(".partner-list .partner-info"))
        self.assertIn(shot["customer"], found)
        self.assertIn(stage, found, "the customer's stage at the till")
        self.assertEqual(self._eval("document.querySelector('.modal-dialog .input-group input').value"), phone)
        self._shot("pos_phone_search")
        self._eval("delete document.body.dataset.lcScreenshot")

        self._wait("document.body.dataset.lcScreenshot === 'pos_reward'", "the reward on the order", 60)
        reward = self._texts(".order-container .orderline.fst-italic .price")
        self.assertTrue(
            reward and re.sub(r"[^\d.,-]", "", reward[0]).startswith("-"), f"a discount paid with points: {reward}"
        )
        self.assertIn(shot["customer"], "\n".join(self._texts(".product-screen .set-partner")))
        self._shot("pos_reward")
        self._eval("delete document.body.dataset.lcScreenshot")
        self.assertTrue(self.browser._result.result(timeout=30), "the tour ends")
