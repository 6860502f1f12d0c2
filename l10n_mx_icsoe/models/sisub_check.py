"""Line-by-line checks of a SISUB report, errors first.

Blocking: the identifiers INFONAVIT validates (the company's, the contracts'
and the workers' NRP, RFC, NSS), the contract number (digits, at most 30, one
per contract, the same in the worker detail), amounts (present, not negative),
every worker placed in the period has its detail, bimester dates inside the
period, work-site addresses, SBC for the aportación, the report type against
the records (a new contract → Presentar informe; only earlier ones → Datos
continuos; none → Sin actividad) and one original report per period.
Warnings do not block (client without NRP, no payroll CFDI for a bimester,
SBC above 25 UMA, a worker on several contracts on the same days, missing
PDFs…). The same checks run at generation (on the rows about to be inserted)
and on demand (on the stored lines), in a constant number of queries.
"""

import json
from collections import defaultdict
from math import fsum

from odoo.tools import SQL

from ..icsoe import sisub
from ..icsoe.identifiers import IdentifierError, check_rfc, validate_nss
from .check_base import ReportChecker
from .check_catalog import Issue, problem_list
from .common import identifier_message
from .guard import internal
from .res_partner import partner_rfc
from .sisub_nrp import nrp_message

SITE_REQUIRED = ("street", "street_number", "colony", "zip", "city", "state")


class _Where:
    """Where an issue is, put into words only when there is an issue to report
    (tens of thousands of lines have none)."""

    __slots__ = ("_make", "_text")

    def __init__(self, make):
        self._make = make
        self._text = None

    def __str__(self):
        if self._text is None:
            self._text = self._make()
        return self._text


def _result_of(line):
    problems = line.get("problems")
    if isinstance(problems, str):  # as checked (JSON text), not as read (a list)
        problems = json.loads(problems)
    return (
        line["is_ok"],
        line["error_text"],
        line["warning_text"],
        line.get("worker_count"),
        problems,
    )


class SisubChecker(ReportChecker):
    def __init__(self, report):
        super().__init__(report)
        self.report = report
        company = report.company_id
        nrp = self.env["l10n_mx_icsoe.nrp"].sudo()._principal_of(company)
        self.principal_nrp = (nrp.id or None, nrp.name or None)
        self.client_nrp_rule = company.l10n_mx_icsoe_sisub_client_nrp_rule
        self.client_nrp_placeholder = (
            company.l10n_mx_icsoe_sisub_client_nrp_placeholder or ""
        )
        # read once: the checks run on every line
        self.date_start, self.date_end = report.date_start, report.date_end
        self.company_id = company.id
        self.bimesters = {
            b.number: b for b in sisub.bimesters(report.year, int(report.period))
        }
        self._nss_errors = {}
        self._nrp_checked = {}
        self.registration = self._registration_of_period()

    # ---------------------------------------------------------------- data

    def _registration_of_period(self):
        """The REPSE registration of the period: valid at its end, else the last one
        valid on one of its days (None when none was)."""
        report = self.report
        start, end = report.date_start, report.date_end
        regs = sorted(
            self.chain.by_id.values(), key=lambda r: r.registration_date, reverse=True
        )
        for reg in regs:
            if self.chain.is_valid_on(reg, end):
                return reg
        for reg in regs:
            until = self.chain.valid_until(reg)
            if reg.registration_date <= end and (until is None or until > start):
                return reg
        return None

    def _active_assignments(self, contract_ids):
        """[(contract, employee, date_from, date_to)] placed in the period (one query)."""
        if not contract_ids:
            return []
        report = self.report
        self.env.cr.execute(
            SQL(
                """
                SELECT contract_id, employee_id, date_from, date_to
                  FROM l10n_mx_icsoe_contract_assignment
                 WHERE contract_id = ANY(%(contracts)s)
                   AND company_id = %(company)s
                   AND date_from <= %(end)s
                   AND (date_to IS NULL OR date_to >= %(start)s)
                """,
                contracts=list(contract_ids),
                company=report.company_id.id,
                start=report.date_start,
                end=report.date_end,
            )
        )
        return self.env.cr.fetchall()

    # ---------------------------------------------------------------- checks

    def _nrp_error(self, value, where, label):
        # the same few registros patronales on every line: checked once each
        if value not in self._nrp_checked:
            try:
                sisub.validate_nrp(value)
                self._nrp_checked[value] = None
            except sisub.NrpError as error:
                self._nrp_checked[value] = error
        error = self._nrp_checked[value]
        return error and nrp_message(self.env, error, where, label)

    def _contract_issues(self, row, numbers):
        ref = row["reference"] or ""
        report = self.report
        errors, warnings = self._number_issues(row, numbers)
        if not row["amount"] or row["amount"] <= 0:
            errors.append(
                Issue(
                    "SISUB-CONTRACT-AMOUNT-MISSING",
                    self.env._(
                        "Contract %(ref)s: the Amount without VAT is missing; set it on the "
                        "contract (or record the amendment that sets it).",
                        ref=ref,
                    ),
                )
            )
        if not row["estimated_workers"]:
            warnings.append(
                Issue(
                    "SISUB-CONTRACT-ESTIMATED-WORKERS",
                    self.env._(
                        "Contract %(ref)s: the Estimated Workers is 0; set it on the "
                        "contract.",
                        ref=ref,
                    ),
                )
            )
        codes = (row["nrp_codes"] or "").split()
        if not codes:
            errors.append(
                Issue(
                    "SISUB-CONTRACT-NRP-MISSING",
                    self.env._(
                        "Contract %(ref)s: no registro patronal: set the SISUB NRPs on the "
                        "contract, the workers' Registro Patronal, or the company's "
                        "principal one.",
                        ref=ref,
                    ),
                )
            )
        for code in codes:
            message = self._nrp_error(
                code, self.env._("Contract %(ref)s", ref=ref), self.env._("SISUB NRP")
            )
            if message:
                errors.append(Issue("SISUB-CONTRACT-NRP-INVALID", message))
        client_errors, client_warnings = self._client_issues(row)
        errors += client_errors
        warnings += client_warnings
        if not (row["object"] or "").strip():
            errors.append(
                Issue(
                    "SISUB-CONTRACT-OBJECT-MISSING",
                    self.env._(
                        "Contract %(ref)s: the Objeto del contrato is empty.", ref=ref
                    ),
                )
            )
        start, end = row["date_start"], row["date_end"]
        if not start or start > report.date_end or (end and end < report.date_start):
            errors.append(
                Issue(
                    "SISUB-CONTRACT-NOT-IN-FORCE",
                    self.env._(
                        "Contract %(ref)s: it is not in force in the period %(start)s to "
                        "%(end)s.",
                        ref=ref,
                        start=report.date_start,
                        end=report.date_end,
                    ),
                )
            )
        if start and end and end < start:
            errors.append(
                Issue(
                    "SISUB-CONTRACT-END-BEFORE-START",
                    self.env._(
                        "Contract %(ref)s: the End Date %(end)s is before the Start Date.",
                        ref=ref,
                        end=end,
                    ),
                )
            )
        if not row["document_count"]:
            warnings.append(
                Issue(
                    "SISUB-CONTRACT-PDF-MISSING",
                    self.env._(
                        "Contract %(ref)s: no document attached; the contracts PDF "
                        "(2B_SISUB_Ley_29_bis_Contratos) will not hold it. Attach the signed "
                        "contract on its Documents tab.",
                        ref=ref,
                    ),
                )
            )
        if not row["workers"]:
            warnings.append(
                Issue(
                    "SISUB-CONTRACT-NO-WORKERS",
                    self.env._(
                        "Contract %(ref)s: no worker was placed under it in the period.",
                        ref=ref,
                    ),
                )
            )
        missing = self._missing_detail.get(row["contract_id"])
        if missing:
            errors.append(
                Issue(
                    "SISUB-CONTRACT-DETAIL-MISSING",
                    self.env._(
                        "Contract %(ref)s: %(count)s worker(s) assigned in the period have "
                        "no detail rows; regenerate the report.",
                        ref=ref,
                        count=len(missing),
                    ),
                )
            )
        where = self.env._("Contract %(ref)s", ref=ref)
        errors += self._text_issues(
            row, where, ("reference", "object"), "SISUB-CONTRACT-CONTROL-CHARS"
        )
        errors += self._text_issues(
            row, where, ("client_name",), "SISUB-CLIENT-CONTROL-CHARS"
        )
        return errors, warnings

    def _number_issues(self, row, numbers):
        """The SISUB contract number: digits, at most 30, one per contract."""
        ref = row["reference"] or ""
        errors, warnings = [], []
        number = row["contract_number"]
        if number == sisub.NO_CONTRACT_NUMBER:
            if numbers[number] > 1:
                errors.append(
                    Issue(
                        "SISUB-CONTRACT-NUMBER-MISSING-MANY",
                        self.env._(
                            "Contract %(ref)s: it has no SISUB Contract Number, like "
                            "%(count)s other contracts of the report; INFONAVIT could not "
                            "tell their workers apart. Set the number on the contract.",
                            ref=ref,
                            count=numbers[number] - 1,
                        ),
                    )
                )
            else:
                warnings.append(
                    Issue(
                        "SISUB-CONTRACT-NUMBER-MISSING",
                        self.env._(
                            "Contract %(ref)s: no SISUB Contract Number, reported as 0. Set "
                            "it on the contract if it has one.",
                            ref=ref,
                        ),
                    )
                )
        else:
            problem = sisub.contract_number_problem(number)
            if problem:
                errors.append(
                    Issue(
                        "SISUB-CONTRACT-NUMBER-INVALID",
                        self.env._(
                            "Contract %(ref)s: the SISUB Contract Number '%(number)s' must be "
                            "digits only, at most %(max)s.",
                            ref=ref,
                            number=number,
                            max=sisub.CONTRACT_NUMBER_MAX,
                        ),
                    )
                )
            if numbers[number] > 1:
                errors.append(
                    Issue(
                        "SISUB-CONTRACT-NUMBER-DUPLICATE",
                        self.env._(
                            "Contract %(ref)s: the SISUB Contract Number %(number)s is used "
                            "by another contract of the report.",
                            ref=ref,
                            number=number,
                        ),
                    )
                )
        return errors, warnings

    def _client_issues(self, row):
        """The client's RFC and registro patronal."""
        ref = row["reference"] or ""
        errors, warnings = [], []
        rfc = row["client_rfc"]
        if not rfc:
            errors.append(
                Issue(
                    "SISUB-CLIENT-RFC-MISSING",
                    self.env._(
                        "Contract %(ref)s: the client %(client)s has no RFC.",
                        ref=ref,
                        client=row["client_name"],
                    ),
                )
            )
        else:
            try:
                check_rfc(rfc)
            except IdentifierError as error:
                errors.append(
                    Issue(
                        "SISUB-CLIENT-RFC-INVALID",
                        identifier_message(
                            self.env,
                            error,
                            row["client_name"],
                            self.env._("Client RFC"),
                        ),
                    )
                )
        if row["partner_id"] == self.company_partner_id or (
            rfc and rfc == self.company_rfc
        ):
            errors.append(
                Issue(
                    "SISUB-CLIENT-IS-COMPANY",
                    self.env._(
                        "Contract %(ref)s: the client is the company itself.",
                        ref=ref,
                    ),
                )
            )
        if row["client_nrp"]:
            message = self._nrp_error(
                row["client_nrp"],
                row["client_name"],
                self.env._("Registro Patronal (NRP)"),
            )
            if message and not row["client_nrp_missing"]:
                errors.append(Issue("SISUB-CLIENT-NRP-INVALID", message))
        if row["client_nrp_missing"]:
            warnings.append(
                Issue(
                    "SISUB-CLIENT-NRP-REPLACED",
                    self.env._(
                        "Contract %(ref)s: the client %(client)s has no Registro Patronal; "
                        "'%(nrp)s' is reported by the company setting 'Client without NRP'. "
                        "Set it on the client if it has one.",
                        ref=ref,
                        client=row["client_name"],
                        nrp=row["client_nrp"] or "",
                    ),
                )
            )
            if not row["client_nrp"]:
                errors.append(
                    Issue(
                        "SISUB-CLIENT-NRP-NONE",
                        self.env._(
                            "Contract %(ref)s: the client %(client)s has no Registro Patronal "
                            "and the company has no principal one to repeat. Set either.",
                            ref=ref,
                            client=row["client_name"],
                        ),
                    )
                )
        return errors, warnings

    def _worker_issues(self, contract_row, worker, seen):
        ref = contract_row["reference"] or ""
        name = worker["name"] or ""
        bim = worker["bimester"]
        where = _Where(
            lambda: self.env._(
                "Contract %(ref)s, worker %(name)s, bimester %(bimester)s",
                ref=ref,
                name=name,
                bimester=bim,
            )
        )
        errors, warnings = self._worker_identity_issues(
            contract_row, worker, seen, where
        )
        errors += self._bimester_issues(worker, where)
        placed_errors, placed_warnings = self._placed_issues(worker, where)
        errors += placed_errors
        warnings += placed_warnings
        if worker["incapacity_days"] > worker["days"]:
            warnings.append(
                Issue(
                    "SISUB-WORKER-INCAPACITY-DAYS",
                    self.env._(
                        "%(where)s: %(incapacity)s incapacity days for %(days)s days placed.",
                        where=where,
                        incapacity=worker["incapacity_days"],
                        days=worker["days"],
                    ),
                )
            )
        if (
            worker["sbc"]
            and worker["sbc_capped"]
            and worker["sbc"] > worker["sbc_capped"]
        ):
            warnings.append(
                Issue(
                    "SISUB-WORKER-SBC-ABOVE-CAP",
                    self.env._(
                        "%(where)s: the SBC %(sbc).2f is above 25 UMA; the aportación is "
                        "computed on %(capped).2f (LSS art. 28).",
                        where=where,
                        sbc=worker["sbc"],
                        capped=worker["sbc_capped"],
                    ),
                )
            )
        for column in (
            "variable_pay",
            "fixed_pay",
            "non_integrable_pay",
            "aportacion",
            "amortizacion",
        ):
            if (worker[column] or 0) < 0:
                errors.append(
                    Issue(
                        "SISUB-WORKER-AMOUNT-NEGATIVE",
                        self.env._(
                            "%(where)s: %(field)s is negative.",
                            where=where,
                            field=column.replace("_", " "),
                        ),
                    )
                )
        overlap = self._overlaps.get((worker["employee_id"], bim))
        if overlap:
            warnings.append(
                Issue(
                    "SISUB-WORKER-CONTRACTS-OVERLAP",
                    self.env._(
                        "%(where)s: the worker is placed under several contracts on "
                        "%(days)s of the same days; the aportación is computed on each "
                        "line. Type the SUA figure where it must be split.",
                        where=where,
                        days=overlap,
                    ),
                )
            )
        moved_to = self._employee_company.get(worker["employee_id"])
        if moved_to and moved_to != self.company_id:
            warnings.append(
                Issue(
                    "SISUB-WORKER-OTHER-COMPANY",
                    self.env._(
                        "%(where)s: the worker now belongs to another company; reported with "
                        "the data this company recorded.",
                        where=where,
                    ),
                )
            )
        errors += self._text_issues(
            worker, where, ("name",), "SISUB-WORKER-CONTROL-CHARS"
        )
        errors += self._text_issues(
            worker, where, SITE_REQUIRED[:4], "SISUB-WORK-SITE-CONTROL-CHARS"
        )
        return errors, warnings

    def _worker_identity_issues(self, contract_row, worker, seen, where):
        """NSS, duplicates and the registro patronal of a worker line."""
        name = worker["name"] or ""
        bim = worker["bimester"]
        errors, warnings = [], []
        nss = worker["nss"]
        if not nss:
            errors.append(
                Issue(
                    "SISUB-WORKER-NSS-MISSING",
                    self.env._("%(where)s: the worker has no NSS.", where=where),
                )
            )
        else:
            if nss not in self._nss_errors:
                try:
                    validate_nss(nss)
                    self._nss_errors[nss] = None
                except IdentifierError as error:
                    self._nss_errors[nss] = Issue(
                        "SISUB-WORKER-NSS-INVALID",
                        identifier_message(self.env, error, name, self.env._("NSS")),
                    )
            if self._nss_errors[nss]:
                errors.append(self._nss_errors[nss])
        key = (nss or worker["employee_id"], bim)
        if key in seen:
            errors.append(
                Issue(
                    "SISUB-WORKER-NSS-DUPLICATE",
                    self.env._(
                        "%(where)s: NSS %(nss)s appears twice in the contract.",
                        where=where,
                        nss=nss,
                    ),
                )
            )
        seen.add(key)
        if not worker["nrp"]:
            errors.append(
                Issue(
                    "SISUB-WORKER-NRP-MISSING",
                    self.env._(
                        "%(where)s: no registro patronal: set the worker's Registro "
                        "Patronal, the contract's SISUB NRPs or the company's principal one.",
                        where=where,
                    ),
                )
            )
        else:
            message = self._nrp_error(worker["nrp"], where, self.env._("NRP"))
            if message:
                errors.append(Issue("SISUB-WORKER-NRP-INVALID", message))
            elif worker["nrp"] not in (contract_row["nrp_codes"] or "").split():
                warnings.append(
                    Issue(
                        "SISUB-WORKER-NRP-NOT-IN-CONTRACT",
                        self.env._(
                            "%(where)s: the worker's registro patronal %(nrp)s is not among "
                            "the contract's SISUB NRPs (%(codes)s).",
                            where=where,
                            nrp=worker["nrp"],
                            codes=contract_row["nrp_codes"],
                        ),
                    )
                )
        return errors, warnings

    def _bimester_issues(self, worker, where):
        """The bimester is one of the period's, and its days fit in it."""
        bim = worker["bimester"]
        errors = []
        bimester = self.bimesters.get(bim)
        if (
            not bimester
            or worker["bimester_start"] != bimester.start
            or worker["bimester_end"] != bimester.end
            or not self.date_start <= worker["bimester_start"] <= self.date_end
            or not self.date_start <= worker["bimester_end"] <= self.date_end
        ):
            errors.append(
                Issue(
                    "SISUB-WORKER-BIMESTER-OUTSIDE",
                    self.env._(
                        "%(where)s: the bimester (%(start)s to %(end)s) is not one of the "
                        "period %(period_start)s to %(period_end)s; regenerate the report.",
                        where=where,
                        start=worker["bimester_start"],
                        end=worker["bimester_end"],
                        period_start=self.date_start,
                        period_end=self.date_end,
                    ),
                )
            )
        elif worker["days"] > bimester.days or worker["days"] < 0:
            errors.append(
                Issue(
                    "SISUB-WORKER-DAYS-EXCEED",
                    self.env._(
                        "%(where)s: %(days)s days placed, but the bimester has %(max)s.",
                        where=where,
                        days=worker["days"],
                        max=bimester.days,
                    ),
                )
            )
        return errors

    def _placed_issues(self, worker, where):
        """What a bimester with days placed needs: work site, SBC, payslips."""
        errors, warnings = [], []
        if worker["days"]:
            missing = [c for c in SITE_REQUIRED if not worker.get(c)]
            if missing and not worker.get("street"):
                errors.append(
                    Issue(
                        "SISUB-WORK-SITE-MISSING",
                        self.env._(
                            "%(where)s: no work site: add the address where the service is "
                            "rendered on the contract's Work Sites.",
                            where=where,
                        ),
                    )
                )
            elif missing:
                errors.append(
                    Issue(
                        "SISUB-WORK-SITE-INCOMPLETE",
                        self.env._(
                            "%(where)s: the work site address is incomplete (street, "
                            "exterior number, colonia, ZIP, municipality, state); complete "
                            "it on the contract's Work Sites.",
                            where=where,
                        ),
                    )
                )
            if worker.get("days_without_sbc"):
                if worker["aportacion_manual"]:
                    pass
                elif worker["days_without_sbc"] >= worker["days"]:
                    errors.append(
                        Issue(
                            "SISUB-WORKER-SBC-MISSING",
                            self.env._(
                                "%(where)s: the worker has no SBC recorded by this company "
                                "for the bimester, so the aportación cannot be computed. Add "
                                "it to the SBC history, or type the SUA figure on the line.",
                                where=where,
                            ),
                        )
                    )
                else:
                    warnings.append(
                        Issue(
                            "SISUB-WORKER-SBC-PARTIAL",
                            self.env._(
                                "%(where)s: no SBC for %(days)s of the days placed; they add "
                                "no aportación. Check the SBC history.",
                                where=where,
                                days=worker["days_without_sbc"],
                            ),
                        )
                    )
            if not worker["payslip_count"]:
                warnings.append(
                    Issue(
                        "SISUB-WORKER-PAYROLL-MISSING",
                        self.env._(
                            "%(where)s: no payroll CFDI imported for the bimester; fixed "
                            "pay, incapacity days and amortizaciones are reported as 0. "
                            "Import the payroll CFDI (ICSOE > Import Payroll CFDI).",
                            where=where,
                        ),
                    )
                )
        return errors, warnings

    def _cross_checks(self, rows):
        """Detail missing for a placed worker; workers on several contracts at once."""
        assignments = self._active_assignments([r["contract_id"] for r in rows])
        detailed = {
            (r["contract_id"], w["employee_id"]) for r in rows for w in r["workers"]
        }
        self._missing_detail = defaultdict(set)
        for contract_id, employee_id, _from, _to in assignments:
            if (contract_id, employee_id) not in detailed:
                self._missing_detail[contract_id].add(employee_id)
        # days of each (worker, bimester) covered by more than one contract
        self._overlaps = {}
        contracts_of = defaultdict(set)
        for contract_id, employee_id, _from, _to in assignments:
            contracts_of[employee_id].add(contract_id)
        ranges = defaultdict(lambda: defaultdict(list))
        for contract_id, employee_id, date_from, date_to in assignments:
            if len(contracts_of[employee_id]) > 1:
                ranges[employee_id][contract_id].append((date_from, date_to))
        for employee_id, by_contract in ranges.items():
            for bim in self.bimesters.values():
                merged = [
                    sisub.clip(sisub.merge_ranges(items), bim.start, bim.end)
                    for items in by_contract.values()
                ]
                total = sum(sisub.count_days(m) for m in merged)
                union = sisub.count_days(
                    sisub.merge_ranges(r for m in merged for r in m)
                )
                if total > union:
                    self._overlaps[(employee_id, bim.number)] = total - union

    def _check_rows(self, rows):
        self._load_employee_companies(rows)
        self._cross_checks(rows)
        numbers = defaultdict(int)
        for row in rows:
            numbers[row["contract_number"]] += 1
        for row in rows:
            seen = set()
            for worker in row["workers"]:
                self._result(worker, *self._worker_issues(row, worker, seen))
            row["worker_count"] = len({w["employee_id"] for w in row["workers"]})
            self._result(row, *self._contract_issues(row, numbers))
        return rows

    # ---------------------------------------------------------------- entry points

    def prepare(self, contracts):
        """Rows ready to insert (``workers`` in each): normalised, checks applied."""
        for row in contracts:
            row["client_rfc"] = partner_rfc(row["client_rfc"]) or None
            nrp = sisub.compact_nrp(row["client_nrp"])
            row["client_nrp_missing"] = not nrp
            if not nrp:
                nrp = (
                    self.principal_nrp[1]
                    if self.client_nrp_rule == "contractor"
                    else sisub.compact_nrp(self.client_nrp_placeholder)
                )
            row["client_nrp"] = nrp or None
        return self._check_rows(contracts)

    def recheck(self):
        """Check the stored lines again and store the results."""
        report = self.report
        env = self.env
        env.flush_all()
        cr = env.cr
        cr.execute(
            SQL(
                "SELECT * FROM l10n_mx_icsoe_sisub_contract WHERE sisub_id = %s "
                "ORDER BY sequence, id",
                report.id,
            )
        )
        rows = cr.dictfetchall()
        cr.execute(
            SQL(
                "SELECT * FROM l10n_mx_icsoe_sisub_worker WHERE sisub_id = %s "
                "ORDER BY contract_sequence, name, employee_id, bimester, id",
                report.id,
            )
        )
        by_line = defaultdict(list)
        for worker in cr.dictfetchall():
            by_line[worker["contract_line_id"]].append(worker)
        for row in rows:
            row["workers"] = by_line.get(row["id"], [])
        workers = [w for r in rows for w in r["workers"]]
        before = {
            (table, line["id"]): _result_of(line)
            for table, lines in ((0, rows), (1, workers))
            for line in lines
        }
        self._check_rows(rows)
        # Only the lines whose result changed are written back.
        self._update(
            "l10n_mx_icsoe_sisub_contract",
            [r for r in rows if before[(0, r["id"])] != _result_of(r)],
            ("worker_count",),
        )
        self._update(
            "l10n_mx_icsoe_sisub_worker",
            [w for w in workers if before[(1, w["id"])] != _result_of(w)],
            (),
        )
        env.invalidate_all()
        self.write_totals(rows)

    def _report_issues(self, rows):
        """(errors, warnings, not reported) about the report as a whole."""
        report = self.report
        errors, warnings = [], []
        period = f"{report.year}-{report.period}"
        started = [r for r in rows if r["started_in_period"]]
        proposed = "normal" if started else ("continuous" if rows else "no_activity")
        self.proposed_type = proposed
        kind = report.report_type
        if kind == "normal" and not started:
            errors.append(
                Issue(
                    "SISUB-REPORT-TYPE-WRONG",
                    self.env._(
                        "No contract started in %(period)s: a Presentar informe reports new "
                        "contracts. File %(type)s instead (button 'Use the Proposed Type').",
                        period=period,
                        type=self.env._("Datos continuos")
                        if rows
                        else self.env._("Sin actividad"),
                    ),
                )
            )
        elif kind == "continuous" and (started or not rows):
            errors.append(
                Issue(
                    "SISUB-REPORT-TYPE-WRONG",
                    self.env._(
                        "%(count)s contract(s) started in %(period)s: file a Presentar "
                        "informe (button 'Use the Proposed Type').",
                        count=len(started),
                        period=period,
                    )
                    if started
                    else self.env._(
                        "No contract was in force in %(period)s: file Sin actividad (button "
                        "'Use the Proposed Type').",
                        period=period,
                    ),
                )
            )
        elif kind == "no_activity" and rows:
            errors.append(
                Issue(
                    "SISUB-REPORT-TYPE-WRONG",
                    self.env._(
                        "%(count)s contract(s) were in force in %(period)s: a report Sin "
                        "actividad is wrong, file %(type)s (button 'Use the Proposed Type').",
                        count=len(rows),
                        period=period,
                        type=self.env._("a Presentar informe")
                        if started
                        else self.env._("Datos continuos"),
                    ),
                )
            )
        if report.state in ("draft", "confirmed"):
            refusal = report._chain_refusal()
            if refusal:
                errors.append(Issue("SISUB-REPORT-CHAIN", refusal))
        errors += self._company_issues()
        warnings += self._company_warnings(rows)
        not_reported = []
        for contract in self._unreported_contracts():
            if contract["state"] == "draft":
                warnings.append(
                    Issue(
                        "SISUB-CONTRACT-DRAFT",
                        self.env._(
                            "Contract %(ref)s (%(client)s) is in force in the period but "
                            "still a draft: it is not reported. Activate it and regenerate "
                            "if it was signed.",
                            ref=contract["name"],
                            client=contract["client"],
                        ),
                        record=("l10n_mx_icsoe.contract", contract["id"]),
                    )
                )
            else:
                not_reported.append(
                    self.env._(
                        "Contract %(ref)s (%(client)s) is not reported: the client is a "
                        "foreign resident without a permanent establishment in Mexico.",
                        ref=contract["name"],
                        client=contract["client"],
                    )
                )
        return errors, warnings, not_reported

    def _company_issues(self):
        company = self.company
        name = company.name
        errors = self._company_rfc_issues(
            "SISUB-COMPANY-RFC-MISSING", "SISUB-COMPANY-RFC-INVALID"
        )
        if not self.principal_nrp[1]:
            errors.append(
                Issue(
                    "SISUB-COMPANY-NRP-MISSING",
                    self.env._(
                        "%(company)s has no principal Registro Patronal: add its NRPs on the "
                        "company's SISUB tab and mark the one the INFONAVIT portal is "
                        "entered with as Principal.",
                        company=name,
                    ),
                )
            )
        if not self.registration:
            errors.append(
                Issue(
                    "SISUB-COMPANY-REPSE-MISSING",
                    self.env._(
                        "%(company)s has no REPSE registration valid in %(year)s-%(period)s: "
                        "the SISUB report names it. Record the registration.",
                        company=name,
                        year=self.report.year,
                        period=self.report.period,
                    ),
                )
            )
        return errors

    def _company_warnings(self, rows):
        company = self.company
        warnings = []
        documents = self._documents()
        if not documents["deed"]:
            warnings.append(
                Issue(
                    "SISUB-COMPANY-DEED-MISSING",
                    self.env._(
                        "%(company)s: no Articles of Incorporation (or constancia de "
                        "situación fiscal) PDF on the company's SISUB tab; the upload needs "
                        "it (1a_SISUB_Ley_29_bis_Escritura Constitutiva).",
                        company=company.name,
                    ),
                )
            )
        if self.registration and not documents["stps"]:
            warnings.append(
                Issue(
                    "SISUB-REPSE-PDF-MISSING",
                    self.env._(
                        "REPSE registration %(reg)s has no STPS registration PDF attached; the "
                        "upload needs it (4_SISUB_Ley_29_bis_Registro emitido por STPS). "
                        "Attach it on the registration.",
                        reg=self.registration.name,
                    ),
                    record=("l10n_mx_icsoe.repse.registration", self.registration.id),
                )
            )
        return warnings

    def _documents(self):
        """Whether the company's deed and the registration's STPS PDF exist (one query)."""
        reg_id = self.registration.id if self.registration else 0
        self.env.cr.execute(
            SQL(
                """
                SELECT
                    EXISTS (SELECT 1 FROM ir_attachment
                             WHERE res_model = 'res.company' AND res_id = %(company)s
                               AND res_field = 'l10n_mx_icsoe_deed'),
                    EXISTS (SELECT 1 FROM ir_attachment
                             WHERE res_model = 'l10n_mx_icsoe.repse.registration'
                               AND res_id = %(reg)s AND res_field = 'document')
                """,
                company=self.company.id,
                reg=reg_id,
            )
        )
        deed, stps = self.env.cr.fetchone()
        return {"deed": deed, "stps": stps}

    def _unreported_contracts(self):
        """Contracts in force in the period that generation leaves out (one query)."""
        report = self.report
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.name, c.state, cp.name AS client
                  FROM l10n_mx_icsoe_contract c
                  JOIN res_partner p ON p.id = c.partner_id
                  JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
                 WHERE c.company_id = %(company)s
                   AND c.state != 'cancelled'
                   AND c.date_start <= %(end)s
                   AND (c.date_end IS NULL OR c.date_end >= %(start)s)
                   AND (c.state = 'draft'
                        OR COALESCE(cp.l10n_mx_icsoe_foreign_resident, FALSE))
              ORDER BY c.date_start, c.name, c.id
                """,
                company=report.company_id.id,
                start=report.date_start,
                end=report.date_end,
            )
        )
        return self.env.cr.dictfetchall()

    def write_totals(self, rows, generated_at=None):
        report_errors, report_warnings, not_reported = self._report_issues(rows)
        workers = [w for r in rows for w in r["workers"]]
        vals = {
            "contract_count": len(rows),
            "started_contract_count": sum(bool(r["started_in_period"]) for r in rows),
            "worker_count": len({w["employee_id"] for w in workers}),
            "row_count": len(workers),
            "error_count": len(report_errors)
            + sum(not r["is_ok"] for r in rows)
            + sum(not w["is_ok"] for w in workers),
            "warning_count": len(report_warnings)
            + sum(bool(r["warning_text"]) for r in rows)
            + sum(bool(w["warning_text"]) for w in workers),
            "check_message": "\n".join(report_errors) or False,
            "warning_message": "\n".join(report_warnings) or False,
            "info_message": "\n".join(not_reported) or False,
            "report_problems": problem_list(report_errors, report_warnings) or False,
            # amounts of 2 decimals each: a float sum rounded is exact enough
            "aportacion_total": round(fsum(w["aportacion"] or 0 for w in workers), 2),
            "amortizacion_total": round(
                fsum(w["amortizacion"] or 0 for w in workers), 2
            ),
            "proposed_type": self.proposed_type,
        }
        if generated_at:
            vals["generated_at"] = generated_at
        internal(self.report).write(vals)
