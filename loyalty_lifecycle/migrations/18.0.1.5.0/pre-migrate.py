"""18.0.1.5.0, journeys started on an event (first paid purchase, points
credited, points about to expire, birthday) have no stage: the stage of a
journey is required only for the journeys started on entering a stage (a
constraint), no longer by the database. The existing journeys keep starting
on their stage (the new trigger's default)."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("ALTER TABLE lifecycle_journey ALTER COLUMN stage_id DROP NOT NULL"))
