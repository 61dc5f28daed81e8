# Kept apart from res_partner.py (the fields common to the customer base) on purpose:
# pylint: disable=consider-merging-classes-inherited
from odoo import _, api, fields, models

from .res_partner import CUSTOMER_BASE_OR_POS

BIRTHDAY_HINT_DAYS = 7


class ResPartner(models.Model):
    """What the till shows about a customer: the stage, the ABC-XYZ class,
    a birthday coming soon, the points about to expire and the tier (the
    fields are loaded with the customers of a POS session)."""

    _inherit = "res.partner"

    pos_lifecycle_stage = fields.Char(
        related="lifecycle_stage_id.name", string="Stage (POS)", groups=CUSTOMER_BASE_OR_POS
    )
    pos_birthday_hint = fields.Char(
        compute="_compute_pos_birthday_hint", string="Birthday Hint", groups=CUSTOMER_BASE_OR_POS
    )

    @api.depends("birthday")
    @api.depends_context("tz")
    def _compute_pos_birthday_hint(self):
        today = fields.Date.context_today(self)
        for partner in self:
            days = partner._days_until_birthday(today)
            if days is None or days > BIRTHDAY_HINT_DAYS:
                partner.pos_birthday_hint = False
            elif days == 0:
                partner.pos_birthday_hint = _("Birthday today")
            elif days == 1:
                partner.pos_birthday_hint = _("Birthday tomorrow")
            else:
                partner.pos_birthday_hint = _("Birthday in %(days)s days", days=days)

    def _days_until_birthday(self, today):
        """Days to the next birthday, 0 on the day; 29 February is kept on
        28 February in other years (as in the stage rules)."""
        if not self.birthday:
            return None
        for year in (today.year, today.year + 1):
            try:
                next_birthday = self.birthday.replace(year=year)
            except ValueError:
                next_birthday = self.birthday.replace(year=year, day=28)
            if next_birthday >= today:
                return (next_birthday - today).days
        return None  # unreachable

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + [
            "pos_lifecycle_stage",
            "abc_xyz_class",
            "pos_birthday_hint",
            "loyalty_points_expiring",
            "loyalty_points_tier",
        ]
