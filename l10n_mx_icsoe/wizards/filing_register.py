import re
from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.filing import MEXICO_TZ

TIME_RE = re.compile(r"(?P<h>\d{1,2})[:h](?P<m>\d{2})")


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
    filed_time = fields.Char(
        string="Presentation Time",
        required=True,
        help="Hour and minute on the acuse (Mexico City time), as HH:MM, e.g. 13:45.",
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

    def _filed_hours_minutes(self):
        """(hours, minutes) of the Presentation Time: "HH:MM" (or decimal hours)."""
        self.ensure_one()
        text = (self.filed_time or "").strip()
        hours = minutes = None
        match = TIME_RE.fullmatch(text)
        if match:
            hours, minutes = int(match["h"]), int(match["m"])
        else:
            try:
                value = float(text.replace(",", "."))
            except ValueError:
                value = None
            if value is not None and 0 <= value < 24:
                hours, minutes = divmod(round(value * 60), 60)
        if hours is None or not (0 <= hours <= 23 and 0 <= minutes <= 59):
            raise UserError(
                self.env._(
                    "%(filing)s: the Presentation Time %(time)s is not a time of day; "
                    "type the hour and minute printed on the acuse as HH:MM (00:00 to "
                    "23:59), e.g. 13:45.",
                    filing=self.filing_id.display_name,
                    time=repr(text),
                )
            )
        return hours, minutes

    def _filed_datetime_utc(self):
        self.ensure_one()
        hours, minutes = self._filed_hours_minutes()
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
