from pathlib import Path

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.payroll_cfdi import PayrollImport

STATUS = [("ok", "Ready"), ("skip", "Skipped"), ("error", "Error")]
MATCHES = [
    ("nss", "By NSS"),
    ("curp", "By CURP"),
    ("rfc", "By RFC"),
    ("new", "New worker"),
    ("none", "No worker"),
]


class L10nMxIcsoeCfdiImport(models.TransientModel):
    """ICSOE > Import payroll CFDI: preview first, then write in one transaction."""

    _name = "l10n_mx_icsoe.cfdi.import"
    _description = "Import Payroll CFDI"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    attachment_ids = fields.Many2many(
        "ir.attachment", string="Files", help="CFDI XML files, or ZIP archives of them."
    )
    create_employees = fields.Boolean(
        string="Create Missing Workers",
        help="Create a worker (name, RFC, CURP, NSS) for each CFDI whose receiver is "
        "not found by NSS, CURP or RFC.",
    )
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")],
        default="upload",
    )
    line_ids = fields.One2many(
        "l10n_mx_icsoe.cfdi.import.line", "wizard_id", string="Preview"
    )
    summary = fields.Text(readonly=True)

    def _files(self):
        """The uploads as (name, path) where they are in the filestore, so nothing is
        read before the import's limits allow it (a ZIP is streamed from disk);
        as (name, bytes) where they are kept in the database."""
        return [
            (a.name, Path(a._full_path(a.store_fname)) if a.store_fname else a.raw)
            for a in self.attachment_ids
        ]

    def _service(self):
        return PayrollImport(self.env, self.company_id, self.create_employees)

    def action_preview(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(
                self.env._(
                    "Import Payroll CFDI: no file to preview. Add the payroll CFDI XML "
                    "files, or ZIP archives of them, in Files."
                )
            )
        plan = self._service().plan(self._files())
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "filename": line.filename,
                    "uuid": line.uuid,
                    "worker": line.worker,
                    "match": line.match or False,
                    "employee_id": line.employee_id or False,
                    "nss": line.nss,
                    "curp": line.curp,
                    "sbc_date": line.sbc_date,
                    "sbc_change": _sbc_change(line),
                    "clients": line.clients,
                    "contracts": line.contract_names,
                    "problems": "\n".join(line.problems),
                    "status": line.status,
                }
            )
            for line in plan
        ]
        self.state = "preview"
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        service = self._service()
        counts = service.apply(service.plan(self._files()))
        self.summary = self.env._(
            "%(files)s CFDI imported: %(employees)s workers created, %(sbc)s SBC entries, "
            "%(created)s assignments created and %(extended)s extended; %(skipped)s skipped.",
            files=counts["files"],
            employees=counts["employees"],
            sbc=counts["sbc"],
            created=counts["assignments_created"],
            extended=counts["assignments_extended"],
            skipped=counts["skipped"],
        )
        self.state = "done"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


def _sbc_change(line):
    if line.sbc is None:
        return ""
    new = f"{float(line.sbc):.2f}"
    return f"{line.sbc_previous:.2f} → {new}" if line.sbc_previous is not None else new


class L10nMxIcsoeCfdiImportLine(models.TransientModel):
    _name = "l10n_mx_icsoe.cfdi.import.line"
    _description = "Import Payroll CFDI: Preview Line"
    _order = "status desc, filename"

    wizard_id = fields.Many2one(
        "l10n_mx_icsoe.cfdi.import", required=True, ondelete="cascade"
    )
    filename = fields.Char(string="File")
    uuid = fields.Char(string="UUID")
    worker = fields.Char()
    match = fields.Selection(MATCHES)
    employee_id = fields.Many2one("hr.employee", string="Worker Found")
    nss = fields.Char(string="NSS")
    curp = fields.Char(string="CURP")
    sbc_date = fields.Date(string="SBC From")
    sbc_change = fields.Char(string="SBC")
    clients = fields.Char()
    contracts = fields.Char()
    problems = fields.Text()
    status = fields.Selection(STATUS)
