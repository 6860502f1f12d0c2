"""Worker assignments of a contract proposed from the timesheets of its project.

One plan per contract, built with a constant number of queries whatever the
number of workers: one read_group over the project's timesheets (first and last
date, hours per employee), one search of the contract's assignments, one search
of the filings that reported the contract. The plan is shown as a preview and
applied in one transaction.

Rules:

- each employee who logged time on the project (on a task or on the project
  itself) is assigned from the first to the last timesheet date, cut to the
  contract's Start and End Dates. The assignment ends on the last timesheet,
  also while the contract runs: a timesheet proves someone worked, not that
  they still do. Run the proposal again after new timesheets: it extends the
  assignment;
- an existing assignment that overlaps or touches those dates is extended, never
  duplicated; between several, only the outer ends move, the gaps stay; an
  open-ended assignment stays open-ended;
- what already covers the timesheets is left as it is, so applying twice
  changes nothing;
- a contract reported in an informativa that left draft (confirmed, filed,
  replaced or voided) is not changed: its rows are blocked with the reason, as
  are workers of another company and timesheets outside the contract.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from odoo.exceptions import UserError

ONE_DAY = timedelta(days=1)
FAR = date(9999, 12, 31)
ACTIONS = [
    ("create", "New Assignment"),
    ("extend", "Extend"),
    ("unchanged", "Up to Date"),
    ("blocked", "Blocked"),
]


def reported_filings(contracts):
    """``{contract: filings}`` of the contracts reported in a filing that left draft.

    One query, whatever the number of contracts.
    """
    Filing = contracts.env["l10n_mx_icsoe.filing"].sudo()
    result = {}
    if not contracts:
        return result
    lines = (
        contracts.env["l10n_mx_icsoe.filing.contract"]
        .sudo()
        .search(
            [
                ("contract_id", "in", contracts.ids),
                ("filing_id.state", "!=", "draft"),
            ]
        )
    )
    for line in lines:
        result[line.contract_id] = result.get(line.contract_id, Filing) | line.filing_id
    return result


@dataclass
class PlanLine:
    employee: object
    first_date: date
    last_date: date
    hours: float
    action: str = "unchanged"
    date_from: date | None = None
    date_to: date | None = None
    current: str = ""
    reasons: list = field(default_factory=list)
    writes: list = field(default_factory=list)  # (assignment, vals)


class TimesheetPlan:
    """Build the assignments plan of one contract, then apply it."""

    def __init__(self, contract):
        contract.ensure_one()
        self.contract = contract
        self.env = contract.env
        self._ = contract.env._

    # ---------------------------------------------------------------- plan

    def plan(self):
        contract = self.contract
        if contract.state == "cancelled":
            raise UserError(
                self.env._(
                    "Contract %(contract)s is cancelled: its workers are not proposed "
                    "from timesheets. Reset it to draft first.",
                    contract=contract.name,
                )
            )
        project = contract.project_id
        if not project:
            raise UserError(
                self.env._(
                    "Contract %(contract)s has no Project: set the project whose "
                    "timesheets show who works for this client, then propose again.",
                    contract=contract.name,
                )
            )
        # Timesheets are read as superuser: an ICSOE user sees the first and last
        # date of each worker on the contract's project, not the timesheets.
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("project_id", "=", project.id), ("employee_id", "!=", False)],
                ["employee_id"],
                ["date:min", "date:max", "unit_amount:sum"],
            )
        )
        assignments = self.env["l10n_mx_icsoe.contract.assignment"].search(
            [("contract_id", "=", contract.id)]
        )
        by_employee = {}
        for assignment in assignments:
            by_employee.setdefault(assignment.employee_id.id, []).append(assignment)
        reported = reported_filings(contract).get(contract)
        lines = [
            self._plan_line(PlanLine(employee, first, last, hours), by_employee)
            for employee, first, last, hours in groups
        ]
        if reported:
            self._block_reported(lines, reported)
        return sorted(
            lines, key=lambda line: (line.employee.name or "", line.employee.id)
        )

    def _plan_line(self, line, by_employee):
        contract = self.contract
        employee = line.employee
        start, end = contract.date_start, contract.date_end
        current = sorted(by_employee.get(employee.id, []), key=lambda a: a.date_from)
        line.current = ", ".join(f"{a.date_from} → {a.date_to or '…'}" for a in current)
        if employee.company_id != contract.company_id:
            line.action = "blocked"
            line.reasons.append(
                self.env._(
                    "%(worker)s belongs to %(worker_company)s, not to the contract's "
                    "company %(company)s: assign a worker of %(company)s.",
                    worker=employee.name,
                    worker_company=employee.company_id.name,
                    company=contract.company_id.name,
                )
            )
            return line
        date_from = max(line.first_date, start)
        date_to = min(line.last_date, end) if end else line.last_date
        if date_from > date_to:
            line.action = "blocked"
            line.reasons.append(
                self.env._(
                    "The timesheets of %(worker)s (%(first)s to %(last)s) fall outside "
                    "the contract (%(start)s to %(end)s).",
                    worker=employee.name,
                    first=line.first_date,
                    last=line.last_date,
                    start=start,
                    end=end or "…",
                )
            )
            return line
        if line.first_date < start:
            line.reasons.append(
                self.env._(
                    "Timesheets before the contract's Start Date are not counted."
                )
            )
        if end and line.last_date > end:
            line.reasons.append(
                self.env._("Timesheets after the contract's End Date are not counted.")
            )
        near = [
            a
            for a in current
            if a.date_from <= date_to + ONE_DAY
            and (a.date_to or FAR) >= date_from - ONE_DAY
        ]
        if not near:
            line.action = "create"
            line.date_from, line.date_to = date_from, date_to
            return line
        # Only the outer ends move: the earliest assignment starts earlier, the
        # latest ends later; gaps between assignments stay.
        earliest, latest = near[0], max(near, key=lambda a: a.date_to or FAR)
        line.date_from = min(earliest.date_from, date_from)
        line.date_to = latest.date_to and max(latest.date_to, date_to)
        writes = {}
        if earliest.date_from > date_from:
            writes.setdefault(earliest, {})["date_from"] = date_from
        if latest.date_to and latest.date_to < date_to:
            writes.setdefault(latest, {})["date_to"] = date_to
        line.writes = list(writes.items())
        line.action = "extend" if line.writes else "unchanged"
        return line

    def _block_reported(self, lines, filings):
        reason = self.env._(
            "Contract %(contract)s was reported in %(filings)s: its workers are not "
            "changed from timesheets. Change them by hand and file a Corrección of "
            "that informativa.",
            contract=self.contract.name,
            filings=", ".join(
                f"{filing.display_name} ({filing._state_label()})" for filing in filings
            ),
        )
        for line in lines:
            if line.action in ("create", "extend"):
                line.action = "blocked"
                line.writes = []
                line.reasons.append(reason)

    # ---------------------------------------------------------------- apply

    def apply(self, lines):
        """Write the plan's new and extended assignments; returns counters.

        Blocked and up-to-date lines write nothing; any failure rolls back all.
        """
        Assignment = self.env["l10n_mx_icsoe.contract.assignment"]
        to_create = [
            {
                "contract_id": self.contract.id,
                "employee_id": line.employee.id,
                "date_from": line.date_from,
                "date_to": line.date_to,
            }
            for line in lines
            if line.action == "create"
        ]
        # One write per distinct set of new dates.
        extend = {}
        for line in lines:
            if line.action != "extend":
                continue
            for assignment, vals in line.writes:
                key = tuple(sorted(vals.items()))
                extend[key] = extend.get(key, Assignment) | assignment
        for vals, assignments in extend.items():
            assignments.write(dict(vals))
        Assignment.create(to_create)
        counts = {action: 0 for action, _label in ACTIONS}
        for line in lines:
            counts[line.action] += 1
        return counts
