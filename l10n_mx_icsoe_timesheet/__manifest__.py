# Copyright 2026 l10n_mx_icsoe contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mexico - ICSOE Assignments from Timesheets",
    "summary": "Propose the workers of an ICSOE specialised-service contract from "
    "the timesheets of its project",
    "version": "18.0.1.0.0",
    "category": "Human Resources",
    "website": "https://github.com/l10n-mx-icsoe/l10n_mx_icsoe",
    "author": "l10n_mx_icsoe contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "countries": ["mx"],
    "depends": ["l10n_mx_icsoe", "hr_timesheet"],
    "data": [
        "security/ir.model.access.csv",
        "wizards/timesheet_assign_views.xml",
        "views/contract_views.xml",
    ],
    "demo": [
        "demo/l10n_mx_icsoe_timesheet_demo.xml",
    ],
}
