from . import portal_loyalty
