from . import referral_referrer_change
