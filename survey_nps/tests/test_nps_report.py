"""NPS per month, lifecycle stage, ABC-XYZ class and salesperson: the
average of nps_value over any group is that group's NPS."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon
from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .test_nps_loop import finish_answer
from .test_nps_input import nps_survey


@tagged("post_install", "-at_install")
class TestNpsReport(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)
        cls.hot = cls.env.ref("loyalty_lifecycle.lifecycle_stage_hot")
        cls.lost = cls.env.ref("loyalty_lifecycle.lifecycle_stage_lost")
        Partner = cls.env["res.partner"]
        cls.customers = Partner.create([{"name": f"Customer {i}", "user_id": cls.user_loyalty.id} for i in range(6)])
        # In May: three hot customers (two promoters, one passive) and three
        # lost ones (a promoter, two detractors).
        with freeze_time("2026-05-01 09:00:00"):
            cls.customers[:3]._lifecycle_move(cls.hot)
            cls.customers[3:]._lifecycle_move(cls.lost)
        with freeze_time("2026-05-15 09:00:00"):
            for customer, score in zip(cls.customers, (10, 9, 8, 9, 3, 0), strict=True):
                finish_answer(cls.survey, cls.question, customer, score)
        # In June, a lost customer came back to hot and answered 10; then
        # everyone moved to lost: the report keeps the stage of the answer.
        with freeze_time("2026-06-01 09:00:00"):
            cls.customers[4]._lifecycle_move(cls.hot)
        with freeze_time("2026-06-10 09:00:00"):
            finish_answer(cls.survey, cls.question, cls.customers[4], 10)
        with freeze_time("2026-06-20 09:00:00"):
            cls.customers._lifecycle_move(cls.lost)

    def _nps_by(self, user, groupby):
        Report = self.env["survey.nps.report"].with_user(user)
        rows = Report._read_group([("survey_id", "=", self.survey.id)], [groupby], ["nps_value:avg", "__count"])
        return {key: (round(value, 1), count) for key, value, count in rows}

    def test_nps_per_stage_when_answered(self):
        by_stage = self._nps_by(self.user_loyalty, "lifecycle_stage_id")
        # hot: 10, 9, 8 in May and 10 in June: 3 promoters of 4 -> 75
        self.assertEqual(by_stage[self.hot], (75.0, 4))
        # lost: 9, 3, 0: one promoter, two detractors of 3 -> -33.3
        self.assertEqual(by_stage[self.lost], (-33.3, 3))

    def test_nps_per_month_and_overall(self):
        by_month = self._nps_by(self.user_loyalty, "date:month")
        self.assertEqual(by_month[datetime(2026, 5, 1)], (16.7, 6), "3 promoters, 2 detractors of 6")
        self.assertEqual(by_month[datetime(2026, 6, 1)], (100.0, 1))
        overall = self.env["survey.nps.report"]._read_group(
            [("survey_id", "=", self.survey.id)], [], ["nps_value:avg"]
        )[0][0]
        self.assertAlmostEqual(overall, 100.0 * (4 - 2) / 7, places=6)
        self.assertAlmostEqual(overall, self.survey.nps_score, places=1, msg="the survey's own NPS")

    def test_per_salesperson_and_class(self):
        self.assertEqual(self._nps_by(self.user_loyalty, "user_id")[self.user_loyalty], (28.6, 7))
        self.assertEqual(set(self._nps_by(self.user_loyalty, "abc_xyz_class")), {False}, "no run before")

    def test_only_customer_base_users_read_it(self):
        with self.assertRaises(AccessError):
            self.env["survey.nps.report"].with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.env["survey.nps.report"].with_user(self.user_manager).search([("survey_id", "=", self.survey.id)]).write(
                {"nps_score": 10}
            )


@tagged("post_install", "-at_install")
class TestNpsReportShopAndResponses(TestPoSCommon):
    """The POS shop where the customer last paid before answering, and the
    response rate of the invitations: answered ones 100, unanswered 0,
    answers collected by hand outside it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 100.0)
        cls.customers = cls.env["res.partner"].create([{"name": f"Member {i}"} for i in range(4)])

    def _pay_at(self, config, customer):
        self.config = config
        self.open_new_session()
        data = self.create_ui_order_data([(self.visit, 1)], customer=customer)
        self.env["pos.order"].sync_from_ui([data])
        self.pos_session.action_pos_session_closing_control()

    def _invite(self, customer, when):
        return self.env["survey.user_input"].sudo().create(
            {"survey_id": self.survey.id, "partner_id": customer.id, "nps_invited_on": when}
        )

    def test_shop_and_response_rate(self):
        first, second, third, fourth = self.customers
        with freeze_time("2026-05-01 09:00:00"):
            self._pay_at(self.basic_config, first)
            self._pay_at(self.other_currency_config, second)
        with freeze_time("2026-05-02 09:00:00"):
            invitations = [self._invite(customer, datetime(2026, 5, 2, 9)) for customer in (first, second, third)]
        with freeze_time("2026-05-03 09:00:00"):
            for invitation, score in zip(invitations[:2], (10, 3), strict=True):
                invitation.env["survey.user_input.line"].create(
                    {
                        "user_input_id": invitation.id,
                        "question_id": self.question.id,
                        "answer_type": "scale",
                        "value_scale": score,
                    }
                )
                invitation._mark_done()
            finish_answer(self.survey.sudo(), self.question, fourth, 9)  # collected by hand, not invited
        user = new_test_user(self.env, login="nps_analyst", groups="loyalty_lifecycle.loyalty_lifecycle_group_user")
        Report = self.env["survey.nps.report"].with_user(user)
        domain = [("survey_id", "=", self.survey.id)]
        by_shop = {
            config: (nps, answered)
            for config, nps, answered in Report._read_group(domain, ["pos_config_id"], ["nps_value:avg", "answered:sum"])
        }
        self.assertEqual(by_shop[self.basic_config], (100.0, 1))
        self.assertEqual(by_shop[self.other_currency_config], (-100.0, 1))
        self.assertEqual(by_shop[self.env["pos.config"]], (100.0, 1), "the unanswered invitation counts in no NPS")
        [(nps, rate, answered, invited, count)] = Report._read_group(
            domain, [], ["nps_value:avg", "response_rate:avg", "answered:sum", "invited:sum", "__count"]
        )
        self.assertAlmostEqual(nps, 100.0 * (2 - 1) / 3)
        self.assertAlmostEqual(rate, 100.0 * 2 / 3, msg="two of three invitations answered")
        self.assertEqual((answered, invited, count), (3, 3, 4))
        unanswered = Report.search(domain + [("answered", "=", 0)])
        self.assertEqual((unanswered.partner_id, unanswered.date), (third, datetime(2026, 5, 2, 9)))
