"""The customer's own loyalty page in Odoo's portal: ``/my/loyalty`` for a
logged-in portal user (their own customer record), and
``/my/loyalty/<token>`` for the personal link mailings carry (a token the
server signed for one customer, res_partner_portal.py). The page never takes
a customer's id from the visitor."""

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class LoyaltyPortal(CustomerPortal):
    @http.route("/my/loyalty", type="http", auth="user", website=True, methods=["GET"])
    def my_loyalty(self, **_kwargs):
        partner = request.env.user.partner_id
        return self._render_my_loyalty(partner, dict(self._prepare_portal_layout_values(), page_name="my_loyalty"))

    @http.route("/my/loyalty/<string:token>", type="http", auth="public", website=True, methods=["GET"])
    def my_loyalty_by_link(self, token, **_kwargs):
        partner = request.env["res.partner"]._loyalty_portal_partner(token)
        if not partner:
            return request.render("loyalty_lifecycle.portal_my_loyalty_invalid", {}, status=404)
        return self._render_my_loyalty(partner, {"no_breadcrumbs": True})

    def _render_my_loyalty(self, partner, values):
        values.update(partner._loyalty_portal_values())
        return request.render("loyalty_lifecycle.portal_my_loyalty", values)
