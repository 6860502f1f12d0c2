"""Lines of a SISUB report: copies of their sources, frozen once it leaves draft.

A contract line is one contract in force in the period (one row of the
contracts file per NRP); a worker line is one worker of a contract in one
bimester (one row of the worker detail). Lines are written by generation and
the checks only (``internal()``), with one exception: on a draft, the user may
type the SUA figure of a worker line's aportación over the computed one.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .guard import is_internal

#: What a user may write on a worker line of a draft report.
USER_WORKER_FIELDS = frozenset({"aportacion_manual", "aportacion_sua"})


class L10nMxIcsoeSisubLineMixin(models.AbstractModel):
    _name = "l10n_mx_icsoe.sisub.line.mixin"
    _description = "SISUB Report Line"
    _check_company_auto = True
    # Lines are written by generation only, in sets of tens of thousands: no
    # create/write user and date columns (the report's chatter says who
    # generated it and when), two foreign keys fewer to check per row.
    _log_access = False

    sisub_id = fields.Many2one(
        "l10n_mx_icsoe.sisub",
        string="SISUB Report",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    is_ok = fields.Boolean(string="OK", default=True)
    error_text = fields.Text(string="Errors")
    warning_text = fields.Text(string="Warnings")
    # [{code, severity, message}] of the check catalogue, written with the texts
    problems = fields.Json(string="Check Results", readonly=True, copy=False)
    rejected = fields.Boolean(
        string="Rejected by INFONAVIT",
        help="INFONAVIT's error file names this line.",
    )
    rejection_text = fields.Text(string="INFONAVIT Errors")

    def _user_fields(self):
        return frozenset()

    def _check_report_editable(self, vals=None):
        if vals is not None and is_internal(self):
            return
        forbidden = set(vals or ()) - self._user_fields()
        for report in self.sisub_id:
            if report.state != "draft":
                raise UserError(
                    self.env._(
                        "%(report)s is %(state)s: its lines cannot be changed. Reset it "
                        "to draft, or file a complementario.",
                        report=report.display_name,
                        state=report._state_label(),
                    )
                )
        if vals is not None and forbidden:
            names = ", ".join(
                self._fields[f].get_description(self.env)["string"]
                for f in sorted(forbidden)
                if f in self._fields
            )
            raise UserError(
                self.env._(
                    "%(report)s: %(fields)s of a line are copied from the source records "
                    "(contract, client, worker, payroll CFDI). Change the source and "
                    "regenerate.",
                    report=self.sisub_id[:1].display_name,
                    fields=names or ", ".join(sorted(forbidden)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_internal(self):
            raise UserError(
                self.env._(
                    "%(model)s: lines are made by generating the SISUB report, not by "
                    "hand.",
                    model=self._description,
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        self._check_report_editable(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_in_draft(self):
        self._check_report_editable()


class L10nMxIcsoeSisubContract(models.Model):
    _name = "l10n_mx_icsoe.sisub.contract"
    _inherit = "l10n_mx_icsoe.sisub.line.mixin"
    _description = "SISUB Report Contract"
    _order = "is_ok, sequence, id"
    _rec_name = "reference"

    sequence = fields.Integer()
    contract_id = fields.Many2one(
        "l10n_mx_icsoe.contract",
        string="Source Contract",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    reference = fields.Char()
    contract_number = fields.Char(
        string="SISUB Contract Number", help="0 when the contract has none."
    )
    contract_type = fields.Selection(
        [("services", "Specialised services"), ("works", "Specialised works")],
    )
    object = fields.Text(string="Objeto del contrato")
    date_start = fields.Date(string="Start Date")
    date_end = fields.Date(string="End Date")
    started_in_period = fields.Boolean(
        help="The contract started in the period (a new contract); the others are "
        "earlier contracts still in force (datos continuos)."
    )
    amount = fields.Float(
        string="Amount without VAT",
        digits=(16, 2),
        help="At the end of the period, amendments included.",
    )
    amount_date = fields.Date(
        string="Amount as of", help="Date of the amendment the amount comes from."
    )
    estimated_workers = fields.Integer()
    nrp_codes = fields.Char(
        string="NRPs", help="Registros patronales of the contract, space-separated."
    )
    partner_id = fields.Many2one(
        "res.partner", string="Client", ondelete="restrict", check_company=True
    )
    client_rfc = fields.Char(string="Client RFC")
    client_name = fields.Char()
    client_nrp = fields.Char(string="Client NRP")
    client_nrp_missing = fields.Boolean(
        string="Client without NRP",
        help="The client has no registro patronal: the company's rule filled it.",
    )
    document_count = fields.Integer(string="PDFs")
    worker_count = fields.Integer(string="Workers")
    worker_ids = fields.One2many(
        "l10n_mx_icsoe.sisub.worker", "contract_line_id", string="Worker Lines"
    )


class L10nMxIcsoeSisubWorker(models.Model):
    _name = "l10n_mx_icsoe.sisub.worker"
    _inherit = "l10n_mx_icsoe.sisub.line.mixin"
    _description = "SISUB Report Worker Detail"
    # Ordered on copied values, not on the contract line: no join when reading.
    _order = "is_ok, contract_sequence, name, employee_id, bimester, id"

    contract_line_id = fields.Many2one(
        "l10n_mx_icsoe.sisub.contract",
        string="Contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    contract_sequence = fields.Integer(string="Contract #")
    # The source contract, through the contract line (one foreign key less on
    # tens of thousands of rows).
    contract_id = fields.Many2one(
        related="contract_line_id.contract_id", string="Source Contract"
    )
    contract_number = fields.Char(string="SISUB Contract Number")
    # Not company-checked: a worker who moved to another company since is still
    # reported by the company that placed him.
    employee_id = fields.Many2one(
        "hr.employee", string="Source Employee", index=True, ondelete="restrict"
    )
    work_site_id = fields.Many2one(
        "l10n_mx_icsoe.work.site",
        string="Source Work Site",
        ondelete="set null",
        help="The work site of the worker's assignment, else the contract's first.",
    )
    name = fields.Char(string="Worker")
    nss = fields.Char(string="NSS")
    nrp = fields.Char(
        string="NRP",
        help="The worker's registro patronal, else the contract's first SISUB NRP, "
        "else the company's principal one.",
    )
    bimester = fields.Integer(help="Bimester of the year, 1 (Jan-Feb) to 6 (Nov-Dec).")
    bimester_start = fields.Date()
    bimester_end = fields.Date()
    days = fields.Integer(
        string="Days Placed", help="Days of the bimester the worker was assigned."
    )
    days_without_sbc = fields.Integer(
        string="Days without SBC",
        help="Days placed for which the company recorded no SBC (no aportación).",
    )
    street = fields.Char()
    street_number = fields.Char(string="Exterior Number")
    street_number2 = fields.Char(string="Interior Number")
    colony = fields.Char(string="Colonia")
    zip = fields.Char(string="ZIP")
    city = fields.Char(string="Municipality")
    state = fields.Char()
    variable_pay = fields.Float(
        string="Variable Pay (Previous Bimester)", digits=(16, 2)
    )
    fixed_pay = fields.Float(digits=(16, 2))
    incapacity_days = fields.Integer()
    non_integrable_pay = fields.Float(string="Non-integrable Pay", digits=(16, 2))
    payslip_count = fields.Integer(
        string="Payslips", help="Payroll CFDI paid in the bimester for these days."
    )
    sbc = fields.Float(string="SBC", digits=(16, 2), help="Daily SBC, not capped.")
    sbc_capped = fields.Float(
        string="Capped SBC",
        digits=(16, 2),
        help="Daily SBC on the last day placed in the bimester, at most 25 UMA.",
    )
    aportacion_computed = fields.Float(
        string="Computed Aportación",
        digits=(16, 2),
        help="5 % of the capped SBC for the days placed in the bimester (Ley del "
        "INFONAVIT art. 29 fr. II).",
    )
    aportacion_manual = fields.Boolean(
        string="SUA Figure",
        help="The aportación is the figure typed from the SUA, not the computed one.",
    )
    aportacion_sua = fields.Float(string="SUA Aportación", digits=(16, 2))
    aportacion = fields.Float(
        string="Aportación",
        digits=(16, 2),
        compute="_compute_aportacion",
        store=True,
    )
    amortizacion = fields.Float(
        string="Amortización",
        digits=(16, 2),
        help="INFONAVIT credit repayments withheld in the bimester (CFDI deductions of "
        "type 010).",
    )

    @api.depends("aportacion_manual", "aportacion_sua", "aportacion_computed")
    def _compute_aportacion(self):
        for line in self:
            line.aportacion = (
                line.aportacion_sua
                if line.aportacion_manual
                else line.aportacion_computed
            )

    def _user_fields(self):
        return USER_WORKER_FIELDS

    def write(self, vals):
        if not is_internal(self) and "aportacion_sua" in vals:
            vals = {"aportacion_manual": True, **vals}
        if not is_internal(self) and vals.get("aportacion_sua", 0) < 0:
            raise UserError(
                self.env._(
                    "%(worker)s, bimester %(bimester)s: the SUA Aportación cannot be "
                    "negative.",
                    worker=self[:1].name,
                    bimester=self[:1].bimester,
                )
            )
        return super().write(vals)

    def action_use_computed(self):
        """Back to the computed aportación."""
        self.write({"aportacion_manual": False, "aportacion_sua": 0.0})
        return True
