from odoo import fields, models

from ..icsoe import cfdi
from .payroll_cfdi import BACKGROUND_PARAMS
from .periodic_report import BACKGROUND_LINES


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
    l10n_mx_icsoe_pending_renewal_valid = fields.Boolean(
        related="company_id.l10n_mx_icsoe_pending_renewal_valid", readonly=False
    )
    l10n_mx_icsoe_filings_since = fields.Date(
        related="company_id.l10n_mx_icsoe_filings_since", readonly=False
    )
    l10n_mx_icsoe_missing_holiday_years = fields.Char(
        string="Years without Non-Working Days",
        compute="_compute_l10n_mx_icsoe_missing_holiday_years",
        help="This year or the next have no day in the non-working days table.",
    )
    # Limits of one payroll CFDI import (wizard or command): system parameters,
    # read by models/payroll_cfdi.py (0 or empty: the default).
    l10n_mx_icsoe_import_max_file_mb = fields.Integer(
        string="Largest file (MiB)",
        config_parameter="l10n_mx_icsoe.import_max_file_mb",
        default=cfdi.MAX_FILE_BYTES // cfdi.MIB,
    )
    l10n_mx_icsoe_import_max_total_mb = fields.Integer(
        string="Total size (MiB)",
        config_parameter="l10n_mx_icsoe.import_max_total_mb",
        default=cfdi.MAX_IMPORT_BYTES // cfdi.MIB,
    )
    l10n_mx_icsoe_import_max_files = fields.Integer(
        string="Most files",
        config_parameter="l10n_mx_icsoe.import_max_files",
        default=cfdi.MAX_IMPORT_FILES,
    )
    l10n_mx_icsoe_import_max_ratio = fields.Integer(
        string="Compression ratio",
        config_parameter="l10n_mx_icsoe.import_max_ratio",
        default=cfdi.MAX_ZIP_RATIO,
    )
    # Reports above it are generated and confirmed by a background job
    # (models/job_report.py).
    l10n_mx_icsoe_background_lines = fields.Integer(
        string="Background work above (lines)",
        config_parameter="l10n_mx_icsoe.background_lines",
        default=BACKGROUND_LINES,
    )
    # Uploads above either are imported as a background job (models/job_cfdi_import.py).
    l10n_mx_icsoe_import_background_files = fields.Integer(
        string="Background import above (files)",
        config_parameter="l10n_mx_icsoe.import_background_files",
        default=BACKGROUND_PARAMS["files"][1],
    )
    l10n_mx_icsoe_import_background_mb = fields.Integer(
        string="Background import above (MiB)",
        config_parameter="l10n_mx_icsoe.import_background_mb",
        default=BACKGROUND_PARAMS["bytes"][1],
    )

    def _compute_l10n_mx_icsoe_missing_holiday_years(self):
        year = self.env["l10n_mx_icsoe.filing"]._today_mexico().year
        missing = self.env["l10n_mx_icsoe.holiday"]._missing_years([year, year + 1])
        for settings in self:
            settings.l10n_mx_icsoe_missing_holiday_years = (
                ", ".join(str(y) for y in missing) or False
            )

    def action_l10n_mx_icsoe_open_company(self):
        """Settings: the company's ICSOE data (contact, address, RFC)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.company",
            "res_id": self.company_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_l10n_mx_icsoe_open_registrations(self):
        """Settings: the company's REPSE registrations."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_mx_icsoe.action_repse_registration"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        action["context"] = {"default_company_id": self.company_id.id}
        return action
