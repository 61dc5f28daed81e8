from . import abc_xyz
