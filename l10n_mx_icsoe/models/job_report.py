"""Generation and confirmation of large reports as background jobs.

A report whose work reads or writes more lines than the threshold (see
``periodic_report.BACKGROUND_LINES``) is generated or confirmed by a job of the
scheduled action "ICSOE: run background jobs" instead of in the user's request.

- An informativa's generation runs in batches of :data:`BATCH_CONTRACTS`
  contracts, committed with the cursor (the last contract written) and the
  progress: a restart resumes after the last committed batch. The totals and
  the informativa's own checks are written with the last batch.
- A SISUB generation and a confirmation (checks, then the frozen exports) run
  in one batch: interrupted, they start again from the beginning, which
  changes nothing (a confirmation is one transaction).
"""

from odoo import fields, models
from odoo.exceptions import UserError

from .filing_generate import drop_generated_lines, generate_batch, start_batches

BATCH_CONTRACTS = 1000


# One class per inherited model per file: the reports' kinds of background job
# live here, the framework in job.py.
class L10nMxIcsoeJob(models.Model):
    _inherit = "l10n_mx_icsoe.job"

    kind = fields.Selection(
        selection_add=[
            ("report_generate", "Generation"),
            ("report_confirm", "Confirmation"),
        ],
        ondelete={"report_generate": "cascade", "report_confirm": "cascade"},
    )

    def _job_report(self):
        report = self.env[self.res_model].browse(self.res_id).exists()
        if not report:
            raise UserError(
                self.env._(
                    "%(job)s: its report was deleted; nothing was done.", job=self.name
                )
            )
        return report

    def _report_result(self, report):
        return self.env._(
            "%(report)s: %(contracts)s contract(s), %(workers)s worker(s), "
            "%(errors)s error(s), %(warnings)s warning(s).",
            report=report.display_name,
            contracts=report.contract_count,
            workers=report.worker_count,
            errors=report.error_count,
            warnings=report.warning_count,
        )

    def _step_report_generate(self):
        report = self._job_report()
        report._ensure_draft()
        report.check_access("write")
        if report._name != "l10n_mx_icsoe.filing":
            report.action_generate()
            self._job_write(
                {
                    "progress_done": 1,
                    "progress_total": 1,
                    "result": self._report_result(report),
                }
            )
            return True
        payload = dict(self.payload or {})
        state = payload.get("state") or start_batches(report)
        state = generate_batch(report, state, BATCH_CONTRACTS)
        payload["state"] = state
        vals = {
            "payload": payload,
            "progress_done": state["done"],
            "progress_total": state["total"],
        }
        finished = bool(state.get("finished"))
        if finished:
            vals["result"] = self._report_result(report)
        self._job_write(vals)
        return finished

    def _cancel_report_generate(self):
        """A generation stopped half-way leaves no half of the lines behind."""
        report = self.sudo()._job_report()
        if report._name == "l10n_mx_icsoe.filing" and report.state == "draft":
            drop_generated_lines(report)
            return self.env._(
                "The lines written so far were removed: generate %(report)s again.",
                report=report.display_name,
            )
        return ""

    def _step_report_confirm(self):
        report = self._job_report()
        report.action_confirm()
        self._job_write(
            {
                "progress_done": 1,
                "progress_total": 1,
                "result": self.env._(
                    "%(report)s is confirmed; its exports are ready to download.",
                    report=report.display_name,
                ),
            }
        )
        return True
