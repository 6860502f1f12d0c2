"""The problems of the reports, one row per problem, read from the check results.

A read-only SQL view over the ``problems`` JSON of the line tables (ICSOE and
SISUB, contract and worker lines) and the ``report_problems`` of the reports
themselves: the problems of a report can be listed, filtered and grouped by check
code, and each one opens the record where it is fixed.
"""

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .check_catalog import (
    CLIENT,
    COMPANY,
    CONTRACT,
    EMPLOYEE,
    REGISTRATION,
    SEVERITIES,
    WORK_SITE,
    catalog,
)
from .filing import PROTECTED_FIELDS as FILING_PROTECTED_FIELDS
from .filing_line import source_action
from .sisub import PROTECTED_FIELDS as SISUB_PROTECTED_FIELDS

# The view's columns, in order; each source table fills those it has.
COLUMNS = (
    "report_kind",
    "level",
    "filing_id",
    "sisub_id",
    "company_id",
    "filing_contract_id",
    "filing_worker_id",
    "sisub_contract_id",
    "sisub_worker_id",
    "contract_id",
    "partner_id",
    "employee_id",
    "registration_id",
    "work_site_id",
    "reference",
    "worker_name",
    "bimester",
)
TEXT_COLUMNS = frozenset({"report_kind", "level", "reference", "worker_name"})
# A row's id: (line id * SOURCES + source number) * RANKS + rank of the problem on
# its line: stable while the line keeps its problems. A report's own problems
# (e.g. one per draft contract) can be thousands; ids stay below 2^53 (the web
# client's integers) up to 10^10 lines.
SOURCES = 8
RANKS = 100000
# The record a report's own problem names (a draft contract, a registration).
REPORT_RECORDS = """
    LEFT JOIN l10n_mx_icsoe_contract rc
           ON p.item->>'model' = 'l10n_mx_icsoe.contract'
          AND rc.id = (p.item->>'res_id')::integer
    LEFT JOIN l10n_mx_icsoe_repse_registration rr
           ON p.item->>'model' = 'l10n_mx_icsoe.repse.registration'
          AND rr.id = (p.item->>'res_id')::integer
"""


def _select(number, table, alias, field, values, joins="", after=""):
    """One row per element of the JSON array ``alias.field`` of ``table``."""
    columns = ",\n               ".join(
        "{} AS {}".format(
            values.get(
                name, "NULL::varchar" if name in TEXT_COLUMNS else "NULL::integer"
            ),
            name,
        )
        for name in COLUMNS
    )
    return f"""
        SELECT ({alias}.id::bigint * {SOURCES} + {number}) * {RANKS} + p.rank AS id,
               {columns},
               p.item->>'code' AS code,
               p.item->>'code' AS code_text,
               p.item->>'severity' AS severity,
               p.item->>'message' AS message,
               p.rank::integer AS sequence
          FROM {table} {alias}
               {joins}
               CROSS JOIN LATERAL jsonb_array_elements({alias}.{field})
                    WITH ORDINALITY AS p(item, rank)
               {after}
         WHERE jsonb_typeof({alias}.{field}) = 'array'
    """


def _view_query():
    """The view's SELECT (constant text: table and column names only)."""
    icsoe, sisub = {"report_kind": "'icsoe'"}, {"report_kind": "'sisub'"}
    parts = (
        _select(
            1,
            "l10n_mx_icsoe_filing_contract",
            "l",
            "problems",
            {
                **icsoe,
                "level": "'contract'",
                "filing_id": "l.filing_id",
                "company_id": "l.company_id",
                "filing_contract_id": "l.id",
                "contract_id": "l.contract_id",
                "partner_id": "l.partner_id",
                "registration_id": "l.registration_id",
                "reference": "l.reference",
            },
        ),
        _select(
            2,
            "l10n_mx_icsoe_filing_worker",
            "w",
            "problems",
            {
                **icsoe,
                "level": "'worker'",
                "filing_id": "w.filing_id",
                "company_id": "w.company_id",
                "filing_contract_id": "w.filing_contract_id",
                "filing_worker_id": "w.id",
                "contract_id": "l.contract_id",
                "partner_id": "l.partner_id",
                "employee_id": "w.employee_id",
                "registration_id": "l.registration_id",
                "reference": "l.reference",
                "worker_name": "w.name",
            },
            joins="JOIN l10n_mx_icsoe_filing_contract l ON l.id = w.filing_contract_id",
        ),
        _select(
            3,
            "l10n_mx_icsoe_filing",
            "f",
            "report_problems",
            {
                **icsoe,
                "level": "'report'",
                "filing_id": "f.id",
                "company_id": "f.company_id",
                "contract_id": "rc.id",
                "registration_id": "rr.id",
                "reference": "rc.name",
            },
            after=REPORT_RECORDS,
        ),
        _select(
            4,
            "l10n_mx_icsoe_sisub_contract",
            "l",
            "problems",
            {
                **sisub,
                "level": "'contract'",
                "sisub_id": "l.sisub_id",
                "company_id": "l.company_id",
                "sisub_contract_id": "l.id",
                "contract_id": "l.contract_id",
                "partner_id": "l.partner_id",
                "reference": "l.reference",
            },
        ),
        _select(
            5,
            "l10n_mx_icsoe_sisub_worker",
            "w",
            "problems",
            {
                **sisub,
                "level": "'worker'",
                "sisub_id": "w.sisub_id",
                "company_id": "w.company_id",
                "sisub_contract_id": "w.contract_line_id",
                "sisub_worker_id": "w.id",
                "contract_id": "l.contract_id",
                "partner_id": "l.partner_id",
                "employee_id": "w.employee_id",
                "work_site_id": "w.work_site_id",
                "reference": "l.reference",
                "worker_name": "w.name",
                "bimester": "w.bimester",
            },
            joins="JOIN l10n_mx_icsoe_sisub_contract l ON l.id = w.contract_line_id",
        ),
        _select(
            6,
            "l10n_mx_icsoe_sisub",
            "s",
            "report_problems",
            {
                **sisub,
                "level": "'report'",
                "sisub_id": "s.id",
                "company_id": "s.company_id",
                "contract_id": "rc.id",
                "registration_id": "rr.id",
                "reference": "rc.name",
            },
            after=REPORT_RECORDS,
        ),
    )
    return "\nUNION ALL\n".join(parts)


class L10nMxIcsoeReportProblem(models.Model):
    _name = "l10n_mx_icsoe.report.problem"
    _description = "Report Problem"
    _auto = False
    _rec_name = "message"
    _order = "severity, report_kind, reference, worker_name, bimester, sequence, id"
    # what a search must flush first
    _depends = {
        "l10n_mx_icsoe.filing": ["report_problems", "company_id"],
        "l10n_mx_icsoe.filing.contract": [
            "problems",
            "filing_id",
            "company_id",
            "contract_id",
            "partner_id",
            "registration_id",
            "reference",
        ],
        "l10n_mx_icsoe.filing.worker": [
            "problems",
            "filing_id",
            "company_id",
            "filing_contract_id",
            "employee_id",
            "name",
        ],
        "l10n_mx_icsoe.sisub": ["report_problems", "company_id"],
        "l10n_mx_icsoe.sisub.contract": [
            "problems",
            "sisub_id",
            "company_id",
            "contract_id",
            "partner_id",
            "reference",
        ],
        "l10n_mx_icsoe.sisub.worker": [
            "problems",
            "sisub_id",
            "company_id",
            "contract_line_id",
            "employee_id",
            "work_site_id",
            "name",
            "bimester",
        ],
        "l10n_mx_icsoe.contract": ["name"],
    }

    report_kind = fields.Selection(
        [("icsoe", "ICSOE Informativa"), ("sisub", "SISUB Report")],
        readonly=True,
    )
    level = fields.Selection(
        [("report", "Whole Report"), ("contract", "Contract"), ("worker", "Worker")],
        readonly=True,
        help="What the problem is about: the report as a whole, a contract line or a "
        "worker line.",
    )
    filing_id = fields.Many2one(
        "l10n_mx_icsoe.filing", string="Informativa", readonly=True
    )
    sisub_id = fields.Many2one(
        "l10n_mx_icsoe.sisub", string="SISUB Report", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    filing_contract_id = fields.Many2one(
        "l10n_mx_icsoe.filing.contract",
        string="Informativa Contract Line",
        readonly=True,
    )
    filing_worker_id = fields.Many2one(
        "l10n_mx_icsoe.filing.worker", string="Informativa Worker Line", readonly=True
    )
    sisub_contract_id = fields.Many2one(
        "l10n_mx_icsoe.sisub.contract", string="SISUB Contract Line", readonly=True
    )
    sisub_worker_id = fields.Many2one(
        "l10n_mx_icsoe.sisub.worker", string="SISUB Worker Line", readonly=True
    )
    contract_id = fields.Many2one("l10n_mx_icsoe.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Worker", readonly=True)
    registration_id = fields.Many2one(
        "l10n_mx_icsoe.repse.registration", string="REPSE Registration", readonly=True
    )
    work_site_id = fields.Many2one("l10n_mx_icsoe.work.site", readonly=True)
    reference = fields.Char(string="Contract Reference", readonly=True)
    worker_name = fields.Char(readonly=True)
    bimester = fields.Integer(readonly=True)
    code = fields.Selection(
        selection="_selection_code",
        string="Rule",
        readonly=True,
        help="The check of the catalogue that found the problem.",
    )
    code_text = fields.Char(
        string="Code",
        readonly=True,
        help="The stable code of the check, e.g. ICSOE-IMSS4-NO-WORKERS.",
    )
    severity = fields.Selection(SEVERITIES, readonly=True)
    message = fields.Text(readonly=True)
    sequence = fields.Integer(readonly=True)
    how_to_fix = fields.Text(compute="_compute_how_to_fix")
    can_open = fields.Boolean(string="Record to Fix", compute="_compute_how_to_fix")

    @api.model
    def _selection_code(self):
        return [(code, check.title) for code, check in catalog(self.env).items()]

    @api.depends("code")
    def _compute_how_to_fix(self):
        checks = catalog(self.env)
        for problem in self:
            check = checks.get(problem.code)
            problem.how_to_fix = check.fix if check else False
            problem.can_open = bool(problem._fix_record(checks)[0])

    def _fix_record(self, checks=None):
        """(record, form view xmlid) where the problem is fixed; empty for the
        report's own problems (regenerate, change its type...)."""
        self.ensure_one()
        check = (checks or catalog(self.env)).get(self.code)
        source = check.source if check else None
        if source == CLIENT and self.partner_id:
            return self.partner_id, "l10n_mx_icsoe.res_partner_view_form_icsoe_client"
        if source == EMPLOYEE and self.employee_id:
            return self.employee_id, "l10n_mx_icsoe.hr_employee_view_form_icsoe_worker"
        if source == REGISTRATION and self.registration_id:
            return self.registration_id, None
        if source == WORK_SITE and self.work_site_id:
            return self.work_site_id, None
        if source == COMPANY:
            return self.company_id, None
        if source in (CONTRACT, CLIENT, EMPLOYEE, REGISTRATION, WORK_SITE):
            # what holds the data is gone or unknown: the contract leads to it
            return self.contract_id, None
        return self.env["l10n_mx_icsoe.contract"], None

    def action_open_source(self):
        """The record to fix, in a dialog, as the lines' buttons open it."""
        self.ensure_one()
        record, view_xmlid = self._fix_record()
        if not record:
            return False
        return source_action(record, view_xmlid)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                SQL(_view_query()),  # constant text built above
            )
        )


class ProblemsOfReport(models.AbstractModel):
    """What a report with check results has: its own problems (the lines hold
    theirs) and the way to the problems list."""

    _name = "l10n_mx_icsoe.report.problem.mixin"
    _description = "Report with Check Problems"

    report_problems = fields.Json(
        readonly=True,
        copy=False,
        help="[{code, severity, message}] of the checks of the report as a whole.",
    )
    problem_count = fields.Integer(string="Problems", compute="_compute_problem_count")

    _problem_report_field = None  # the problems view's Many2one to this report

    def _compute_problem_count(self):
        field = self._problem_report_field
        counts = dict(
            self.env["l10n_mx_icsoe.report.problem"]._read_group(
                [(field, "in", self.ids)], [field], ["__count"]
            )
        )
        for report in self:
            report.problem_count = counts.get(report, 0)

    def action_open_problems(self):
        """The report's problems, grouped by check."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_mx_icsoe.action_report_problem"
        )
        action.update(
            name=self.env._("Problems of %(report)s", report=self.display_name),
            domain=[(self._problem_report_field, "=", self.id)],
            context={"search_default_group_code": 1},
        )
        return action


class L10nMxIcsoeFiling(models.Model):
    # Its own file: the informativa's problems live with the problems view.
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "l10n_mx_icsoe.filing",
        "l10n_mx_icsoe.report.problem.mixin",
    ]
    _name = "l10n_mx_icsoe.filing"
    _problem_report_field = "filing_id"
    # written by the checks only
    _report_protected_fields = FILING_PROTECTED_FIELDS | {"report_problems"}


class L10nMxIcsoeSisub(models.Model):
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "l10n_mx_icsoe.sisub",
        "l10n_mx_icsoe.report.problem.mixin",
    ]
    _name = "l10n_mx_icsoe.sisub"
    _problem_report_field = "sisub_id"
    _report_protected_fields = SISUB_PROTECTED_FIELDS | {"report_problems"}
