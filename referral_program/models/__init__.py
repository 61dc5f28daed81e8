from . import res_partner
from . import demo_gym
