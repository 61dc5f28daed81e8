from . import survey_question
from . import survey_survey
from . import survey_user_input
from . import survey_user_input_line
from . import demo_gym
