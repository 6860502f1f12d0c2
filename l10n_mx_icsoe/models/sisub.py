"""The SISUB report (INFONAVIT, Ley del INFONAVIT art. 29 Bis) of a company and cuatrimestre.

It shares the ICSOE informativa's machinery through ``l10n_mx_icsoe.periodic.report``
(period, deadline, guard, scheduling, reminders, missed flag, daily drafts) and
keeps its own lines, checks, files and workflow:

draft → confirmed (frozen exports with their SHA-256) → filed (INFONAVIT folio,
date, acuse) → accepted or rejected (INFONAVIT validates asynchronously: the
user records the result and may load the error file it returns) →
complementario (a full new version, regenerated from the records).

Types (domain notes §8.3 [S2]): *Presentar informe* (normal: a contract started
in the period), *Datos continuos* (no new contract, earlier ones still in
force), *Informe sin actividad* (no contract in force, no worker placed) and
*Complementario*. Generation proposes the original type the records call for.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from .guard import internal
from .sisub_check import SisubChecker
from .sisub_generate import generate_sisub

SISUB_TYPES = [
    ("normal", "Presentar informe"),
    ("continuous", "Datos continuos"),
    ("no_activity", "Sin actividad"),
    ("complementary", "Complementario"),
]
ORIGINAL_TYPES = ("normal", "continuous", "no_activity")
SISUB_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("filed", "Filed"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
]
TRANSITIONS = {
    # target: states it may come from
    "confirmed": ("draft",),
    "draft": ("confirmed",),
    "filed": ("confirmed",),
    "accepted": ("filed",),
    "rejected": ("filed",),
}
#: A complementario follows a report INFONAVIT has answered.
COMPLEMENTABLE_STATES = ("accepted", "rejected")
IN_PROGRESS_STATES = ("draft", "confirmed", "filed")

# Fields only the addon's own methods write (workflow, generation, registration).
PROTECTED_FIELDS = frozenset(
    {
        "state",
        "name",
        "date_start",
        "date_end",
        "deadline",
        "missed_alert_sent",
        "replaced_report_id",
        "is_effective",
        "generated_at",
        "proposed_type",
        "contract_count",
        "started_contract_count",
        "worker_count",
        "row_count",
        "error_count",
        "warning_count",
        "check_message",
        "warning_message",
        "info_message",
        "aportacion_total",
        "amortizacion_total",
        "confirmed_at",
        "exports_sha256",
        "export_attachment_ids",
        "infonavit_folio",
        "filed_datetime",
        "acuse",
        "acuse_filename",
        "is_late",
        "result_date",
        "result_acuse",
        "result_acuse_filename",
        "result_note",
        "error_file",
        "error_file_filename",
        "rejected_line_count",
        "rejection_message",
    }
)


class L10nMxIcsoeSisub(models.Model):
    """One INFONAVIT SISUB report of a company for a cuatrimestre."""

    _name = "l10n_mx_icsoe.sisub"
    _description = "SISUB Report (INFONAVIT)"
    _inherit = [
        "l10n_mx_icsoe.periodic.report",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "year desc, period desc, company_id, id desc"
    _report_type_field = "report_type"
    _report_original_types = ORIGINAL_TYPES
    _report_open_states = ("draft", "confirmed")
    _report_protected_fields = PROTECTED_FIELDS
    _report_transitions = TRANSITIONS
    _report_replaces_field = "replaced_report_id"
    _report_deadline_activity = "l10n_mx_icsoe.mail_activity_sisub_deadline"
    # Reglamento de multas del INFONAVIT art. 6 fr. XVIII, 8 fr. IV as reported [S1].
    _report_fine_uma = (251, 300)
    _report_fine_source = (
        "Ley del INFONAVIT art. 29 Bis; Reglamento de multas art. 6 fr. XVIII, 8 fr. IV"
    )

    name = fields.Char(compute="_compute_name", store=True)
    report_type = fields.Selection(
        SISUB_TYPES, string="Type", required=True, default="normal", tracking=True
    )
    replaced_report_id = fields.Many2one(
        "l10n_mx_icsoe.sisub",
        string="Complements",
        index=True,
        check_company=True,
        help="The report of the same period this complementario follows.",
    )
    complementary_ids = fields.One2many(
        "l10n_mx_icsoe.sisub", "replaced_report_id", string="Complementarios"
    )
    state = fields.Selection(
        SISUB_STATES, default="draft", required=True, tracking=True, copy=False
    )
    contract_line_ids = fields.One2many(
        "l10n_mx_icsoe.sisub.contract", "sisub_id", string="Contracts"
    )
    worker_line_ids = fields.One2many(
        "l10n_mx_icsoe.sisub.worker", "sisub_id", string="Worker Detail"
    )
    generated_at = fields.Datetime(readonly=True, copy=False)
    proposed_type = fields.Selection(
        SISUB_TYPES[:3],
        string="Type the Records Call For",
        readonly=True,
        copy=False,
        help="From the last generation: Presentar informe when a contract started in "
        "the period, Datos continuos when only earlier contracts were in force, Sin "
        "actividad when none was.",
    )
    contract_count = fields.Integer(string="Contracts in Force", readonly=True)
    started_contract_count = fields.Integer(string="New Contracts", readonly=True)
    worker_count = fields.Integer(string="Workers", readonly=True)
    row_count = fields.Integer(string="Detail Rows", readonly=True)
    error_count = fields.Integer(readonly=True, copy=False)
    warning_count = fields.Integer(readonly=True, copy=False)
    check_message = fields.Text(string="Report Checks", readonly=True, copy=False)
    warning_message = fields.Text(string="Report Warnings", readonly=True, copy=False)
    info_message = fields.Text(string="Not Reported", readonly=True, copy=False)
    aportacion_total = fields.Float(
        string="Aportaciones", digits=(16, 2), readonly=True, copy=False
    )
    amortizacion_total = fields.Float(
        string="Amortizaciones", digits=(16, 2), readonly=True, copy=False
    )
    confirmed_at = fields.Datetime(readonly=True, copy=False)
    infonavit_folio = fields.Char(string="INFONAVIT Folio", tracking=True, copy=False)
    filed_datetime = fields.Datetime(
        string="Presentation Date", tracking=True, copy=False
    )
    acuse = fields.Binary(string="Acuse (PDF)", attachment=True, copy=False)
    acuse_filename = fields.Char(copy=False)
    is_late = fields.Boolean(string="Filed Late", readonly=True, copy=False)
    result_date = fields.Date(
        string="INFONAVIT Answer Date",
        tracking=True,
        copy=False,
        help="When INFONAVIT accepted or rejected the report (Seguimiento a folio).",
    )
    result_acuse = fields.Binary(
        string="Acceptance Acuse (PDF)", attachment=True, copy=False
    )
    result_acuse_filename = fields.Char(copy=False)
    result_note = fields.Text(string="INFONAVIT Answer", copy=False)
    error_file = fields.Binary(
        string="INFONAVIT Error File", attachment=True, copy=False
    )
    error_file_filename = fields.Char(copy=False)
    rejected_line_count = fields.Integer(
        string="Rejected Lines", readonly=True, copy=False
    )
    rejection_message = fields.Text(
        string="Errors Not Matched to a Line",
        readonly=True,
        copy=False,
        help="Rows of INFONAVIT's error file that name no line of this report.",
    )
    is_effective = fields.Boolean(
        string="Effective",
        compute="_compute_is_effective",
        store=True,
        help="The accepted report that currently stands for its company and period.",
    )
    can_complement = fields.Boolean(compute="_compute_can_complement")
    type_mismatch = fields.Boolean(compute="_compute_type_mismatch")

    # ------------------------------------------------------------------ computes

    @api.depends("year", "period", "report_type")
    def _compute_name(self):
        labels = dict(SISUB_TYPES)  # INFONAVIT names, the same in every language
        for report in self:
            report.name = (
                f"SISUB {report.year or ''}-{report.period or ''} "
                f"{labels.get(report.report_type, '')}"
            )

    @api.depends("state", "complementary_ids.state")
    def _compute_is_effective(self):
        for report in self:
            report.is_effective = report.state == "accepted" and not any(
                c.state == "accepted" for c in report.complementary_ids
            )

    @api.depends("state", "company_id", "year", "period")
    def _compute_can_complement(self):
        for report in self:
            report.can_complement = bool(
                report.id
                and report.state in COMPLEMENTABLE_STATES
                and not report._complementary_in_progress()
                and not report.complementary_ids.filtered(
                    lambda c: c.state == "accepted"
                )
            )

    @api.depends("report_type", "proposed_type", "generated_at")
    def _compute_type_mismatch(self):
        for report in self:
            report.type_mismatch = bool(
                report.generated_at
                and report.proposed_type
                and report.report_type in ORIGINAL_TYPES
                and report.report_type != report.proposed_type
            )

    # ------------------------------------------------------------------ the chain

    def _complementary_in_progress(self):
        self.ensure_one()
        return (
            self.sudo()
            .search(
                [
                    *self._period_domain(),
                    ("report_type", "=", "complementary"),
                    ("state", "in", IN_PROGRESS_STATES),
                    ("id", "!=", self.id or 0),
                ],
                limit=1,
            )
            .with_env(self.env)
        )

    def _chain_refusal(self):
        """Why this report cannot stand in its period now, as a message, or None."""
        self.ensure_one()
        period = f"{self.year}-{self.period}"
        if self.report_type in ORIGINAL_TYPES:
            other = self.sudo().search(
                [
                    *self._period_domain(),
                    ("report_type", "in", ORIGINAL_TYPES),
                    ("id", "!=", self.id or 0),
                ],
                limit=1,
            )
            if other:
                return self.env._(
                    "%(company)s already has %(other)s (%(state)s) for %(period)s: a "
                    "period has one original SISUB report. Finish or delete that draft, "
                    "or file a Complementario of it once INFONAVIT has answered.",
                    company=self.company_id.name,
                    other=other.name,
                    state=other._state_label(),
                    period=period,
                )
            return None
        target = self.replaced_report_id
        if not target or (target.company_id, target.year, target.period) != (
            self.company_id,
            self.year,
            self.period,
        ):
            return self.env._(
                "%(report)s: a Complementario must name the report of the same company "
                "and period that it follows.",
                report=self.display_name,
            )
        if target.state not in COMPLEMENTABLE_STATES:
            return self.env._(
                "%(target)s is %(state)s: a Complementario follows a report INFONAVIT "
                "has accepted or rejected. Record INFONAVIT's answer first.",
                target=target.display_name,
                state=target._state_label(),
            )
        other = self._complementary_in_progress()
        if other:
            return self.env._(
                "%(other)s of %(period)s is in progress: file it or delete that draft "
                "first.",
                other=other.sudo().display_name,
                period=period,
            )
        return None

    @api.constrains("report_type", "replaced_report_id", "company_id", "year", "period")
    def _check_chain(self):
        for report in self:
            if report.report_type in ORIGINAL_TYPES and report.replaced_report_id:
                raise ValidationError(
                    self.env._(
                        "%(report)s: only a Complementario follows another report.",
                        report=report.display_name,
                    )
                )
            if report.state in ("draft", "confirmed"):
                message = report._chain_refusal()
                if message:
                    raise ValidationError(message)

    # ------------------------------------------------------------------ guard

    def _forbidden_message(self, fields_, report=None):
        if report is not None:
            return super()._forbidden_message(fields_, report)
        names = ", ".join(
            self._fields[f].get_description(self.env)["string"] for f in sorted(fields_)
        )
        return self.env._(
            "A SISUB report is created as a draft Presentar informe, Datos continuos or "
            "Sin actividad; %(fields)s are set only by its buttons (Generate, Confirm, "
            "Register presentation, Record INFONAVIT answer, Complementario).",
            fields=names,
        )

    def _checker(self):
        return SisubChecker(self)

    def _manager_only_message(self):
        return self.env._(
            "Only an ICSOE Manager can confirm or file a SISUB report, record "
            "INFONAVIT's answer, or start a Complementario."
        )

    def action_generate(self):
        """(Re)build the lines from the contracts in force in the period."""
        self._ensure_draft()
        self.check_access("write")
        self._check_no_background_job()
        queued = self._queue_if_large("report_generate")
        if queued:
            return queued
        for report in self:
            generate_sisub(report)
        return True

    def _background_size(self, kind):
        if kind == "report_generate":
            return self.env["l10n_mx_icsoe.contract.assignment"].search_count(
                [("company_id", "=", self.company_id.id)]
            )
        return self.contract_count + self.worker_count

    def action_check(self):
        self._ensure_draft()
        self.check_access("write")
        self._check_no_background_job()
        for report in self:
            SisubChecker(report).recheck()
        return True

    def action_apply_proposed_type(self):
        """Switch an original draft to the type its records call for."""
        self._ensure_draft()
        self.check_access("write")
        self._check_no_background_job()
        for report in self:
            if report.report_type not in ORIGINAL_TYPES or not report.proposed_type:
                raise UserError(
                    self.env._(
                        "%(report)s: generate it first; a Complementario keeps its type.",
                        report=report.display_name,
                    )
                )
            if report.report_type != report.proposed_type:
                internal(report).write({"report_type": report.proposed_type})
                SisubChecker(report).recheck()
        return True

    @api.model
    def _cli_existing_report(self, domain):
        # else the last one of the period (accepted or rejected: INFONAVIT has it)
        return super()._cli_existing_report(domain) or self.search(
            domain, order="id desc", limit=1
        )

    def _generate_new_draft(self):
        """The daily job's draft: generated, with the type its records call for."""
        self.action_generate()
        if self.type_mismatch:
            self.action_apply_proposed_type()

    def _register_filed(self, folio, filed_datetime, acuse, acuse_filename):
        """Record the presentation in the INFONAVIT portal (called by the wizard)."""
        self.ensure_one()
        self._check_manager()
        if self.state != "confirmed":
            raise UserError(
                self.env._(
                    "%(report)s is %(state)s: only a confirmed report can be registered "
                    "as filed.",
                    report=self.display_name,
                    state=self._state_label(),
                )
            )
        if not (folio or "").strip():
            raise UserError(
                self.env._(
                    "%(report)s: the INFONAVIT Folio is required (Seguimiento a folio).",
                    report=self.display_name,
                )
            )
        if not acuse:
            raise UserError(
                self.env._(
                    "%(report)s: attach the acuse (PDF) the portal gave.",
                    report=self.display_name,
                )
            )
        filed_on = self._mexico_date(filed_datetime)
        self._check_presentation_date(filed_on)
        late = bool(self.report_type in ORIGINAL_TYPES and filed_on > self.deadline)
        internal(self).write(
            {
                "infonavit_folio": folio.strip(),
                "filed_datetime": filed_datetime,
                "acuse": acuse,
                "acuse_filename": acuse_filename,
                "is_late": late,
            }
        )
        self._set_state("filed")
        self.activity_ids.action_feedback(feedback=self.env._("Filed."))
        if late:
            self.message_post(
                body=self.env._(
                    "Presented on %(date)s, after the legal deadline of %(deadline)s. "
                    "Keep the acuse: a spontaneous late filing is the best defence.",
                    date=format_date(self.env, filed_on),
                    deadline=format_date(self.env, self.deadline),
                )
            )

    def _register_result(
        self,
        result,
        result_date,
        note=None,
        acuse=None,
        acuse_filename=None,
        error_file=None,
        error_filename=None,
    ):
        """Record INFONAVIT's answer: accepted, or rejected with its error file."""
        self.ensure_one()
        self._check_manager()
        if result not in ("accepted", "rejected"):
            raise UserError(
                self.env._(
                    "%(report)s: the INFONAVIT answer is Accepted or Rejected.",
                    report=self.display_name,
                )
            )
        if self.state != "filed":
            raise UserError(
                self.env._(
                    "%(report)s is %(state)s: INFONAVIT's answer is recorded on a filed "
                    "report.",
                    report=self.display_name,
                    state=self._state_label(),
                )
            )
        if result_date > self._today_mexico() or result_date < self._mexico_date(
            self.filed_datetime
        ):
            raise UserError(
                self.env._(
                    "%(report)s: the INFONAVIT Answer Date %(date)s must be between the "
                    "presentation (%(filed)s) and today.",
                    report=self.display_name,
                    date=result_date,
                    filed=self._mexico_date(self.filed_datetime),
                )
            )
        # Read the error file before writing anything: a bad file changes nothing.
        errors = None
        if result == "rejected" and error_file:
            errors = self._parse_error_file(error_file, error_filename)
        vals = {"result_date": result_date, "result_note": note or False}
        if result == "accepted":
            if error_file:
                raise UserError(
                    self.env._(
                        "%(report)s: an error file goes with a rejection, not with an "
                        "acceptance.",
                        report=self.display_name,
                    )
                )
            vals.update(
                result_acuse=acuse or False, result_acuse_filename=acuse_filename
            )
        internal(self).write(vals)
        if errors is not None:
            self._apply_error_file(errors, error_file, error_filename)
        self._set_state(result)
        self.message_post(
            body=self.env._(
                "INFONAVIT %(result)s the report on %(date)s.",
                result=self._state_label().lower(),
                date=format_date(self.env, result_date),
            )
        )

    def action_new_complementary(self):
        self.ensure_one()
        self._check_manager()
        if self.state not in COMPLEMENTABLE_STATES:
            raise UserError(
                self.env._(
                    "%(report)s is %(state)s: a Complementario follows a report "
                    "INFONAVIT has accepted or rejected.",
                    report=self.display_name,
                    state=self._state_label(),
                )
            )
        new = internal(self).create(
            {
                "company_id": self.company_id.id,
                "year": self.year,
                "period": self.period,
                "report_type": "complementary",
                "replaced_report_id": self.id,
            }
        )
        new = new.with_env(self.env)
        new.action_generate()
        return new._action_open()

    def action_open_source_contracts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Source Contracts"),
            "res_model": "l10n_mx_icsoe.contract",
            "view_mode": "list,form",
            "domain": [("id", "in", self.contract_line_ids.contract_id.ids)],
        }

    def action_open_chain(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "SISUB Reports of %(year)s-%(period)s",
                year=self.year,
                period=self.period,
            ),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": self._period_domain(),
        }

    def action_open_rejected(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lines Rejected by INFONAVIT"),
            "res_model": "l10n_mx_icsoe.sisub.worker",
            "view_mode": "list",
            "domain": [("sisub_id", "=", self.id), ("rejected", "=", True)],
        }

    def _deadline_summary(self):
        return self.env._("File %(name)s", name=self.name)

    def _deadline_note(self):
        return self.env._(
            "Legal deadline %(deadline)s. Review the checks, confirm, upload the files "
            "in the INFONAVIT Portal Empresarial (SISUB) and register the folio and "
            "acuse.",
            deadline=format_date(self.env, self.deadline),
        )

    # ------------------------------------------------------------------ freeze/exports

    def _parse_error_file(self, data, filename):
        """Hook: read INFONAVIT's error file, or refuse it (see sisub_export)."""
        return []

    def _apply_error_file(self, errors, data, filename):
        """Hook: mark the lines the error file names (see sisub_export)."""
