"""Wizards of the SISUB report: register the presentation, record INFONAVIT's answer."""

from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.periodic_report import MEXICO_TZ


class L10nMxIcsoeSisubRegister(models.TransientModel):
    """Record the presentation of a confirmed SISUB report: folio, date, acuse."""

    _name = "l10n_mx_icsoe.sisub.register"
    _description = "Register SISUB Presentation"

    sisub_id = fields.Many2one("l10n_mx_icsoe.sisub", required=True, readonly=True)
    infonavit_folio = fields.Char(
        string="INFONAVIT Folio",
        required=True,
        help="The folio of the upload, as shown in Seguimiento a folio.",
    )
    filed_date = fields.Date(
        string="Presentation Date",
        required=True,
        default=lambda self: self.env["l10n_mx_icsoe.sisub"]._today_mexico(),
        help="As shown on the acuse (Mexico City time).",
    )
    filed_time = fields.Float(
        string="Presentation Time",
        help="Hour and minute on the acuse (Mexico City time).",
    )
    acuse = fields.Binary(string="Acuse (PDF)", required=True)
    acuse_filename = fields.Char()

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if not res.get("sisub_id") and self.env.context.get("active_model") in (
            None,
            "l10n_mx_icsoe.sisub",
        ):
            res["sisub_id"] = self.env.context.get("active_id")
        return res

    def _filed_datetime_utc(self):
        """The date and time on the acuse (Mexico City) in UTC."""
        self.ensure_one()
        hours, minutes = divmod(round((self.filed_time or 0.0) * 60), 60)
        if not 0 <= self.filed_time < 24 or hours > 23:
            raise UserError(
                self.env._(
                    "%(report)s: the Presentation Time must be between 00:00 and 23:59.",
                    report=self.sisub_id.display_name,
                )
            )
        local = pytz.timezone(MEXICO_TZ).localize(
            datetime.combine(self.filed_date, time(hours, minutes))
        )
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def action_register(self):
        self.ensure_one()
        report = self.sisub_id
        report._register_filed(
            self.infonavit_folio,
            self._filed_datetime_utc(),
            self.acuse,
            self.acuse_filename or f"{report._file_prefix()}_acuse.pdf",
        )
        return {"type": "ir.actions.act_window_close"}


class L10nMxIcsoeSisubResult(models.TransientModel):
    """Record INFONAVIT's answer to a filed SISUB report, or load its error file."""

    _name = "l10n_mx_icsoe.sisub.result"
    _description = "Record INFONAVIT Answer"

    sisub_id = fields.Many2one("l10n_mx_icsoe.sisub", required=True, readonly=True)
    mode = fields.Selection(
        [("answer", "Answer"), ("error_file", "Error file only")],
        default="answer",
        required=True,
    )
    result = fields.Selection(
        [("accepted", "Accepted"), ("rejected", "Rejected")],
        string="INFONAVIT Answer",
        default="accepted",
    )
    result_date = fields.Date(
        string="Answer Date",
        default=lambda self: self.env["l10n_mx_icsoe.sisub"]._today_mexico(),
    )
    note = fields.Text(string="Notes", help="What INFONAVIT said, e.g. its e-mail.")
    acuse = fields.Binary(
        string="Acceptance Acuse (PDF)",
        help="The acuse of the accepted report, from Seguimiento a folio.",
    )
    acuse_filename = fields.Char()
    error_file = fields.Binary(
        help="The file INFONAVIT returns with the rejection (Logmensaje, CSV).",
    )
    error_filename = fields.Char()

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if not res.get("sisub_id") and self.env.context.get("active_model") in (
            None,
            "l10n_mx_icsoe.sisub",
        ):
            res["sisub_id"] = self.env.context.get("active_id")
        return res

    def action_record(self):
        self.ensure_one()
        report = self.sisub_id
        if self.mode == "error_file":
            if not self.error_file:
                raise UserError(
                    self.env._(
                        "%(report)s: choose the Error File INFONAVIT sent.",
                        report=report.display_name,
                    )
                )
            report.action_load_error_file(self.error_file, self.error_filename)
            return {"type": "ir.actions.act_window_close"}
        if not self.result or not self.result_date:
            raise UserError(
                self.env._(
                    "%(report)s: give INFONAVIT's answer and its date.",
                    report=report.display_name,
                )
            )
        report._register_result(
            self.result,
            self.result_date,
            note=self.note,
            acuse=self.acuse,
            acuse_filename=self.acuse_filename,
            error_file=self.error_file if self.result == "rejected" else None,
            error_filename=self.error_filename,
        )
        return {"type": "ir.actions.act_window_close"}
