"""The referral funnel: link visit -> sign-up -> first paid purchase.

One row per step a friend took, dated the day they took it, with the
referrer whose link it was: a visit of the link (one per visitor and day,
``referral.link.visit``), a sign-up through it that made or linked a customer
(``referral.signup``), and the first payment of a friend who signed up
through that link (their first level-1 ``referral.reward``: the referrals
are paid only when the friend pays). Counted per step, grouped by referrer
or by period, the rows draw the funnel.
"""

from odoo import fields, models, tools
from odoo.tools import SQL

STEPS = [("visit", "Link Visit"), ("signup", "Sign-up"), ("purchase", "First Paid Purchase")]


class ReferralFunnelReport(models.Model):
    _name = "referral.funnel.report"
    _description = "Referral Funnel"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "step"
    _depends = {
        "referral.link.visit": ["referrer_id", "company_id", "date"],
        "referral.signup": ["referrer_id", "partner_id", "company_id", "result", "create_date"],
        "referral.reward": ["referrer_id", "friend_id", "company_id", "level", "date"],
    }

    step = fields.Selection(STEPS, readonly=True, group_expand=True)
    date = fields.Date(readonly=True)
    referrer_id = fields.Many2one("res.partner", "Referrer", readonly=True)
    partner_id = fields.Many2one("res.partner", "Friend", readonly=True, help="Who signed up, or paid.")
    company_id = fields.Many2one("res.company", readonly=True)

    def _query(self):
        # ids: three interleaved sequences, one per step
        return SQL(
            """
            SELECT v.id * 3 AS id, 'visit' AS step, v.date, v.referrer_id, NULL::integer AS partner_id, v.company_id
              FROM referral_link_visit v
            UNION ALL
            SELECT s.id * 3 + 1, 'signup', s.create_date::date, s.referrer_id, s.partner_id, s.company_id
              FROM referral_signup s
             WHERE s.result IN ('created', 'linked') AND s.referrer_id IS NOT NULL
            UNION ALL
            SELECT first.id * 3 + 2, 'purchase', first.date::date, first.referrer_id, first.friend_id, first.company_id
              FROM (
                    SELECT DISTINCT ON (r.friend_id, r.referrer_id, r.company_id)
                           r.id, r.date, r.referrer_id, r.friend_id, r.company_id
                      FROM referral_reward r
                     WHERE r.level = 1
                       AND EXISTS (
                            SELECT 1
                              FROM referral_signup s
                             WHERE s.partner_id = r.friend_id
                               AND s.referrer_id = r.referrer_id
                               AND s.result IN ('created', 'linked')
                           )
                     ORDER BY r.friend_id, r.referrer_id, r.company_id, r.date, r.id
                   ) first
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
