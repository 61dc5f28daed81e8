from . import referral_report
from . import referral_funnel_report
