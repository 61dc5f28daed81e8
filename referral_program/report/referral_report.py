"""The referrers' report: one row per referrer and company.

What a referrer's link and friends brought, from the records that already
keep it: visits of the link (``referral.link.visit``), sign-ups through it
(``referral.signup``, new or linked customers), the rewards paid on the
friends' payments (``referral.reward``: friends who paid, their paid
untaxed revenue, the points credited, those held for a manager's review as
pending; rejected and cancelled rewards count nowhere) and the referrer's
ledger (points still pending, points taken back by refunds). The chain depth is how many
levels of friends of friends hang below the referrer.

The company of a row is the company of its records: the link's company
for visits and sign-ups, the paying programme's for rewards and points.
"""

from odoo import fields, models, tools
from odoo.tools import SQL

# Referral chains cannot be circular (res.partner refuses it); the recursion
# stops there anyway.
MAX_CHAIN_DEPTH = 50


class ReferralReport(models.Model):
    _name = "referral.report"
    _description = "Referrers Analysis"
    _auto = False
    _order = "points_paid desc, signup_count desc, referrer_id"
    _rec_name = "referrer_id"
    _depends = {
        "referral.link.visit": ["referrer_id", "company_id"],
        "referral.signup": ["referrer_id", "company_id", "result"],
        "referral.reward": [
            "referrer_id", "friend_id", "company_id", "level", "kind", "source_model", "source_id", "payment_ref",
            "base_amount", "points", "state",
        ],
        "loyalty.points.entry": [
            "card_id", "partner_id", "company_id", "kind", "origin", "points", "remaining", "is_pending",
            "order_model", "order_id", "refund_of",
        ],
        "res.partner": ["referred_by_id"],
    }

    referrer_id = fields.Many2one("res.partner", "Referrer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Company Currency", readonly=True)
    visit_count = fields.Integer(
        "Link Visits", readonly=True, help="Visitors of the referral link, each counted once a day."
    )
    signup_count = fields.Integer(
        "Sign-ups", readonly=True, help="Friends who signed up through the link: new customers or linked ones."
    )
    paid_friend_count = fields.Integer(
        "Friends Who Paid", readonly=True, help="Friends brought by the referrer whose payments paid referral rewards."
    )
    revenue = fields.Monetary(
        "Friends' Paid Revenue",
        readonly=True,
        currency_field="currency_id",
        help="What the friends the referrer brought paid, untaxed, before refunds.",
    )
    points_paid = fields.Float(
        "Points Paid", digits=(16, 2), readonly=True, help="Referral points credited, every level of the chain."
    )
    points_pending = fields.Float(
        "Points Pending",
        digits=(16, 2),
        readonly=True,
        help="Referral points not spendable yet: held for a manager's review, or credited and still pending.",
    )
    points_taken_back = fields.Float(
        "Points Taken Back", digits=(16, 2), readonly=True, help="Referral points that refunds took back."
    )
    chain_depth = fields.Integer(
        readonly=True,
        aggregator="max",
        help="Levels of friends below the referrer: 1, friends only; 2, their friends too...",
    )

    def _query(self):
        return SQL(
            """
            WITH RECURSIVE below(ancestor_id, partner_id, depth) AS (
                SELECT p.referred_by_id, p.id, 1
                  FROM res_partner p
                 WHERE p.referred_by_id IS NOT NULL
                UNION ALL
                SELECT below.ancestor_id, p.id, below.depth + 1
                  FROM below
                  JOIN res_partner p ON p.referred_by_id = below.partner_id
                 WHERE below.depth < %(max_depth)s
            ),
            depth AS (
                SELECT ancestor_id AS referrer_id, MAX(depth) AS chain_depth FROM below GROUP BY ancestor_id
            ),
            payments AS (
                -- one row per payment of a friend's purchase: the level-1 reward
                SELECT DISTINCT ON (r.company_id, r.source_model, r.source_id, r.payment_ref)
                       r.referrer_id, r.company_id, r.friend_id, r.base_amount
                  FROM referral_reward r
                 WHERE r.level = 1 AND r.kind = 'percent' AND r.state IN ('paid', 'held')
                 ORDER BY r.company_id, r.source_model, r.source_id, r.payment_ref, r.id
            ),
            referral_lots AS (
                SELECT DISTINCT e.card_id, e.order_model || ',' || e.order_id AS reference
                  FROM loyalty_points_entry e
                 WHERE e.kind = 'earn' AND e.origin = 'referral' AND e.order_model IS NOT NULL
            ),
            facts AS (
                SELECT v.referrer_id, v.company_id, COUNT(*) AS visit_count, 0 AS signup_count,
                       0 AS paid_friend_count, 0 AS revenue, 0 AS points_paid, 0 AS points_pending,
                       0 AS points_taken_back
                  FROM referral_link_visit v
                 GROUP BY v.referrer_id, v.company_id
                UNION ALL
                SELECT s.referrer_id, s.company_id, 0, COUNT(*), 0, 0, 0, 0, 0
                  FROM referral_signup s
                 WHERE s.result IN ('created', 'linked') AND s.referrer_id IS NOT NULL
                 GROUP BY s.referrer_id, s.company_id
                UNION ALL
                SELECT pay.referrer_id, pay.company_id, 0, 0, COUNT(DISTINCT pay.friend_id), SUM(pay.base_amount),
                       0, 0, 0
                  FROM payments pay
                 GROUP BY pay.referrer_id, pay.company_id
                UNION ALL
                SELECT r.referrer_id, r.company_id, 0, 0, 0, 0,
                       SUM(r.points) FILTER (WHERE r.state = 'paid'), SUM(r.points) FILTER (WHERE r.state = 'held'), 0
                  FROM referral_reward r
                 WHERE r.state IN ('paid', 'held')
                 GROUP BY r.referrer_id, r.company_id
                UNION ALL
                SELECT e.partner_id, e.company_id, 0, 0, 0, 0, 0, SUM(e.remaining), 0
                  FROM loyalty_points_entry e
                 WHERE e.kind = 'earn' AND e.origin = 'referral' AND e.is_pending
                 GROUP BY e.partner_id, e.company_id
                UNION ALL
                SELECT e.partner_id, e.company_id, 0, 0, 0, 0, 0, 0, -SUM(e.points)
                  FROM loyalty_points_entry e
                  JOIN referral_lots lot ON lot.card_id = e.card_id AND lot.reference = e.refund_of
                 WHERE e.kind = 'reverse'
                 GROUP BY e.partner_id, e.company_id
            )
            SELECT ROW_NUMBER() OVER (ORDER BY facts.referrer_id, facts.company_id) AS id,
                   facts.referrer_id,
                   facts.company_id,
                   company.currency_id,
                   SUM(facts.visit_count)::integer AS visit_count,
                   SUM(facts.signup_count)::integer AS signup_count,
                   SUM(facts.paid_friend_count)::integer AS paid_friend_count,
                   SUM(facts.revenue) AS revenue,
                   SUM(facts.points_paid) AS points_paid,
                   SUM(facts.points_pending) AS points_pending,
                   SUM(facts.points_taken_back) AS points_taken_back,
                   COALESCE(MAX(depth.chain_depth), 0) AS chain_depth
              FROM facts
              LEFT JOIN res_company company ON company.id = facts.company_id
              LEFT JOIN depth ON depth.referrer_id = facts.referrer_id
             WHERE facts.referrer_id IS NOT NULL
             GROUP BY facts.referrer_id, facts.company_id, company.currency_id
            """,
            max_depth=MAX_CHAIN_DEPTH,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
