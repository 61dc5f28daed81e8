"""18.0.1.4.0, a journey can stop only when the customer buys a membership.

The default Retention and Win-back journeys stop on a renewal, not on a drink
at the bar (their data is not updated on an existing database)."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """
            UPDATE lifecycle_journey j
               SET stop_products = 'membership'
              FROM ir_model_data d
             WHERE d.model = 'lifecycle.journey' AND d.res_id = j.id AND d.module = 'loyalty_lifecycle'
               AND d.name IN ('lifecycle_journey_retention', 'lifecycle_journey_winback')
            """
        )
    )
