from . import survey_nps_report
