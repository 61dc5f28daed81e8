"""18.0.1.1.0, the points ledger: cards that existed before it get their
balance as an opening lot."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["loyalty.program"].search([("program_type", "=", "loyalty")])._points_open_balances()
