from . import models
from . import report
from . import tools
from . import wizard


def post_init_hook(env):
    """Cards that existed before the points ledger get their balance as an
    opening lot."""
    env["loyalty.program"].search([("program_type", "=", "loyalty")])._points_open_balances()
