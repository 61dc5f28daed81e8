from . import test_abc_xyz_maths
from . import test_abc_xyz
from . import test_purchase_facts_pos
from . import test_foundation
from . import test_points_maths
from . import test_points_ledger
from . import test_points_pos
from . import test_points_concurrency
