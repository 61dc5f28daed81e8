from . import test_referral_code
from . import test_referral
from . import test_referral_rights
from . import test_quick_customer_referral
