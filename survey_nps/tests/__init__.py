from . import test_nps_maths
from . import test_nps_survey
from . import test_nps_input
from . import test_nps_loop
from . import test_nps_report
from . import test_nps_invite
from . import test_nps_promoter_journey
from . import test_nps_pos
