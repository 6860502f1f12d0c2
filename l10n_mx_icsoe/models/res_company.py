from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_icsoe_email = fields.Char(
        string="ICSOE Contact E-mail",
        help="IMSS sends its ICSOE notices to the last e-mail given in the portal.",
    )
    l10n_mx_icsoe_phone = fields.Char(string="ICSOE Contact Phone")
    l10n_mx_icsoe_repse_ids = fields.One2many(
        "l10n_mx_icsoe.repse.registration", "company_id", string="REPSE Registrations"
    )
