from . import abc_xyz_snapshot
from . import abc_xyz_run
from . import lifecycle_stage
from . import lifecycle_stage_history
from . import res_company
from . import res_config_settings
from . import res_partner
