"""Set-based generation of a SISUB report's lines.

A constant number of queries whatever the number of contracts and workers:
the SUA figures typed on the old lines (kept), one DELETE, one SELECT for the
contracts in force with their clients, amounts and NRPs, one for their work
sites, one for the assignments with their workers, one for the SBC history,
one for the UMA table, one for the pay of the payroll CFDI attributed to each
contract and bimester, the checks' few reads, one INSERT per line table and
one UPDATE of the report's counters. Days, aportaciones and the checks are
computed in Python in between, so each row is inserted with its result.
"""

from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

from odoo import fields
from odoo.tools import SQL

from ..icsoe import sisub
from . import bulk
from .sisub_check import SisubChecker

CONTRACT_COLUMNS = (
    "sequence",
    "contract_id",
    "reference",
    "contract_number",
    "contract_type",
    "object",
    "date_start",
    "date_end",
    "started_in_period",
    "amount",
    "amount_date",
    "estimated_workers",
    "nrp_codes",
    "partner_id",
    "client_rfc",
    "client_name",
    "client_nrp",
    "client_nrp_missing",
    "document_count",
    "worker_count",
    "is_ok",
    "error_text",
    "warning_text",
    "problems",
)
WORKER_COLUMNS = (
    "contract_line_id",
    "contract_sequence",
    "contract_number",
    "employee_id",
    "work_site_id",
    "name",
    "nss",
    "nrp",
    "bimester",
    "bimester_start",
    "bimester_end",
    "days",
    "days_without_sbc",
    "street",
    "street_number",
    "street_number2",
    "colony",
    "zip",
    "city",
    "state",
    "variable_pay",
    "fixed_pay",
    "incapacity_days",
    "non_integrable_pay",
    "payslip_count",
    "sbc",
    "sbc_capped",
    "aportacion_computed",
    "aportacion_manual",
    "aportacion_sua",
    "aportacion",
    "amortizacion",
    "is_ok",
    "error_text",
    "warning_text",
    "problems",
)
SITE_COLUMNS = (
    "street",
    "street_number",
    "street_number2",
    "colony",
    "zip",
    "city",
    "state",
)


def _select_contracts(report):
    cr = report.env.cr
    cr.execute(
        SQL(
            """
            SELECT c.id AS contract_id, c.name AS reference, c.object,
                   c.date_start, c.date_end,
                   c.sisub_number AS contract_number,
                   c.sisub_contract_type AS contract_type,
                   COALESCE(am.amount_untaxed, c.amount_untaxed, 0) AS amount,
                   am.date AS amount_date,
                   COALESCE(c.estimated_worker_count, 0) AS estimated_workers,
                   c.date_start BETWEEN %(start)s AND %(end)s AS started_in_period,
                   p.id AS partner_id, p.vat AS client_rfc, p.name AS client_name,
                   COALESCE(NULLIF(p.l10n_mx_icsoe_nrp, ''), cp.l10n_mx_icsoe_nrp)
                       AS client_nrp,
                   ARRAY(
                       SELECT n.name
                         FROM l10n_mx_icsoe_contract_nrp_rel r
                         JOIN l10n_mx_icsoe_nrp n ON n.id = r.nrp_id
                        WHERE r.contract_id = c.id
                     ORDER BY n.is_principal DESC NULLS LAST, n.name
                   ) AS contract_nrps,
                   (
                       SELECT COUNT(*)
                         FROM ir_attachment_l10n_mx_icsoe_contract_rel d
                        WHERE d.l10n_mx_icsoe_contract_id = c.id
                   ) AS document_count
              FROM l10n_mx_icsoe_contract c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
         LEFT JOIN LATERAL (
                       SELECT amount_untaxed, date
                         FROM l10n_mx_icsoe_contract_amendment
                        WHERE contract_id = c.id AND date <= %(end)s
                     ORDER BY date DESC, id DESC
                        LIMIT 1
                   ) am ON TRUE
             WHERE c.company_id = %(company)s
               AND c.state NOT IN ('cancelled', 'draft')
               AND NOT COALESCE(cp.l10n_mx_icsoe_foreign_resident, FALSE)
               AND c.date_start <= %(end)s
               AND (c.date_end IS NULL OR c.date_end >= %(start)s)
          ORDER BY c.date_start, c.name, c.id
            """,
            company=report.company_id.id,
            start=report.date_start,
            end=report.date_end,
        )
    )
    return cr.dictfetchall()


def _select_sites(report, contract_ids):
    if not contract_ids:
        return {}
    cr = report.env.cr
    cr.execute(
        SQL(
            """
            SELECT s.id, s.contract_id, s.street, s.street_number, s.street_number2,
                   s.colony, s.zip, s.city, st.name AS state
              FROM l10n_mx_icsoe_work_site s
         LEFT JOIN res_country_state st ON st.id = s.state_id
             WHERE s.contract_id = ANY(%s)
          ORDER BY s.contract_id, s.sequence, s.id
            """,
            list(contract_ids),
        )
    )
    return {row["id"]: row for row in cr.dictfetchall()}


def _select_assignments(report, contract_ids):
    if not contract_ids:
        return []
    cr = report.env.cr
    # Every assignment that overlaps the period; a worker with several
    # assignments to one contract gets one line per bimester.
    cr.execute(
        SQL(
            """
            SELECT a.id AS assignment_id, a.contract_id, a.date_from, a.date_to,
                   a.work_site_id, e.id AS employee_id, e.name, e.ssnid AS nss,
                   e.company_id AS employee_company_id,
                   n.name AS employee_nrp
              FROM l10n_mx_icsoe_contract_assignment a
              JOIN hr_employee e ON e.id = a.employee_id
         LEFT JOIN l10n_mx_icsoe_nrp n ON n.id = e.l10n_mx_icsoe_nrp_id
             WHERE a.contract_id = ANY(%(contracts)s)
               AND a.company_id = %(company)s
               AND a.date_from <= %(end)s
               AND (a.date_to IS NULL OR a.date_to >= %(start)s)
          ORDER BY a.contract_id, e.name, e.id, a.date_from, a.id
            """,
            contracts=list(contract_ids),
            company=report.company_id.id,
            start=report.date_start,
            end=report.date_end,
        )
    )
    return cr.dictfetchall()


def _select_sbc(report, employee_ids):
    """{employee id: [(date_from, Decimal amount)]} of the company's SBC rows."""
    if not employee_ids:
        return {}
    cr = report.env.cr
    cr.execute(
        SQL(
            """
            SELECT employee_id, date_from, amount
              FROM l10n_mx_icsoe_sbc
             WHERE employee_id = ANY(%s) AND company_id = %s AND date_from <= %s
          ORDER BY employee_id, date_from
            """,
            list(employee_ids),
            report.company_id.id,
            report.date_end,
        )
    )
    history = defaultdict(list)
    for employee_id, day, amount in cr.fetchall():  # numeric: Decimal already
        history[employee_id].append((day, amount))
    return history


def _select_uma(report):
    cr = report.env.cr
    cr.execute(
        "SELECT date_from, daily_amount FROM l10n_mx_icsoe_uma ORDER BY date_from"
    )
    return [(day, Decimal(str(amount))) for day, amount in cr.fetchall()]  # few rows


def _select_pay(report, contract_ids, pay_from):
    """The pay of the company's payroll CFDI, attributed to contract and bimester.

    Each payslip paid from ``pay_from`` to the end of the period counts for a
    contract in the share of its pay period's days the worker was assigned to
    the contract (a worker on two contracts on the same days splits it between
    them). Returns {(contract, employee, year, bimester): amounts}.
    """
    if not contract_ids:
        return {}
    cr = report.env.cr
    cr.execute(
        SQL(
            """
            WITH asg AS (
                SELECT a.contract_id, a.employee_id, a.date_from,
                       COALESCE(a.date_to, DATE '9999-12-31') AS date_to
                  FROM l10n_mx_icsoe_contract_assignment a
                 WHERE a.contract_id = ANY(%(contracts)s)
                   AND a.company_id = %(company)s
                   AND a.date_from <= %(end)s
                   AND COALESCE(a.date_to, DATE '9999-12-31') >= %(pay_from)s
            ), pay AS (
                SELECT p.id, p.employee_id, p.period_start, p.period_end,
                       p.payment_date,
                       COALESCE(p.fixed_pay, 0) AS fixed_pay,
                       COALESCE(p.variable_pay, 0) AS variable_pay,
                       COALESCE(p.non_integrable_pay, 0) AS non_integrable_pay,
                       COALESCE(p.incapacity_days, 0) AS incapacity_days,
                       COALESCE(p.housing_credit, 0) AS housing_credit,
                       GREATEST(p.period_end - p.period_start + 1, 1) AS pay_days
                  FROM l10n_mx_icsoe_payroll_cfdi p
                 WHERE p.company_id = %(company)s
                   AND p.payment_date BETWEEN %(pay_from)s AND %(end)s
                   AND p.period_start IS NOT NULL AND p.period_end IS NOT NULL
                   AND p.employee_id IN (SELECT employee_id FROM asg)
            ), parts AS (
                SELECT asg.contract_id, pay.*,
                       LEAST(pay.period_end, asg.date_to)
                       - GREATEST(pay.period_start, asg.date_from) + 1 AS overlap
                  FROM pay
                  JOIN asg ON asg.employee_id = pay.employee_id
                          AND asg.date_from <= pay.period_end
                          AND asg.date_to >= pay.period_start
            ), shares AS (
                SELECT o.*,
                       o.overlap::numeric / GREATEST(
                           o.pay_days, SUM(o.overlap) OVER (PARTITION BY o.id)
                       ) AS share
                  FROM parts o
            )
            SELECT contract_id, employee_id,
                   EXTRACT(YEAR FROM payment_date)::int AS year,
                   (EXTRACT(MONTH FROM payment_date)::int + 1) / 2 AS bimester,
                   ROUND(SUM(fixed_pay * share), 2)::float8 AS fixed_pay,
                   ROUND(SUM(variable_pay * share), 2)::float8 AS variable_pay,
                   ROUND(SUM(non_integrable_pay * share), 2)::float8
                       AS non_integrable_pay,
                   ROUND(SUM(incapacity_days * share))::int AS incapacity_days,
                   ROUND(SUM(housing_credit * share), 2)::float8 AS housing_credit,
                   COUNT(DISTINCT id)::int AS payslips
              FROM shares
          GROUP BY 1, 2, 3, 4
            """,
            contracts=list(contract_ids),
            company=report.company_id.id,
            pay_from=pay_from,
            end=report.date_end,
        )
    )
    return {
        (row["contract_id"], row["employee_id"], row["year"], row["bimester"]): row
        for row in cr.dictfetchall()
    }


def _insert(env, model_name, columns, common, rows, returning=None):
    """INSERT all rows in one statement, column by column (``unnest`` of one
    array per column). Returns the values of ``returning`` (e.g. ``("id",
    "sequence")``) of the new rows."""
    if not rows:
        return []
    model = env[model_name]
    names = (*common, *columns)

    def array(name):
        pg_type = model._fields[name].column_type[1]
        return SQL("%s::%s[]", [row[name] for row in rows], SQL(pg_type))

    query = SQL(
        "INSERT INTO %s (%s) SELECT %s, u.* FROM unnest(%s) AS u",
        SQL.identifier(model._table),
        SQL(", ").join(SQL.identifier(name) for name in names),
        SQL(", ").join(SQL("%s", value) for value in common.values()),
        SQL(", ").join(array(name) for name in columns),
    )
    if returning:
        query = SQL(
            "%s RETURNING %s",
            query,
            SQL(", ").join(SQL.identifier(name) for name in returning),
        )
    env.cr.execute(query)
    return env.cr.fetchall() if returning else []


class _Context:
    """What the rows of one generation share."""

    def __init__(self, report, checker, sbc, uma):
        self.report = report
        self.checker = checker
        self.bimesters = sisub.bimesters(report.year, int(report.period))
        self.previous = {
            bim.number: sisub.previous_bimester(bim) for bim in self.bimesters
        }
        self.company_nrp = checker.principal_nrp  # (id, code) or (None, None)
        self.sbc = sbc
        self.uma_caps = sisub.caps(uma)
        self._timelines = {}

    def timeline(self, employee_id):
        """The worker's capped daily SBC, built once for all his lines."""
        line = self._timelines.get(employee_id)
        if line is None:
            line = self._timelines[employee_id] = sisub.timeline(
                self.sbc.get(employee_id, ()), uma_caps=self.uma_caps
            )
        return line


NO_PAY = {
    "fixed_pay": 0.0,
    "variable_pay": 0.0,
    "non_integrable_pay": 0.0,
    "incapacity_days": 0,
    "housing_credit": 0.0,
    "payslips": 0,
}


def _worker_rows(ctx, contract, assignments, sites, first_site, pay):
    """Two rows (one per bimester) per worker of ``contract``."""
    groups = {}
    for assignment in assignments:
        groups.setdefault(assignment["employee_id"], []).append(assignment)
    contract_nrp = contract["contract_nrps"][0] if contract["contract_nrps"] else None
    contract_id = contract["contract_id"]
    number = contract["contract_number"] or sisub.NO_CONTRACT_NUMBER
    rows = []
    for employee_id, items in groups.items():
        worker = items[0]
        ranges = sisub.merge_ranges((a["date_from"], a["date_to"]) for a in items)
        nrp = worker["employee_nrp"] or contract_nrp or ctx.company_nrp[1]
        line = ctx.timeline(employee_id)
        for bim in ctx.bimesters:
            placed = sisub.clip(ranges, bim.start, bim.end)
            result = sisub.aportacion(placed, line)
            # the assignment of the last day placed in the bimester (else the first)
            last_day = placed[-1][1] if placed else None
            assignment = items[0]
            if last_day and len(items) > 1:
                assignment = next(
                    (
                        a
                        for a in reversed(items)
                        if a["date_from"] <= last_day
                        and (not a["date_to"] or a["date_to"] >= last_day)
                    ),
                    items[0],
                )
            site = sites.get(assignment["work_site_id"]) or first_site
            paid = pay.get((contract_id, employee_id, bim.year, bim.number), NO_PAY)
            previous = ctx.previous[bim.number]
            before = pay.get(
                (contract_id, employee_id, previous.year, previous.number), NO_PAY
            )
            index = bisect_right(line.starts, last_day or bim.end) - 1
            sbc_now = line.values[index] if index >= 0 else None
            computed = float(result.amount)
            row = {
                "contract_id": contract_id,
                "contract_number": number,
                "employee_id": employee_id,
                "work_site_id": site["id"] if site else None,
                "name": worker["name"],
                "nss": worker["nss"],
                "nrp": nrp,
                "bimester": bim.number,
                "bimester_start": bim.start,
                "bimester_end": bim.end,
                "days": result.days,
                "days_without_sbc": result.days_without_sbc,
                "variable_pay": before["variable_pay"],
                "fixed_pay": paid["fixed_pay"],
                "incapacity_days": paid["incapacity_days"],
                "non_integrable_pay": paid["non_integrable_pay"],
                "payslip_count": paid["payslips"],
                "sbc": float(sbc_now[0]) if sbc_now else 0.0,
                "sbc_capped": float(result.sbc_capped or 0),
                "aportacion_computed": computed,
                "aportacion_manual": False,
                "aportacion_sua": 0.0,
                "aportacion": computed,
                "amortizacion": paid["housing_credit"],
            }
            for column in SITE_COLUMNS:
                row[column] = site[column] if site else None
            rows.append(row)
    return rows


def _contract_nrps(contract, workers, company_nrp):
    """The NRPs of the contracts file: the contract's, else its workers', else the
    company's principal one."""
    if contract["contract_nrps"]:
        return list(contract["contract_nrps"])
    codes = sorted({w["nrp"] for w in workers if w["nrp"]})
    if codes:
        return codes
    return [company_nrp[1]] if company_nrp[1] else []


def build_rows(report, checker, typed=None):
    """The report's rows from the records, checks applied (no writes).

    ``typed`` holds the SUA figures typed on earlier lines, by (contract,
    employee, bimester): they replace the computed aportación.
    """
    typed = typed or {}
    contracts = _select_contracts(report)
    contract_ids = [c["contract_id"] for c in contracts]
    sites = _select_sites(report, contract_ids)
    assignments = _select_assignments(report, contract_ids)
    employee_ids = sorted({a["employee_id"] for a in assignments})
    sbc = _select_sbc(report, employee_ids)
    uma = _select_uma(report)
    ctx = _Context(report, checker, sbc, uma)
    pay_from = sisub.previous_bimester(ctx.bimesters[0]).start
    pay = _select_pay(report, contract_ids, pay_from)
    by_contract = defaultdict(list)
    for assignment in assignments:
        by_contract[assignment["contract_id"]].append(assignment)
    first_sites = {}
    for site in sites.values():  # ordered by contract, sequence
        first_sites.setdefault(site["contract_id"], site)
    for sequence, contract in enumerate(contracts, 1):
        contract["sequence"] = sequence
        workers = _worker_rows(
            ctx,
            contract,
            by_contract[contract["contract_id"]],
            sites,
            first_sites.get(contract["contract_id"]),
            pay,
        )
        for worker in workers:
            key = (worker["contract_id"], worker["employee_id"], worker["bimester"])
            if key in typed:
                worker["aportacion_manual"] = True
                worker["aportacion_sua"] = worker["aportacion"] = float(typed[key])
        contract["workers"] = workers
        contract["worker_count"] = len({w["employee_id"] for w in workers})
        contract["nrp_codes"] = " ".join(
            _contract_nrps(contract, workers, ctx.company_nrp)
        )
        contract["contract_number"] = (
            contract["contract_number"] or sisub.NO_CONTRACT_NUMBER
        )
        contract["amount"] = float(sisub.money(contract["amount"]))
    checker.prepare(contracts)
    return contracts


def generate_sisub(report):
    env = report.env
    env.flush_all()
    cr = env.cr
    # The SUA figures typed over the computed aportaciones survive regeneration.
    cr.execute(
        SQL(
            """
            SELECT c.contract_id, w.employee_id, w.bimester, w.aportacion_sua
              FROM l10n_mx_icsoe_sisub_worker w
              JOIN l10n_mx_icsoe_sisub_contract c ON c.id = w.contract_line_id
             WHERE w.sisub_id = %s AND w.aportacion_manual
            """,
            report.id,
        )
    )
    typed = {(c, e, b): amount for c, e, b, amount in cr.fetchall()}
    # Drop the previous lines (draft only: checked by the caller); the worker
    # lines go with their contract line (ON DELETE CASCADE).
    cr.execute(
        SQL("DELETE FROM l10n_mx_icsoe_sisub_contract WHERE sisub_id = %s", report.id)
    )
    checker = SisubChecker(report)
    rows = build_rows(report, checker, typed)

    now = fields.Datetime.now()
    common = {"sisub_id": report.id, "company_id": report.company_id.id}
    inserted = _insert(
        env,
        "l10n_mx_icsoe.sisub.contract",
        CONTRACT_COLUMNS,
        common,
        rows,
        returning=("id", "sequence"),
    )
    line_ids = {sequence: line_id for line_id, sequence in inserted}
    worker_rows = []
    for row in rows:
        for worker in row["workers"]:
            worker["contract_line_id"] = line_ids[row["sequence"]]
            worker["contract_sequence"] = row["sequence"]
            worker_rows.append(worker)
    bulk.copy_rows(
        env.cr,
        env["l10n_mx_icsoe.sisub.worker"]._table,
        WORKER_COLUMNS,
        common,
        worker_rows,
    )
    env.invalidate_all()
    checker.write_totals(rows, generated_at=now)
