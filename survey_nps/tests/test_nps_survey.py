from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon


@tagged("post_install", "-at_install")
class TestNpsSurvey(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env["survey.survey"].create({"title": "Gym NPS", "survey_type": "survey", "is_nps": True})
        cls.question = cls.env["survey.question"].create(
            {
                "survey_id": cls.survey.id,
                "title": "How likely are you to recommend us?",
                "question_type": "scale",
                "scale_min": 0,
                "scale_max": 10,
            }
        )
        cls.survey.nps_question_id = cls.question

    def _answer(self, score, state="done", partner=None):
        return self.env["survey.user_input"].create(
            {
                "survey_id": self.survey.id,
                "partner_id": partner and partner.id,
                "state": state,
                "user_input_line_ids": [
                    (0, 0, {"question_id": self.question.id, "answer_type": "scale", "value_scale": score})
                ],
            }
        )

    def test_answers_are_classified_and_scored(self):
        inputs = [self._answer(s) for s in (10, 9, 9, 8, 7, 6, 0)]
        self.assertEqual(
            [i.nps_category for i in inputs],
            ["promoter", "promoter", "promoter", "passive", "passive", "detractor", "detractor"],
        )
        self.assertEqual(inputs[-1].nps_score, 0)
        self._answer(0, state="in_progress")  # unfinished answers do not count
        self.survey.invalidate_recordset()
        self.assertEqual(self.survey.nps_response_count, 7)
        self.assertEqual(self.survey.nps_promoter_count, 3)
        self.assertEqual(self.survey.nps_detractor_count, 2)
        self.assertAlmostEqual(self.survey.nps_score, 14.3)  # (3 - 2) / 7, one decimal

    def test_answer_out_of_range_is_refused(self):
        # assertRaisesRegex is unittest's own: it needs a savepoint of its own
        with self.assertRaisesRegex(ValidationError, "between 0 and 10, not 11"), self.cr.savepoint():
            self._answer(11)
        with self.assertRaises(ValidationError):
            self._answer(-1)
        self.assertFalse(self.env["survey.user_input"].search([("survey_id", "=", self.survey.id)]))
        self.assertEqual(self.survey.nps_response_count, 0)

    def test_nps_question_must_be_a_0_to_10_scale(self):
        other = self.env["survey.question"].create(
            {"survey_id": self.survey.id, "title": "1-5?", "question_type": "scale", "scale_min": 1, "scale_max": 5}
        )
        with self.assertRaisesRegex(ValidationError, "0 to 10 scale"), self.cr.savepoint():
            self.survey.nps_question_id = other
        self.assertEqual(self.survey.nps_question_id, self.question)

    def test_loyalty_user_reads_nps_answers(self):
        self._answer(9)
        self.assertMenuVisible(self.user_loyalty, "survey_nps.survey_user_input_menu_nps")
        self.assertMenuVisible(self.user_employee, "survey_nps.survey_user_input_menu_nps", visible=False)
        answers = (
            self.env["survey.user_input"]
            .with_user(self.user_loyalty)
            .search([("survey_id", "=", self.survey.id), ("nps_category", "!=", False)])
        )
        self.assertEqual(answers.mapped("nps_category"), ["promoter"])
