# Copyright 2026 l10n_mx_icsoe contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mexico - ICSOE from Sale Orders",
    "summary": "Create and keep the ICSOE specialised-service contracts from the "
    "confirmed sale orders that sell a REPSE registered service",
    "version": "18.0.1.0.0",
    "category": "Human Resources",
    "website": "https://github.com/l10n-mx-icsoe/l10n_mx_icsoe",
    "author": "l10n_mx_icsoe contributors",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "countries": ["mx"],
    "depends": ["l10n_mx_icsoe", "sale_management"],
    "data": [
        "views/product_template_views.xml",
        "views/sale_order_views.xml",
        "views/contract_views.xml",
    ],
    "demo": [
        "demo/l10n_mx_icsoe_sale_demo.xml",
    ],
}
