"""An NPS answer is a whole number from 0 to 10, whoever sends it: the ORM
(an import, an RPC call) or a browser on the survey's own pages."""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon

from ..tools import nps

FUZZ = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.integers(-3, 13).map(str)
    | st.sampled_from(["3.5", "abc", "1e30", " 7 ", "+9", "-0", "１０", "1_0", "7.0"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["comment", "a"]), inner, max_size=2),
    max_leaves=5,
)
BAD_ANSWERS = (
    3.5,
    "3.5",
    "abc",
    -1,
    "-1",
    11,
    "11",
    1e30,
    "1e30",
    2**40,
    float("nan"),
    float("inf"),
    True,
    [7],
    {"a": 7},
)


def nps_survey(env, **values):
    survey = env["survey.survey"].create(
        dict(
            {
                "title": "Gym NPS",
                "survey_type": "survey",
                "is_nps": True,
                "access_mode": "public",
                "users_login_required": False,
                "users_can_go_back": True,
                "questions_layout": "page_per_question",
            },
            **values,
        )
    )
    questions = env["survey.question"].create(
        [
            {
                "survey_id": survey.id,
                "title": "How likely are you to recommend us?",
                "question_type": "scale",
                "scale_min": 0,
                "scale_max": 10,
                "sequence": 1,
            },
            {"survey_id": survey.id, "title": "Anything else?", "question_type": "text_box", "sequence": 2},
        ]
    )
    survey.nps_question_id = questions[0]
    return survey, questions[0]


def expected_scale_value(value):
    """What the survey should store for ``value``: a number 0-10, None when
    the answer counts as skipped, or 'error'."""
    if not value or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = nps.whole_number(value)
    except ValueError:
        return "error"
    return number if 0 <= number <= 10 else "error"


@tagged("post_install", "-at_install")
class TestNpsAnswerModel(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)

    def _line(self, value):
        user_input = self.env["survey.user_input"].create({"survey_id": self.survey.id})
        return self.env["survey.user_input.line"].create(
            {
                "user_input_id": user_input.id,
                "question_id": self.question.id,
                "answer_type": "scale",
                "value_scale": value,
            }
        )

    def test_only_whole_numbers_from_0_to_10_are_stored(self):
        for bad in BAD_ANSWERS:
            with self.subTest(value=bad), self.assertRaisesRegex(ValidationError, "How likely"):
                self._line(bad)
        self.assertFalse(self.env["survey.user_input.line"].search([("question_id", "=", self.question.id)]))
        self.assertEqual(self._line("7").value_scale, 7)
        self.assertEqual(self._line(10.0).value_scale, 10)
        line = self._line(0)
        self.assertEqual(line.user_input_id.nps_category, "detractor")
        for bad in (3.5, "abc", 11, 1e30):
            with self.subTest(value=bad), self.assertRaises(ValidationError):
                line.write({"value_scale": bad})
        line.write({"value_scale": "9"})
        self.assertEqual(line.value_scale, 9)

    def test_other_scale_questions_keep_their_scale(self):
        other = self.env["survey.question"].create(
            {"survey_id": self.survey.id, "title": "1 to 5?", "question_type": "scale", "scale_min": 1, "scale_max": 5}
        )
        user_input = self.env["survey.user_input"].create({"survey_id": self.survey.id})
        Line = self.env["survey.user_input.line"]
        vals = {"user_input_id": user_input.id, "question_id": other.id, "answer_type": "scale"}
        with self.assertRaisesRegex(ValidationError, "between 1 and 5, not 7"):
            Line.create(dict(vals, value_scale=7))
        with self.assertRaisesRegex(ValidationError, "whole number"):
            Line.create(dict(vals, value_scale=2.5))
        self.assertEqual(Line.create(dict(vals, value_scale=4)).value_scale, 4)

    @FUZZ
    @given(value=JSON_VALUES)
    def test_fuzz_model_stores_a_valid_number_or_refuses(self, value):
        if value is None or value is False:
            return  # no value: the ORM's own empty answer
        expected = "error" if value == "" else expected_scale_value(value)
        if expected is None:  # 0, 0.0, [], {}: a number or refused
            expected = 0 if value == 0 else "error"
        with self.cr.savepoint() as savepoint:
            if expected == "error":
                with self.assertRaises(ValidationError):
                    self._line(value)
            else:
                self.assertEqual(self._line(value).value_scale, expected)
            savepoint.rollback()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestNpsAnswerRoute(HttpCase):
    """The survey's /survey/submit route, as a browser (or a forged request)
    calls it: bad values get the survey's validation message, not a 500."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)

    def _post(self, route, answer, params):
        url = f"{self.survey.get_base_url()}/survey/{route}/{self.survey.access_token}/{answer.access_token}"
        response = self.opener.post(
            url, data=json.dumps({"params": params}), headers={"Content-Type": "application/json"}
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertNotIn("error", body, f"server error for {params!r}: {body.get('error', {}).get('message')}")
        return body["result"][1]

    def _submit(self, value):
        """Start the survey as a browser does, then answer the NPS question."""
        answer = self.survey._create_answer(check_attempts=False)
        self._post("begin", answer, {})
        params = {"question_id": self.question.id, str(self.question.id): value, "token": answer.access_token}
        return answer, self._post("submit", answer, params)

    def _assert_refused(self, value):
        answer, result = self._submit(value)
        self.assertEqual(result.get("error"), "validation", value)
        self.assertEqual(result["fields"][str(self.question.id)], "Choose a whole number from 0 to 10.")
        self.assertFalse(answer.user_input_line_ids)

    def test_bad_answers_get_the_survey_validation_message(self):
        for bad in ("3.5", "abc", "-1", "11", "1e30", 3.5, -1, 11, 1e30, [7], {"comment": 5}, True):
            with self.subTest(value=bad):
                self._assert_refused(bad)

    def test_a_good_answer_is_saved(self):
        answer, result = self._submit("9")
        self.assertFalse(result.get("error"))
        self.assertEqual(answer.user_input_line_ids.value_scale, 9)
        answer._mark_done()
        self.assertEqual(answer.nps_category, "promoter")

    @FUZZ
    @given(value=JSON_VALUES)
    def test_fuzz_route_never_fails(self, value):
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)  # JSON has no NaN; a browser sends text
        expected = expected_scale_value(value)
        answer, result = self._submit(value)
        if expected == "error":
            self.assertEqual(result.get("error"), "validation", value)
            self.assertFalse(answer.user_input_line_ids)
        else:
            self.assertFalse(result.get("error"), value)
            line = answer.user_input_line_ids
            self.assertEqual(len(line), 1)
            if expected is None:
                self.assertTrue(line.skipped, value)
            else:
                self.assertEqual(line.value_scale, expected, value)


@tagged("post_install", "-at_install")
class TestNpsInvitationTokens(HttpCase):
    """Each invitation is one answer with its own token: a customer's link
    answers for that customer only, a forged or finished one changes
    nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)
        cls.anna, cls.boris = cls.env["res.partner"].create([{"name": "Anna Token"}, {"name": "Boris Token"}])
        cls.anna_answer = cls.survey._create_answer(partner=cls.anna, check_attempts=False)
        cls.boris_answer = cls.survey._create_answer(partner=cls.boris, check_attempts=False)

    def _post(self, route, answer_token, params):
        url = f"{self.survey.get_base_url()}/survey/{route}/{self.survey.access_token}/{answer_token}"
        response = self.opener.post(
            url, data=json.dumps({"params": params}), headers={"Content-Type": "application/json"}
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertNotIn("error", body, f"server error: {body.get('error', {}).get('message')}")
        return body["result"][1]

    def _answer(self, answer_token, value, param_token=None):
        params = {"question_id": self.question.id, str(self.question.id): value, "token": param_token or answer_token}
        return self._post("submit", answer_token, params)

    def test_a_link_answers_for_its_customer_only(self):
        self._post("begin", self.anna_answer.access_token, {})
        # Anna's page, sending Boris's token in the form: the link's token decides
        result = self._answer(self.anna_answer.access_token, "9", param_token=self.boris_answer.access_token)
        self.assertFalse(result.get("error"))
        self.assertEqual(self.anna_answer.user_input_line_ids.value_scale, 9)
        self.assertFalse(self.boris_answer.user_input_line_ids, "Boris's invitation is untouched")

    def test_forged_tokens_are_refused(self):
        for token in ("not-a-token", self.anna_answer.access_token[:-4] + "0000", "x" * 300):
            with self.subTest(token=token):
                result = self._answer(token, "0")
                self.assertEqual(result.get("error"), "token_wrong", "Odoo's survey refuses it, no traceback")
        self.assertFalse((self.anna_answer | self.boris_answer).user_input_line_ids)

    def test_a_finished_invitation_cannot_be_answered_again(self):
        self._post("begin", self.anna_answer.access_token, {})
        self._answer(self.anna_answer.access_token, "9")
        self.anna_answer._mark_done()
        self.assertEqual((self.anna.nps_last_score, self.anna.nps_last_category), (9, "promoter"))
        result = self._answer(self.anna_answer.access_token, "0")
        self.assertEqual(result.get("error"), "unauthorized", "Odoo's survey refuses a finished answer")
        self.anna_answer.invalidate_recordset()
        self.assertEqual(self.anna_answer.user_input_line_ids.mapped("value_scale"), [9])
        self.anna.invalidate_recordset()
        self.assertEqual((self.anna.nps_last_score, self.anna.nps_last_category), (9, "promoter"))
