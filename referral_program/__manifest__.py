# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
{
    "name": "Customer Base: Referral Program",
    "summary": "Customers recruit customers: personal referral codes, who brought whom, points when the friend pays",
    "version": "18.0.1.1.0",
    "category": "Sales/Customer Base",
    "website": "https://github.com/customer-base/customer-base",
    "author": "Customer Base Team",
    "maintainers": ["customer-base"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "depends": ["loyalty_lifecycle", "portal", "link_tracker"],
    "data": [
        "security/referral_program_security.xml",
        "security/ir.model.access.csv",
        "views/res_partner_views.xml",
        "views/loyalty_program_views.xml",
        "views/referral_reward_views.xml",
        "views/referral_signup_views.xml",
        "views/referral_signup_templates.xml",
        "views/portal_loyalty_templates.xml",
        "views/referral_review_views.xml",
        "wizard/referral_referrer_change_views.xml",
        "wizard/referral_reward_reject_views.xml",
        "views/referral_program_menus.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "referral_program/static/src/pos/**/*",
        ],
        "web.assets_tests": [
            "referral_program/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/res_partner_demo.xml",
    ],
}
