# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
{
    "name": "Customer Base: NPS Surveys",
    "summary": "Net Promoter Score on Odoo Surveys: promoters, passives, detractors and the score per survey",
    "version": "18.0.1.2.0",
    "category": "Sales/Customer Base",
    "website": "https://github.com/customer-base/customer-base",
    "author": "Customer Base Team",
    "maintainers": ["customer-base"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "depends": ["loyalty_lifecycle", "survey"],
    "data": [
        "security/ir.model.access.csv",
        "security/survey_nps_security.xml",
        "data/survey_nps_data.xml",
        "data/mailing_nps_invite_data.xml",
        "data/ir_cron_data.xml",
        "views/survey_survey_views.xml",
        "views/survey_user_input_views.xml",
        "report/survey_nps_report_views.xml",
        "views/survey_nps_menus.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "survey_nps/static/src/pos/**/*",
        ],
        "web.assets_tests": [
            "survey_nps/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/survey_demo.xml",
    ],
}
