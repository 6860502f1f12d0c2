from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Per company: a product shared by several companies sells, in each one, the
    # service of that company's own REPSE registration (or none).
    l10n_mx_icsoe_service_id = fields.Many2one(
        "l10n_mx_icsoe.repse.service",
        string="REPSE Service",
        company_dependent=True,
        check_company=True,
        domain="[('company_id', '=', allowed_company_ids[0])]",
        groups="l10n_mx_icsoe.group_icsoe_user",
        help="The registered specialised service (REPSE) this product sells, in the "
        "current company. Confirming a sale order of it creates the ICSOE contract "
        "with the customer.",
    )
