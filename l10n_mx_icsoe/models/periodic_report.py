"""What every cuatrimestral report shares: the ICSOE informativa (IMSS) and SISUB (INFONAVIT).

Company, year and cuatrimestre with the period dates and the legal deadline
(the 17th of May, September and January, moved past weekends and the
non-working days table); "today" in Mexico City; a guard that lets the
workflow's own fields be written only by the addon's methods, whatever the
entry point (create, write, copy, load/import, context defaults); and the
scheduling: the deadline to-do, reminders before it, the missed-deadline flag
with its fine, and the drafts of every period the company owes.

A report model inherits ``l10n_mx_icsoe.periodic.report`` and says, through a few
class attributes and hooks, which of its types are *originals* (the first report
of a period), which states are still open, which fields are protected and how a
new draft is generated.
"""

import io
import logging
import zipfile
from datetime import timedelta

import psycopg2.errors
import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date, mute_logger

from ..icsoe import periods
from ..icsoe.snapshot import exports_digest
from .guard import internal, is_internal
from .job import SESSION_KEY as JOB_SESSION_KEY
from .job import JobSession
from .mail_message import refuse_frozen_chatter

_logger = logging.getLogger(__name__)

MEXICO_TZ = "America/Mexico_City"
PERIODS = [("1", "1 (Jan–Apr)"), ("2", "2 (May–Aug)"), ("3", "3 (Sep–Dec)")]
# Reports with more lines are generated and confirmed by a background job
# (ir.config_parameter l10n_mx_icsoe.background_lines; 0: never).
BACKGROUND_LINES = 20000
# Context key (and its only value) of the work done in place whatever its size:
# the daily scheduled action and the icsoe command.
INLINE_KEY = "l10n_mx_icsoe_inline"
IN_PLACE = object()
# Fields that stay writable on any report (chatter, activities).
MAIL_FIELDS_PREFIXES = ("message_", "activity_", "website_message")


def parse_reminder_days(text):
    """'7, 2' -> [7, 2] (invalid parts ignored, duplicates removed, largest first)."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit():
            days.add(int(part))
    return sorted(days, reverse=True)


class L10nMxIcsoePeriodicReport(models.AbstractModel):
    _name = "l10n_mx_icsoe.periodic.report"
    _description = "Cuatrimestral REPSE Report"
    _check_company_auto = True

    # What a concrete report says about itself.
    _report_type_field = "filing_type"
    _report_original_types = ("normal",)
    _report_open_states = ("draft", "confirmed")
    _report_protected_fields = frozenset()
    _report_deadline_activity = None  # xmlid of the deadline to-do's activity type
    _report_fine_uma = (500, 2000)  # LSS art. 304-B fr. V
    _report_fine_source = "LSS art. 304-A fr. XXII, 304-B fr. V; 304-C"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    year = fields.Integer(
        required=True, default=lambda self: self._default_due_period()[0]
    )
    period = fields.Selection(
        PERIODS,
        string="Cuatrimestre",
        required=True,
        default=lambda self: str(self._default_due_period()[1]),
    )
    date_start = fields.Date(
        string="Period Start", compute="_compute_period_dates", store=True
    )
    date_end = fields.Date(
        string="Period End", compute="_compute_period_dates", store=True
    )
    deadline = fields.Date(
        string="Legal Deadline",
        compute="_compute_period_dates",
        store=True,
        help="The 17th of May, September or January, moved to the next business day "
        "(weekends and the non-working days table).",
    )
    is_overdue = fields.Boolean(
        string="Missed Deadline",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="The report of the period was not filed by its legal deadline.",
    )
    missed_alert_sent = fields.Boolean(copy=False, readonly=True)
    background_job_id = fields.Many2one(
        "l10n_mx_icsoe.job",
        compute="_compute_background_job",
        help="The generation or confirmation of this report running in the background.",
    )
    background_progress = fields.Float(compute="_compute_background_job")
    missed_fine_text = fields.Char(
        string="Possible Fine",
        compute="_compute_missed_fine_text",
        help="The fine for not filing, or filing late, unless the filing is "
        "spontaneous.",
    )

    # ------------------------------------------------------------------ dates

    @api.model
    def _today_mexico(self):
        return fields.Datetime.now().astimezone(pytz.timezone(MEXICO_TZ)).date()

    @api.model
    def _mexico_date(self, utc_datetime):
        return (
            pytz.utc.localize(fields.Datetime.to_datetime(utc_datetime))
            .astimezone(pytz.timezone(MEXICO_TZ))
            .date()
        )

    @api.model
    def _default_due_period(self):
        """(year, period) of the cuatrimestre due now: the last closed one."""
        year, period = periods.period_of(self._today_mexico())
        return (year, period - 1) if period > 1 else (year - 1, 3)

    @api.depends("year", "period")
    def _compute_period_dates(self):
        holidays = self.env["l10n_mx_icsoe.holiday"]
        for report in self:
            if not report.year or not report.period:
                report.date_start = report.date_end = report.deadline = False
                continue
            year, period = report.year, int(report.period)
            report.date_start, report.date_end = periods.period_dates(year, period)
            nominal = periods.nominal_deadline(year, period)
            days_off = holidays._dates(nominal, nominal.replace(day=28))
            report.deadline = periods.next_business_day(nominal, days_off)

    def _overdue_domain(self):
        return [
            ("deadline", "<", self._today_mexico()),
            ("state", "in", self._report_open_states),
            (self._report_type_field, "in", self._report_original_types),
        ]

    def _compute_is_overdue(self):
        today = self._today_mexico()
        for report in self:
            report.is_overdue = bool(
                report.deadline
                and report.state in report._report_open_states
                and report[report._report_type_field] in report._report_original_types
                and report.deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Missed Deadline."))
        domain = self._overdue_domain()
        if (operator == "=") == value:
            return domain
        return ["!", "&", "&", *domain]

    @api.depends("deadline")
    def _compute_missed_fine_text(self):
        for report in self:
            report.missed_fine_text = (
                report._fine_text() if report.is_overdue else False
            )

    def _fine_text(self):
        low, high = self._report_fine_uma
        uma = self.env["l10n_mx_icsoe.uma"]._daily_amount_on(self._today_mexico())
        # Formatted before the call: the translation extractor reads plain
        # arguments only.
        amounts = {"low": format(low, ","), "high": format(high, ",")}
        if not uma:
            return self.env._(
                "%(low)s to %(high)s UMA (no UMA value in the table)", **amounts
            )
        amounts.update(
            low_mxn=format(low * uma, ",.2f"),
            high_mxn=format(high * uma, ",.2f"),
            uma=format(uma, ",.2f"),
        )
        return self.env._(
            "%(low)s to %(high)s UMA: MXN %(low_mxn)s to %(high_mxn)s (UMA %(uma)s)",
            **amounts,
        )

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    @api.constrains("year", "period")
    def _check_year(self):
        for report in self:
            if not 2021 <= report.year <= 2100:
                raise ValidationError(
                    self.env._(
                        "%(report)s: the Year %(year)s is out of range (the REPSE reports "
                        "exist since 2021).",
                        report=report.display_name,
                        year=report.year,
                    )
                )

    # ------------------------------------------------------------------ workflow

    _report_transitions = {}  # target state: the states it may come from

    def _period_domain(self):
        self.ensure_one()
        return [
            ("company_id", "=", self.company_id.id),
            ("year", "=", self.year),
            ("period", "=", self.period),
        ]

    def _set_state(self, target):
        """Move to ``target``, checking where each report comes from."""
        allowed = self._report_transitions[target]
        labels = dict(self._fields["state"]._description_selection(self.env))
        for report in self:
            if report.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(report)s cannot go from %(old)s to %(new)s.",
                        report=report.display_name,
                        old=labels[report.state],
                        new=labels[target],
                    )
                )
        internal(self).write({"state": target})

    def _ensure_draft(self):
        for report in self:
            if report.state != "draft":
                raise UserError(
                    self.env._(
                        "%(report)s is %(state)s: only a draft can be generated or "
                        "checked.",
                        report=report.display_name,
                        state=report._state_label(),
                    )
                )

    def _manager_only_message(self):
        return self.env._("Only an ICSOE Manager can do this.")

    def _check_manager(self):
        if not self.env.user.has_group("l10n_mx_icsoe.group_icsoe_manager"):
            raise AccessError(self._manager_only_message())

    _report_replaces_field = None  # the report a complementaria replaces

    def _checker(self):
        """Hook: the report's line checker (a ``check_base.ReportChecker``)."""
        raise NotImplementedError

    def _needs_generation(self):
        """Hook: whether the report must be generated before it is confirmed."""
        return True

    def _draft_reset_values(self):
        """Hook: what going back to draft clears."""
        return {"confirmed_at": False}

    def action_confirm(self):
        self._check_manager()
        self._ensure_draft()
        self._lock_for_work()
        # What refuses a confirmation at once is said at once, also for a
        # report confirmed in the background.
        for report in self:
            if report._needs_generation() and not report.generated_at:
                raise UserError(
                    self.env._(
                        "%(report)s has not been generated yet: press Generate.",
                        report=report.display_name,
                    )
                )
            message = report._chain_refusal()
            if message:
                raise UserError(message)
        queued = self._queue_if_large("report_confirm")
        if queued:
            return queued
        for report in self:
            report._checker().recheck()
            if report.error_count:
                raise UserError(
                    self.env._(
                        "%(report)s has %(count)s error(s): fix the source records, "
                        "regenerate, and confirm again.",
                        report=report.display_name,
                        count=report.error_count,
                    )
                )
        self._set_state("confirmed")
        for report in self:
            report._freeze()
        return True

    def action_draft(self):
        self._check_manager()
        self._set_state("draft")
        self._drop_exports()
        internal(self).write(self._draft_reset_values())
        return True

    def _check_presentation_date(self, filed_on):
        """The presentation date is neither in the future nor before it was possible."""
        self.ensure_one()
        if filed_on > self._today_mexico():
            raise UserError(
                self.env._(
                    "%(report)s: the Presentation Date %(date)s is in the future; type "
                    "the date printed on the acuse.",
                    report=self.display_name,
                    date=filed_on,
                )
            )
        replaced = self[self._report_replaces_field]
        if self[self._report_type_field] in self._report_original_types:
            earliest = self.date_end + timedelta(days=1)
        else:
            earliest = self._mexico_date(replaced.filed_datetime)
        if filed_on < earliest:
            raise UserError(
                self.env._(
                    "%(report)s: the Presentation Date %(date)s is before %(earliest)s, "
                    "the first day it could be presented (the filing window opens once "
                    "the cuatrimestre ends; a complementaria follows the report it "
                    "replaces). Check the date on the acuse.",
                    report=self.display_name,
                    date=filed_on,
                    earliest=earliest,
                )
            )

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------ frozen exports
    # Each report defines export_attachment_ids (Many2many ir.attachment) and
    # exports_sha256, both protected, and the hooks below; see filing_export.py
    # for the naming and hashing rules.

    def _build_exports(self):
        """Hook: [(file name, bytes)] produced at confirmation."""
        raise NotImplementedError

    def _preview_files(self):
        """Hook: what a draft would export (command line preview)."""
        return []

    def _freeze_values(self, files):
        """Hook: more values recorded at confirmation."""
        return {}

    def _is_export_name(self, name):
        """Hook: whether ``name`` is an export name of the addon's own."""
        raise NotImplementedError

    def _freeze(self):
        """Store the exports of a report being confirmed, with their SHA-256."""
        self.ensure_one()
        # The confirmation time first: the exports (the snapshot) carry it.
        internal(self).write({"confirmed_at": fields.Datetime.now()})
        files = self._build_exports()
        self._check_export_names(name for name, _content in files)
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": self.id,
                }
                for name, content in files
            ]
        )
        internal(self).write(
            {
                "export_attachment_ids": [Command.set(attachments.ids)],
                "exports_sha256": exports_digest(files),
                **self._freeze_values(files),
            }
        )

    def _drop_exports(self):
        """Remove what _freeze produced (back to draft)."""
        for report in self:
            exports = report.export_attachment_ids
            internal(report).write(
                {"export_attachment_ids": [Command.clear()], "exports_sha256": False}
            )
            internal(exports).unlink()

    def _check_export_names(self, names):
        """Refuse any export name that is not a plain base name of the addon's own."""
        self.ensure_one()
        bad = [name for name in names if not self._is_export_name(name)]
        if bad:
            raise UserError(
                self.env._(
                    "%(report)s: %(names)s is not a plain file name of the addon's own "
                    "(letters, digits, '_', '-' and one extension), so its exports are "
                    "not written. Ask an administrator to check the report's Exports.",
                    report=self.display_name,
                    names=", ".join(repr(name) for name in bad),
                )
            )

    def _check_exports_sha256(self, files):
        """Refuse exports that no longer match the SHA-256 recorded at confirmation."""
        self.ensure_one()
        if self.exports_sha256 and exports_digest(files) != self.exports_sha256:
            raise UserError(
                self.env._(
                    "%(report)s: its exports no longer match the Exports SHA-256 recorded "
                    "when it was confirmed (%(sha256)s). They were changed outside the "
                    "addon: ask an administrator to restore them from a backup.",
                    report=self.display_name,
                    sha256=self.exports_sha256,
                )
            )

    def _export_files(self):
        """[(file name, bytes)]: the frozen exports, or a preview of a draft."""
        self.ensure_one()
        if self.state != "draft":
            files = [(a.name, a.raw) for a in self.export_attachment_ids.sorted("name")]
            self._check_exports_sha256(files)
            return files
        return self._preview_files()

    def _zip_bytes(self):
        self.ensure_one()
        files = self._export_files()
        self._check_export_names(name for name, _content in files)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files:
                archive.writestr(name, content)
        return buffer.getvalue()

    def action_download_zip(self):
        self.ensure_one()
        if not self.export_attachment_ids:
            raise UserError(
                self.env._(
                    "%(report)s has no exports yet: they are produced when it is "
                    "confirmed.",
                    report=self.display_name,
                )
            )
        data = self._zip_bytes()
        Attachment = self.env["ir.attachment"]
        Attachment.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("description", "=", "l10n_mx_icsoe_zip"),
            ]
        ).unlink()
        attachment = Attachment.create(
            {
                "name": f"{self._file_prefix()}.zip",
                "raw": data,
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

    # ------------------------------------------------------------------ checks report

    _report_line_models = ()  # [(line model, field pointing to the report)]

    def _checks_summary(self):
        return (
            f"{self.contract_count} contracts, {self.worker_count} workers, "
            f"{self.error_count} errors, {self.warning_count} warnings"
        )

    def _checks_report(self):
        """Plain-text list of the checks, errors first (for the command line)."""
        self.ensure_one()
        lines = [f"{self.name} — {self.company_id.name}", self._checks_summary(), ""]
        for kind, report_field, line_field in (
            ("ERROR", "check_message", "error_text"),
            ("WARNING", "warning_message", "warning_text"),
        ):
            lines += [f"{kind} {m}" for m in (self[report_field] or "").splitlines()]
            for model, link in self._report_line_models:
                for record in self.env[model].search_read(
                    [(link, "=", self.id), (line_field, "!=", False)], [line_field]
                ):
                    lines += [f"{kind} {m}" for m in record[line_field].splitlines()]
        lines += [
            f"NOT REPORTED {m}" for m in (self["info_message"] or "").splitlines()
        ]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ background

    def _active_jobs(self):
        return (
            self.env["l10n_mx_icsoe.job"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "in", ("queued", "running")),
                ]
            )
        )

    def _compute_background_job(self):
        jobs = self._active_jobs()
        by_report = {job.res_id: job for job in jobs}
        for report in self:
            job = by_report.get(report.id, jobs.browse())
            report.background_job_id = job.id
            report.background_progress = job.progress

    def _background_size(self, kind):
        """Hook: the lines the work of ``kind`` reads or writes, to decide whether
        it runs in the background."""
        return 0

    def _background_threshold(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("l10n_mx_icsoe.background_lines", BACKGROUND_LINES)
            or 0
        )

    def _in_background_job(self):
        """Whether this runs as a step of a background job. The job's session
        is a Python object in the context: no RPC call can pass one."""
        return isinstance(self.env.context.get(JOB_SESSION_KEY), JobSession)

    def _runs_in_place(self):
        """Out of a user's request: a background job's step, the daily scheduled
        action or the ``icsoe`` command (``INLINE_KEY`` set to :data:`IN_PLACE`,
        which no RPC call can pass either)."""
        return self._in_background_job() or self.env.context.get(INLINE_KEY) is IN_PLACE

    def _queue_if_large(self, kind):
        """Queue the work of ``kind`` on this report as a background job when it
        is large; returns the notification to show then, else None (do it now)."""
        if len(self) != 1 or self._runs_in_place():
            return None
        threshold = self._background_threshold()
        size = self._background_size(kind)
        if not threshold or size <= threshold:
            return None
        Job = self.env["l10n_mx_icsoe.job"]
        label = dict(Job._fields["kind"]._description_selection(self.env))[kind]
        job = Job._enqueue(
            kind,
            self.company_id,
            f"report:{self._name}:{self.id}",
            name=f"{label}: {self.display_name}",
            res_model=self._name,
            res_id=self.id,
        )
        self.invalidate_recordset(["background_job_id", "background_progress"])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Running in the background"),
                "message": self.env._(
                    "%(report)s has %(lines)s lines: %(work)s runs in the background "
                    "(%(job)s). Keep working; you will be notified when it ends, and "
                    "the report shows its progress.",
                    report=self.display_name,
                    lines=size,
                    work=label.lower(),
                    job=job.name,
                ),
                "type": "info",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _check_no_background_job(self):
        """Nothing else touches a report while its background job runs."""
        if self._in_background_job():
            return
        busy = self._active_jobs()
        if busy:
            raise UserError(busy[:1].with_env(self.env)._busy_message())

    def action_open_background_job(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "l10n_mx_icsoe.job",
            "res_id": self.background_job_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------ concurrency

    def _lock_for_work(self):
        """Take the reports' rows for this transaction, or tell the user who waits.

        Two users (or the daily job and a user) generating or confirming the same
        report at once: the second gets a clear message at once instead of a
        serialization error or a half-mixed result.
        """
        if not self.ids:
            return
        self._check_no_background_job()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id = ANY(%s) FOR NO KEY UPDATE NOWAIT",
                        SQL.identifier(self._table),
                        list(self.ids),
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "%(report)s is being generated, checked or confirmed by someone "
                    "else right now. Wait a moment and reload it.",
                    report=", ".join(self.mapped("display_name")),
                )
            ) from None

    # ------------------------------------------------------------------ guard

    def _check_user_company(self, company_id):
        """A report only lives in a company its user belongs to."""
        if self.env.su or not company_id:
            return
        if company_id not in self.env.user.company_ids.ids:
            raise AccessError(
                self.env._(
                    "%(model)s: you do not belong to the company chosen in Company; pick "
                    "one of your companies.",
                    model=self._description,
                )
            )

    def _forbidden_message(self, fields_, report=None):
        names = ", ".join(
            self._fields[f].get_description(self.env)["string"] for f in sorted(fields_)
        )
        if report is None:
            return self.env._(
                "%(model)s: a report is created as a draft of an original type; "
                "%(fields)s are set only by its buttons (Generate, Confirm, Register "
                "presentation, complementarias).",
                model=self._description,
                fields=names,
            )
        return self.env._(
            "%(report)s is %(state)s: %(fields)s cannot be changed by hand. Use its "
            "buttons; filed reports are never edited, file a complementaria.",
            report=report.display_name,
            state=report._state_label(),
            fields=names,
        )

    def _type_change_allowed(self, new_type):
        """On a draft: whether the user may switch its type to ``new_type``."""
        self.ensure_one()
        return (
            self[self._report_type_field] in self._report_original_types
            and new_type in self._report_original_types
        )

    @api.model_create_multi
    def create(self, vals_list):
        # The database's exclusion constraints read the states: pending writes first.
        self.flush_model()
        guarded = not is_internal(self)
        model = self
        if guarded:
            model, vals_list = self._guard_create_vals(vals_list)
        reports = super(L10nMxIcsoePeriodicReport, model).create(vals_list)
        if guarded:
            reports._guard_created()
        reports.filtered(
            lambda r: r[r._report_type_field] in r._report_original_types
        )._schedule_deadline_activity()
        return reports

    @api.model
    def _guard_create_vals(self, vals_list):
        """Every way in from a client (create, load/import, a context default) ends
        here: only drafts of an original type, without workflow values."""
        protected = self._report_protected_fields
        type_field = self._report_type_field
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (
                key.startswith("default_")
                and (key[8:] in protected or key[8:] == "state")
            )
        }
        # Replacing the context (not merging) drops those defaults on purpose.
        model = self.with_context(context)  # pylint: disable=context-overridden
        vals_list = [model._drop_empty_protected(vals) for vals in vals_list]
        for vals in vals_list:
            forbidden = set(vals) & protected
            default_type = model._fields[type_field].default
            if vals.get(type_field, default_type and default_type(model)) not in (
                self._report_original_types
            ):
                forbidden.add(type_field)
            if forbidden:
                raise UserError(model._forbidden_message(forbidden))
            model._check_user_company(vals.get("company_id"))
        model._check_before_create(vals_list)
        return model, vals_list

    def _guard_created(self):
        type_field = self._report_type_field
        for report in self:
            if (
                report.state != "draft"
                or report[type_field] not in self._report_original_types
            ):
                raise UserError(self._forbidden_message({"state", type_field}))
            self._check_user_company(report.company_id.id)

    @api.model
    def _drop_empty_protected(self, vals):
        """A client may send what a new draft has anyway (state draft, empty values)."""
        return {
            key: value
            for key, value in vals.items()
            if not (key in self._report_protected_fields or key == "state")
            or (value and not (key == "state" and value == "draft"))
        }

    @api.model
    def _check_before_create(self, vals_list):
        """Hook: refuse, with the report's own words, what the database would refuse."""

    # A report is never duplicated: refused without calling super on purpose.
    def copy(self, default=None):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "%(model)s: a report cannot be duplicated. Create the report of the "
                "period (New), or file a complementaria of the one in effect.",
                model=self._description,
            )
        )

    def write(self, vals):
        if not is_internal(self):
            changed = {f for f in vals if not f.startswith(MAIL_FIELDS_PREFIXES)}
            type_field = self._report_type_field
            if "company_id" in vals:
                self._check_user_company(vals["company_id"])
            for report in self:
                # Drafts are edited freely but for the workflow's own fields; past
                # draft, nothing is.
                if report.state != "draft":
                    forbidden = changed
                else:
                    forbidden = changed & self._report_protected_fields
                    if type_field in changed and not report._type_change_allowed(
                        vals[type_field]
                    ):
                        forbidden.add(type_field)
                if forbidden:
                    raise UserError(self._forbidden_message(forbidden, report))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        for report in self:
            if report.state != "draft":
                raise UserError(
                    self.env._(
                        "%(report)s is %(state)s: only drafts can be deleted.",
                        report=report.display_name,
                        state=report._state_label(),
                    )
                )

    def _message_update_content(self, message, body, *args, **kwargs):
        # The chatter's edit and delete of a report past draft (mail_message.py):
        # the message arrives as sudo, the report in the user's environment.
        if not self.env.su:
            frozen = self.filtered(lambda report: report.state != "draft")
            if frozen:
                refuse_frozen_chatter(frozen[0])
        return super()._message_update_content(message, body, *args, **kwargs)

    # ------------------------------------------------------------------ scheduling

    def _responsible_user(self):
        self.ensure_one()
        return self.company_id.l10n_mx_icsoe_responsible_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )

    def _with_responsible_lang(self):
        """The report as its responsible user reads it (cron and command runs)."""
        self.ensure_one()
        user = self._responsible_user()
        lang = (user and user.lang) or self.company_id.partner_id.lang
        return self.with_context(lang=lang) if lang else self

    def _deadline_summary(self):
        return self.env._("File %(name)s", name=self.name)

    def _deadline_note(self):
        return self.env._(
            "Legal deadline %(deadline)s. Review the checks, confirm, file it and "
            "register the folio and acuse.",
            deadline=format_date(self.env, self.deadline),
        )

    def _schedule_deadline_activity(self):
        if not self._report_deadline_activity:
            return
        for report in self:
            user = report._responsible_user()
            if not user:
                continue
            report = report._with_responsible_lang()
            report.with_context(mail_activity_quick_update=True).activity_schedule(
                self._report_deadline_activity,
                date_deadline=report.deadline,
                summary=report._deadline_summary(),
                note=report._deadline_note(),
                user_id=user.id,
            )

    def _move_deadline_activities(self):
        """After a deadline moved: the deadline to-dos follow it."""
        if not self._report_deadline_activity:
            return
        activity_type = self.env.ref(self._report_deadline_activity)
        for report in self:
            report.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ).date_deadline = report.deadline

    @api.model
    def _cron_send_reminders(self):
        """Remind the responsible user N days before the deadline (per company)."""
        today = self._today_mexico()
        reports = self.search(
            [
                ("state", "in", self._report_open_states),
                (self._report_type_field, "in", self._report_original_types),
                ("deadline", ">=", today),
            ]
        )
        reminded = self.browse()
        for report in reports:
            days_left = (report.deadline - today).days
            if days_left not in parse_reminder_days(
                report.company_id.l10n_mx_icsoe_reminder_days
            ):
                continue
            try:
                with self.env.cr.savepoint():
                    if report._send_reminder(days_left):
                        reminded |= report
            except Exception:
                _logger.exception(
                    "ICSOE: could not remind %s of %s; the other companies went on",
                    report.name,
                    report.company_id.name,
                )
        return reminded

    def _send_reminder(self, days_left):
        self.ensure_one()
        report = self._with_responsible_lang()
        user = report._responsible_user()
        if not user:
            return False
        report.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=report.deadline,
            summary=report.env._(
                "%(name)s is due in %(days)s day(s)", name=report.name, days=days_left
            ),
            user_id=user.id,
        )
        report.message_post(
            body=report.env._(
                "Reminder: %(name)s must be filed by %(deadline)s (%(days)s day(s) left).",
                name=report.name,
                deadline=format_date(report.env, report.deadline),
                days=days_left,
            ),
            partner_ids=user.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        return True

    def _flag_missed(self):
        """One activity per missed report: past its deadline, nothing filed."""
        for report in self.filtered(lambda r: r.is_overdue and not r.missed_alert_sent):
            report = report._with_responsible_lang()
            user = report._responsible_user()
            message = report.env._(
                "%(name)s was due on %(deadline)s and is not filed: possible fine of "
                "%(fine)s (%(law)s). Filing it now, before the authority asks for it, "
                "is spontaneous and not fined.",
                name=report.name,
                deadline=format_date(report.env, report.deadline),
                fine=report._fine_text(),
                law=report._report_fine_source,
            )
            if user:
                report.with_context(mail_activity_quick_update=True).activity_schedule(
                    "mail.mail_activity_data_warning",
                    date_deadline=report._today_mexico(),
                    summary=report.env._("Missed: %(name)s", name=report.name),
                    note=message,
                    user_id=user.id,
                )
            report.message_post(body=message)
            internal(report).missed_alert_sent = True

    @api.model
    def _cron_flag_missed(self):
        """Daily: flag the reports whose deadline just passed, company by company."""
        reports = self.search(
            [("is_overdue", "=", True), ("missed_alert_sent", "=", False)]
        )
        for company in reports.company_id:
            try:
                with self.env.cr.savepoint():
                    reports.filtered(
                        lambda r, c=company: r.company_id == c
                    )._flag_missed()
            except Exception:
                _logger.exception(
                    "ICSOE: could not flag the missed reports of %s", company.name
                )

    def _generate_new_draft(self):
        """Hook: fill a draft the daily job (or the command) prepares."""

    @api.model
    def _cli_report_of_period(self, company, year, period):
        """The report the ``icsoe`` command works on, or a new draft of the period."""
        domain = [
            ("company_id", "=", company.id),
            ("year", "=", year),
            ("period", "=", period),
        ]
        return self._cli_existing_report(domain) or self.create(
            {"company_id": company.id, "year": year, "period": period}
        )

    @api.model
    def _cli_existing_report(self, domain):
        """The one in progress (a complementaria included), else the one in effect."""
        return self.search(
            [*domain, ("state", "in", ("draft", "confirmed"))], order="id desc", limit=1
        ) or self.search([*domain, ("is_effective", "=", True)], limit=1)

    @api.model
    def _cron_generate_drafts(self):
        """Prepare the draft of every period a company owes that has no report yet.

        Runs daily. A period is owed from the first REPSE registration on, when a
        registration of the company was valid on one of its days (even if it has
        lapsed or been cancelled since), once its filing window has opened (1 May,
        1 Sep, 1 Jan, Mexico City time); periods ending before the company's "ICSOE
        Tracked Since" date are left alone. A period with any report (in progress,
        filed, voided...) is the user's to handle and gets nothing new. A period
        whose deadline has passed is *missed*: its draft gets an activity with the
        fine range. Each company runs in its own savepoint, so one failure is
        logged and the others go on.
        """
        today = self._today_mexico()
        Registration = self.env["l10n_mx_icsoe.repse.registration"].sudo()
        companies = self.env["res.company"].browse(
            company.id for [company] in Registration._read_group([], ["company_id"])
        )
        existing = {
            (company.id, year, period)
            for company, year, period in self.sudo()._read_group(
                [("company_id", "in", companies.ids)], ["company_id", "year", "period"]
            )
        }
        created = self.browse()
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    owed = Registration._chain_of(company).owed_periods(
                        today, company.l10n_mx_icsoe_filings_since or None
                    )
                    todo = [
                        (year, period)
                        for year, period in owed
                        if (company.id, year, str(period)) not in existing
                    ]
                    created |= self._prepare_drafts(company, todo)
            except Exception:
                _logger.exception(
                    "ICSOE: could not prepare the drafts of %s; the other companies "
                    "went on",
                    company.name,
                )
        self._cron_flag_missed()
        return created

    def _prepare_drafts(self, company, periods_):
        """Create and generate a draft per (year, period); flag those already missed."""
        created = self.browse()
        user = company.l10n_mx_icsoe_responsible_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )
        lang = (user and user.lang) or company.partner_id.lang
        model = self.with_company(company).sudo()
        if lang:  # the creation message is in the responsible user's language
            model = model.with_context(lang=lang)
        for year, period in periods_:
            report = model.create(
                {"company_id": company.id, "year": year, "period": str(period)}
            )
            created |= report
            report = report._with_responsible_lang().with_context(
                **{INLINE_KEY: IN_PLACE}
            )
            try:
                with self.env.cr.savepoint():
                    report._generate_new_draft()
            except Exception as error:
                _logger.exception(
                    "ICSOE: generation of %s for %s failed", report.name, company.name
                )
                report.message_post(
                    body=self.env._(
                        "Automatic generation failed: %(error)s. Generate it by hand "
                        "after fixing the cause.",
                        error=error,
                    )
                )
        created._flag_missed()
        return created
