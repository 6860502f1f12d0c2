# Copyright 2026 l10n_mx_icsoe contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mexico - ICSOE (IMSS specialised-services contracts)",
    "summary": "Prepare, check, file and correct the IMSS ICSOE cuatrimestral "
    "informativa of REPSE specialised-service contracts",
    "version": "18.0.1.0.0",
    "category": "Human Resources",
    "website": "https://github.com/l10n-mx-icsoe/l10n_mx_icsoe",
    "author": "l10n_mx_icsoe contributors",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "countries": ["mx"],
    "depends": ["mail", "hr", "l10n_mx_hr"],
    "external_dependencies": {"python": ["python-stdnum"]},
    "data": [
        "security/l10n_mx_icsoe_security.xml",
        "security/ir.model.access.csv",
        "data/l10n_mx_icsoe_uma_data.xml",
        "data/l10n_mx_icsoe_holiday_data.xml",
        "data/l10n_mx_icsoe_cron.xml",
        "report/capture_sheet.xml",
        "views/l10n_mx_icsoe_menus.xml",
        "views/filing_views.xml",
        "views/repse_registration_views.xml",
        "views/contract_views.xml",
        "views/res_company_views.xml",
        "views/res_partner_views.xml",
        "views/hr_employee_views.xml",
        "views/uma_views.xml",
        "views/holiday_views.xml",
        "views/overview_views.xml",
        "views/cfdi_import_views.xml",
    ],
    "demo": [
        "demo/l10n_mx_icsoe_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "l10n_mx_icsoe/static/src/dashboard/dashboard.js",
            "l10n_mx_icsoe/static/src/dashboard/dashboard.xml",
            "l10n_mx_icsoe/static/src/dashboard/dashboard.scss",
        ],
        "web.assets_tests": ["l10n_mx_icsoe/static/tests/tours/**/*"],
    },
    "installable": True,
    "application": True,
}
