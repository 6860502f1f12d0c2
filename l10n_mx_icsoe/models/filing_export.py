"""What a confirmed filing produces: worker CSVs, capture sheet, XML snapshot, ZIP.

Everything is stored as attachments when the filing is confirmed and linked to
it by ``export_attachment_ids``, which only the addon writes (``internal()``);
the attachments are removed when it goes back to draft, so what the accountant
downloads is always what was frozen. Attachments users add to a filing never
join its exports, whatever their name or description.

File names are plain base names: ASCII letters, digits, ``_`` and ``-``, and one
extension. What comes from data (the filing name, the contract reference) is
transliterated to ASCII (``Ñ`` → ``N``, ``ó`` → ``o``: the IMSS portal and the
ZIP tools of every system read such names the same) and any other character
(``/``, ``\\``, ``.``, spaces, control characters) becomes ``_``. The ZIP and
the ``icsoe generate`` command refuse any other name.

``exports_sha256`` is the SHA-256 of the exports' manifest: one line per file,
``<sha256 of the file>  <name>``, sorted by name, the output of ``sha256sum``;
in a folder holding only the exports, ``sha256sum * | LC_ALL=C sort -k 2 |
sha256sum`` gives it back.
"""

import io
import re
import unicodedata
import zipfile

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..icsoe import layouts, snapshot
from ..icsoe.snapshot import exports_digest  # noqa: F401 (imported from here)
from . import bulk

SNAPSHOT_TYPES = {
    "normal": "normal",
    "no_info": "no_info",
    "correction": "correction",
    "void": "void",
}
_SAFE_CHAR = re.compile(r"[A-Za-z0-9_-]")
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,200}\.[a-z0-9]{1,5}")


def safe_name_part(text):
    """``text`` as a piece of a file name: ASCII letters, digits, ``_`` and ``-``.

    Accented letters lose their accent (``Ñ`` → ``N``); any other character
    becomes ``_``.
    """
    chars = []
    for char in unicodedata.normalize("NFKD", text or ""):
        if unicodedata.combining(char):
            continue
        chars.append(char if _SAFE_CHAR.fullmatch(char) else "_")
    return "".join(chars)


def is_plain_name(name):
    """Whether ``name`` is a file name the addon makes: no folder, no ``..``."""
    return bool(PLAIN_NAME.fullmatch(name or ""))


class L10nMxIcsoeFiling(models.Model):
    _inherit = "l10n_mx_icsoe.filing"
    _report_line_models = (
        ("l10n_mx_icsoe.filing.contract", "filing_id"),
        ("l10n_mx_icsoe.filing.worker", "filing_id"),
    )

    export_attachment_ids = fields.Many2many(
        "ir.attachment",
        "l10n_mx_icsoe_filing_export_rel",
        "filing_id",
        "attachment_id",
        string="Exports",
        readonly=True,
        copy=False,
        help="Files produced when the informativa was confirmed.",
    )
    exports_sha256 = fields.Char(
        string="Exports SHA-256",
        readonly=True,
        copy=False,
        help="SHA-256 of the list of the exports recorded at confirmation: one line "
        "per file, its SHA-256, two spaces and its name, sorted by name. In a folder "
        "holding only the exports: sha256sum * | LC_ALL=C sort -k 2 | sha256sum",
    )

    # ---------------------------------------------------------------- content

    def _file_prefix(self):
        self.ensure_one()
        return safe_name_part(self.name or "ICSOE")

    def _worker_csv_files(self):
        """[(file name, bytes)] — one CSV per contract, split beyond 3,000 rows.

        The workers are streamed in contract order (see ``bulk.stream``): one
        contract's rows are in memory at a time, with the files made so far."""
        self.ensure_one()
        layout = layouts.worker_layout(self.date_end)
        header = self.company_id.l10n_mx_icsoe_csv_header
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT id, sequence, reference FROM l10n_mx_icsoe_filing_contract
                 WHERE filing_id = %s ORDER BY sequence, id
                """,
                self.id,
            )
        )
        lines = cr.fetchall()
        workers = bulk.stream(
            cr,
            SQL(
                """
                SELECT w.filing_contract_id, w.nss, w.curp, w.sbc
                  FROM l10n_mx_icsoe_filing_worker w
                  JOIN l10n_mx_icsoe_filing_contract l ON l.id = w.filing_contract_id
                 WHERE w.filing_id = %s
              ORDER BY l.sequence, l.id, w.name, w.id
                """,
                self.id,
            ),
        )
        pending = next(workers, None)
        files = []
        for line_id, sequence, reference in lines:
            rows = []
            while pending is not None and pending["filing_contract_id"] == line_id:
                rows.append((pending["nss"], pending["curp"], pending["sbc"]))
                pending = next(workers, None)
            chunks = layouts.render_worker_csv(rows, header=header, layout=layout)
            base = f"{sequence:03d}_{safe_name_part(reference)[:100] or line_id}"
            for index, chunk in enumerate(chunks, 1):
                files.append((layouts.split_name(base, index, len(chunks)), chunk))
        bulk.ensure_consumed(pending)
        return files

    def _snapshot_contracts(self):
        """The snapshot dicts of the contract lines (see ``_snapshot_dict``), the
        workers streamed: one contract's workers in memory at a time."""
        self.env.flush_all()
        workers = bulk.stream(
            self.env.cr,
            SQL(
                """
                SELECT w.filing_contract_id, w.nss, w.curp, w.sbc, w.name
                  FROM l10n_mx_icsoe_filing_worker w
                  JOIN l10n_mx_icsoe_filing_contract l ON l.id = w.filing_contract_id
                 WHERE w.filing_id = %s
              ORDER BY l.sequence, l.id, w.nss, w.id
                """,
                self.id,
            ),
        )
        pending = next(workers, None)
        for line in self.contract_line_ids.sorted(
            lambda line: (line.sequence, line.id)
        ):
            rows = []
            while pending is not None and pending["filing_contract_id"] == line.id:
                rows.append({k: pending[k] for k in ("nss", "curp", "sbc", "name")})
                pending = next(workers, None)
            yield line._snapshot_dict(rows)
        bulk.ensure_consumed(pending)

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
        contracts = self._snapshot_contracts()
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

    def _build_exports(self):
        files = [(f"{self._file_prefix()}_snapshot.xml", self._snapshot_xml())]
        return files + self._worker_csv_files() + self._capture_sheet()

    def _freeze_values(self, files):
        xml = dict(files)[f"{self._file_prefix()}_snapshot.xml"]
        return {"snapshot_sha256": snapshot.sha256_hex(xml)}

    def _preview_files(self):
        return self._worker_csv_files() + self._capture_sheet()

    def _is_export_name(self, name):
        return is_plain_name(name)

    def _contract_csv_action(self, line):
        """Download the frozen worker CSV of one contract line (a ZIP when split)."""
        self.ensure_one()
        if self.state == "draft" or not self.export_attachment_ids:
            raise UserError(
                self.env._(
                    "%(filing)s is a draft: the worker CSV of %(contract)s is frozen when "
                    "the informativa is confirmed; confirm it first.",
                    filing=self.display_name,
                    contract=line.reference,
                )
            )
        reference = safe_name_part(line.reference)[:100] or line.id
        single = layouts.split_name(f"{line.sequence:03d}_{reference}", 1, 1)
        stem = single[: -len(".csv")]
        exports = self.export_attachment_ids.sorted("name")
        files = [(a.name, a.raw) for a in exports]
        self._check_exports_sha256(files)
        mine = exports.filtered(
            lambda a: (
                a.name == single
                or (a.name.startswith(f"{stem}_") and a.name.endswith(".csv"))
            )
        )
        if not mine:
            raise UserError(
                self.env._(
                    "%(filing)s has no worker CSV for %(contract)s among its exports.",
                    filing=self.display_name,
                    contract=line.reference,
                )
            )
        attachment = mine
        if len(mine) > 1:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in mine:
                    archive.writestr(part.name, part.raw)
            name = f"{stem}.zip"
            self.env["ir.attachment"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("description", "=", "l10n_mx_icsoe_csv_parts"),
                    ("name", "=", name),
                ]
            ).unlink()
            attachment = self.env["ir.attachment"].create(
                {
                    "name": name,
                    "raw": buffer.getvalue(),
                    "res_model": self._name,
                    "res_id": self.id,
                    "description": "l10n_mx_icsoe_csv_parts",
                }
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
