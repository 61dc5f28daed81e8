from . import referral_referrer_change
from . import referral_reward_reject
