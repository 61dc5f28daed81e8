"""The journeys' results on real records: messages sent by the daily job,
the holdout recorded, purchases on posted invoices; the report's rows, the
results of a period read by a Customer Base user, and who may do what."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_journeys_year import JourneyInvoicingCommon, at, day

# 100 Cyrillic characters: UNICODE, two segments of 67 (Odoo's count)
SMS_BODY = "Ж" * 100


@tagged("post_install", "-at_install")
class TestJourneyReport(JourneyInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"lc_attribution_days": 14, "lc_cost_sms_segment": 0.20, "lc_cost_email": 1.5})
        cls.user = new_test_user(
            cls.env,
            login="lc_report_user",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.manager = new_test_user(
            cls.env,
            login="lc_report_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.stage = cls.env["lifecycle.stage"].create({"name": "Report Test Stage", "code": "report_test"})
        partner_model = cls.env.ref("base.model_res_partner")
        cls.mailing_sms = cls.env["mailing.mailing"].create(
            {
                "subject": "Report SMS",
                "mailing_type": "sms",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "body_plaintext": SMS_BODY,
            }
        )
        cls.mailing_email = cls.env["mailing.mailing"].create(
            {
                "subject": "Report Email",
                "mailing_type": "mail",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "email_from": "gym@example.com",
                "body_html": "<p>Come back</p>",
            }
        )
        cls.journey = cls.env["lifecycle.journey"].create(
            {
                "name": "Report Journey",
                "stage_id": cls.stage.id,
                "holdout_percent": 0,
                "stop_on_purchase": False,
                "step_ids": [
                    (0, 0, {"sequence": 10, "delay_days": 0, "mailing_id": cls.mailing_sms.id}),
                    (0, 0, {"sequence": 20, "delay_days": 2, "mailing_id": cls.mailing_email.id}),
                ],
            }
        )
        cls.step_sms, cls.step_email = cls.journey.step_ids
        cls.anna = cls._member("Anna Messaged", "+7 916 100-00-01")
        cls.boris = cls._member("Boris Messaged", "+7 916 100-00-02")
        cls.clara = cls._member("Clara Holdout", "+7 916 100-00-03")
        cls.denis = cls._member("Denis Holdout", "+7 916 100-00-04")
        cls.elena = cls._member("Elena Noconsent", "+7 916 100-00-05")
        cls.elena.marketing_consent = False
        cls.customers = cls.anna | cls.boris | cls.clara | cls.denis | cls.elena

    def setUp(self):
        super().setUp()
        with freeze_time(at(0)):
            self.customers.write({"lifecycle_stage_id": self.stage.id})
        participants = self.env["lifecycle.journey.participant"].search([("journey_id", "=", self.journey.id)])
        self.assertEqual(len(participants), 5)
        # the draw put nobody in the holdout (0%); Clara and Denis are put there
        participants.filtered(lambda p: p.partner_id in self.clara | self.denis).sudo().holdout = True
        for offset in (0, 2):
            with freeze_time(at(offset)), self.mock_mail_gateway(), self.mockSMSGateway():
                self.Message._send_due()
        # Paid purchases. Windows: the SMS of day 0 until day 14, the email
        # of day 2 until day 16.
        self._buy(self.anna, [5], self.visit, 100)  # both windows
        self._buy(self.anna, [30], self.visit, 1000)  # after both
        self._buy(self.boris, [1], self.visit, 30)  # the SMS's window, before the email
        self._buy(self.clara, [10], self.visit, 50)  # holdout, both windows
        self._buy(self.denis, [20], self.visit, 70)  # holdout, after both
        self._buy(self.elena, [3], self.visit, 40)  # not sent
        self.env.flush_all()

    def rows(self, user=None):
        Report = self.env["lifecycle.journey.report"]
        if user:
            Report = Report.with_user(user)
        rows = Report.search([("journey_id", "=", self.journey.id)])
        return {(row.partner_id, row.step_id): row for row in rows}

    def test_report_rows(self):
        rows = self.rows()
        self.assertEqual(len(rows), 10)
        expected = {
            # customer, step: group, reason, converted, revenue, segments, cost
            (self.anna, self.step_sms): ("messaged", False, True, 100, 2, 0.40),
            (self.anna, self.step_email): ("messaged", False, True, 100, 0, 1.5),
            (self.boris, self.step_sms): ("messaged", False, True, 30, 2, 0.40),
            (self.boris, self.step_email): ("messaged", False, False, 0, 0, 1.5),
            (self.clara, self.step_sms): ("holdout", "lc_holdout", True, 50, 0, 0),
            (self.clara, self.step_email): ("holdout", "lc_holdout", True, 50, 0, 0),
            (self.denis, self.step_sms): ("holdout", "lc_holdout", False, 0, 0, 0),
            (self.denis, self.step_email): ("holdout", "lc_holdout", False, 0, 0, 0),
            (self.elena, self.step_sms): ("not_sent", "lc_no_consent", True, 40, 0, 0),
            (self.elena, self.step_email): ("not_sent", "lc_no_consent", True, 40, 0, 0),
        }
        for key, (group, reason, converted, revenue, segments, cost) in expected.items():
            row = rows[key]
            what = f"{key[0].name}, {key[1].mailing_id.subject}"
            self.assertEqual(row.message_group, group, what)
            self.assertEqual(row.reason, reason, what)
            self.assertEqual(row.converted, converted, what)
            self.assertEqual(row.conversion_count, int(converted), what)
            self.assertAlmostEqual(row.revenue, revenue, msg=what)
            self.assertEqual(row.sms_segments, segments, what)
            self.assertAlmostEqual(row.cost, cost, msg=what)
        self.assertEqual(rows[self.anna, self.step_sms].date, day(0))
        self.assertEqual(rows[self.anna, self.step_email].date, day(2))
        self.assertEqual(rows[self.clara, self.step_email].date, day(2), "the day she would have got it")
        self.assertEqual(rows[self.anna, self.step_sms].attribution_end, day(14))
        self.assertEqual(rows[self.anna, self.step_sms].channel, "sms")
        trace = rows[self.anna, self.step_sms].message_id.mailing_trace_id
        self.assertEqual(trace.lc_sms_segments, 2, "Odoo's count of the text sent, kept on the trace")

    def test_attribution_window_is_the_companys(self):
        self.company.lc_attribution_days = 30
        self.env.flush_all()
        rows = self.rows()
        self.assertTrue(rows[self.boris, self.step_email].converted is False, "bought before the email")
        self.assertTrue(rows[self.denis, self.step_sms].converted, "day 20, within 30 days")
        self.assertAlmostEqual(rows[self.anna, self.step_sms].revenue, 1100, msg="day 5 and day 30")

    def compute(self, user, date_from=0, date_to=2):
        results = (
            self.env["lifecycle.journey.results"]
            .with_user(user)
            .create({"date_from": day(date_from), "date_to": day(date_to), "journey_ids": [(6, 0, self.journey.ids)]})
        )
        action = results.action_compute()
        self.assertEqual(action["res_model"], "lifecycle.journey.results.line")
        return results.line_ids

    def test_results_by_journey_and_step(self):
        lines = self.compute(self.user)
        self.assertEqual(lines.mapped("level"), ["journey", "step", "step", "total"])
        journey, sms, email, total = lines
        # SMS: 2 of 2 messaged bought, 1 of 2 in the holdout: +50 points,
        # se = sqrt(0 + 0.25 / 2) = 0.35355, 95%: [-0.19295, 1.19295]
        self.assertEqual(sms.step_id, self.step_sms)
        self.assertEqual(
            (sms.messaged, sms.holdout, sms.not_sent, sms.conversions, sms.holdout_conversions), (2, 2, 1, 2, 1)
        )
        self.assertEqual(sms.not_sent_detail, "No consent to offers: 1")
        self.assertAlmostEqual(sms.revenue, 130)
        self.assertAlmostEqual(sms.holdout_revenue, 50)
        self.assertAlmostEqual(sms.cost, 0.80)
        self.assertEqual(sms.sms_segments, 4)
        self.assertAlmostEqual(sms.rate, 1.0)
        self.assertAlmostEqual(sms.holdout_rate, 0.5)
        self.assertAlmostEqual(sms.uplift, 0.5)
        self.assertAlmostEqual(sms.uplift_low, -0.19295, places=5)
        self.assertAlmostEqual(sms.uplift_high, 1.19295, places=5)
        self.assertEqual(sms.verdict, "unclear")
        self.assertAlmostEqual(sms.cost_per_extra, 0.80, msg="0.80 for one extra conversion (0.5 x 2)")
        self.assertEqual(sms.label, "Step 1: SMS, 0 days from the start")
        self.assertEqual(email.label, "Step 2: Email, 2 days from the start")
        # Email: 1 of 2 against 1 of 2: no uplift, no price per extra conversion
        self.assertEqual((email.messaged, email.conversions, email.holdout, email.holdout_conversions), (2, 1, 2, 1))
        self.assertAlmostEqual(email.cost, 3.0)
        self.assertEqual(email.emails, 2)
        self.assertAlmostEqual(email.uplift, 0)
        self.assertEqual(email.cost_per_extra, 0)
        # The journey counts customers: Anna and Boris bought, Clara of the holdout
        self.assertEqual(journey.journey_id, self.journey)
        self.assertEqual(journey.entered, 5)
        self.assertEqual(journey.customers, 5)
        self.assertEqual(
            (journey.messaged, journey.conversions, journey.holdout, journey.holdout_conversions), (2, 2, 2, 1)
        )
        self.assertAlmostEqual(journey.revenue, 130, msg="Anna's purchase of day 5 once, in both windows")
        self.assertAlmostEqual(journey.holdout_revenue, 50)
        self.assertEqual(journey.not_sent, 2)
        self.assertAlmostEqual(journey.cost, 3.80)
        self.assertAlmostEqual(journey.uplift, 0.5)
        self.assertAlmostEqual(journey.cost_per_extra, 3.80)
        # the blanket approach over the same 5 customers, 3 days: 5 x 3 x 3/30.44 = 1.48 -> 1; 6 a month: 3
        self.assertEqual((journey.blanket_low, journey.blanket_high), (1, 3))
        self.assertAlmostEqual(journey.blanket_cost_low, 0.20)
        self.assertAlmostEqual(journey.blanket_cost_high, 0.60)
        self.assertEqual(total.label, "All journeys")
        self.assertEqual((total.messaged, total.conversions, total.entered), (2, 2, 5))

    def test_period_limits_the_messages(self):
        journey, sms, email, _total = self.compute(self.user, 1, 2)
        self.assertEqual((sms.messaged, sms.holdout, sms.not_sent), (0, 0, 0), "the SMS went on day 0")
        self.assertEqual(sms.verdict, "no_group")
        self.assertEqual((email.messaged, email.holdout), (2, 2))
        self.assertEqual(journey.entered, 0, "they entered on day 0")

    def test_access(self):
        # a Customer Base user reads the results...
        rows = self.rows(self.user)
        self.assertEqual(len(rows), 10)
        self.assertTrue(self.compute(self.user))
        # ...and does not edit the journeys
        with self.assertRaises(AccessError):
            self.journey.with_user(self.user).write({"holdout_percent": 20})
        with self.assertRaises(AccessError):
            self.journey.with_user(self.user).copy()
        with self.assertRaises(AccessError):
            self.step_sms.with_user(self.user).write({"delay_days": 5})
        with self.assertRaises(AccessError):
            self.env["lifecycle.journey.report"].with_user(self.user).browse(rows[self.anna, self.step_sms].id).write(
                {"revenue": 0}
            )
        with self.assertRaises(AccessError):
            self.company.with_user(self.user).write({"lc_cost_email": 0})
        # a manager does
        self.journey.with_user(self.manager).write({"holdout_percent": 20})
        self.assertEqual(self.journey.holdout_percent, 20)
        # an employee outside the Customer Base sees nothing of it
        employee = new_test_user(self.env, login="lc_report_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["lifecycle.journey.report"].with_user(employee).search([])
        with self.assertRaises(AccessError):
            self.env["lifecycle.journey.results"].with_user(employee).create({})

    def test_other_company_does_not_see_them(self):
        other = self.env["res.company"].create({"name": "Other Gym"})
        user = new_test_user(
            self.env,
            login="lc_report_other",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.env["lifecycle.journey.report"].with_user(user).search([]))
        results = self.env["lifecycle.journey.results"].with_user(user).create({"date_from": day(0), "date_to": day(2)})
        results.action_compute()
        self.assertEqual(results.line_ids.mapped("level"), ["total"])
        self.assertEqual(results.line_ids.messaged, 0)

    def test_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.lc_attribution_days, 14)
        self.assertAlmostEqual(settings.lc_cost_sms_segment, 0.20)
        with self.assertRaises(ValidationError):
            self.company.lc_attribution_days = 0
        with self.assertRaises(ValidationError):
            self.company.lc_cost_sms_segment = -1
        with self.assertRaises(ValidationError):
            self.env["lifecycle.journey.results"].with_user(self.user).create(
                {"date_from": day(2), "date_to": day(0)}
            )

    def test_journey_kanban(self):
        """The journeys' kanban, by stage, with their counts, for a user."""
        action = self.env.ref("loyalty_lifecycle.lifecycle_journey_action")
        self.assertEqual(action.view_mode, "list,kanban,form")
        Journey = self.env["lifecycle.journey"].with_user(self.user)
        arch = Journey.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn('default_group_by="stage_id"', arch)
        self.assertIn('name="participant_count"', arch)
        self.assertIn('name="message_count"', arch)
        groups = Journey.web_read_group([("id", "=", self.journey.id)], ["stage_id"], ["stage_id"])["groups"]
        self.assertEqual([group["stage_id"][0] for group in groups], [self.stage.id])
        journey = Journey.browse(self.journey.id)
        self.assertEqual((journey.participant_count, journey.message_count), (5, 10))
