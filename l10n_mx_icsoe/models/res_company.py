from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_icsoe_email = fields.Char(
        string="ICSOE Contact E-mail",
        help="IMSS sends its ICSOE notices to the last e-mail given in the portal.",
    )
    l10n_mx_icsoe_phone = fields.Char(string="ICSOE Contact Phone")
    l10n_mx_icsoe_csv_header = fields.Boolean(
        string="Header Row in Worker CSV",
        help="Write 'NSS,CURP,SBC' as the first line of each worker file. The IMSS "
        "template's choice is not confirmed: check what the portal accepts.",
    )
    l10n_mx_icsoe_max_complementary = fields.Integer(
        string="Max. Complementarias per Period",
        default=4,
        help="Corrección and Sin efectos filings allowed per period (Lineamientos 5.6, "
        "as reported; not confirmed). 0 means no limit.",
    )
    l10n_mx_icsoe_responsible_id = fields.Many2one(
        "res.users",
        string="ICSOE Responsible",
        help="Gets the filing to-dos, the reminders before each deadline and the REPSE "
        "renewal alerts (the administrator when empty).",
    )
    l10n_mx_icsoe_reminder_days = fields.Char(
        string="ICSOE Reminder Days",
        default="7,2",
        help="Days before the legal deadline on which the responsible user is reminded, "
        "comma-separated.",
    )
    l10n_mx_icsoe_pending_renewal_valid = fields.Boolean(
        string="Pending REPSE Renewal Keeps Validity",
        default=True,
        help="A REPSE registration whose renewal was requested inside the 3-month "
        "window stays valid after its expiry until the renewal is recorded. Whether the "
        "STPS treats a pending renewal so is not confirmed: untick to treat the "
        "registration as expired on its expiry date whatever happens to the request.",
    )
    l10n_mx_icsoe_filings_since = fields.Date(
        string="ICSOE Tracked Since",
        help="Periods ending before this date were filed outside Odoo: the daily job "
        "neither prepares nor flags them. Empty: every period since the first REPSE "
        "registration.",
    )
    l10n_mx_icsoe_repse_ids = fields.One2many(
        "l10n_mx_icsoe.repse.registration", "company_id", string="REPSE Registrations"
    )
