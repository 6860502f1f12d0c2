"""What a confirmed SISUB report produces, and INFONAVIT's error file.

The three CSVs and the PDFs are named as INFONAVIT names them (the dated
layout of ``icsoe.sisub``): ``1_SISUB_Ley_29_bis_Sujeto obligado.csv``,
``2_SISUB_Ley_29_bis_Contratos.csv``, ``3_SISUB_Ley_29_bis_DetalleTrab.csv``,
``1a_SISUB_Ley_29_bis_Escritura Constitutiva.pdf`` (the company's deed),
``2B_SISUB_Ley_29_bis_Contratos.pdf`` (the PDFs attached to the contracts and
their amendments, in one file) and ``4_SISUB_Ley_29_bis_Registro emitido por
STPS.pdf`` (the REPSE registration's STPS PDF). A report *sin actividad* has
no contracts file and no worker detail.

They are written when the report is confirmed, stored as attachments linked
by ``export_attachment_ids`` (written only through ``internal()``), covered by
``exports_sha256`` (the SHA-256 of their ``sha256sum`` manifest, as for the
ICSOE) and removed when the report goes back to draft. A draft only previews
its CSVs.
"""

import base64
import re
from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.pdf import merge_pdf

from ..icsoe import sisub
from .filing_export import safe_name_part
from .guard import internal
from .sisub_check import SisubChecker

#: The names the addon gives SISUB files: INFONAVIT's own (they hold spaces) and
#: the plain names of the checks report and the ZIP.
SISUB_NAME = re.compile(
    r"[0-9][0-9A-Za-z]?_SISUB_Ley_29_bis_[A-Za-z]+( [A-Za-z]+)*\.(csv|pdf)"
    r"|[A-Za-z0-9][A-Za-z0-9_-]{0,200}\.(txt|zip)"
)


def is_sisub_name(name):
    """Whether ``name`` is a SISUB file name the addon makes: no folder, no ``..``."""
    return bool(SISUB_NAME.fullmatch(name or ""))


def _pdf_bytes(data):
    return bytes(data or b"").startswith(b"%PDF")


class L10nMxIcsoeSisub(models.Model):
    _inherit = "l10n_mx_icsoe.sisub"
    _report_line_models = (
        ("l10n_mx_icsoe.sisub.contract", "sisub_id"),
        ("l10n_mx_icsoe.sisub.worker", "sisub_id"),
    )

    export_attachment_ids = fields.Many2many(
        "ir.attachment",
        "l10n_mx_icsoe_sisub_export_rel",
        "sisub_id",
        "attachment_id",
        string="Exports",
        readonly=True,
        copy=False,
        help="Files produced when the report was confirmed.",
    )
    exports_sha256 = fields.Char(
        string="Exports SHA-256",
        readonly=True,
        copy=False,
        help="The snapshot of the confirmed report: SHA-256 of the list of its "
        "exports, one line per file (its SHA-256, two spaces, its name), sorted by "
        "name. In a folder holding only the exports: sha256sum * | LC_ALL=C sort -k 2 "
        "| sha256sum",
    )

    # ---------------------------------------------------------------- content

    def _file_prefix(self):
        self.ensure_one()
        return safe_name_part(self.name or "SISUB")

    def _layout(self):
        self.ensure_one()
        return sisub.sisub_layout(self.date_end)

    def _file_codes(self):
        self.ensure_one()
        return sisub.FILES_BY_TYPE.get(self.report_type, sisub.ALL_FILES)

    def _subject_row(self, checker):
        registration = checker.registration
        return {
            "company_rfc": checker.company_rfc,
            "company_name": self.company_id.name,
            "company_nrp": checker.principal_nrp[1],
            "repse_number": registration.name if registration else None,
            "repse_date": registration.registration_date if registration else None,
            "period": int(self.period),
            "year": self.year,
            "report_type": sisub.REPORT_TYPE_LABELS[self.report_type],
            "contract_count": self.contract_count,
            "worker_count": self.worker_count,
        }

    def _line_rows(self):
        """{file code: [(row dict, line id)]}: every CSV row with the line it comes
        from, in file order (two SQL reads: fast on 40,000 detail rows)."""
        self.ensure_one()
        self.env.flush_all()
        checker = SisubChecker(self)
        rows = {"subject": [(self._subject_row(checker), None)]}
        codes = self._file_codes()
        if "contracts" in codes:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, contract_number, contract_type, object, date_start,
                           date_end, amount, nrp_codes, estimated_workers, client_rfc,
                           client_name, client_nrp
                      FROM l10n_mx_icsoe_sisub_contract
                     WHERE sisub_id = %s
                  ORDER BY sequence, id
                    """,
                    self.id,
                )
            )
            contract_rows = []
            for line in self.env.cr.dictfetchall():
                line["contract_type"] = sisub.CONTRACT_TYPE_LABELS.get(
                    line["contract_type"]
                )
                for code in (line["nrp_codes"] or "").split() or [None]:
                    contract_rows.append((dict(line, nrp=code), line["id"]))
            rows["contracts"] = contract_rows
        if "workers" in codes:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, bimester, contract_number, nrp, nss, street,
                           street_number, street_number2, colony, zip, city, state,
                           variable_pay, fixed_pay, incapacity_days, non_integrable_pay,
                           sbc_capped, aportacion, amortizacion
                      FROM l10n_mx_icsoe_sisub_worker
                     WHERE sisub_id = %s
                  ORDER BY contract_sequence, name, employee_id, bimester, id
                    """,
                    self.id,
                )
            )
            common = {
                "period": int(self.period),
                "year": self.year,
                "company_rfc": checker.company_rfc,
            }
            rows["workers"] = [
                ({**common, **line}, line["id"]) for line in self.env.cr.dictfetchall()
            ]
        return rows

    def _csv_files(self):
        """[(file name, bytes)]: the CSVs of the report's type."""
        self.ensure_one()
        layout = self._layout()
        header = self.company_id.l10n_mx_icsoe_sisub_csv_header
        rows = self._line_rows()
        files = []
        for code in self._file_codes():
            csv_file = layout.file(code)
            try:
                content = sisub.render_csv(
                    csv_file, [row for row, _line in rows[code]], header=header
                )
            except ValueError as error:
                raise UserError(
                    self.env._(
                        "%(report)s: %(file)s cannot be written: %(error)s. Fix the "
                        "source record and regenerate.",
                        report=self.display_name,
                        file=csv_file.filename,
                        error=error,
                    )
                ) from error
            files.append((csv_file.filename, content))
        return files

    def _pdf_files(self):
        """[(file name, bytes)]: the PDFs collected from the records."""
        self.ensure_one()
        layout = self._layout()
        codes = sisub.PDFS_BY_TYPE.get(self.report_type, sisub.ALL_PDFS)
        Attachment = self.env["ir.attachment"].sudo()
        files = []
        if "deed" in codes:
            deed = Attachment.search(
                [
                    ("res_model", "=", "res.company"),
                    ("res_id", "=", self.company_id.id),
                    ("res_field", "=", "l10n_mx_icsoe_deed"),
                ],
                limit=1,
            )
            if deed and _pdf_bytes(deed.raw):
                files.append((layout.pdf_name("deed"), deed.raw))
        if "contracts" in codes:
            documents = self._contract_documents()
            if documents:
                try:
                    content = (
                        documents[0][1]
                        if len(documents) == 1
                        else merge_pdf([data for _where, data in documents])
                    )
                except Exception as error:
                    raise UserError(
                        self.env._(
                            "%(report)s: the contract PDFs cannot be put together "
                            "(%(error)s). One of %(documents)s is damaged: replace it on "
                            "its contract and confirm again.",
                            report=self.display_name,
                            error=error,
                            documents=", ".join(where for where, _data in documents),
                        )
                    ) from error
                files.append((layout.pdf_name("contracts"), content))
        if "stps" in codes:
            registration = SisubChecker(self).registration
            if registration:
                stps = Attachment.search(
                    [
                        ("res_model", "=", "l10n_mx_icsoe.repse.registration"),
                        ("res_id", "=", registration.id),
                        ("res_field", "=", "document"),
                    ],
                    limit=1,
                )
                if stps and _pdf_bytes(stps.raw):
                    files.append((layout.pdf_name("stps"), stps.raw))
        return files

    def _contract_documents(self):
        """[(where, PDF bytes)] attached to the report's contracts and amendments."""
        contracts = self.contract_line_ids.sorted("sequence").contract_id.sudo()
        found = []
        for contract in contracts:
            for attachment in contract.document_ids.sorted("id"):
                if _pdf_bytes(attachment.raw):
                    found.append((f"{contract.name}/{attachment.name}", attachment.raw))
            amendments = contract.amendment_ids.filtered("document").sorted("date")
            if amendments:
                attachments = (
                    self.env["ir.attachment"]
                    .sudo()
                    .search(
                        [
                            ("res_model", "=", "l10n_mx_icsoe.contract.amendment"),
                            ("res_id", "in", amendments.ids),
                            ("res_field", "=", "document"),
                        ]
                    )
                )
                by_amendment = {a.res_id: a for a in attachments}
                for amendment in amendments:
                    attachment = by_amendment.get(amendment.id)
                    if attachment and _pdf_bytes(attachment.raw):
                        found.append(
                            (
                                f"{contract.name}/{amendment.document_filename or amendment.date}",
                                attachment.raw,
                            )
                        )
        return found

    # ---------------------------------------------------------------- freeze

    def _build_exports(self):
        return self._csv_files() + self._pdf_files()

    def _preview_files(self):
        return self._csv_files()

    def _is_export_name(self, name):
        return is_sisub_name(name)

    def _checks_summary(self):
        return (
            f"{self.contract_count} contracts, {self.worker_count} workers, "
            f"{self.row_count} detail rows, {self.error_count} errors, "
            f"{self.warning_count} warnings"
        )

    # ---------------------------------------------------------------- INFONAVIT errors

    def action_load_error_file(self, data, filename):
        """Load INFONAVIT's error file again on a rejected report (the wizard)."""
        self.ensure_one()
        self._check_manager()
        if self.state != "rejected":
            raise UserError(
                self.env._(
                    "%(report)s is %(state)s: the error file goes with a rejected "
                    "report; record INFONAVIT's answer first.",
                    report=self.display_name,
                    state=self._state_label(),
                )
            )
        self._load_error_file(data, filename)

    def _load_error_file(self, data, filename):
        self._apply_error_file(self._parse_error_file(data, filename), data, filename)

    def _parse_error_file(self, data, filename):
        """The rows of INFONAVIT's error file (``data`` in base64), or a refusal."""
        self.ensure_one()
        try:
            raw = base64.b64decode(data or b"", validate=True)
            return sisub.parse_error_file(raw)
        except (ValueError, sisub.SisubError) as error:
            detail = getattr(error, "detail", None) or str(error)
            raise UserError(
                self.env._(
                    "%(report)s: the INFONAVIT error file %(file)s cannot be read "
                    "(%(detail)s). Load the file INFONAVIT sent (CSV or text).",
                    report=self.display_name,
                    file=filename or "",
                    detail=detail,
                )
            ) from error

    def _apply_error_file(self, errors, data, filename):
        """Mark the lines INFONAVIT's error file names as rejected, with its messages.

        Matching, first that applies: the file and row the error names (rows
        counted as a spreadsheet shows them, the header included when the CSVs
        have one [U]); the NSS (with the contract number and bimester when
        given); the contract number. Rows that name nothing are kept in *Errors
        Not Matched to a Line*.
        """
        self.ensure_one()
        matched, unmatched = self._match_errors(errors)
        # The lines are the workflow's to mark (the caller checked the manager).
        for model in ("l10n_mx_icsoe.sisub.contract", "l10n_mx_icsoe.sisub.worker"):
            old = (
                self.env[model]
                .sudo()
                .search([("sisub_id", "=", self.id), ("rejected", "=", True)])
            )
            internal(old).write({"rejected": False, "rejection_text": False})
        for model, messages in matched.items():
            by_text = defaultdict(list)
            for line_id, texts in messages.items():
                by_text["\n".join(texts)].append(line_id)
            for text, ids in by_text.items():
                internal(self.env[model].sudo().browse(ids)).write(
                    {"rejected": True, "rejection_text": text}
                )
        count = sum(len(messages) for messages in matched.values())
        internal(self).write(
            {
                "error_file": data,
                "error_file_filename": filename or "logmensaje.csv",
                "rejected_line_count": count,
                "rejection_message": "\n".join(unmatched) or False,
            }
        )
        self.message_post(
            body=self.env._(
                "INFONAVIT error file %(file)s: %(rows)s error(s), %(lines)s line(s) "
                "rejected, %(unmatched)s not matched to a line.",
                file=filename or "",
                rows=len(errors),
                lines=count,
                unmatched=len(unmatched),
            )
        )

    def _match_errors(self, errors):
        """({model: {line id: [messages]}}, [unmatched messages])."""
        rows = self._line_rows()
        header = 1 if self.company_id.l10n_mx_icsoe_sisub_csv_header else 0
        models_ = {
            "contracts": "l10n_mx_icsoe.sisub.contract",
            "workers": "l10n_mx_icsoe.sisub.worker",
        }
        by_position = {
            (code, number + header): line_id
            for code in ("contracts", "workers")
            for number, (_row, line_id) in enumerate(rows.get(code, ()), 1)
        }
        by_nss = defaultdict(list)
        for row, line_id in rows.get("workers", ()):
            by_nss[row["nss"]].append((row, line_id))
        by_number = defaultdict(list)
        for row, line_id in rows.get("contracts", ()):
            if line_id not in by_number[row["contract_number"]]:
                by_number[row["contract_number"]].append(line_id)
        matched = defaultdict(lambda: defaultdict(list))
        unmatched = []
        for error in errors:
            message = error.message or self.env._("(no message)")
            if error.file == "subject":
                unmatched.append(f"{error.number}: {message}")
                continue
            if error.file in models_ and error.row:
                line_id = by_position.get((error.file, error.row))
                if line_id:
                    matched[models_[error.file]][line_id].append(message)
                    continue
            if error.nss and error.nss in by_nss:
                candidates = [
                    line_id
                    for row, line_id in by_nss[error.nss]
                    if (
                        not error.contract_number
                        or row["contract_number"] == error.contract_number
                    )
                    and (not error.bimester or row["bimester"] == error.bimester)
                ]
                if candidates:
                    for line_id in candidates:
                        matched[models_["workers"]][line_id].append(message)
                    continue
            if error.contract_number and error.contract_number in by_number:
                for line_id in by_number[error.contract_number]:
                    matched[models_["contracts"]][line_id].append(message)
                continue
            unmatched.append(f"{error.number}: {message}")
        return matched, unmatched
