from . import res_partner
from . import res_partner_quick_customer
from . import demo_gym
