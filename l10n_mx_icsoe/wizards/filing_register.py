from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.filing import MEXICO_TZ


class L10nMxIcsoeFilingRegister(models.TransientModel):
    """Record the IMSS presentation of a confirmed informativa: folio, date, acuse."""

    _name = "l10n_mx_icsoe.filing.register"
    _description = "Register ICSOE Presentation"

    filing_id = fields.Many2one("l10n_mx_icsoe.filing", required=True, readonly=True)
    imss_folio = fields.Char(string="IMSS Folio", required=True, help="e.g. N262253432")
    filed_date = fields.Date(
        string="Presentation Date",
        required=True,
        default=lambda self: self.env["l10n_mx_icsoe.filing"]._today_mexico(),
        help="As shown on the acuse (Mexico City time).",
    )
    filed_time = fields.Float(
        string="Presentation Time",
        help="Hour and minute on the acuse (Mexico City time).",
    )
    declared_contract_count = fields.Integer(
        string="Contracts Acknowledged",
        help="Number of contracts the IMSS portal shows in the acuse; it must match the "
        "informativa (IMSS inconsistency 7).",
    )
    acuse = fields.Binary(string="Acuse (PDF)", required=True)
    acuse_filename = fields.Char()
    line_ids = fields.One2many(
        "l10n_mx_icsoe.filing.register.line", "wizard_id", string="Contract Folios"
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        filing = self.env["l10n_mx_icsoe.filing"].browse(
            res.get("filing_id") or self.env.context.get("active_id")
        )
        if filing:
            res["filing_id"] = filing.id
            res["declared_contract_count"] = filing.contract_count
            res["line_ids"] = [
                fields.Command.create({"filing_contract_id": line.id})
                for line in filing.contract_line_ids.sorted("sequence")
            ]
        return res

    def _filed_datetime_utc(self):
        self.ensure_one()
        if not 0 <= self.filed_time < 24:
            raise UserError(
                self.env._("The Presentation Time must be between 00:00 and 23:59.")
            )
        hours, minutes = divmod(round(self.filed_time * 60), 60)
        if hours > 23:
            raise UserError(
                self.env._("The Presentation Time must be between 00:00 and 23:59.")
            )
        local = pytz.timezone(MEXICO_TZ).localize(
            datetime.combine(self.filed_date, time(hours, minutes))
        )
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def action_register(self):
        self.ensure_one()
        filing = self.filing_id
        filing._set_contract_folios(
            {
                line.filing_contract_id.id: line.imss_folio.strip()
                for line in self.line_ids.filtered("imss_folio")
            }
        )
        filing._register_filed(
            self.imss_folio,
            self._filed_datetime_utc(),
            self.acuse,
            self.acuse_filename or f"{filing._file_prefix()}_acuse.pdf",
            declared_count=self.declared_contract_count,
        )
        return {"type": "ir.actions.act_window_close"}


class L10nMxIcsoeFilingRegisterLine(models.TransientModel):
    _name = "l10n_mx_icsoe.filing.register.line"
    _description = "Register ICSOE Presentation: Contract Folio"

    wizard_id = fields.Many2one(
        "l10n_mx_icsoe.filing.register", required=True, ondelete="cascade"
    )
    filing_contract_id = fields.Many2one(
        "l10n_mx_icsoe.filing.contract", string="Contract", required=True, readonly=True
    )
    imss_folio = fields.Char(string="IMSS Contract Folio")
