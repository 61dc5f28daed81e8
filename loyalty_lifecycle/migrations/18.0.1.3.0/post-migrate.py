"""18.0.1.3.0, the company that set a customer's stage.

A shared customer (no company) shows on the stage board of the company that
set their stage, not of every company. Existing customers in a stage get it
from their latest stage history line."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """
            UPDATE res_partner p
               SET lifecycle_stage_company_id = last.company_id
              FROM (
                    SELECT DISTINCT ON (partner_id) partner_id, company_id
                      FROM lifecycle_stage_history
                     ORDER BY partner_id, date DESC, id DESC
                   ) last
             WHERE last.partner_id = p.id AND p.lifecycle_stage_id IS NOT NULL
            """
        )
    )
