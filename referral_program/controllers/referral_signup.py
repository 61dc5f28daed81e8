"""The referral link: ``/r/<code>`` shows the offer and the sign-up form
(GET) and signs the friend up (POST, with Odoo's CSRF token). A plain
controller in the portal layout: no Website app needed. Every check is the
server's, in ``referral.signup._sign_up``; a visit of the page is counted
once per address and day (``referral.link.visit``) for the funnel.

``/r/<code>`` is also the route of Odoo's short links (link_tracker, which
the mailings use for their tracked links): a code of a tracked link keeps
redirecting as before, any other code is a referral code.
"""

from odoo import http
from odoo.http import request

from odoo.addons.link_tracker.controller.main import LinkTracker


class ReferralLinkController(LinkTracker):
    @http.route()
    def full_url_redirect(self, code, **post):
        if request.env["link.tracker"].sudo().get_url_from_code(code):
            return super().full_url_redirect(code, **post)
        Signup = request.env["referral.signup"].sudo()
        if request.httprequest.method == "POST":
            page = Signup._sign_up(
                code,
                name=post.get("name"),
                phone=post.get("phone"),
                email=post.get("email"),
                consent=post.get("consent"),
                ip_address=request.httprequest.remote_addr,
            )
        else:
            page = Signup._page_values(code)
            request.env["referral.link.visit"].sudo()._record_visit(
                page["referrer"], request.httprequest.remote_addr, is_bot=request.env["ir.http"].is_a_bot()
            )
            page.update(state="form" if page["referrer"] else "unknown", status=200 if page["referrer"] else 404)
        status = page.pop("status", 200)
        return request.render("referral_program.referral_signup_page", page, status=status)
