from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..icsoe import periods
from ..icsoe.sisub import CONTRACT_NUMBER_MAX, contract_number_problem
from .hr_employee import WORKER_DATA_GROUPS
from .res_partner import partner_rfc

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("ended", "Ended"),
    ("cancelled", "Cancelled"),
]
# Allowed transitions: target state -> states it may come from.
CONTRACT_TRANSITIONS = {
    "active": ("draft",),
    "ended": ("active",),
    "cancelled": ("draft", "active"),
    "draft": ("cancelled",),
}


class L10nMxIcsoeContract(models.Model):
    """A contract of specialised services or works (LFT art. 13-15) with a client."""

    _name = "l10n_mx_icsoe.contract"
    _description = "Specialised-Service Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The beneficiary (contratante) of the specialised service: a company or "
        "an individual (persona física).",
    )
    client_rfc = fields.Char(related="partner_id.vat", string="Client RFC")
    object = fields.Text(
        string="Objeto del contrato",
        required=True,
        tracking=True,
        help="Object of the contract as typed in the IMSS portal.",
    )
    repse_service_id = fields.Many2one(
        "l10n_mx_icsoe.repse.service",
        string="Servicio u obra especializado",
        required=True,
        tracking=True,
        check_company=True,
        help="REPSE registered service; IMSS wants 'folio — authorised description'. "
        "After a renewal, move the contract to the renewed registration's service: "
        "what was filed keeps the old one.",
    )
    repse_registration_id = fields.Many2one(
        related="repse_service_id.registration_id", string="REPSE Registration"
    )
    date_start = fields.Date(string="Start Date", required=True, tracking=True)
    date_end = fields.Date(string="End Date", tracking=True)
    state = fields.Selection(
        CONTRACT_STATES, default="draft", required=True, tracking=True, copy=False
    )
    assignment_ids = fields.One2many(
        "l10n_mx_icsoe.contract.assignment", "contract_id", string="Workers", copy=False
    )
    worker_count = fields.Integer(
        compute="_compute_worker_count", string="Workers Assigned"
    )
    document_ids = fields.Many2many(
        "ir.attachment",
        string="Documents",
        help="Signed contract, amendments, purchase orders.",
    )
    start_year = fields.Integer(compute="_compute_start_period", store=True)
    start_period = fields.Selection(
        [("1", "Jan–Apr"), ("2", "May–Aug"), ("3", "Sep–Dec")],
        string="Start Cuatrimestre",
        compute="_compute_start_period",
        store=True,
    )
    start_cuatrimestre = fields.Char(
        string="Start Year-Cuatrimestre",
        compute="_compute_start_period",
        store=True,
        help="Year and cuatrimestre in which the contract starts, e.g. 2026-1.",
    )
    color = fields.Integer()
    # SISUB (INFONAVIT): what the contracts file asks beyond the ICSOE.
    sisub_number = fields.Char(
        string="SISUB Contract Number",
        copy=False,
        tracking=True,
        help="Your own number for the contract, digits only (at most 30), as the "
        "INFONAVIT SISUB files take it; the same number links the contract to its "
        "workers' detail. Empty: reported as 0.",
    )
    sisub_contract_type = fields.Selection(
        [
            ("services", "Specialised services"),
            ("works", "Specialised works"),
        ],
        string="SISUB Contract Type",
        default="services",
        required=True,
        tracking=True,
    )
    amount_untaxed = fields.Float(
        string="Amount without VAT",
        digits=(16, 2),
        tracking=True,
        help="The contract's value without VAT (MXN). Amendments change it from their "
        "date on; SISUB reports the value at the end of each period.",
    )
    estimated_worker_count = fields.Integer(
        string="Estimated Workers",
        tracking=True,
        help="Number of workers the contract is expected to need (SISUB contracts file).",
    )
    sisub_nrp_ids = fields.Many2many(
        "l10n_mx_icsoe.nrp",
        "l10n_mx_icsoe_contract_nrp_rel",
        "contract_id",
        "nrp_id",
        string="SISUB NRPs",
        check_company=True,
        help="The company's registros patronales used for this contract. Empty: those "
        "of its workers.",
    )
    work_site_ids = fields.One2many(
        "l10n_mx_icsoe.work.site",
        "contract_id",
        string="Work Sites",
        copy=True,
        help="Where the service is rendered. The first one is each worker's, unless the "
        "worker's assignment names another.",
    )
    amendment_ids = fields.One2many(
        "l10n_mx_icsoe.contract.amendment",
        "contract_id",
        string="Amendments",
        copy=False,
    )

    @api.depends("assignment_ids")
    def _compute_worker_count(self):
        counts = dict(
            self.env["l10n_mx_icsoe.contract.assignment"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.worker_count = counts.get(contract._origin, 0)

    @api.depends("date_start")
    def _compute_start_period(self):
        for contract in self:
            if contract.date_start:
                year, period = periods.period_of(contract.date_start)
                contract.start_year, contract.start_period = year, str(period)
                contract.start_cuatrimestre = f"{year}-{period}"
            else:
                contract.start_year, contract.start_period = 0, False
                contract.start_cuatrimestre = False

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        # The workers must stay within the contract when its dates move.
        self.assignment_ids._check_assignment()
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the End Date (%(end)s) is before the Start Date "
                        "(%(start)s).",
                        name=contract.name,
                        end=contract.date_end,
                        start=contract.date_start,
                    )
                )

    @api.constrains("sisub_number", "company_id")
    def _check_sisub_number(self):
        numbered = self.filtered("sisub_number")
        for contract in numbered:
            problem = contract_number_problem(contract.sisub_number)
            if problem:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the SISUB Contract Number '%(number)s' must "
                        "be digits only, at most %(max)s, without spaces or letters "
                        "(INFONAVIT takes it as a number).",
                        name=contract.name,
                        number=contract.sisub_number,
                        max=CONTRACT_NUMBER_MAX,
                    )
                )
        if not numbered:
            return
        clashes = self.search(
            [
                ("id", "not in", numbered.ids),
                ("company_id", "in", numbered.company_id.ids),
                ("sisub_number", "in", numbered.mapped("sisub_number")),
            ]
        )
        seen = {}
        for contract in clashes | numbered:
            key = (contract.company_id.id, contract.sisub_number)
            if key in seen:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the SISUB Contract Number %(number)s is "
                        "already used by contract %(other)s; each contract needs its own "
                        "(the workers' detail refers to it).",
                        name=contract.name,
                        number=contract.sisub_number,
                        other=seen[key].name,
                    )
                )
            seen[key] = contract

    @api.constrains("amount_untaxed", "estimated_worker_count")
    def _check_sisub_amounts(self):
        for contract in self:
            if contract.amount_untaxed < 0 or contract.estimated_worker_count < 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the Amount without VAT and the Estimated "
                        "Workers cannot be negative.",
                        name=contract.name,
                    )
                )

    @api.constrains("sisub_nrp_ids", "company_id")
    def _check_sisub_nrps(self):
        for contract in self:
            if contract.sisub_nrp_ids.company_id - contract.company_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the SISUB NRPs must be registros patronales "
                        "of %(company)s.",
                        name=contract.name,
                        company=contract.company_id.name,
                    )
                )

    @api.constrains("partner_id", "company_id")
    def _check_client(self):
        for contract in self:
            company = contract.company_id
            same_partner = (
                contract.partner_id.commercial_partner_id == company.partner_id
            )
            client_rfc = partner_rfc(contract.partner_id.commercial_partner_id.vat)
            same_rfc = bool(client_rfc) and client_rfc == partner_rfc(company.vat)
            if same_partner or same_rfc:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the Client cannot be the company itself "
                        "(contratista and contratante would be the same).",
                        name=contract.name,
                    )
                )

    @api.constrains("repse_service_id", "company_id", "date_start")
    def _check_repse_service(self):
        Registration = self.env["l10n_mx_icsoe.repse.registration"]
        chains = {}  # one read of a company's registrations, whatever the contracts
        for contract in self:
            registration = contract.repse_service_id.registration_id
            if registration.company_id != contract.company_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the REPSE service %(service)s belongs to "
                        "another company's registration.",
                        name=contract.name,
                        service=contract.repse_service_id.folio,
                    )
                )
            company = contract.company_id
            if company not in chains:
                chains[company] = Registration._chain_of(company)
            if not chains[company].valid_for(registration.id, contract.date_start):
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: neither the REPSE registration %(reg)s of the "
                        "service nor a registration it renews is valid on the Start Date "
                        "%(start)s (%(reg)s: valid %(valid_from)s to %(valid_to)s, "
                        "%(state)s). Pick a service of the registration valid on that date.",
                        name=contract.name,
                        reg=registration.name,
                        start=contract.date_start,
                        valid_from=registration.registration_date,
                        valid_to=registration.expiry_date,
                        state=dict(
                            registration._fields["state"]._description_selection(
                                self.env
                            )
                        )[registration.state],
                    )
                )

    def _transition(self, target):
        allowed = CONTRACT_TRANSITIONS[target]
        labels = dict(self._fields["state"]._description_selection(self.env))
        for contract in self:
            if contract.state not in allowed:
                raise UserError(
                    self.env._(
                        "Contract %(name)s cannot go from %(old)s to %(new)s.",
                        name=contract.name,
                        old=labels[contract.state],
                        new=labels[target],
                    )
                )
        self.state = target

    def action_activate(self):
        self._transition("active")

    def action_end(self):
        for contract in self:
            if not contract.date_end:
                contract.date_end = max(
                    fields.Date.context_today(self), contract.date_start
                )
        self._transition("ended")

    def action_cancel(self):
        self._transition("cancelled")

    def action_draft(self):
        self._transition("draft")

    @api.model
    def _search_started_in_period(self, year, period):
        """Contracts (not cancelled) that started in a cuatrimestre: what ICSOE reports."""
        date_from, date_to = periods.period_dates(year, period)
        return self.search(
            [
                ("date_start", ">=", date_from),
                ("date_start", "<=", date_to),
                ("state", "!=", "cancelled"),
            ]
        )

    def action_l10n_mx_icsoe_open_filings(self):
        """Smart button: the informativas that report this contract."""
        self.ensure_one()
        lines = self.env["l10n_mx_icsoe.filing.contract"].search(
            [("contract_id", "=", self.id)]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Informativas of %(contract)s", contract=self.name),
            "res_model": "l10n_mx_icsoe.filing",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", lines.filing_id.ids)],
        }


class L10nMxIcsoeContractAssignment(models.Model):
    """A worker placed at the client under a contract, for a date range."""

    _name = "l10n_mx_icsoe.contract.assignment"
    _description = "Contract Worker Assignment"
    _order = "contract_id, employee_id, date_from"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "l10n_mx_icsoe.contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True, precompute=True
    )
    employee_id = fields.Many2one(
        "hr.employee",
        string="Worker",
        required=True,
        index=True,
        check_company=True,
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date()
    work_site_id = fields.Many2one(
        "l10n_mx_icsoe.work.site",
        domain="[('contract_id', '=', contract_id)]",
        help="Where this worker renders the service, when it is not the contract's "
        "first work site (SISUB worker detail).",
    )
    # Read with the user's own rights: an onchange cannot reveal another
    # company's worker identity.
    nss = fields.Char(
        related="employee_id.ssnid",
        string="NSS",
        compute_sudo=False,
        groups=WORKER_DATA_GROUPS,
    )
    curp = fields.Char(
        related="employee_id.l10n_mx_curp",
        string="CURP",
        compute_sudo=False,
        groups=WORKER_DATA_GROUPS,
    )

    @api.model_create_multi
    def create(self, vals_list):
        # A contract the user cannot write is not his to staff: refused before any
        # constraint could name it.
        self.env["l10n_mx_icsoe.contract"].browse(
            {vals["contract_id"] for vals in vals_list if vals.get("contract_id")}
        ).check_access("write")
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("contract_id"):
            self.env["l10n_mx_icsoe.contract"].browse(vals["contract_id"]).check_access(
                "write"
            )
        return super().write(vals)

    @api.onchange("contract_id")
    def _onchange_contract_id(self):
        if self.contract_id and not self.date_from:
            self.date_from = self.contract_id.date_start

    @api.constrains(
        "date_from", "date_to", "contract_id", "employee_id", "work_site_id"
    )
    def _check_assignment(self):
        for line in self:
            contract = line.contract_id
            if line.work_site_id and line.work_site_id.contract_id != contract:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the Work Site of worker %(worker)s "
                        "belongs to contract %(other)s; pick one of this contract's "
                        "work sites.",
                        contract=contract.name,
                        worker=line.employee_id.name,
                        other=line.work_site_id.contract_id.name,
                    )
                )
            if line.employee_id.company_id != contract.company_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: worker %(worker)s belongs to another company.",
                        contract=contract.name,
                        worker=line.employee_id.name,
                    )
                )
            end = contract.date_end
            if (
                (line.date_to and line.date_to < line.date_from)
                or line.date_from < contract.date_start
                or (
                    end
                    and (line.date_from > end or (line.date_to and line.date_to > end))
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the dates of worker %(worker)s "
                        "(%(date_from)s to %(date_to)s) must fall within the contract "
                        "(%(start)s to %(end)s).",
                        contract=contract.name,
                        worker=line.employee_id.name,
                        date_from=line.date_from,
                        date_to=line.date_to or "…",
                        start=contract.date_start,
                        end=end or "…",
                    )
                )
        # No overlapping duplicates of one worker on one contract: one query, and
        # each assignment compared only with those of the same worker and contract.
        domain = [
            ("id", "not in", self.ids),
            ("contract_id", "in", self.contract_id.ids),
            ("employee_id", "in", self.employee_id.ids),
        ]
        groups = {}
        for line in self.search(domain) | self:
            groups.setdefault((line.contract_id.id, line.employee_id.id), []).append(
                line
            )
        far = fields.Date.to_date("9999-12-31")
        for lines in groups.values():
            lines.sort(key=lambda a: a.date_from)
            for before, after in zip(lines, lines[1:], strict=False):
                if after.date_from <= (before.date_to or far):
                    raise ValidationError(
                        self.env._(
                            "Contract %(contract)s: worker %(worker)s is already assigned "
                            "for overlapping dates.",
                            contract=after.contract_id.name,
                            worker=after.employee_id.name,
                        )
                    )
