from pathlib import Path

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..icsoe import cfdi
from ..models.job_cfdi_import import cfdi_import_key
from ..models.payroll_cfdi import PayrollImport, background_threshold, import_summary

STATUS = [("ok", "Ready"), ("skip", "Skipped"), ("error", "Error")]
MATCHES = [
    ("nss", "By NSS"),
    ("curp", "By CURP"),
    ("rfc", "By RFC"),
    ("new", "New worker"),
    ("none", "No worker"),
]


class L10nMxIcsoeCfdiImport(models.TransientModel):
    """ICSOE > Import payroll CFDI: preview first, then write in one transaction.

    An upload above the background threshold (ICSOE settings) is not previewed
    file by file: the wizard shows what it holds and queues a background job
    (``l10n_mx_icsoe.job``, kind ``cfdi_import``) that checks, then imports it
    a batch at a time.
    """

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
        [
            ("upload", "Upload"),
            ("preview", "Preview"),
            ("background", "Background"),
            ("done", "Done"),
        ],
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

    def _survey(self, service):
        """What the upload holds (checked against the import's limits), and
        whether it is large enough to be imported in the background."""
        with cfdi.Upload(self._files(), service.limits) as upload:
            survey = service.survey(upload)
        threshold = background_threshold(self.env)
        large = survey.files > threshold["files"] or survey.bytes > threshold["bytes"]
        return survey, large

    def _check_company_allowed(self):
        if not self.env.su and self.company_id not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You cannot import payroll CFDI into the company of this import: "
                    "it is not one of your companies."
                )
            )

    def _check_not_busy(self):
        self._check_company_allowed()
        busy = self.env["l10n_mx_icsoe.job"]._active_by_key(
            cfdi_import_key(self.company_id)
        )
        if busy:
            raise UserError(busy._busy_message())

    def action_preview(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(
                self.env._(
                    "Import Payroll CFDI: no file to preview. Add the payroll CFDI XML "
                    "files, or ZIP archives of them, in Files."
                )
            )
        self._check_company_allowed()
        service = self._service()
        survey, large = self._survey(service)
        if large:
            threshold = background_threshold(self.env)
            # (formatted apart: no f-string inside a translated call)
            files, size = f"{survey.files:,}", f"{survey.bytes / cfdi.MIB:,.1f}"
            max_files = f"{threshold['files']:,}"
            max_size = f"{threshold['bytes'] // cfdi.MIB:,}"
            self.line_ids = [fields.Command.clear()]
            self.summary = self.env._(
                "This upload holds %(files)s files (%(size)s MiB once expanded), more "
                "than %(max_files)s files or %(max_size)s MiB: it is imported in the "
                "background, without a file-by-file preview: a file that cannot be "
                "read, or whose worker cannot be created, is left out and listed in "
                "the result; the others are imported. You can keep working "
                "meanwhile; you are notified when it ends, with what was imported "
                "and what was not. Importing the upload again once fixed adds only "
                "what is missing.",
                files=files,
                size=size,
                max_files=max_files,
                max_size=max_size,
            )
            self.state = "background"
            return self._reopen()
        plan = service.plan(self._files())
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
        self._check_not_busy()
        service = self._service()
        _survey, large = self._survey(service)
        if large:
            return self.action_import_background()
        counts = service.apply(service.plan(self._files()))
        self.summary = import_summary(self.env, counts)
        self.state = "done"
        return self._reopen()

    def action_import_background(self):
        """Queue the upload as a background job and open it."""
        self.ensure_one()
        self._check_not_busy()
        self._check_own_uploads()
        service = self._service()
        survey, _large = self._survey(service)
        names = ", ".join(self.attachment_ids.mapped("name"))
        names = names if len(names) <= 80 else names[:79] + "…"
        files = f"{survey.files:,}"
        job = self.env["l10n_mx_icsoe.job"]._enqueue(
            "cfdi_import",
            self.company_id,
            cfdi_import_key(self.company_id),
            name=self.env._(
                "Payroll CFDI import: %(names)s (%(files)s files)",
                names=names,
                files=files,
            ),
            payload={"create_employees": self.create_employees, "files": survey.files},
            total=survey.files,
            attachments=self.attachment_ids,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": job.name,
                "message": self.env._(
                    "The import runs in the background. You can keep working: you "
                    "are notified when it ends, and the job shows its progress."
                ),
                "type": "info",
                "sticky": False,
                "next": {
                    "type": "ir.actions.act_window",
                    "res_model": job._name,
                    "res_id": job.id,
                    "views": [(False, "form")],
                    "target": "current",
                },
            },
        }

    def _check_own_uploads(self):
        """The job takes the uploaded files over and deletes them when it ends:
        only files uploaded to this import, never a document of another record."""
        foreign = self.attachment_ids.filtered(
            lambda a: a.res_field or (a.res_model and a.res_model != self._name)
        )
        if foreign:
            raise UserError(
                self.env._(
                    "%(files)s belong to other records, not to this import: upload "
                    "the payroll files again in the import.",
                    files=", ".join(foreign.mapped("name")),
                )
            )

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
