"""18.0.1.2.0, companies kept apart in the lifecycle: stage rules, customers
per stage and stage history carry a company.

The update gave every existing row the main company (the new columns'
default). Rules that existed applied to every company's customers: they
become shared rules, which each company's run applies to its own customers
and purchases. History lines of a customer of a company go to that company;
lines without a reason were moves by hand."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("UPDATE lifecycle_stage_rule SET company_id = NULL"))
    cr.execute(
        SQL(
            """
            UPDATE lifecycle_stage_history h
               SET company_id = p.company_id
              FROM res_partner p
             WHERE p.id = h.partner_id AND p.company_id IS NOT NULL AND h.company_id IS DISTINCT FROM p.company_id
            """
        )
    )
    cr.execute(SQL("UPDATE lifecycle_stage_history SET manual = (rule_id IS NULL AND reason IS NULL)"))
