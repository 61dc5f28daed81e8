"""Closing the loop of an NPS answer: the customer's last answer on the
contact, a call-back for a detractor's salesperson, and no offers to a
detractor for the company's pause while transactional messages still go."""

import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.loyalty_lifecycle.tests.common import LoyaltyLifecycleCommon

from .test_nps_input import nps_survey


def finish_answer(survey, question, partner, score, comment=None, reason_question=None):
    """An invited customer's answer, finished as the survey's routes finish it (sudo)."""
    answer = survey._create_answer(partner=partner, check_attempts=False)
    Line = answer.env["survey.user_input.line"]
    Line.create(
        {"user_input_id": answer.id, "question_id": question.id, "answer_type": "scale", "value_scale": score}
    )
    if comment:
        Line.create(
            {
                "user_input_id": answer.id,
                "question_id": reason_question.id,
                "answer_type": "text_box",
                "value_text_box": comment,
            }
        )
    answer.sudo()._mark_done()
    return answer


@tagged("post_install", "-at_install")
class TestNpsLoop(LoyaltyLifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey, cls.question = nps_survey(cls.env)
        cls.reason = cls.survey.question_ids - cls.question
        cls.salesperson = cls.user_loyalty
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Dasha Detractor",
                "email": "dasha@example.com",
                "phone": "+7 916 555-10-01",
                "marketing_consent": True,
                "user_id": cls.salesperson.id,
            }
        )

    def _activities(self, partner):
        return self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])

    @freeze_time("2026-06-10 08:00:00")
    def test_detractor_gets_a_call_back_from_their_salesperson(self):
        finish_answer(self.survey, self.question, self.customer, 3, "The <b>showers</b> were cold", self.reason)
        self.assertEqual(
            (self.customer.nps_last_score, self.customer.nps_last_category, self.customer.nps_last_date),
            (3, "detractor", datetime(2026, 6, 10, 8, 0)),
        )
        activity = self._activities(self.customer)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(str(activity.date_deadline), "2026-06-12", "within the company's 2 days")
        self.assertIn("3 of 10", activity.summary)
        self.assertIn("The &lt;b&gt;showers&lt;/b&gt; were cold", str(activity.note), "the comment, escaped")
        # The salesperson (a Customer Base user) sees it and closes it with the outcome.
        activity.with_user(self.salesperson).action_feedback(feedback="Called: heating fixed, a free visit given")
        self.assertFalse(self._activities(self.customer))
        self.assertIn("heating fixed", self.customer.message_ids[:1].body)

    def test_promoters_and_passives_get_no_call_back(self):
        for score, category in ((9, "promoter"), (7, "passive"), (10, "promoter")):
            finish_answer(self.survey, self.question, self.customer, score)
            self.assertEqual((self.customer.nps_last_score, self.customer.nps_last_category), (score, category))
        self.assertFalse(self._activities(self.customer))

    def test_no_salesperson_the_company_follow_up_user(self):
        self.customer.user_id = False
        self.env.company.nps_followup_user_id = self.user_manager
        finish_answer(self.survey, self.question, self.customer, 0)
        self.assertEqual(self._activities(self.customer).user_id, self.user_manager)

    def test_a_late_older_answer_does_not_replace_the_latest(self):
        with freeze_time("2026-06-10 08:00:00"):
            old = self.survey._create_answer(partner=self.customer, check_attempts=False)
            self.env["survey.user_input.line"].create(
                {"user_input_id": old.id, "question_id": self.question.id, "answer_type": "scale", "value_scale": 2}
            )
        with freeze_time("2026-06-11 08:00:00"):
            finish_answer(self.survey, self.question, self.customer, 9)
        with freeze_time("2026-06-09 08:00:00"):
            old.sudo()._mark_done()  # finished with a clock behind: the newer answer stays
        self.assertEqual(self.customer.nps_last_score, 9)

    def test_test_entries_and_anonymous_answers_change_no_customer(self):
        answer = self.survey._create_answer(test_entry=True, partner=self.customer, check_attempts=False)
        self.env["survey.user_input.line"].create(
            {"user_input_id": answer.id, "question_id": self.question.id, "answer_type": "scale", "value_scale": 1}
        )
        answer.sudo()._mark_done()
        anonymous = finish_answer(self.survey, self.question, self.env["res.partner"], 0)
        self.assertEqual(anonymous.nps_category, "detractor")
        self.assertFalse(self.customer.nps_last_category)
        self.assertFalse(self._activities(self.customer))

    def test_only_the_server_writes_the_last_answer(self):
        for user in (self.salesperson, self.user_manager):
            with self.assertRaises(AccessError):
                self.customer.with_user(user).write({"nps_last_category": "promoter"})
            with self.assertRaises(AccessError):
                self.customer.with_user(user).write({"nps_last_score": 10})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_employee).read(["nps_last_score"])
        self.assertFalse(self.customer.nps_last_category)

    def test_negative_days_refused(self):
        with self.assertRaises(ValidationError):
            self.env.company.nps_followup_days = -1
        with self.assertRaises(ValidationError):
            self.env.company.nps_detractor_quiet_days = -5

    def test_detractor_rests_from_offers_but_gets_transactional_messages(self):
        Policy = self.env["loyalty.contact.policy"]
        other = self.env["res.partner"].create(
            {"name": "Petya Promoter", "email": "petya@example.com", "marketing_consent": True}
        )
        with freeze_time("2026-06-10 08:00:00"):
            finish_answer(self.survey, self.question, self.customer, 4)
            finish_answer(self.survey, self.question, other, 10)
        partners = self.customer | other
        at = datetime(2026, 6, 20, 10, 0)
        result = Policy._check(partners, "mail", at=at)
        self.assertEqual(result[self.customer.id], ("skipped", "nps_detractor", False))
        self.assertEqual(result[other.id], ("allowed", False, False))
        self.assertEqual(Policy._check(partners, "mail", marketing=False, at=at)[self.customer.id][0], "allowed")
        # after the 90 days of the pause, offers again
        self.assertEqual(Policy._check(partners, "mail", at=at + timedelta(days=81))[self.customer.id][0], "allowed")
        # a company without the pause
        self.env.company.nps_detractor_quiet_days = 0
        self.assertEqual(Policy._check(partners, "mail", at=at)[self.customer.id][0], "allowed")
        # a reason the journey's message can hold
        reasons = dict(self.env["lifecycle.journey.message"]._fields["reason"]._description_selection(self.env))
        self.assertIn("nps_detractor", reasons)
        # and a cancelled trace of the mailing it held back
        failures = dict(self.env["mailing.trace"]._fields["failure_type"]._description_selection(self.env))
        self.assertEqual(failures["nps_detractor"], reasons["nps_detractor"])

    def test_default_surveys_after_install(self):
        default = self.env.ref("survey_nps.survey_nps_default")
        self.assertTrue(default.is_nps)
        self.assertEqual(default.question_ids[:1], default.nps_question_id, "the 0-10 question first")
        self.assertEqual((default.nps_question_id.scale_min, default.nps_question_id.scale_max), (0, 10))
        service = self.env.ref("survey_nps.survey_nps_after_service")
        self.assertEqual(len(service.question_ids), 3)
        self.assertEqual(service.nps_question_id.title, "How likely are you to recommend us to a friend?")
        for lang in ("ru_RU", "uk_UA"):
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["survey_nps"], ["ru_RU", "uk_UA"])
        expected = {
            "ru_RU": "Насколько вероятно, что вы порекомендуете нас другу?",
            "uk_UA": "Наскільки ймовірно, що ви порекомендуєте нас другові?",
        }
        for lang, title in expected.items():
            self.assertEqual(default.with_context(lang=lang).nps_question_id.title, title)


@tagged("post_install", "-at_install")
class TestNpsLoopRoute(HttpCase):
    """A detractor answers through the survey's own pages, as their phone does."""

    def test_detractor_answer_through_the_survey_pages(self):
        survey, question = nps_survey(self.env, access_mode="token")
        reason = survey.question_ids - question
        salesperson = self.env["res.users"].search([("login", "=", "admin")])
        customer = self.env["res.partner"].create({"name": "Vera Visitor", "user_id": salesperson.id})
        answer = survey._create_answer(partner=customer, check_attempts=False)

        def post(route, params):
            url = f"{survey.get_base_url()}/survey/{route}/{survey.access_token}/{answer.access_token}"
            response = self.opener.post(
                url, data=json.dumps({"params": params}), headers={"Content-Type": "application/json"}
            )
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("error", response.json())

        post("begin", {})
        post("submit", {"question_id": question.id, str(question.id): "2", "token": answer.access_token})
        post("submit", {"question_id": reason.id, str(reason.id): "Too crowded at 7 pm", "token": answer.access_token})
        self.assertEqual(answer.state, "done")
        self.assertEqual((customer.nps_last_score, customer.nps_last_category), (2, "detractor"))
        activity = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", customer.id)])
        self.assertEqual(activity.user_id, salesperson)
        self.assertIn("Too crowded at 7 pm", str(activity.note))
        # the same invitation submitted again changes nothing
        post("submit", {"question_id": question.id, str(question.id): "10", "token": answer.access_token})
        self.assertEqual(customer.nps_last_score, 2)
        self.assertEqual(len(activity.search([("res_model", "=", "res.partner"), ("res_id", "=", customer.id)])), 1)
