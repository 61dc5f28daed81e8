from . import lifecycle_stage
from . import res_partner
