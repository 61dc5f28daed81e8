from . import referral_signup
