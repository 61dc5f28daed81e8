from . import nps
