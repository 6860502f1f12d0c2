"""Background jobs: a large payroll CFDI upload imported a batch at a time.

The jobs are driven as the scheduled action drives them, a batch per
``_run_step()`` or through the runner (``_run_jobs``) with savepoints standing
for its commits, so that an interrupted batch leaves what a crash would leave.
"""

import base64
import contextlib
import io
import tempfile
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from odoo.addons.l10n_mx_icsoe.cli import icsoe as icsoe_cli
from odoo.addons.l10n_mx_icsoe.models.guard import internal
from odoo.addons.l10n_mx_icsoe.models.job import LOCK_CLASS, SESSION_KEY, JobSession
from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import PayrollImport

from .common import IcsoeCase
from .test_lib_cfdi import build_cfdi, nomina_spec

JOB = "l10n_mx_icsoe.job"
UUID_TEMPLATE = "00000000-0000-4000-8000-{:012d}"


def pay_periods(count, first=date(2026, 2, 16)):
    """``count`` consecutive half-month pay periods (start, end) from ``first``."""
    periods, start = [], first
    for _ in range(count):
        end = (
            start.replace(day=15)
            if start.day == 1
            else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            - timedelta(days=1)
        )
        periods.append((start, end))
        start = end + timedelta(days=1)
    return periods


class JobCase(IcsoeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.Job = cls.env[JOB]
        cls.contract = cls.env["l10n_mx_icsoe.contract"].create(
            cls._contract_vals(name="CJ", date_start=date(2026, 2, 1))
        )
        cls.params = cls.env["ir.config_parameter"]
        # An upload of more than 5 files goes to the background.
        cls.params.set_param("l10n_mx_icsoe.import_background_files", "5")

    def _xml(self, worker, period, uuid, sbc="452.37"):
        start, end = period
        spec = nomina_spec(
            attrs={
                "FechaPago": str(end),
                "FechaInicialPago": str(start),
                "FechaFinalPago": str(end),
            },
            receptor={
                "Curp": worker.l10n_mx_curp,
                "NumSeguridadSocial": worker.ssnid,
                "SalarioBaseCotApor": sbc,
            },
            subcontracts=[(self.client.vat, "100.00")],
        )
        return build_cfdi(
            "4.0",
            nominas=[spec],
            emisor={"Rfc": self.company_a.vat},
            uuid=uuid,
        )

    def _payroll_zip(self, periods=4, extra=None):
        """A ZIP of the three workers' payslips over ``periods`` pay periods,
        worker by worker (12 files by default)."""
        members, n = {}, 0
        for worker in self.workers:
            for period in pay_periods(periods):
                n += 1
                members[f"{worker.ssnid}_{period[1]}.xml"] = self._xml(
                    worker, period, UUID_TEMPLATE.format(n)
                )
        members.update(extra or {})
        return _zip(members)

    def _wizard(self, files, user=None, create_employees=False):
        env = self.env(user=user or self.icsoe_manager)
        uploads = env["ir.attachment"].create(
            [{"name": name, "raw": data} for name, data in files]
        )
        return env["l10n_mx_icsoe.cfdi.import"].create(
            {
                "company_id": self.company_a.id,
                "attachment_ids": [(6, 0, uploads.ids)],
                "create_employees": create_employees,
            }
        )

    def _queue(self, files, batch=5, user=None):
        """Upload ``files`` in the wizard and queue them; returns the job."""
        wizard = self._wizard(files, user=user)
        wizard.action_preview()
        self.assertEqual(wizard.state, "background")
        action = wizard.action_import_background()
        job = self.env[JOB].browse(action["params"]["next"]["res_id"])
        payload = dict(job.payload, batch=batch)
        job._job_write({"payload": payload})
        return job

    def _run(self, job, limit=100):
        """Steps until the job ends; the progress seen after each one."""
        seen = []
        for _ in range(limit):
            if job._run_step():
                return seen + [(job.progress_done, job.progress_total)]
            seen.append((job.progress_done, job.progress_total))
        self.fail("the job did not end")

    def _written(self):
        return (
            self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]),
            self.env["l10n_mx_icsoe.sbc"].search_count([]),
            self.env["l10n_mx_icsoe.contract.assignment"].search_count([]),
            self.env["hr.employee"].search_count([]),
        )

    @contextmanager
    def _notified(self):
        """The bus notifications sent to users inside the block: [(user, payload)]."""
        sent = []

        def record(users, kind, payload, **kwargs):
            sent.extend((user, kind, payload) for user in users)

        with patch.object(type(self.env["res.users"]), "_bus_send", record):
            yield sent

    def _savepoint_runner(self):
        """commit/rollback for ``_run_jobs`` on savepoints: a rollback undoes
        what happened since the last commit, as a crash would."""
        cr = self.env.cr
        state = {"sp": cr.savepoint(flush=False)}

        def commit():
            self.env.flush_all()
            state["sp"].close(rollback=False)
            state["sp"] = cr.savepoint(flush=False)

        def rollback():
            cr.clear()  # as a rollback does: pending writes are dropped
            state["sp"].close(rollback=True)
            self.env.invalidate_all(flush=False)
            state["sp"] = cr.savepoint(flush=False)

        return commit, rollback, state


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ERRORS = {
    "user": UserError,
    "memory": MemoryError,
    "key": KeyError,
    "serialization": pg_errors.SerializationFailure,
}


def counting_step(job):
    """A kind of work for the framework's tests: one batch per step, up to
    ``progress_total``; ``payload["fail_at"]`` raises in that batch."""
    payload = dict(job.payload or {})
    done = payload.get("done", 0) + 1
    job.env["res.partner"].create({"name": f"batch {done} of job {job.id}"})
    if payload.get("fail_at") == done:
        error = ERRORS[payload.get("error", "user")]
        raise error(f"Batch {done} cannot be done.")
    payload["done"] = done
    vals = {"payload": payload, "progress_done": done}
    finished = done >= job.progress_total
    if finished:
        vals["result"] = f"{done} batches done."
    job._job_write(vals)
    return finished


@tagged("post_install", "-at_install")
class TestJobFramework(JobCase):
    """The framework itself, with a counting kind of work (one partner per batch)."""

    def setUp(self):
        super().setUp()
        patcher = patch.object(
            type(self.env[JOB]), "_step_cfdi_import", counting_step, create=True
        )
        patcher.start()
        self.addCleanup(patcher.stop)
        self.runner = self.env.ref("l10n_mx_icsoe.ir_cron_run_jobs")

    def _enqueue(self, total=3, key="count:a", user=None, **kwargs):
        Job = self.env[JOB].with_user(user or self.icsoe_manager)
        return Job._enqueue(
            "cfdi_import",
            self.company_a,
            key,
            name="Counting",
            total=total,
            **kwargs,
        )

    def _batches(self, job):
        return self.env["res.partner"].search_count(
            [("name", "=like", f"batch % of job {job.id}")]
        )

    def test_enqueue_then_steps_until_done(self):
        triggers = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.runner.id)]
        )
        job = self._enqueue(res_model="l10n_mx_icsoe.contract", res_id=self.contract.id)
        self.assertEqual(
            (job.state, job.progress, job.user_id), ("queued", 0.0, self.icsoe_manager)
        )
        self.assertEqual(job.res_name, "CJ")
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.runner.id)]
            ),
            len(triggers),
            "queuing wakes the runner",
        )
        with self._notified() as sent:
            self.assertFalse(job._run_step())
            self.assertEqual((job.state, round(job.progress)), ("running", 33))
            self.assertTrue(job.date_started)
            self.assertFalse(job._run_step())
            self.assertTrue(job._run_step())
        self.assertEqual(
            (job.state, job.progress, job.result), ("done", 100.0, "3 batches done.")
        )
        self.assertEqual(self._batches(job), 3)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0][0], self.icsoe_manager)
        self.assertEqual(sent[0][2]["title"], "Counting")
        # the record it worked on has the result in its chatter
        note = self.contract.message_ids[:1]
        self.assertIn("Background job done: Counting", note.body)
        self.assertIn("3 batches done.", note.body)

    def test_one_active_job_per_key(self):
        job = self._enqueue()
        job._run_step()
        with self.assertRaises(UserError) as caught:
            self._enqueue(user=self.icsoe_user)
        message = str(caught.exception)
        for fragment in (
            '"Counting" is already running',
            "33 % done",
            "icsoe_manager_a",
        ):
            self.assertIn(
                fragment, message.replace(self.icsoe_manager.name, "icsoe_manager_a")
            )
        self.assertTrue(self._enqueue(key="count:b"), "another key runs beside it")
        # the database keeps one active job per key, whatever the code does
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            internal(self.env[JOB].sudo()).create(
                {
                    "name": "twin",
                    "kind": "cfdi_import",
                    "company_id": self.company_a.id,
                    "key": job.key,
                }
            )
            self.env.flush_all()
        self.assertEqual(self.env[JOB]._active_by_key("count:a"), job)
        self._run(job)
        self.assertFalse(self.env[JOB]._active_by_key("count:a"))
        self.assertTrue(self._enqueue(), "once ended, the key is free")

    def test_runner_commits_each_batch_and_resumes_after_time_is_up(self):
        job = self._enqueue(total=4)
        commit, rollback, _state = self._savepoint_runner()
        Job = self.env[JOB].sudo()
        triggered = []
        with patch.object(
            type(Job), "_trigger_runners", lambda self, at=None: triggered.append(at)
        ):
            # time is up after the first batch: it wakes itself for the rest
            ran = Job._run_jobs(time.monotonic() - 1, commit=commit, rollback=rollback)
            self.assertEqual((ran, triggered), (1, [None]))
            job.invalidate_recordset()
            self.assertEqual(
                (job.state, job.progress_done, job.attempts), ("running", 1, 0)
            )
            ran = Job._run_jobs(time.monotonic() + 60, commit=commit, rollback=rollback)
        self.assertEqual(ran, 3)
        job.invalidate_recordset()
        self.assertEqual(job.state, "done")
        self.assertEqual(self._batches(job), 4)

    def test_interrupted_batch_is_run_again_from_the_last_commit(self):
        """The runner's batch is rolled back and the job failed; retried, it
        resumes from the last committed batch: each batch is done once."""
        job = self._enqueue(total=4, payload={"fail_at": 3, "error": "memory"})
        commit, rollback, _state = self._savepoint_runner()
        with (
            self._notified(),
            self.assertLogs("odoo.addons.l10n_mx_icsoe.models.job", "ERROR"),
        ):
            self.env[JOB].sudo()._run_jobs(
                time.monotonic() + 60, commit=commit, rollback=rollback
            )
        job.invalidate_recordset()
        self.assertEqual((job.state, job.progress_done), ("failed", 2))
        self.assertEqual(self._batches(job), 2, "the third batch was rolled back")
        job.with_user(self.icsoe_manager).action_retry()
        self.assertEqual((job.state, job.error), ("queued", False))
        job._job_write({"payload": dict(job.payload, fail_at=None)})
        self._run(job)
        self.assertEqual((job.state, job.progress_done), ("done", 4))
        self.assertEqual(self._batches(job), 4)

    def test_failure_is_shown_and_notified(self):
        job = self._enqueue(
            total=4,
            payload={"fail_at": 2},
            res_model="l10n_mx_icsoe.contract",
            res_id=self.contract.id,
        )
        commit, rollback, _state = self._savepoint_runner()
        with self._notified() as sent:
            self.env[JOB].sudo()._run_jobs(
                time.monotonic() + 60, commit=commit, rollback=rollback
            )
        job.invalidate_recordset()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.error, "Batch 2 cannot be done.")
        self.assertTrue(job.date_done)
        self.assertEqual(len(sent), 1)
        user, kind, payload = sent[0]
        self.assertEqual((user, kind), (self.icsoe_manager, "simple_notification"))
        self.assertEqual((payload["type"], payload["sticky"]), ("danger", True))
        self.assertEqual(payload["message"], "Batch 2 cannot be done.")
        self.assertIn("Background job failed", self.contract.message_ids[:1].body)

    def test_unexpected_error_is_logged_not_shown(self):
        job = self._enqueue(payload={"fail_at": 1, "error": "key"})
        commit, rollback, _state = self._savepoint_runner()
        with (
            self.assertLogs("odoo.addons.l10n_mx_icsoe.models.job", "ERROR") as logs,
            self._notified(),
        ):
            self.env[JOB].sudo()._run_jobs(
                time.monotonic() + 60, commit=commit, rollback=rollback
            )
        job.invalidate_recordset()
        self.assertEqual(job.state, "failed")
        self.assertIn("unexpected error", job.error)
        self.assertNotIn("KeyError", job.error)
        self.assertIn("KeyError", "\n".join(logs.output))

    def test_concurrency_failure_runs_the_batch_again_later(self):
        job = self._enqueue(total=2, payload={"fail_at": 1, "error": "serialization"})
        commit, rollback, _state = self._savepoint_runner()
        Job = self.env[JOB].sudo()
        triggered = []
        with (
            patch.object(
                type(Job),
                "_trigger_runners",
                lambda self, at=None: triggered.append(at),
            ),
            self.assertLogs("odoo.addons.l10n_mx_icsoe.models.job", "WARNING"),
        ):
            ran = Job._run_jobs(time.monotonic() + 60, commit=commit, rollback=rollback)
        job.invalidate_recordset()
        self.assertEqual((ran, job.state, job.attempts), (0, "queued", 0))
        self.assertEqual(job.payload["concurrency_retries"], 1)
        self.assertEqual(self._batches(job), 0, "the batch was rolled back")
        self.assertGreater(triggered[0], fields.Datetime.now(), "retried a bit later")
        job._job_write({"payload": dict(job.payload, fail_at=None)})
        Job._run_jobs(time.monotonic() + 60, commit=commit, rollback=rollback)
        job.invalidate_recordset()
        self.assertEqual((job.state, self._batches(job)), ("done", 2))
        self.assertNotIn("concurrency_retries", job.payload)
        # too many in a row: the job fails with a message saying so
        job = self._enqueue(
            key="count:b",
            payload={"fail_at": 1, "error": "serialization", "concurrency_retries": 5},
        )
        with self._notified(), mute_logger("odoo.addons.l10n_mx_icsoe.models.job"):
            Job._run_jobs(time.monotonic() + 60, commit=commit, rollback=rollback)
        job.invalidate_recordset()
        self.assertEqual(job.state, "failed")
        self.assertIn("other work kept changing the same records", job.error)

    def test_job_locked_by_another_worker_is_left_alone(self):
        job = self._enqueue()
        commit, rollback, _state = self._savepoint_runner()
        with self.registry.cursor() as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, job.id))
            try:
                ran = (
                    self.env[JOB]
                    .sudo()
                    ._run_jobs(time.monotonic() + 60, commit=commit, rollback=rollback)
                )
            finally:
                other.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, job.id))
        self.assertEqual((ran, job.state), (0, "queued"))

    def test_batch_that_keeps_killing_its_worker_fails_the_job(self):
        job = self._enqueue()
        job._job_write({"attempts": 3})
        commit, rollback, _state = self._savepoint_runner()
        with self._notified():
            self.env[JOB].sudo()._run_jobs(
                time.monotonic() + 60, commit=commit, rollback=rollback
            )
        job.invalidate_recordset()
        self.assertEqual(job.state, "failed")
        self.assertIn("stopped the same batch 3 times", job.error)

    def test_cancel(self):
        job = self._enqueue()
        job._run_step()
        with self.assertRaises(AccessError):
            job.with_user(self.icsoe_user).action_cancel()
        job.with_user(self.icsoe_manager).action_cancel()
        self.assertEqual(job.state, "cancelled")
        self.assertIn("Cancelled by", job.result)
        self.assertIn("at 1 of 3", job.result)
        self.assertTrue(job._run_step(), "a cancelled job does nothing more")
        self.assertEqual(self._batches(job), 1)
        with self.assertRaisesRegex(UserError, "only queued or running"):
            job.action_cancel()
        # who queued it may cancel it too
        mine = self._enqueue(user=self.icsoe_user)
        mine.with_user(self.icsoe_user).action_cancel()
        self.assertEqual(mine.state, "cancelled")

    def test_users_cannot_forge_or_change_jobs(self):
        job = self._enqueue()
        forged = {
            "name": "forged",
            "kind": "cfdi_import",
            "company_id": self.company_a.id,
            "state": "done",
            "result": "100 CFDI imported",
        }
        for user in (self.icsoe_user, self.icsoe_manager):
            as_user = self.env[JOB].with_user(user)
            with self.subTest(user=user.login), self.assertRaises(UserError):
                as_user.create(forged)
            for vals in (
                {"state": "done"},
                {"result": "forged"},
                {"payload": {"done": 99}},
                {"progress_done": 3},
                {"company_id": self.company_b.id},
            ):
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRaises(UserError),
                ):
                    as_user.browse(job.id).write(vals)
            with self.assertRaises(UserError):
                as_user.browse(job.id).copy()
            with self.assertRaises(UserError):
                as_user.browse(job.id).unlink()  # active: cancel it first
        # not even as superuser, outside the framework
        with self.assertRaisesRegex(UserError, "never by hand"):
            job.sudo().write({"state": "done"})
        with self.assertRaisesRegex(UserError, "never by hand"):
            self.env[JOB].sudo().create(forged)
        self.env.invalidate_all()
        self.assertEqual((job.state, job.payload), ("queued", False))

    def test_companies_see_their_own_jobs(self):
        job = self._enqueue()
        self.assertEqual(job.with_user(self.icsoe_user).progress_total, 3)
        self.assertFalse(self.env[JOB].with_user(self.icsoe_user_b).search([]))
        with self.assertRaises(AccessError):
            job.with_user(self.icsoe_user_b).read(["name"])
        with self.assertRaises(AccessError):
            self.env[JOB].with_user(self.icsoe_user_b)._enqueue(
                "cfdi_import", self.company_a, "x", name="x"
            )
        self.assertFalse(self.env[JOB].with_user(self.plain_user).has_access("read"))

    def test_time_budget_follows_the_server_limits(self):
        Job = self.env[JOB]
        with patch.dict(
            config.options,
            {
                "limit_time_real": 120,
                "limit_time_real_cron": -1,
                "workers": 2,
                "limit_time_cpu": 60,
            },
        ):
            self.assertEqual(Job._time_budget(), 20)
        with patch.dict(
            config.options,
            {
                "limit_time_real": 120,
                "limit_time_real_cron": 0,
                "workers": 0,
                "limit_time_cpu": 60,
            },
        ):
            self.assertEqual(Job._time_budget(), 60)


@tagged("post_install", "-at_install")
class TestJobCfdiImport(JobCase):
    """A payroll CFDI upload above the threshold (5 files here), in batches of 5."""

    def test_import_into_a_company_not_of_the_user_is_refused(self):
        """Over RPC the wizard's company can be any: the import, its preview and
        the busy message (a job's name and user) stay in the user's companies."""
        wizard = self._wizard([("recibos.zip", self._payroll_zip())])
        wizard.company_id = self.company_b
        for action in (
            wizard.action_preview,
            wizard.action_import,
            wizard.action_import_background,
        ):
            with self.assertRaisesRegex(AccessError, "not one of your companies"):
                action()

    def test_command_waits_for_the_background_import(self):
        """The icsoe command refuses to import while the company's background
        import runs, as the wizard does."""
        self._queue([("nominas.zip", self._payroll_zip())])
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "recibos.zip").write_bytes(self._payroll_zip())
            args = icsoe_cli._parser().parse_args(
                ["import-cfdi", "--company", str(self.company_a.id), folder]
            )
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                self.assertEqual(icsoe_cli.execute(self.env, args, commit=False), 1)
        self.assertIn("already queued in the background", stderr.getvalue())

    def test_documents_of_other_records_are_not_taken_over(self):
        """The job deletes its input files when it ends: a manager who puts a
        document of another record (here the company's) in the upload over RPC
        is refused, and the document stays where it was."""
        document = self.env["ir.attachment"].create(
            {
                "name": "acta_constitutiva.pdf",
                "raw": b"%PDF-1.4",
                "res_model": "res.company",
                "res_id": self.company_a.id,
            }
        )
        wizard = self._wizard([("recibos.zip", self._payroll_zip())])
        wizard.attachment_ids = [(4, document.id)]
        with self.assertRaisesRegex(UserError, "acta_constitutiva.pdf belong to other"):
            wizard.action_import_background()
        self.assertEqual(
            (document.exists().res_model, document.res_id),
            ("res.company", self.company_a.id),
        )
        self.assertFalse(self.env[JOB].search([]))

    def test_large_upload_is_imported_in_the_background(self):
        job = self._queue([("nominas.zip", self._payroll_zip())])
        self.assertEqual(job.state, "queued")
        self.assertEqual(job.kind, "cfdi_import")
        self.assertEqual(job.user_id, self.icsoe_manager)
        self.assertEqual(job.progress_total, 12)
        self.assertIn("nominas.zip (12 files)", job.name)
        # the upload now belongs to the job, readable by ICSOE Managers only
        self.assertEqual(
            job.with_user(self.icsoe_manager).attachment_ids.name, "nominas.zip"
        )
        before = self._written()
        with self._notified() as sent:
            self.assertFalse(job._run_step())
            # each batch is written as it goes
            self.assertEqual(self._written()[0] - before[0], 5)
            progress = [(job.progress_done, job.progress_total)] + self._run(job)
        self.assertEqual(progress, [(5, 12), (10, 12), (12, 12)])
        self.assertEqual((job.state, job.progress, job.warning), ("done", 100.0, False))
        self.assertTrue(job.date_started and job.date_done)
        self.assertIn("12 CFDI imported", job.result)
        self.assertIn("assignments created", job.result)
        self.assertEqual(self._written()[0] - before[0], 12)
        assignments = self.env["l10n_mx_icsoe.contract.assignment"].search(
            [("contract_id", "=", self.contract.id)]
        )
        self.assertEqual(assignments.employee_id, self.workers)
        self.assertEqual(set(assignments.mapped("date_to")), {pay_periods(4)[-1][1]})
        stored = self.env["l10n_mx_icsoe.payroll.cfdi"].search(
            [("uuid", "=", UUID_TEMPLATE.format(1).upper())]
        )
        self.assertEqual(
            base64.b64decode(stored.xml_file),
            self._xml(self.workers[0], pay_periods(4)[0], UUID_TEMPLATE.format(1)),
        )
        # the user who queued it is told, in the web client
        self.assertEqual(len(sent), 1)
        user, kind, payload = sent[0]
        self.assertEqual(
            (user, kind, payload["type"]),
            (self.icsoe_manager, "simple_notification", "success"),
        )
        self.assertIn("12 CFDI imported", payload["message"])
        # the upload is not kept once imported (each CFDI keeps its XML)
        self.assertFalse(job.sudo().attachment_ids)

    def test_files_that_cannot_be_imported_are_left_out_and_listed(self):
        stranger = self.env["hr.employee"].new(
            {
                "ssnid": "12345678901",
                "l10n_mx_curp": self.workers[0].l10n_mx_curp[:-1] + "X",
            }
        )
        upload = self._payroll_zip(
            extra={
                "roto.xml": b"<cfdi:Comprobante",
                "extranjero.xml": self._xml(
                    stranger, pay_periods(1)[0], UUID_TEMPLATE.format(77)
                ),
            }
        )
        job = self._queue([("nominas.zip", upload)])
        with self._notified() as sent:
            self._run(job)
        self.assertEqual((job.state, job.warning), ("done", True))
        self.assertIn("12 CFDI imported", job.result)
        self.assertIn("Not imported, cannot be read as payroll CFDI (1):", job.result)
        self.assertIn("nominas.zip/roto.xml", job.result)
        self.assertIn("Not imported, the worker cannot be created (1):", job.result)
        self.assertIn(
            "nominas.zip/extranjero.xml: NSS 12345678901 is not valid", job.result
        )
        self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 12)
        self.assertEqual((sent[0][2]["type"], sent[0][2]["sticky"]), ("warning", True))

    def test_second_job_of_the_same_company_is_refused(self):
        job = self._queue([("nominas.zip", self._payroll_zip())])
        job._run_step()
        with self.assertRaises(UserError) as caught:
            self._queue([("otra.zip", self._payroll_zip(periods=3))])
        message = str(caught.exception)
        self.assertIn(job.name, message)
        self.assertIn("41 % done", message)
        self.assertIn("Background jobs", message)
        # a small upload of the same company waits too
        wizard = self._wizard(
            [
                (
                    "uno.xml",
                    self._xml(
                        self.workers[0], pay_periods(1)[0], UUID_TEMPLATE.format(99)
                    ),
                )
            ]
        )
        wizard.action_preview()
        with self.assertRaisesRegex(UserError, "already running"):
            wizard.action_import()
        # once it has ended, the next one may be queued
        self._run(job)
        self.assertTrue(self._queue([("otra.zip", self._payroll_zip(periods=5))]))

    def test_interrupted_batch_resumes_without_duplicates(self):
        job = self._queue([("nominas.zip", self._payroll_zip())])
        job._run_step()  # the first batch imported
        written = self._written()
        position = job.payload["position"]
        # the next batch dies after writing the SBC and assignments, before the files
        with (
            patch.object(PayrollImport, "_store_files", side_effect=MemoryError),
            self.assertRaises(MemoryError),
            self.env.cr.savepoint(),
        ):
            job._run_step()
        self.env.invalidate_all()
        self.assertEqual(self._written(), written)
        self.assertEqual(job.payload["position"], position)
        self._run(job)
        self.assertEqual(job.state, "done")
        self.assertIn("12 CFDI imported", job.result)
        self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 12)

    def test_batch_run_again_changes_nothing(self):
        """Its writes committed but not its cursor: the batch finds its CFDI
        already imported."""
        job = self._queue([("nominas.zip", self._payroll_zip())])
        start = job.payload
        job._run_step()
        written = self._written()
        job._job_write({"payload": start})
        job._run_step()
        self.assertEqual(self._written(), written)
        self.assertEqual(job.payload["counts"]["skipped"], 5)
        self._run(job)
        self.assertIn("7 CFDI imported", job.result)
        self.assertIn("Skipped (5):", job.result)
        self.assertIn("Already imported", job.result)
        self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 12)

    def test_cancel_keeps_what_was_imported(self):
        job = self._queue([("nominas.zip", self._payroll_zip())])
        job._run_step()
        with self.assertRaises(AccessError):
            job.with_user(self.icsoe_user).action_cancel()
        job.with_user(self.icsoe_manager).action_cancel()
        self.assertEqual(job.state, "cancelled")
        self.assertIn("Cancelled by", job.result)
        self.assertIn("5 CFDI imported", job.result)
        self.assertFalse(job.sudo().attachment_ids)
        written = self._written()
        self.assertTrue(job._run_step(), "a cancelled job does nothing more")
        self.assertEqual(self._written(), written)

    def test_who_reads_jobs_and_their_files(self):
        job = self._queue([("nominas.zip", self._payroll_zip())])
        # an ICSOE User of the company reads the job, not the payslips it holds
        as_user = job.with_user(self.icsoe_user)
        self.assertEqual(as_user.progress_total, 12)
        upload = job.sudo().attachment_ids
        with self.assertRaises(AccessError):
            upload.with_user(self.icsoe_user).read(["raw"])
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(self.icsoe_user)
            .search([("res_model", "=", JOB)])
        )
        self.assertTrue(upload.with_user(self.icsoe_manager).raw)


@tagged("post_install", "-at_install")
class TestJobMemory(JobCase):
    """A step holds its batch, not the upload: its allocation peak does not grow
    with the ZIP (tiny CFDI, steps of 200 files; the archive's directory, read
    once per run, is apart)."""

    def _tiny_zip(self, count):
        worker = self.workers[0]
        template = self._xml(worker, pay_periods(1)[0], UUID_TEMPLATE.format(0))
        marker = UUID_TEMPLATE.format(0).encode()
        return _zip(
            {
                f"n{i:06d}.xml": template.replace(
                    marker, UUID_TEMPLATE.format(count * 10 + i).encode()
                )
                for i in range(count)
            }
        )

    def _step_peak(self, count):
        """The allocation peak (bytes) of the second step over ``count`` files."""
        job = self._queue([(f"tiny{count}.zip", self._tiny_zip(count))], batch=200)
        session = JobSession()
        job = job.with_context(**{SESSION_KEY: session})
        try:
            job._run_step()  # opens the upload (its directory is read once)
            self.env.flush_all()
            self.env.invalidate_all()
            tracemalloc.start()
            try:
                job._run_step()
                self.env.flush_all()
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        finally:
            session.close()
        self.assertEqual(job.progress_done, 400)
        self.assertEqual(self.env["l10n_mx_icsoe.payroll.cfdi"].search_count([]), 400)
        job._job_write({"state": "cancelled"})
        self.env["l10n_mx_icsoe.payroll.cfdi"].search([]).unlink()
        return peak

    def test_step_peak_does_not_grow_with_the_upload(self):
        small = self._step_peak(2000)
        large = self._step_peak(10000)
        self.assertLess(small, 16 * 2**20)
        self.assertLess(large, small * 1.3 + 2**20)
