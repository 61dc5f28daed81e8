"""NPS per month, lifecycle stage, ABC-XYZ class and salesperson: the
average of nps_value over any group is that group's NPS."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon

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
