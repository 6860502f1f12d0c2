"""Large reports are generated and confirmed in the background (issue 13).

The threshold (``l10n_mx_icsoe.background_lines``) is set to 2 lines so that
the 2-contract informativa of :class:`IcsoeFilingCase` counts as large, and
the batches hold one contract each: the job is driven with ``_run_step()``, as
the scheduled action does between its commits.
"""

import tempfile
import time
from datetime import date
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.models import filing_generate, job_report

from .test_filing import IcsoeFilingCase

LINE_FIELDS = ("sequence", "reference", "worker_count", "is_ok", "error_text")
WORKER_FIELDS = ("contract_sequence", "name", "nss", "curp", "sbc", "is_ok")


class TestReportJobs(IcsoeFilingCase):
    def setUp(self):
        super().setUp()
        self._threshold(2)
        patcher = patch.object(job_report, "BATCH_CONTRACTS", 1)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _threshold(self, lines):
        self.env["ir.config_parameter"].sudo().set_param(
            "l10n_mx_icsoe.background_lines", lines
        )

    def _draft(self):
        return self.Filing.with_user(self.icsoe_user).create(
            {"company_id": self.company_a.id, "year": 2026, "period": "1"}
        )

    def _lines(self, filing):
        filing.invalidate_recordset()
        lines = filing.contract_line_ids.sorted("sequence")
        workers = filing.worker_line_ids.sorted(lambda w: (w.contract_sequence, w.name))
        return (
            [tuple(line[f] for f in LINE_FIELDS) for line in lines],
            [tuple(worker[f] for f in WORKER_FIELDS) for worker in workers],
        )

    def _run(self, job, limit=10):
        for _i in range(limit):
            if job._run_step():
                return
        self.fail(f"{job.name} did not end in {limit} batches")

    def test_small_generation_stays_immediate(self):
        self._threshold(1000)
        filing = self._draft()
        filing.action_generate()
        self.assertTrue(filing.generated_at)
        self.assertFalse(filing.background_job_id)
        self.assertEqual(filing.contract_count, 2)

    def test_large_generation_runs_in_batches_with_progress(self):
        filing = self._draft()
        action = filing.action_generate()
        self.assertEqual(action["params"]["title"], "Running in the background")
        job = filing.background_job_id
        self.assertEqual((job.kind, job.state), ("report_generate", "queued"))
        self.assertEqual(job.user_id, self.icsoe_user)
        self.assertFalse(filing.generated_at, "nothing is generated in the request")

        self.assertFalse(job._run_step())
        self.assertEqual(job.state, "running")
        self.assertEqual((job.progress_done, job.progress_total), (1, 2))
        filing.invalidate_recordset()
        self.assertEqual(filing.background_progress, 50.0)
        self.assertEqual(len(self._lines(filing)[0]), 1, "one contract per batch")
        self._run(job)
        self.assertEqual(job.state, "done")
        self.assertIn("2 contract(s), 3 worker(s)", job.result)
        filing.invalidate_recordset()
        self.assertFalse(filing.background_job_id)
        in_background = self._lines(filing)
        counts = (
            filing.contract_count,
            filing.worker_count,
            filing.error_count,
            filing.warning_count,
            filing.warning_message,
        )

        # The same lines and totals as a generation in the request.
        self._threshold(0)
        filing.action_generate()
        self.assertEqual(self._lines(filing), in_background)
        self.assertEqual(
            (
                filing.contract_count,
                filing.worker_count,
                filing.error_count,
                filing.warning_count,
                filing.warning_message,
            ),
            counts,
        )
        self.assertIn("no STPS registration PDF", counts[4], "the report's own checks")
        self.assertEqual([line[0] for line in in_background[0]], [1, 2])

    def test_report_is_left_alone_while_its_job_runs(self):
        filing = self._draft()
        filing.action_generate()
        job = filing.background_job_id
        for action in (filing.action_generate, filing.action_check):
            with self.assertRaisesRegex(UserError, "already queued in the background"):
                action()
        with self.assertRaisesRegex(UserError, "already queued in the background"):
            filing.with_user(self.icsoe_manager).action_confirm()
        self._run(job)
        filing.action_check()  # free again

    def test_context_from_a_request_does_not_bypass_the_job(self):
        """What a web client or RPC call can put in the context (plain JSON
        values) neither skips the queue nor the guard of a running job."""
        filing = self._draft()
        forged = filing.with_context(
            l10n_mx_icsoe_inline=True, l10n_mx_icsoe_job_session=True
        )
        action = forged.action_generate()
        self.assertEqual(action["tag"], "display_notification")
        self.assertFalse(filing.generated_at)
        with self.assertRaisesRegex(UserError, "already queued in the background"):
            forged.action_generate()
        with self.assertRaisesRegex(UserError, "already queued in the background"):
            forged.action_check()

    def test_interrupted_batch_resumes_without_duplicates(self):
        filing = self._draft()
        filing.action_generate()
        job = filing.background_job_id
        job._run_step()
        real = filing_generate._write_lines

        def crash_after_writing(*args, **kwargs):
            real(*args, **kwargs)
            raise RuntimeError("worker killed")

        with (
            patch.object(filing_generate, "_write_lines", crash_after_writing),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            job._run_step()
        job.invalidate_recordset()
        self.assertEqual(job.progress_done, 1, "the interrupted batch left no trace")
        self._run(job)
        lines, workers = self._lines(filing)
        self.assertEqual([line[:2] for line in lines], [(1, "C1"), (2, "C2")])
        self.assertEqual(len(workers), 3)
        self.assertEqual((filing.contract_count, filing.worker_count), (2, 3))

    def test_cancelled_generation_leaves_no_half_of_the_lines(self):
        filing = self._draft()
        filing.action_generate()
        job = filing.background_job_id
        job._run_step()
        self.assertEqual(len(self._lines(filing)[0]), 1)
        job.with_user(self.icsoe_user).action_cancel()
        self.assertEqual(job.state, "cancelled")
        self.assertIn("generate", job.result)
        self.assertEqual(self._lines(filing), ([], []))
        self.assertFalse(filing.generated_at)
        with self.assertRaisesRegex(UserError, "not been generated"):
            filing.with_user(self.icsoe_manager).action_confirm()

    def test_large_confirmation_runs_in_the_background(self):
        self._threshold(0)
        filing = self._draft()
        filing.action_generate()
        self._threshold(2)
        manager_filing = filing.with_user(self.icsoe_manager)
        action = manager_filing.action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(filing.state, "draft")
        job = filing.background_job_id
        self.assertEqual(
            (job.kind, job.user_id), ("report_confirm", self.icsoe_manager)
        )
        self._run(job)
        self.assertEqual(job.state, "done")
        self.assertEqual(filing.state, "confirmed")
        self.assertTrue(filing.export_attachment_ids)
        self.assertTrue(filing.exports_sha256)

    def test_confirmation_with_errors_fails_the_job_with_the_reason(self):
        self._threshold(0)
        filing = self._draft()
        filing.action_generate()
        # an error the confirmation's checks find: IMSS writes to that address
        self.company_a.write({"l10n_mx_icsoe_email": False, "email": False})
        self._threshold(2)
        filing.with_user(self.icsoe_manager).action_confirm()
        job = filing.background_job_id
        cr = self.env.cr
        savepoint = {"sp": cr.savepoint(flush=False)}

        def commit():
            self.env.flush_all()
            savepoint["sp"].close(rollback=False)
            savepoint["sp"] = cr.savepoint(flush=False)

        def rollback():
            savepoint["sp"].close(rollback=True)
            self.env.invalidate_all()
            savepoint["sp"] = cr.savepoint(flush=False)

        with mute_logger("odoo.addons.l10n_mx_icsoe.models.job"):
            self.env["l10n_mx_icsoe.job"].sudo()._run_jobs(
                time.monotonic() + 60, commit=commit, rollback=rollback
            )
        savepoint["sp"].close(rollback=False)
        job.invalidate_recordset()
        self.assertEqual(job.state, "failed")
        self.assertIn("error(s)", job.error)
        self.assertEqual(filing.state, "draft")

    def test_command_and_daily_job_work_in_place(self):
        """Out of a user's request (the icsoe command, the scheduled action) a
        large report is generated and confirmed at once, not queued."""
        with tempfile.TemporaryDirectory() as out:
            args = icsoe_cli._parser().parse_args(
                [
                    "generate",
                    "--company",
                    str(self.company_a.id),
                    "--year",
                    "2026",
                    "--period",
                    "1",
                    "--confirm",
                    "--output",
                    out,
                ]
            )
            self.assertEqual(icsoe_cli.execute(self.env, args, commit=False), 0)
            self.assertTrue((Path(out) / "ICSOE_2026-1_Normal_snapshot.xml").exists())
        filing = self.Filing.search(
            [("company_id", "=", self.company_a.id), ("year", "=", 2026)]
        )
        self.assertEqual(filing.state, "confirmed")
        self.assertFalse(self.env["l10n_mx_icsoe.job"].search([]))

    def test_a_half_generated_informativa_cannot_be_confirmed(self):
        """A regeneration that fails half-way leaves the informativa marked as
        not generated: nothing half-written is confirmed."""
        self._threshold(0)
        filing = self._draft()
        filing.action_generate()
        self._threshold(2)
        filing.action_generate()
        job = filing.background_job_id
        job._run_step()
        job._fail(UserError("stopped"))
        self.assertEqual(job.state, "failed")
        self.assertEqual(len(self._lines(filing)[0]), 1)
        self.assertFalse(filing.generated_at)
        with self.assertRaisesRegex(UserError, "not been generated"):
            filing.with_user(self.icsoe_manager).action_confirm()

    def test_contracts_changed_during_the_job_are_not_mixed(self):
        """A contract of the period signed while the job runs (here dated before
        the contracts already written) is not slipped in nor silently left out:
        the job refuses to finish and asks to generate again."""
        filing = self._draft()
        filing.action_generate()
        job = filing.background_job_id
        job._run_step()
        self.env["l10n_mx_icsoe.contract"].create(
            self._contract_vals(name="C0", date_start=date(2026, 1, 15))
        )
        with self.assertRaisesRegex(UserError, "while it was being generated"):
            self._run(job)
        lines = self._lines(filing)[0]
        self.assertEqual(
            [line[1] for line in lines], ["C1", "C2"], "no C0, no duplicate"
        )
        self.assertFalse(filing.generated_at)

    def test_retry_starts_again_after_a_regeneration(self):
        filing = self._draft()
        filing.action_generate()
        job = filing.background_job_id
        job._run_step()
        job._fail(UserError("stopped"))
        self._threshold(0)
        filing.action_generate()  # the user generates it meanwhile
        self._threshold(2)
        job.with_user(self.icsoe_user).action_retry()
        self._run(job)
        lines = self._lines(filing)[0]
        self.assertEqual([line[:2] for line in lines], [(1, "C1"), (2, "C2")])
        self.assertEqual(filing.contract_count, 2)

    def test_cancel_before_the_first_batch_keeps_the_lines(self):
        self._threshold(0)
        filing = self._draft()
        filing.action_generate()
        before = self._lines(filing)
        self._threshold(2)
        filing.action_generate()
        filing.background_job_id.with_user(self.icsoe_user).action_cancel()
        self.assertEqual(self._lines(filing), before)
        self.assertTrue(filing.generated_at)

    def test_type_changes_wait_for_the_job(self):
        filing = self._draft()
        filing.action_generate()
        for action in (filing.action_set_no_info, filing.action_set_normal):
            with self.assertRaisesRegex(UserError, "already queued in the background"):
                action()
