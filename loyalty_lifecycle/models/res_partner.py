"""What the Customer Base adds to every contact, and who may set it.

The features have their own files: res_partner_lifecycle.py (stages, moves,
holds, history), res_partner_segmentation.py (ABC-XYZ classes, LTV),
res_partner_points.py (loyalty points), res_partner_pos.py (what the till
shows), res_partner_phone_search.py (finding a customer by phone). Each adds
its fields to the guards below through ``_customer_base_fields`` and
``_customer_base_server_fields``.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# Who reads the customer base on a contact: its staff, and the cashiers for
# what the till shows. Portal and public users, and employees without either
# right, read none of it.
CUSTOMER_BASE_USER = "loyalty_lifecycle.loyalty_lifecycle_group_user"
CUSTOMER_BASE_OR_POS = "loyalty_lifecycle.loyalty_lifecycle_group_user,point_of_sale.group_pos_user"
# The hold of a stage set by hand: the server's alone (res_partner_lifecycle.py).
HOLD_FIELDS = ("lifecycle_manual_date", "lifecycle_hold_until")


class ResPartner(models.Model):
    _inherit = "res.partner"

    birthday = fields.Date(
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,
        help="For birthday greetings and the 'days until birthday' condition of the stage rules.",
    )

    # The cashier asks for the consent when registering a customer at the till.
    marketing_consent = fields.Boolean(
        "Accepts Offers",
        tracking=True,
        copy=False,
        groups=CUSTOMER_BASE_OR_POS,
        help="The customer agreed to receive offers by SMS and email. Without it, only transactional "
        "messages (receipts, points about to expire) are sent.",
    )
    marketing_consent_date = fields.Datetime(
        "Consent Changed On", readonly=True, copy=False, groups=CUSTOMER_BASE_OR_POS
    )

    # ------------------------------------------------------------------
    # Who may set what: the fields' groups decide who reads and writes them
    # (Odoo checks them on write, not on create); some are the server's alone.
    # The create/write below check the values first, then set what only the
    # server sets; a stage written through write() is a move by hand (see
    # res_partner_lifecycle.py).
    # ------------------------------------------------------------------
    @api.model
    def _customer_base_fields(self):
        """Names of the fields the customer base adds to contacts (extended
        by each feature and by the other Customer Base addons)."""
        return {"birthday", "marketing_consent", "marketing_consent_date"}

    @api.model
    def _customer_base_server_fields(self):
        """{field name: why no user sets it}: fields only the server writes."""
        return {
            "marketing_consent_date": _("The date of the consent is set when the consent changes."),
        }

    @api.model
    def _check_customer_base_values(self, vals_list):
        """Refuse the values of ``vals_list`` the current user may not set."""
        if self.env.su:
            return
        names = {name for vals in vals_list for name in vals} & self._customer_base_fields()
        if not names:
            return
        self.check_field_access_rights("write", sorted(names))
        server_fields = self._customer_base_server_fields()
        refused = sorted(names & set(server_fields))
        if refused:
            raise AccessError(server_fields[refused[0]])

    @api.model_create_multi
    def create(self, vals_list):
        self._check_customer_base_values(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("lifecycle_stage_id") and not vals.get("lifecycle_stage_date"):
                vals["lifecycle_stage_date"] = now
            if vals.get("marketing_consent") and not vals.get("marketing_consent_date"):
                vals["marketing_consent_date"] = now
            # Whoever creates a customer in a stage chose it by hand; the hold
            # is the server's to set, never the client's.
            for key in HOLD_FIELDS:
                vals.pop(key, None)
        partners = super().create(vals_list)
        staged = partners.filtered("lifecycle_stage_id")
        if staged:
            staged._lifecycle_hold()
            staged._log_stage_changes(dict.fromkeys(staged, (False, False)))
        return partners

    def write(self, vals):
        self._check_customer_base_values([vals])
        if "marketing_consent" in vals:
            # The date the consent was given or withdrawn, set by the server.
            changed = self.filtered(lambda p: p.marketing_consent != bool(vals["marketing_consent"]))
            if changed:
                super(ResPartner, changed).write({"marketing_consent_date": fields.Datetime.now()})
        if "lifecycle_manual_date" in vals or "lifecycle_hold_until" in vals:
            # The hold is the server's (moves by hand set it, the rules lift it).
            vals = {key: value for key, value in vals.items() if key not in HOLD_FIELDS}
        if "lifecycle_stage_id" not in vals:
            return super().write(vals)
        # A stage written through write() is a move by hand (the kanban, the
        # form, an import, any RPC client), whatever the context says.
        return self._write_lifecycle_stage(vals)
