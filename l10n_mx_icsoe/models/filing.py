from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..icsoe import chain, diff
from .filing_check import FilingChecker
from .filing_generate import count_reportable, generate_lines
from .guard import internal
from .periodic_report import MEXICO_TZ, PERIODS  # noqa: F401 (imported from here)

FILING_TYPES = [
    ("normal", "Normal"),
    ("no_info", "Sin información"),
    ("correction", "Corrección"),
    ("void", "Sin efectos"),
]
ORIGINAL_TYPES = ("normal", "no_info")
COMPLEMENTARY_TYPES = ("correction", "void")
FILING_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("filed", "Filed"),
    ("replaced", "Replaced"),
    ("voided", "Voided"),
]

# Fields only the addon's own methods write (workflow, generation, registration).
PROTECTED_FIELDS = frozenset(
    {
        "state",
        "generated_at",
        "contract_count",
        "worker_count",
        "error_count",
        "warning_count",
        "check_message",
        "snapshot_sha256",
        "confirmed_at",
        "imss_folio",
        "filed_datetime",
        "acuse",
        "acuse_filename",
        # Computed from year and period; written only by their computation.
        "name",
        "date_start",
        "date_end",
        "deadline",
        "is_effective",
        # The chain: complementarias are started by their buttons only.
        "replaced_filing_id",
        # Frozen exports (filing_export) and what the register wizard records.
        "export_attachment_ids",
        "exports_sha256",
        "declared_contract_count",
        "is_late",
        "warning_message",
        "info_message",
        "missed_alert_sent",
    }
)
TRANSITIONS = {
    # target: states it may come from
    "confirmed": ("draft",),
    "draft": ("confirmed",),
    "filed": ("confirmed",),
    "replaced": ("filed",),
    "voided": ("filed",),
}


class L10nMxIcsoeFiling(models.Model):
    """One ICSOE informativa of a company for a cuatrimestre."""

    _name = "l10n_mx_icsoe.filing"
    _description = "ICSOE Informativa"
    _inherit = [
        "l10n_mx_icsoe.periodic.report",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "year desc, period desc, company_id, id desc"
    _report_type_field = "filing_type"
    _report_original_types = ("normal", "no_info")
    _report_deadline_activity = "l10n_mx_icsoe.mail_activity_filing_deadline"
    _report_protected_fields = PROTECTED_FIELDS
    _report_transitions = TRANSITIONS
    _report_replaces_field = "replaced_filing_id"

    # The chain's invariants held by the database too, whatever runs at once (two
    # users, the daily job): one original in progress or in effect, one
    # complementaria in progress, per company and period.
    _sql_constraints = [
        (
            "one_original_per_period",
            "EXCLUDE USING btree (company_id WITH =, year WITH =, period WITH =) "
            "WHERE (filing_type IN ('normal', 'no_info') "
            "AND state IN ('draft', 'confirmed', 'filed'))",
            "This company already has a Normal or Sin información informativa in "
            "progress or in effect for that period (created at the same moment by "
            "someone else?). Reload: file a Corrección of it if needed.",
        ),
        (
            "one_complementary_in_progress",
            "EXCLUDE USING btree (company_id WITH =, year WITH =, period WITH =) "
            "WHERE (filing_type IN ('correction', 'void') "
            "AND state IN ('draft', 'confirmed'))",
            "A Corrección or Sin efectos of that period is already in progress "
            "(started at the same moment by someone else?). Reload and continue it.",
        ),
    ]

    name = fields.Char(compute="_compute_name", store=True)
    filing_type = fields.Selection(
        FILING_TYPES, string="Type", required=True, default="normal", tracking=True
    )
    replaced_filing_id = fields.Many2one(
        "l10n_mx_icsoe.filing",
        string="Replaces",
        index=True,
        check_company=True,
        help="The filed informativa this Corrección replaces or this Sin efectos voids.",
    )
    complementary_ids = fields.One2many(
        "l10n_mx_icsoe.filing", "replaced_filing_id", string="Complementarias"
    )
    state = fields.Selection(
        FILING_STATES, default="draft", required=True, tracking=True, copy=False
    )
    contract_line_ids = fields.One2many(
        "l10n_mx_icsoe.filing.contract", "filing_id", string="Contracts"
    )
    worker_line_ids = fields.One2many(
        "l10n_mx_icsoe.filing.worker", "filing_id", string="Workers"
    )
    contract_count = fields.Integer(readonly=True, copy=False)
    worker_count = fields.Integer(readonly=True, copy=False)
    error_count = fields.Integer(readonly=True, copy=False)
    warning_count = fields.Integer(readonly=True, copy=False)
    check_message = fields.Text(
        string="Filing Checks",
        readonly=True,
        copy=False,
        help="Errors about the filing as a whole.",
    )
    generated_at = fields.Datetime(readonly=True, copy=False)
    propose_no_info = fields.Boolean(
        compute="_compute_propose_no_info",
        help="No contract started in the period: the filing should be 'Sin información'.",
    )
    snapshot_sha256 = fields.Char(string="Snapshot SHA-256", readonly=True, copy=False)
    confirmed_at = fields.Datetime(readonly=True, copy=False)
    imss_folio = fields.Char(string="IMSS Folio", tracking=True, copy=False)
    filed_datetime = fields.Datetime(
        string="Presentation Date",
        tracking=True,
        copy=False,
        help="Date and time of the acuse.",
    )
    acuse = fields.Binary(string="Acuse (PDF)", attachment=True, copy=False)
    acuse_filename = fields.Char(copy=False)
    is_effective = fields.Boolean(
        string="Effective",
        compute="_compute_is_effective",
        store=True,
        help="The filing that currently stands for its company and period.",
    )
    complementary_count = fields.Integer(
        string="Filed Complementarias",
        compute="_compute_complementary_count",
        help="Corrección and Sin efectos filed for the period; drafts do not count "
        "against the limit.",
    )
    can_complement = fields.Boolean(compute="_compute_next_steps")
    can_new_original = fields.Boolean(compute="_compute_next_steps")
    warning_message = fields.Text(
        string="Filing Warnings",
        readonly=True,
        copy=False,
        help="Warnings about the filing as a whole (they do not block).",
    )
    info_message = fields.Text(
        string="Not Reported",
        readonly=True,
        copy=False,
        help="Contracts of the period left out of the informativa, and why.",
    )
    declared_contract_count = fields.Integer(
        string="Contracts Acknowledged by IMSS",
        readonly=True,
        copy=False,
        help="Number of contracts the portal acknowledged, recorded at registration "
        "(IMSS inconsistency 7 when it differs from the informativa).",
    )
    declared_mismatch = fields.Boolean(
        string="Declared Count Differs", compute="_compute_declared_mismatch"
    )
    is_late = fields.Boolean(
        string="Filed Late",
        readonly=True,
        copy=False,
        help="Presented after the legal deadline (a spontaneous late filing avoids the "
        "fine, LSS art. 304-C).",
    )
    diff_html = fields.Html(
        string="Changes", compute="_compute_diff_html", sanitize=False
    )

    # ------------------------------------------------------------------ computes

    @api.depends("year", "period", "filing_type", "company_id")
    def _compute_name(self):
        labels = dict(FILING_TYPES)  # IMSS names, the same in every user's language
        for filing in self:
            filing.name = (
                f"ICSOE {filing.year or ''}-{filing.period or ''} "
                f"{labels.get(filing.filing_type, '')}"
            )

    @api.depends("filing_type", "contract_count", "generated_at")
    def _compute_propose_no_info(self):
        for filing in self:
            filing.propose_no_info = bool(
                filing.generated_at
                and filing.filing_type in ("normal", "correction")
                and not filing.contract_count
            )

    @api.depends("state", "filing_type")
    def _compute_is_effective(self):
        for filing in self:
            filing.is_effective = (
                filing.state == "filed" and filing.filing_type != "void"
            )

    @api.depends("state", "contract_count", "declared_contract_count")
    def _compute_declared_mismatch(self):
        for filing in self:
            filing.declared_mismatch = bool(
                filing.state in ("filed", "replaced", "voided")
                and filing.filing_type in ("normal", "correction")
                and filing.declared_contract_count != filing.contract_count
            )

    @api.depends("company_id", "year", "period")
    def _compute_complementary_count(self):
        groups = self._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("year", "in", list(set(self.mapped("year")))),
                ("filing_type", "in", COMPLEMENTARY_TYPES),
                ("state", "in", ("filed", "replaced", "voided")),
            ],
            ["company_id", "year", "period"],
            ["__count"],
        )
        counts = {(c.id, y, p): n for c, y, p, n in groups}
        for filing in self:
            filing.complementary_count = counts.get(
                (filing.company_id.id, filing.year, filing.period), 0
            )

    @api.depends("replaced_filing_id", "contract_line_ids")
    def _compute_diff_html(self):
        for filing in self:
            target = filing.replaced_filing_id
            if not target or filing.filing_type != "correction":
                filing.diff_html = False
                continue
            changes = diff.diff_filings(
                target.contract_line_ids._snapshot_dicts(),
                filing.contract_line_ids._snapshot_dicts(),
            )
            filing.diff_html = filing._diff_to_html(target, changes)

    def _diff_to_html(self, target, changes):
        sections = [
            (self.env._("Contracts added"), changes["contracts_added"]),
            (self.env._("Contracts removed"), changes["contracts_removed"]),
            (
                self.env._("Contracts changed"),
                [
                    f"{ref}: {', '.join(fields_)}"
                    for ref, fields_ in changes["contracts_changed"]
                ],
            ),
            (
                self.env._("Workers added"),
                [f"{ref}: {nss}" for ref, nss in changes["workers_added"]],
            ),
            (
                self.env._("Workers removed"),
                [f"{ref}: {nss}" for ref, nss in changes["workers_removed"]],
            ),
            (
                self.env._("Workers changed"),
                [
                    f"{ref}: {nss} ({', '.join(fields_)})"
                    for ref, nss, fields_ in changes["workers_changed"]
                ],
            ),
        ]
        html = Markup("<p>%s</p>") % self.env._(
            "Compared with %(target)s:", target=target.display_name
        )
        if not any(items for _title, items in sections):
            return html + Markup("<p>%s</p>") % self.env._("No change.")
        for title, items in sections:
            if items:
                html += Markup("<h5>%s</h5><ul>%s</ul>") % (
                    title,
                    Markup("").join(Markup("<li>%s</li>") % escape(i) for i in items),
                )
        return html

    # ------------------------------------------------------------------ the chain

    def _period_chain(self):
        """The filings of this filing's company and period, as plain chain data."""
        self.ensure_one()
        rows = (
            self.sudo()
            .with_context(active_test=False)
            .search_read(
                self._period_domain(),
                ["filing_type", "state", "replaced_filing_id"],
            )
        )
        return [
            chain.Filing(
                row["id"],
                row["filing_type"],
                row["state"],
                row["replaced_filing_id"] and row["replaced_filing_id"][0],
            )
            for row in rows
        ]

    def _chain_message(self, code, target=None):
        """Translated explanation of a refusal code of ``icsoe.chain``."""
        self.ensure_one()
        period = f"{self.year}-{self.period}"
        standing = self.search(
            [*self._period_domain(), ("is_effective", "=", True)], limit=1
        )
        messages = {
            "in_effect": self.env._(
                "%(company)s already has %(standing)s in effect for %(period)s: IMSS lists a "
                "second informativa as inconsistent. File a Corrección or a Sin efectos of "
                "it instead.",
                company=self.company_id.name,
                standing=standing.display_name,
                period=period,
            ),
            "original_in_progress": self.env._(
                "%(company)s already has a Normal or Sin información in progress for "
                "%(period)s: finish or delete that draft first.",
                company=self.company_id.name,
                period=period,
            ),
            "complementary_in_progress": self.env._(
                "A Corrección or Sin efectos of %(period)s is in progress: file it or "
                "delete that draft first.",
                period=period,
            ),
            "target_unknown": self.env._(
                "%(filing)s: a complementaria must name the filed informativa of the same "
                "company and period that it replaces.",
                filing=self.display_name,
            ),
            "target_is_void": self.env._(
                "%(target)s is a Sin efectos: it cannot itself be corrected or voided.",
                target=target and target.display_name,
            ),
            "target_replaced": self.env._(
                "%(target)s was replaced by a Corrección: correct or void the informativa "
                "in effect, %(standing)s.",
                target=target and target.display_name,
                standing=standing.display_name or self.env._("(none)"),
            ),
            "target_voided": self.env._(
                "%(target)s was voided by a Sin efectos: nothing of it is left to correct. "
                "Start a new informativa for %(period)s.",
                target=target and target.display_name,
                period=period,
            ),
            "target_not_filed": self.env._(
                "%(target)s is %(state)s: only the filed informativa in effect can be "
                "corrected or voided.",
                target=target and target.display_name,
                state=target and target._state_label(),
            ),
            "limit_reached": self.env._(
                "%(company)s has reached the limit of %(limit)s filed complementarias "
                "(Corrección and Sin efectos) for %(period)s (Settings > ICSOE).",
                company=self.company_id.name,
                limit=self.company_id.l10n_mx_icsoe_max_complementary,
                period=period,
            ),
        }
        return messages[code]

    def _chain_refusal(self):
        """Why this filing cannot stand in its period's chain now, as a message, or None."""
        self.ensure_one()
        filings = self._period_chain()
        if self.filing_type in ORIGINAL_TYPES:
            code = chain.new_original_refusal(filings, exclude=self.id)
        else:
            code = chain.complementary_refusal(
                filings,
                self.replaced_filing_id.id,
                self.company_id.l10n_mx_icsoe_max_complementary,
                exclude=self.id,
            )
        return code and self._chain_message(code, self.replaced_filing_id)

    @api.model
    def _check_before_create(self, vals_list):
        """A second original gets the chain's message, not the database's refusal."""
        res = super()._check_before_create(vals_list)
        for vals in vals_list:
            draft = self.new(vals)
            if (
                draft.filing_type in ORIGINAL_TYPES
                and draft.company_id
                and draft.year
                and draft.period
            ):
                code = chain.new_original_refusal(draft._period_chain())
                if code:
                    raise ValidationError(draft._chain_message(code))
        return res

    @api.constrains("filing_type", "replaced_filing_id", "company_id", "year", "period")
    def _check_chain(self):
        for filing in self:
            target = filing.replaced_filing_id
            if filing.filing_type in ORIGINAL_TYPES and target:
                raise ValidationError(
                    self.env._(
                        "%(filing)s: only a Corrección or a Sin efectos replaces another filing.",
                        filing=filing.display_name,
                    )
                )
            if filing.filing_type in COMPLEMENTARY_TYPES and (
                not target
                or (target.company_id, target.year, target.period)
                != (filing.company_id, filing.year, filing.period)
            ):
                raise ValidationError(filing._chain_message("target_unknown"))
            if filing.state in ("draft", "confirmed"):
                message = filing._chain_refusal()
                if message:
                    raise ValidationError(message)

    @api.depends("company_id", "year", "period", "state")
    def _compute_next_steps(self):
        for filing in self:
            if not filing.id or not filing.period:
                filing.can_complement = filing.can_new_original = False
                continue
            steps = chain.next_steps(
                filing._period_chain(),
                filing.company_id.l10n_mx_icsoe_max_complementary,
            )
            filing.can_complement = filing.is_effective and steps["correction"]
            filing.can_new_original = (
                filing.state in ("replaced", "voided") or filing.filing_type == "void"
            ) and steps["new_original"]

    # ------------------------------------------------------------------ guard

    def _forbidden_message(self, fields_, report=None):
        if report is not None:
            return super()._forbidden_message(fields_, report)
        names = ", ".join(
            self._fields[f].get_description(self.env)["string"] for f in sorted(fields_)
        )
        return self.env._(
            "An ICSOE informativa is created as a draft Normal or Sin información; "
            "%(fields)s are set only by its buttons (Generate, Confirm, Register "
            "presentation, Corrección, Sin efectos).",
            fields=names,
        )

    # ------------------------------------------------------------------ actions

    def action_generate(self):
        """(Re)build the lines from the contracts that started in the period."""
        self._ensure_draft()
        self.check_access("write")
        self._lock_for_work()
        queued = self._queue_if_large("report_generate")
        if queued:
            return queued
        for filing in self:
            generate_lines(filing)
        return self._action_notify_counts(self.env._("Generated"))

    def _background_size(self, kind):
        if kind == "report_generate":
            contracts, assignments = count_reportable(self)
            return contracts + assignments
        return self.contract_count + self.worker_count

    def action_check(self):
        """Re-run the checks on the current lines."""
        self._ensure_draft()
        self._lock_for_work()
        for filing in self:
            FilingChecker(filing).recheck()
        return self._action_notify_counts(self.env._("Checked"))

    def _action_notify_counts(self, title):
        """A notification with the counts of these filings, then a reload."""
        errors = sum(self.mapped("error_count"))
        warnings = sum(self.mapped("warning_count"))
        message = self.env._(
            "%(filing)s: %(contracts)s contract(s), %(workers)s worker(s), "
            "%(errors)s error(s), %(warnings)s warning(s).",
            filing=", ".join(self.mapped("display_name")),
            contracts=sum(self.mapped("contract_count")),
            workers=sum(self.mapped("worker_count")),
            errors=errors,
            warnings=warnings,
        )
        if errors:
            message += " " + self.env._(
                "Open each line's source record, fix it and re-check; confirm once "
                "no error is left."
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "danger" if errors else "warning" if warnings else "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_set_no_info(self):
        self._ensure_draft()
        self._lock_for_work()
        for filing in self:
            if filing.contract_count:
                raise UserError(
                    self.env._(
                        "%(filing)s has contracts: it cannot be 'Sin información'.",
                        filing=filing.display_name,
                    )
                )
            if filing.filing_type != "normal":
                raise UserError(
                    self.env._(
                        "Only a Normal informativa becomes 'Sin información'; a "
                        "complementaria without contracts should be a Sin efectos."
                    )
                )
            filing.filing_type = "no_info"
            FilingChecker(filing).recheck()
        return True

    def action_set_normal(self):
        """A Sin información draft whose period turned out to have contracts."""
        self._ensure_draft()
        self._lock_for_work()
        for filing in self:
            if filing.filing_type != "no_info":
                raise UserError(
                    self.env._(
                        "%(filing)s is not a 'Sin información' informativa.",
                        filing=filing.display_name,
                    )
                )
            filing.filing_type = "normal"
            generate_lines(filing)
        return True

    def _checker(self):
        return FilingChecker(self)

    def _needs_generation(self):
        return self.filing_type != "void"

    def _draft_reset_values(self):
        return {"snapshot_sha256": False, "confirmed_at": False}

    def _manager_only_message(self):
        return self.env._(
            "Only an ICSOE Manager can confirm, file, or start a complementaria."
        )

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
        chain = (
            self
            | self.replaced_filing_id
            | self.search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("year", "=", self.year),
                    ("period", "=", self.period),
                ]
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Filings of %(year)s-%(period)s", year=self.year, period=self.period
            ),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("id", "in", chain.ids)],
        }

    def _register_filed(
        self, folio, filed_datetime, acuse, acuse_filename, declared_count=None
    ):
        """Record the IMSS presentation (called by the wizard)."""
        self.ensure_one()
        self._check_manager()
        (self | self.replaced_filing_id)._lock_for_work()
        if self.state != "confirmed":
            raise UserError(
                self.env._(
                    "%(filing)s is %(state)s: only a confirmed informativa can be registered "
                    "as filed.",
                    filing=self.display_name,
                    state=self._state_label(),
                )
            )
        if not (folio or "").strip():
            raise UserError(
                self.env._(
                    "%(filing)s: the IMSS Folio is required.", filing=self.display_name
                )
            )
        filed_on = self._mexico_date(filed_datetime)
        self._check_presentation_date(filed_on)
        message = self._chain_refusal()
        if message:
            raise UserError(message)
        late = bool(self.filing_type in ORIGINAL_TYPES and filed_on > self.deadline)
        internal(self).write(
            {
                "imss_folio": folio.strip(),
                "filed_datetime": filed_datetime,
                "acuse": acuse,
                "acuse_filename": acuse_filename,
                "is_late": late,
                "declared_contract_count": self.contract_count
                if declared_count is None
                else declared_count,
            }
        )
        self._set_state("filed")
        target = self.replaced_filing_id
        if target:
            target._set_state("voided" if self.filing_type == "void" else "replaced")
            target.message_post(
                body=self.env._(
                    "%(state)s by %(filing)s (IMSS folio %(folio)s).",
                    state=target._state_label(),
                    filing=self.display_name,
                    folio=self.imss_folio,
                )
            )
        if late:
            self.message_post(
                body=self.env._(
                    "Presented on %(date)s, after the legal deadline of %(deadline)s. A "
                    "late filing made before IMSS requires it is spontaneous and is not "
                    "fined (LSS art. 304-C); keep the acuse.",
                    date=filed_on,
                    deadline=self.deadline,
                )
            )
        if self.declared_mismatch:
            self.message_post(
                body=self.env._(
                    "IMSS acknowledged %(declared)s contract(s) but the informativa holds "
                    "%(count)s: IMSS lists this as inconsistent (number of contracts "
                    "declared). File a Corrección.",
                    declared=self.declared_contract_count,
                    count=self.contract_count,
                )
            )

    def _set_contract_folios(self, folios):
        """Record the IMSS folio of each contract line ({line id: folio})."""
        self.ensure_one()
        self._check_manager()
        lines = self.contract_line_ids.filtered(lambda line: line.id in folios)
        for line in internal(lines.sudo()):
            line.write({"imss_folio": folios[line.id]})

    def _new_complementary(self, filing_type):
        self.ensure_one()
        self._check_manager()
        self._lock_for_work()
        code = chain.complementary_refusal(
            self._period_chain(),
            self.id,
            self.company_id.l10n_mx_icsoe_max_complementary,
        )
        if code:
            raise UserError(self._chain_message(code, self))
        new = internal(self).create(
            {
                "company_id": self.company_id.id,
                "year": self.year,
                "period": self.period,
                "filing_type": filing_type,
                "replaced_filing_id": self.id,
            }
        )
        new = new.with_env(self.env)
        if filing_type == "correction":
            new.action_generate()
        else:
            FilingChecker(new).recheck()
        return new._action_open()

    def action_new_correction(self):
        return self._new_complementary("correction")

    def action_new_void(self):
        return self._new_complementary("void")

    def action_new_original(self):
        """A new Normal for a period left with nothing in effect (after a Sin efectos)."""
        self.ensure_one()
        code = chain.new_original_refusal(self._period_chain())
        if code:
            raise UserError(self._chain_message(code))
        new = self.create(
            {"company_id": self.company_id.id, "year": self.year, "period": self.period}
        )
        new.action_generate()
        if new.propose_no_info:
            new.action_set_no_info()
        return new._action_open()

    # ------------------------------------------------------------------ freeze/exports
