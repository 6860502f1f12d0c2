"""What a confirmed filing produces: worker CSVs, capture sheet, XML snapshot, ZIP.

Everything is stored as attachments on the filing when it is confirmed and
removed when it goes back to draft, so what the accountant downloads is always
what was frozen.
"""

import base64
import io
import zipfile

from odoo import fields, models
from odoo.exceptions import UserError

from ..icsoe import layouts, snapshot
from .guard import internal

SNAPSHOT_TYPES = {
    "normal": "normal",
    "no_info": "no_info",
    "correction": "correction",
    "void": "void",
}


class L10nMxIcsoeFiling(models.Model):
    _inherit = "l10n_mx_icsoe.filing"

    export_ids = fields.One2many(
        "ir.attachment",
        compute="_compute_export_ids",
        string="Exports",
        help="Files produced when the informativa was confirmed.",
    )

    def _compute_export_ids(self):
        attachments = self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("res_field", "=", False),
                ("description", "=", "l10n_mx_icsoe_export"),
            ],
            order="name",
        )
        by_filing = {}
        for attachment in attachments:
            by_filing.setdefault(attachment.res_id, []).append(attachment.id)
        for filing in self:
            filing.export_ids = [fields.Command.set(by_filing.get(filing.id, []))]

    # ---------------------------------------------------------------- content

    def _file_prefix(self):
        self.ensure_one()
        return (self.name or "ICSOE").replace(" ", "_").replace("ó", "o")

    def _worker_csv_files(self):
        """[(file name, bytes)] — one CSV per contract, split beyond 3,000 rows."""
        self.ensure_one()
        layout = layouts.worker_layout(self.date_end)
        header = self.company_id.l10n_mx_icsoe_csv_header
        workers = self.env["l10n_mx_icsoe.filing.worker"].search_read(
            [("filing_id", "=", self.id)],
            ["filing_contract_id", "nss", "curp", "sbc"],
            order="contract_sequence, name, id",
        )
        rows_by_line = {}
        for worker in workers:
            rows_by_line.setdefault(worker["filing_contract_id"][0], []).append(
                (worker["nss"], worker["curp"], worker["sbc"])
            )
        files = []
        for line in self.contract_line_ids.sorted("sequence"):
            rows = rows_by_line.get(line.id, [])
            chunks = layouts.render_worker_csv(rows, header=header, layout=layout)
            base = f"{line.sequence:03d}_{line.reference or line.id}"
            for index, chunk in enumerate(chunks, 1):
                files.append((layouts.split_name(base, index, len(chunks)), chunk))
        return files

    def _snapshot_xml(self):
        self.ensure_one()
        target = self.replaced_filing_id
        header = {
            "name": self.name,
            "company_rfc": (self.company_id.vat or "").upper(),
            "company_name": self.company_id.name,
            "year": self.year,
            "period": int(self.period),
            "filing_type": SNAPSHOT_TYPES[self.filing_type],
            "date_start": self.date_start,
            "date_end": self.date_end,
            "deadline": self.deadline,
            "confirmed_at": self.confirmed_at,
            "replaces_name": target.name or None,
            "replaces_folio": target.imss_folio or None,
        }
        contracts = self.contract_line_ids.sorted("sequence")._snapshot_dicts()
        xml = snapshot.build_snapshot(header, contracts)
        errors = snapshot.validate_snapshot(xml)
        if errors:
            raise UserError(
                self.env._(
                    "%(filing)s: the snapshot does not match its schema:\n%(errors)s",
                    filing=self.display_name,
                    errors="\n".join(errors[:20]),
                )
            )
        return xml

    def _capture_sheet(self):
        """[(file name, bytes)]: the capture sheet as HTML.

        The PDF version is the *Capture Sheet* report, printed on demand: with
        wkhtmltopdf a 1,000-contract sheet takes about a minute, too slow to
        render at every confirmation (see bench/bench_generation.py).
        """
        self.ensure_one()
        html, _fmt = self.env["ir.actions.report"]._render_qweb_html(
            "l10n_mx_icsoe.action_report_capture_sheet", self.ids
        )
        return [(f"{self._file_prefix()}_hoja_de_captura.html", html)]

    def action_print_capture_sheet(self):
        self.ensure_one()
        return self.env.ref("l10n_mx_icsoe.action_report_capture_sheet").report_action(
            self
        )

    # ---------------------------------------------------------------- freeze

    def _freeze(self):
        res = super()._freeze()
        xml = self._snapshot_xml()
        files = [(f"{self._file_prefix()}_snapshot.xml", xml)]
        files += self._worker_csv_files()
        files += self._capture_sheet()
        self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": self.id,
                    "description": "l10n_mx_icsoe_export",
                }
                for name, content in files
            ]
        )
        internal(self).write({"snapshot_sha256": snapshot.sha256_hex(xml)})
        return res

    def _drop_exports(self):
        res = super()._drop_exports()
        self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("description", "=", "l10n_mx_icsoe_export"),
            ]
        ).unlink()
        return res

    def _export_files(self):
        """[(file name, bytes)]: the frozen exports, or a preview of a draft."""
        self.ensure_one()
        if self.state != "draft":
            return [(a.name, a.raw) for a in self.export_ids]
        return self._worker_csv_files() + self._capture_sheet()

    def _zip_bytes(self):
        self.ensure_one()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self._export_files():
                archive.writestr(name, content)
        return buffer.getvalue()

    def action_download_zip(self):
        self.ensure_one()
        if not self.export_ids:
            raise UserError(
                self.env._(
                    "%(filing)s has no exports yet: they are produced when it is confirmed.",
                    filing=self.display_name,
                )
            )
        data = self._zip_bytes()
        self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("description", "=", "l10n_mx_icsoe_zip"),
            ]
        ).unlink()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self._file_prefix()}.zip",
                "datas": base64.b64encode(data),
                "res_model": self._name,
                "res_id": self.id,
                "description": "l10n_mx_icsoe_zip",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _checks_report(self):
        """Plain-text list of the checks, errors first (for the command line)."""
        self.ensure_one()
        lines = [
            f"{self.name} — {self.company_id.name}",
            f"{self.contract_count} contracts, {self.worker_count} workers, "
            f"{self.error_count} errors, {self.warning_count} warnings",
            "",
        ]
        if self.check_message:
            lines += [f"ERROR {m}" for m in self.check_message.splitlines()]
        for kind, attr in (("ERROR", "error_text"), ("WARNING", "warning_text")):
            for records in (self.contract_line_ids, self.worker_line_ids):
                for record in records.filtered(attr):
                    lines += [f"{kind} {m}" for m in record[attr].splitlines()]
        return "\n".join(lines) + "\n"
