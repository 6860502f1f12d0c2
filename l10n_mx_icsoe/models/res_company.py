from odoo import api, fields, models


# The company's ICSOE data here; what the overview computes from the reports in
# overview.py (it reads both reports' models).
class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

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
    # SISUB (INFONAVIT)
    l10n_mx_icsoe_nrp_ids = fields.One2many(
        "l10n_mx_icsoe.nrp",
        "company_id",
        string="Registros Patronales",
        help="The company's IMSS employer registration numbers; one is the Principal, "
        "with which the INFONAVIT portal is entered.",
    )
    l10n_mx_icsoe_deed = fields.Binary(
        string="Articles of Incorporation (PDF)",
        attachment=True,
        help="Escritura constitutiva (a persona física: constancia de situación "
        "fiscal). The SISUB report uploads it as '1a_SISUB_Ley_29_bis_Escritura "
        "Constitutiva'.",
    )
    l10n_mx_icsoe_deed_filename = fields.Char()
    l10n_mx_icsoe_sisub_client_nrp_rule = fields.Selection(
        [
            ("contractor", "Repeat the company's principal NRP"),
            ("placeholder", "Write the placeholder"),
        ],
        string="Client without NRP",
        default="contractor",
        required=True,
        help="What the SISUB contracts file says for a client that has no registro "
        "patronal. One source says to repeat the contractor's NRP, or to use a 1-9 "
        "convention; neither is confirmed by INFONAVIT material.",
    )
    l10n_mx_icsoe_sisub_client_nrp_placeholder = fields.Char(
        string="Client NRP Placeholder",
        default="12345678901",
        help="Written for a client without registro patronal when the rule is "
        "'Write the placeholder' (the '1-9 convention' as reported; not confirmed).",
    )
    l10n_mx_icsoe_sisub_csv_header = fields.Boolean(
        string="Header Row in SISUB CSVs",
        default=True,
        help="Write the column names as the first line of each SISUB CSV, as INFONAVIT's "
        "Excel guides carry them. Not confirmed: untick if the portal refuses it.",
    )

    @api.onchange("l10n_mx_icsoe_phone")
    def _onchange_l10n_mx_icsoe_phone(self):
        """Stored in Odoo's international format (phone_validation), as partner phones."""
        if self.l10n_mx_icsoe_phone:
            self.l10n_mx_icsoe_phone = (
                self._phone_format(
                    number=self.l10n_mx_icsoe_phone,
                    country=self.country_id or self.env.ref("base.mx"),
                    force_format="INTERNATIONAL",
                )
                or self.l10n_mx_icsoe_phone
            )
