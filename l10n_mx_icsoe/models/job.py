"""Background jobs: long work done in batches by a scheduled action, with progress.

A job is one piece of long work for a company (a large payroll CFDI import, a
generation, a confirmation, an export...). The scheduled action "ICSOE: run
background jobs" (:meth:`L10nMxIcsoeJob._cron_run_jobs`) runs it a batch at a
time and commits after each batch together with the job's progress and resume
cursor, so a restart or a killed worker loses one batch at most: the next run
resumes from the committed cursor. The user who queued the job sees a progress
bar on its form, keeps working, and is notified when it ends.

For the kinds of work (``kind``; add one with ``selection_add`` and
``ondelete`` from the file that implements it):

- ``_enqueue(kind, company, key, name=..., payload=..., total=...)`` queues a
  job and wakes the runner; a second active job with the same ``key`` (e.g.
  ``"generate:<company>:<year>-<period>"``) is refused with a message naming
  the first one, and the database refuses it too (a partial unique index);
- ``_step_<kind>()`` processes ONE batch. It runs as the user who queued the
  job, in the job's company and that user's language; it reads its options
  and cursor from ``self.payload`` (copy it before changing it), writes the
  job's own fields through ``self._job_write({...})`` (``payload``,
  ``progress_done``, ``progress_total``, ``result``), returns True once the
  work is finished (after writing ``result``), never commits, and raises to
  fail: a ``UserError``'s message is shown to the user as is;
- optional ``_cancel_<kind>()`` returns what to tell about the work done when
  the job is cancelled;
- ``_active_by_key(key)`` / ``_active_for(res_model, res_id)`` give the
  active job in the way, for a form to show "running in the background: 40 %".

Users cannot write jobs (read-only access; ``create`` and ``write`` refused
outside this framework even as superuser), so nobody forges a finished job or
changes its payload over RPC.
"""

import logging
import time
import traceback
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, config, mute_logger, plaintext2html

from .guard import internal, is_internal

_logger = logging.getLogger(__name__)

ACTIVE_STATES = ("queued", "running")
ENDED_STATES = ("done", "failed", "cancelled")
#: Seconds one run of the scheduled action spends at most (less when the
#: server's time limits are lower: a third of them).
JOB_TIME_BUDGET = 60
#: Times a batch may be started without ending (a worker killed for its time
#: or memory limit in the middle of it) before its job fails.
MAX_ATTEMPTS = 3
#: Concurrency failures (serialization, deadlock) in a row before a job fails.
MAX_CONCURRENCY_RETRIES = 5
CONCURRENCY_RETRY_DELAY = 10  # seconds
#: First key of the session advisory locks that keep a job to one worker.
LOCK_CLASS = 0x1C50E
#: Context key of the :class:`JobSession` of a run.
SESSION_KEY = "l10n_mx_icsoe_job_session"
INPUT_GROUPS = "l10n_mx_icsoe.group_icsoe_manager"


class JobSession:
    """What the steps of one run keep open between their batches (e.g. the
    directory of an uploaded ZIP, costly to read again), closed when the run
    ends. Steps find it in the context (``SESSION_KEY``)."""

    def __init__(self):
        self._resources = {}

    def get(self, key, factory):
        """The resource under ``key``, made by ``factory()`` the first time; it
        must have a ``close()``."""
        if key not in self._resources:
            self._resources[key] = factory()
        return self._resources[key]

    def drop(self, key):
        resource = self._resources.pop(key, None)
        if resource is not None:
            resource.close()

    def close(self):
        for key in list(self._resources):
            self.drop(key)


class L10nMxIcsoeJob(models.Model):
    _name = "l10n_mx_icsoe.job"
    _description = "ICSOE Background Job"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Queued By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    kind = fields.Selection(
        [("cfdi_import", "Payroll CFDI import")], required=True, readonly=True
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    key = fields.Char(
        readonly=True,
        help="Work of the same key runs one job at a time (e.g. one import per "
        "company).",
    )
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Related Record ID", model_field="res_model", readonly=True
    )
    res_name = fields.Char(string="Related Record", compute="_compute_res_name")
    payload = fields.Json(readonly=True, help="Options and resume cursor.")
    progress_done = fields.Integer(readonly=True)
    progress_total = fields.Integer(readonly=True)
    progress = fields.Float(compute="_compute_progress", string="Progress (%)")
    attempts = fields.Integer(
        readonly=True,
        help="Times the current batch was started without ending (a worker "
        "stopped in the middle of it).",
    )
    result = fields.Text(readonly=True)
    warning = fields.Boolean(
        string="Done with Problems",
        readonly=True,
        help="The work is done, but its result lists what could not be done.",
    )
    error = fields.Text(readonly=True)
    date_started = fields.Datetime(string="Started On", readonly=True)
    date_done = fields.Datetime(string="Ended On", readonly=True)
    # The input files (e.g. an uploaded ZIP of payslips): attachments of this
    # field, which only ICSOE Managers may read (ir.attachment checks the field's
    # groups), not of the job itself, which ICSOE Users read.
    attachment_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        string="Input Files",
        domain=[
            ("res_model", "=", "l10n_mx_icsoe.job"),
            ("res_field", "=", "attachment_ids"),
        ],
        readonly=True,
        groups=INPUT_GROUPS,
    )

    def init(self):
        # One active job per key, enforced by the database.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (key) "
                "WHERE key IS NOT NULL AND state IN ('queued', 'running')",
                SQL.identifier(f"{self._table}_active_key_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.depends("state", "progress_done", "progress_total")
    def _compute_progress(self):
        for job in self:
            if job.state == "done":
                job.progress = 100.0
            elif job.progress_total:
                job.progress = min(
                    100.0, 100.0 * job.progress_done / job.progress_total
                )
            else:
                job.progress = 0.0

    @api.depends("res_model", "res_id")
    def _compute_res_name(self):
        for job in self:
            record = job._target()
            job.res_name = (
                record.display_name
                if record and record.has_access("read")
                else (job.res_model and f"{job.res_model},{job.res_id}") or False
            )

    def _target(self):
        """The record the job works on, or None."""
        self.ensure_one()
        if not (self.res_model and self.res_id and self.res_model in self.env):
            return None
        record = self.env[self.res_model].browse(self.res_id)
        return record if record.sudo().exists() else None

    # ------------------------------------------------------------ guard

    @api.model_create_multi
    def create(self, vals_list):
        if not is_internal(self):
            raise UserError(self._forbidden_message())
        return super().create(vals_list)

    def write(self, vals):
        if not is_internal(self):
            raise UserError(self._forbidden_message())
        return super().write(vals)

    # A job is never duplicated: refused without calling super on purpose.
    def copy(self, default=None):  # pylint: disable=method-required-super
        raise UserError(self._forbidden_message())

    def _forbidden_message(self):
        return self.env._(
            "Background jobs are created and updated by the work they run "
            "(imports, generations...), never by hand: start the work again from "
            "its own form or wizard, or cancel the job with its Cancel button."
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_ended(self):
        active = self.filtered(lambda job: job.state in ACTIVE_STATES)
        if active:
            raise UserError(
                self.env._(
                    "%(job)s is still %(state)s: cancel it before deleting it.",
                    job=active[0].name,
                    state=active[0]._state_label(),
                )
            )

    def _job_write(self, vals):
        """Write the job's own fields: for the framework and the steps only."""
        return internal(self.sudo()).write(vals)

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # ------------------------------------------------------------ queuing

    @api.model
    def _enqueue(
        self,
        kind,
        company,
        key,
        *,
        name,
        res_model=False,
        res_id=False,
        payload=None,
        total=0,
        attachments=None,
    ):
        """Queue a job of ``kind`` for ``company`` and wake the runner.

        ``key``: work of the same key runs one job at a time; a second one is
        refused with a message naming the first. ``attachments``: the job's
        input files, moved to it (readable by ICSOE Managers only) and deleted
        when it is done or cancelled.
        """
        company.ensure_one()
        if kind not in dict(self._fields["kind"].selection):
            raise ValueError(f"unknown background job kind {kind!r}")
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You cannot start background work for %(company)s: it is not "
                    "one of your companies.",
                    company=company.name,
                )
            )
        if key:
            busy = self._active_by_key(key)
            if busy:
                raise UserError(busy._busy_message())
        vals = {
            "name": name,
            "kind": kind,
            "company_id": company.id,
            "user_id": self.env.user.id,
            "key": key or False,
            "res_model": res_model or False,
            "res_id": res_id or False,
            "payload": payload or {},
            "progress_total": total,
        }
        Job = internal(self.sudo())
        try:
            # Two requests at once: the database keeps one; the other gets the
            # same message as above.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                job = Job.create(vals)
                job.flush_recordset()
        except pg_errors.UniqueViolation:
            busy = self._active_by_key(key)
            raise UserError(
                busy._busy_message()
                if busy
                else self.env._(
                    "The same work was queued by someone else at the same moment: "
                    "look for it in ICSOE > Configuration > Background jobs."
                )
            ) from None
        if attachments:
            internal(attachments.sudo()).write(
                {
                    "res_model": self._name,
                    "res_id": job.id,
                    "res_field": "attachment_ids",
                }
            )
        job._trigger_runners()
        return job.sudo(False).with_env(self.env)

    def _busy_message(self):
        self.ensure_one()
        return self.env._(
            '"%(job)s" is already %(state)s in the background (%(progress)s %% done, '
            "queued by %(user)s on %(date)s). Wait for it to end, or cancel it in "
            "ICSOE > Configuration > Background jobs, then start again.",
            job=self.sudo().name,
            state=self.sudo()._state_label().lower(),
            progress=int(self.sudo().progress),
            user=self.sudo().user_id.name,
            date=fields.Datetime.to_string(
                fields.Datetime.context_timestamp(self, self.sudo().create_date)
            )[:16],
        )

    @api.model
    def _active_by_key(self, key):
        """The queued or running job of ``key`` (any user's), or an empty recordset."""
        if not key:
            return self.browse()
        job = self.sudo().search([("key", "=", key), ("state", "in", ACTIVE_STATES)])
        return job[:1].with_env(self.env)

    @api.model
    def _active_for(self, res_model, res_id):
        """The queued or running job working on a record, or an empty recordset."""
        job = self.sudo().search(
            [
                ("res_model", "=", res_model),
                ("res_id", "=", res_id),
                ("state", "in", ACTIVE_STATES),
            ],
            limit=1,
        )
        return job.with_env(self.env)

    @api.model
    def _runner_crons(self):
        """The scheduled actions that run the jobs (one by default; a duplicate
        of it runs the jobs of other keys in parallel)."""
        return (
            self.env["ir.cron"]
            .sudo()
            .search(
                [
                    ("model_id.model", "=", self._name),
                    ("code", "like", "_cron_run_jobs"),
                ]
            )
        )

    def _trigger_runners(self, at=None):
        for cron in self._runner_crons():
            cron._trigger(at)

    # ------------------------------------------------------------ user actions

    def _check_may_manage(self):
        """Who queued a job, or an ICSOE Manager of its company, may cancel or
        retry it."""
        self.check_access("read")
        manager = self.env.user.has_group("l10n_mx_icsoe.group_icsoe_manager")
        for job in self:
            if not (self.env.su or manager or job.user_id == self.env.user):
                raise AccessError(
                    self.env._(
                        "%(job)s was queued by %(user)s: only that user or an ICSOE "
                        "Manager may cancel or retry it.",
                        job=job.name,
                        user=job.user_id.name,
                    )
                )

    def action_cancel(self):
        """Stop the job: a running one stops at its next batch; what its finished
        batches did is kept."""
        self._check_may_manage()
        for job in self:
            if job.state not in ACTIVE_STATES:
                raise UserError(
                    self.env._(
                        "%(job)s is %(state)s: only queued or running jobs can be "
                        "cancelled.",
                        job=job.name,
                        state=job._state_label().lower(),
                    )
                )
            hook = getattr(job, f"_cancel_{job.kind}", None)
            done = hook() if hook else ""
            summary = self.env._(
                "Cancelled by %(user)s at %(done)s of %(total)s.",
                user=self.env.user.name,
                done=job.progress_done,
                total=job.progress_total,
            )
            job._job_write(
                {
                    "state": "cancelled",
                    "date_done": fields.Datetime.now(),
                    "result": f"{summary}\n{done}" if done else summary,
                }
            )
            job._drop_inputs()
        return True

    def action_retry(self):
        """Queue a failed job again: it resumes from its last finished batch."""
        self._check_may_manage()
        for job in self:
            if job.state != "failed":
                raise UserError(
                    self.env._(
                        "%(job)s is %(state)s: only failed jobs can be retried.",
                        job=job.name,
                        state=job._state_label().lower(),
                    )
                )
            busy = self._active_by_key(job.key)
            if busy:
                raise UserError(busy._busy_message())
            job._job_write(
                {"state": "queued", "error": False, "attempts": 0, "date_done": False}
            )
        self._trigger_runners()
        return True

    def action_open_record(self):
        self.ensure_one()
        record = self._target()
        if not record:
            raise UserError(
                self.env._(
                    "%(job)s works on no record that still exists.", job=self.name
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------ running

    def _as_owner(self):
        """The job as the user who queued it, in its company and language."""
        self.ensure_one()
        job = self.sudo()
        user = job.user_id
        companies = [job.company_id.id] + [
            c for c in user.company_ids.ids if c != job.company_id.id
        ]
        return self.with_user(user).with_context(
            lang=user.lang or self.env.context.get("lang"),
            allowed_company_ids=companies,
        )

    def _run_step(self):
        """Process the next batch of this job; True once it has ended.

        Marks a queued job running, runs ``_step_<kind>()`` as the user who
        queued it, and marks the job done (notifying that user) when the step
        says it is finished. No commit here; exceptions propagate (the runner
        rolls the batch back and fails the job).
        """
        self.ensure_one()
        self.invalidate_recordset()
        if self.sudo().state not in ACTIVE_STATES:
            return True
        job = self._as_owner()
        own_session = SESSION_KEY not in self.env.context
        session = self.env.context.get(SESSION_KEY) or JobSession()
        job = job.with_context(**{SESSION_KEY: session})
        try:
            if job.sudo().state == "queued":
                job._job_write(
                    {"state": "running", "date_started": fields.Datetime.now()}
                )
            finished = getattr(job, f"_step_{job.kind}")()
            vals = {"attempts": 0}
            if finished:
                vals.update(state="done", date_done=fields.Datetime.now())
            job._job_write(vals)
            if finished:
                job._drop_inputs()
                job._notify_end()
            return bool(finished)
        finally:
            if own_session:
                session.close()

    def _fail(self, exception):
        """Mark the job failed with a message the user can act on."""
        self.ensure_one()
        job = self._as_owner()
        if isinstance(exception, UserError):
            message = exception.args[0] if exception.args else str(exception)
        else:
            message = job.env._(
                "The job stopped on an unexpected error; what its earlier batches "
                "did is kept. An administrator finds the details in the server log "
                "(background job %(job)s); once the cause is fixed, retry the job.",
                job=self.id,
            )
        job._job_write(
            {"state": "failed", "error": message, "date_done": fields.Datetime.now()}
        )
        job._notify_end()

    def _notify_end(self):
        """Tell the user who queued the job how it ended: a notification in the
        web client and, when the job works on a record with a chatter, a note
        there."""
        self.ensure_one()
        job = self.sudo()
        failed = job.state == "failed"
        text = job.error if failed else job.result
        kind = "danger" if failed else "warning" if job.warning else "success"
        job.user_id._bus_send(
            "simple_notification",
            {
                "title": job.name,
                "message": text or "",
                "type": kind,
                "sticky": kind != "success",
            },
        )
        record = job._target()
        if record is not None and isinstance(record, self.pool["mail.thread"]):
            title = (
                self.env._("Background job failed: %(job)s", job=job.name)
                if failed
                else self.env._("Background job done: %(job)s", job=job.name)
            )
            record.sudo().message_post(
                body=Markup("<p><strong>%s</strong></p>%s")
                % (title, plaintext2html(text or "")),
                subtype_xmlid="mail.mt_note",
            )

    def _drop_inputs(self):
        """The input files are not kept once the work is done or cancelled."""
        inputs = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("res_field", "=", "attachment_ids"),
                ]
            )
        )
        internal(inputs).unlink()

    # ------------------------------------------------------------ the runner

    @api.model
    def _time_budget(self):
        """Seconds one run may take: JOB_TIME_BUDGET, or a third of the server's
        time limits when lower (a worker over them is stopped)."""
        budget = float(JOB_TIME_BUDGET)
        real = config.get("limit_time_real_cron")
        if real is None or real < 0:
            real = config.get("limit_time_real")
        limits = [real]
        if config.get("workers"):
            limits.append(config.get("limit_time_cpu"))
        for limit in limits:
            if limit and limit > 0:
                budget = min(budget, limit / 3)
        return budget

    @api.model
    def _cron_run_jobs(self):
        """The scheduled action: run queued and running jobs, a batch at a time,
        for at most :meth:`_time_budget` seconds.

        Each batch is committed with the job's progress, and reported to the
        scheduler as done work. When time is up with work left, the run
        triggers the scheduled action again and reports nothing remaining:
        Odoo would otherwise call it again at once in the same worker (up to
        ten times), past the worker's time limits; the trigger starts a fresh
        run, which resumes from the committed cursor.
        """
        # The runner reads and locks every company's jobs; each step runs as the
        # user who queued its job.
        self.sudo()._run_jobs(time.monotonic() + self._time_budget())

    @api.model
    def _run_jobs(self, deadline, *, commit=None, rollback=None):
        """Run jobs until ``deadline`` (``time.monotonic()``) or until none is
        left; returns the number of batches run. ``commit`` and ``rollback``
        end a batch (the cursor's, by default; tests pass savepoints)."""
        cr = self.env.cr
        commit = commit or cr.commit
        rollback = rollback or cr.rollback
        Cron = self.env["ir.cron"]
        batches, skipped = 0, set()
        session = JobSession()
        try:
            while True:
                job = self._lock_next(skipped)
                if not job:
                    break
                try:
                    commit()  # a snapshot taken after the lock: the latest cursor
                    ran, more = self._run_locked(
                        job, deadline, session, commit, rollback
                    )
                    batches += ran
                finally:
                    self._unlock(job)
                    commit()
                Cron._notify_progress(done=batches, remaining=0)
                skipped.add(job.id)
                if more:
                    # time is up, or the job waits before retrying
                    break
                if time.monotonic() >= deadline:
                    if self._next_candidates(skipped):
                        self._trigger_runners()
                        commit()
                    break
        finally:
            session.close()
        return batches

    @api.model
    def _next_candidates(self, skipped):
        domain = [("state", "in", ACTIVE_STATES)]
        if skipped:
            domain.append(("id", "not in", list(skipped)))
        return self.sudo().search(domain, order="id")

    @api.model
    def _lock_next(self, skipped):
        """The oldest active job no other worker runs, locked for this one (a
        session lock: it holds across the batches' commits, and goes with the
        database connection if the worker dies)."""
        for job in self._next_candidates(skipped):
            self.env.cr.execute(
                SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_CLASS, job.id)
            )
            if self.env.cr.fetchone()[0]:
                return job
        return None

    def _unlock(self, job):
        self.env.cr.execute(
            SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_CLASS, job.id)
        )

    def _run_locked(self, job, deadline, session, commit, rollback):
        """Batches of one locked job until it ends or time is up: (batches run,
        whether work is left for a later run)."""
        Cron = self.env["ir.cron"]
        ran = 0
        job = job.with_context(**{SESSION_KEY: session})
        while True:
            self.env.invalidate_all()
            if job.state not in ACTIVE_STATES:
                return ran, False
            if job.attempts >= MAX_ATTEMPTS:
                job._fail(UserError(job._stopped_message()))
                commit()
                return ran, False
            # Counted apart: a batch that kills its worker is not retried forever.
            job._job_write({"attempts": job.attempts + 1})
            commit()
            started = time.monotonic()
            try:
                finished = job._run_step()
                payload = job.payload or {}
                if "concurrency_retries" in payload:  # counted in a row only
                    payload = {
                        k: v for k, v in payload.items() if k != "concurrency_retries"
                    }
                    job._job_write({"payload": payload})
                self.env.flush_all()
                commit()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
                rollback()
                self.env.invalidate_all(flush=False)
                return ran, job._retry_later(exc, commit)
            except Exception as exc:  # noqa: BLE001 (any failure ends the job)
                rollback()
                self.env.invalidate_all(flush=False)
                if isinstance(exc, UserError):  # told to the user as it is
                    _logger.info(
                        "Background job %s (%s) refused: %s", job.id, job.kind, exc
                    )
                else:
                    _logger.error(
                        "Background job %s (%s) failed:\n%s",
                        job.id,
                        job.kind,
                        "".join(traceback.format_exception(exc)),
                    )
                job._fail(exc)
                commit()
                return ran, False
            ran += 1
            Cron._notify_progress(done=ran, remaining=0)
            if finished:
                return ran, False
            if time.monotonic() + (time.monotonic() - started) > deadline:
                self._trigger_runners()
                commit()
                return ran, True

    def _retry_later(self, exc, commit):
        """A concurrency failure (another transaction changed the same rows): the
        batch runs again a little later; after too many, the job fails."""
        payload = dict(self.payload or {})
        retries = payload.get("concurrency_retries", 0) + 1
        _logger.warning(
            "Background job %s: batch rolled back (%s), retry %s",
            self.id,
            type(exc).__name__,
            retries,
        )
        # The batch did not end: not counted as a stopped worker.
        vals = {"attempts": max(self.attempts - 1, 0)}
        if retries > MAX_CONCURRENCY_RETRIES:
            self._job_write(vals)
            self._fail(
                UserError(
                    self.env._(
                        "%(job)s: other work kept changing the same records; the "
                        "batch was tried %(count)s times. Retry the job when that "
                        "work has ended.",
                        job=self.name,
                        count=retries,
                    )
                )
            )
            commit()
            return False
        payload["concurrency_retries"] = retries
        self._job_write({**vals, "payload": payload})
        self._trigger_runners(
            fields.Datetime.now() + timedelta(seconds=CONCURRENCY_RETRY_DELAY)
        )
        commit()
        return True

    def _stopped_message(self):
        return self.env._(
            "%(job)s: the server stopped the same batch %(count)s times (a time or "
            "memory limit of the server worker). What the earlier batches did is "
            "kept; ask an administrator to raise the server's limits, then retry "
            "the job.",
            job=self.name,
            count=self.attempts,
        )
