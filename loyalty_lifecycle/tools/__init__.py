from . import abc_xyz
from . import journey_stats
