from . import referral_code
from . import referral_rewards
