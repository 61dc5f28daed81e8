from odoo.addons.survey.controllers import main


class Survey(main.Survey):
    def _extract_comment_from_answers(self, question, answers):
        # A scale question has no comment: what the browser sent goes as it is
        # to the question's validation, which refuses what is not one of its
        # numbers (a dict with a "comment" that is not text would crash here).
        if question.question_type == "scale":
            return answers, None
        return super()._extract_comment_from_answers(question, answers)
