from . import controllers
from . import models
from . import report
from . import tools
from . import wizard

from odoo.tools import SQL


def post_init_hook(env):
    """Cards that existed before the points ledger get their balance as an
    opening lot."""
    env["loyalty.program"].search([("program_type", "=", "loyalty")])._points_open_balances()


def uninstall_hook(env):
    """Uninstalling drops the points ledger, the journeys, the stage history
    and the ABC-XYZ results with their tables. Empty them first: their rows point with
    ondelete="restrict" at records Odoo deletes before it drops the tables
    (the default stages, the demo cards and customers), which would otherwise
    fail with foreign-key errors in the log and leave those records behind.
    Then drop the index ``init()`` created on res_partner, a core table that
    stays."""
    cr = env.cr
    for table in (
        # the journeys (the demo gym's copies among them) point at the default
        # mailings and stages Odoo deletes first
        "lifecycle_journey_message",
        "lifecycle_journey_step_occurrence",
        "lifecycle_journey_participant",
        "lifecycle_journey_step",
        "lifecycle_journey",
        "loyalty_points_allocation",
        "loyalty_points_entry",
        "lifecycle_stage_history",
        "abc_xyz_snapshot",
    ):
        cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
    cr.execute(
        "UPDATE res_partner SET lifecycle_stage_id = NULL, lifecycle_stage_company_id = NULL"
        " WHERE lifecycle_stage_id IS NOT NULL"
    )
    cr.execute("DROP INDEX IF EXISTS res_partner_phone_sanitized_prefix_index")
