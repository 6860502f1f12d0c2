from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_mx_icsoe_responsible_id = fields.Many2one(
        related="company_id.l10n_mx_icsoe_responsible_id", readonly=False
    )
    l10n_mx_icsoe_reminder_days = fields.Char(
        related="company_id.l10n_mx_icsoe_reminder_days", readonly=False
    )
    l10n_mx_icsoe_csv_header = fields.Boolean(
        related="company_id.l10n_mx_icsoe_csv_header", readonly=False
    )
    l10n_mx_icsoe_max_complementary = fields.Integer(
        related="company_id.l10n_mx_icsoe_max_complementary", readonly=False
    )
