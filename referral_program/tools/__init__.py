from . import referral_code
