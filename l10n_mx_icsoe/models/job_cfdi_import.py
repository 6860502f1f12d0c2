"""The payroll CFDI import as a background job, for uploads above a threshold.

One pass over the upload, a batch of entries (XML files, ZIP members) at a
time, each read from the archive only when its batch comes (see
:class:`..icsoe.cfdi.Upload`): memory is bounded by the batch, not the upload.
Each batch is planned and applied (workers, SBC history, assignments, stored
CFDI) and committed by the runner together with the cursor.

A file that cannot be read, or whose worker cannot be created, is left out
and listed in the result with the reason; the others are imported (a small
upload is refused whole instead: its preview shows everything first).
Importing the upload again once fixed adds only what is missing: a batch run
again finds its CFDI already imported and changes nothing (UUIDs, SBC dates
and assignment dates are checked before writing).
"""

from pathlib import Path

from odoo import models
from odoo.exceptions import UserError

from ..icsoe import cfdi
from .job import SESSION_KEY
from .payroll_cfdi import MAX_LISTED, PayrollImport, _line_text, import_summary

#: Files (XML files or ZIP members) per batch.
BATCH_FILES = 1000
COUNTERS = (
    "employees",
    "sbc",
    "assignments_created",
    "assignments_extended",
    "files",
    "skipped",
)


def cfdi_import_key(company):
    """One payroll CFDI import at a time per company."""
    return f"cfdi_import:{company.id}"


# One class per kind of background job: the import's kind lives with the
# import, the framework in job.py.
class L10nMxIcsoeJob(models.Model):
    _inherit = "l10n_mx_icsoe.job"  # pylint: disable=consider-merging-classes-inherited

    def _cfdi_input_files(self):
        """The uploaded files as (name, path in the filestore or bytes)."""
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "attachment_ids"),
                ],
                order="id",
            )
        )
        return [
            (a.name, Path(a._full_path(a.store_fname)) if a.store_fname else a.raw)
            for a in attachments
        ]

    def _cfdi_upload(self, limits):
        """The upload, opened once per run (a ZIP's directory is read once)."""
        session = self.env.context[SESSION_KEY]
        return session.get(
            ("cfdi_upload", self.id),
            lambda: cfdi.Upload(self._cfdi_input_files(), limits),
        )

    def _step_cfdi_import(self):
        self.ensure_one()
        payload = dict(self.payload or {})
        service = PayrollImport(
            self.env, self.company_id, bool(payload.get("create_employees"))
        )
        upload = self._cfdi_upload(service.limits)
        position = cfdi.UploadPosition.from_list(payload.get("position"))
        entries, position = upload.read_batch(
            position, payload.get("batch") or BATCH_FILES
        )
        try:
            done, skipped, bad, invalid = service.import_batch(entries)
        except UserError as exc:
            counts = payload.get("counts")
            if not counts or not counts.get("files"):
                raise
            raise UserError(
                self.env._(
                    "The import stopped at %(file)s. The files before it were "
                    "imported (%(summary)s); import the upload again once fixed: "
                    "what was imported is skipped.\n%(reason)s",
                    file=entries[0][0] if entries else "",
                    summary=import_summary(self.env, _counts(payload)),
                    reason=exc.args[0],
                )
            ) from exc
        counts = _counts(payload)
        for key in COUNTERS:
            counts[key] += done[key]
        payload["counts"] = counts
        for key, texts in (
            ("skipped", [_line_text(line) for line in skipped]),
            ("unreadable", [str(error) for error in bad]),
            ("invalid", [_line_text(line) for line in invalid]),
        ):
            listed = payload.get(key, [])
            payload[key] = listed + texts[: max(0, MAX_LISTED - len(listed))]
            if key != "skipped":
                payload[f"{key}_count"] = payload.get(f"{key}_count", 0) + len(texts)
        payload["position"] = position.as_list()
        finished = upload.at_end(position)
        vals = {"payload": payload, "progress_done": self.progress_done + len(entries)}
        if finished:
            self.env.context[SESSION_KEY].drop(("cfdi_upload", self.id))
            vals["result"] = self._cfdi_result(payload)
            vals["warning"] = bool(
                payload.get("unreadable_count") or payload.get("invalid_count")
            )
            vals["progress_total"] = vals["progress_done"]
        self._job_write(vals)
        return finished

    def _cfdi_result(self, payload):
        """What the import did, then what it left out and why."""
        counts = _counts(payload)
        unreadable = payload.get("unreadable_count", 0)
        invalid = payload.get("invalid_count", 0)
        parts = [import_summary(self.env, counts)]
        if unreadable:
            parts.append(
                self.env._(
                    "Not imported, cannot be read as payroll CFDI (%(count)s):",
                    count=unreadable,
                )
                + self._cfdi_listed(payload.get("unreadable", []), unreadable)
            )
        if invalid:
            parts.append(
                self.env._(
                    "Not imported, the worker cannot be created (%(count)s):",
                    count=invalid,
                )
                + self._cfdi_listed(payload.get("invalid", []), invalid)
            )
        if counts["skipped"]:
            parts.append(
                self.env._("Skipped (%(count)s):", count=counts["skipped"])
                + self._cfdi_listed(payload.get("skipped", []), counts["skipped"])
            )
        return "\n\n".join(parts)

    def _cfdi_listed(self, texts, count):
        lines = "".join(f"\n- {text}" for text in texts)
        if count > len(texts):
            lines += "\n" + self.env._(
                "… and %(count)s more.", count=count - len(texts)
            )
        return lines

    def _cancel_cfdi_import(self):
        return self._cfdi_result(self.payload or {})


def _counts(payload):
    return dict.fromkeys(COUNTERS, 0) | (payload.get("counts") or {})
