"""Set-based generation of a filing's lines.

A constant number of queries whatever the number of contracts and workers:
one SELECT for the contracts with their clients and REPSE services, one for
the workers with their last SBC in the period, one INSERT per line table and
one UPDATE of the filing's counters. The checks run in Python in between, so
each row is inserted with its result.
"""

from odoo import fields
from odoo.tools import SQL

from ..icsoe.repse import REFORM_START
from .filing_check import FilingChecker

CONTRACT_COLUMNS = (
    "sequence",
    "contract_id",
    "reference",
    "partner_id",
    "client_rfc",
    "client_name",
    "client_person_type",
    "client_email",
    "client_mobile",
    "client_phone",
    "client_other_address",
    "client_street",
    "client_street_number",
    "client_street_number2",
    "client_colony",
    "client_between_streets",
    "client_zip",
    "client_city",
    "client_state",
    "object",
    "service_id",
    "service_text",
    "registration_id",
    "date_start",
    "date_end",
    "worker_count",
    "is_ok",
    "error_text",
    "warning_text",
)
WORKER_COLUMNS = (
    "employee_id",
    "date_assigned",
    "name",
    "nss",
    "curp",
    "sbc",
    "sbc_date",
    "is_ok",
    "error_text",
    "warning_text",
)


def _select_contracts(filing):
    cr = filing.env.cr
    cr.execute(
        SQL(
            """
            SELECT c.id AS contract_id, c.name AS reference, c.object,
                   c.date_start, c.date_end,
                   p.id AS partner_id, p.vat AS client_rfc, p.name AS client_name,
                   p.email AS client_email, p.mobile AS client_mobile,
                   p.phone AS client_phone,
                   COALESCE(p.l10n_mx_icsoe_other_address, FALSE) AS client_other_address,
                   p.l10n_mx_icsoe_street AS client_street,
                   p.l10n_mx_icsoe_street_number AS client_street_number,
                   p.l10n_mx_icsoe_street_number2 AS client_street_number2,
                   p.l10n_mx_icsoe_colony AS client_colony,
                   p.l10n_mx_icsoe_between_streets AS client_between_streets,
                   p.l10n_mx_icsoe_zip AS client_zip,
                   p.l10n_mx_icsoe_city AS client_city,
                   st.name AS client_state,
                   s.id AS service_id, s.folio AS service_folio,
                   s.description AS service_description,
                   s.registration_id
              FROM l10n_mx_icsoe_contract c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
         LEFT JOIN res_country_state st ON st.id = p.l10n_mx_icsoe_state_id
         LEFT JOIN l10n_mx_icsoe_repse_service s ON s.id = c.repse_service_id
             WHERE c.company_id = %(company)s
               AND c.state NOT IN ('cancelled', 'draft')
               AND NOT COALESCE(cp.l10n_mx_icsoe_foreign_resident, FALSE)
               AND c.date_start BETWEEN %(start)s AND %(end)s
               AND c.date_start >= %(reform)s
          ORDER BY c.date_start, c.name, c.id
            """,
            company=filing.company_id.id,
            start=filing.date_start,
            end=filing.date_end,
            reform=REFORM_START,
        )
    )
    return cr.dictfetchall()


def _select_workers(filing, contract_ids):
    if not contract_ids:
        return []
    cr = filing.env.cr
    # One line per worker and contract, whatever the number of assignments. Every
    # worker assigned to a contract that started in the period is reported, also
    # one who starts after the period ends (LSS art. 15-A fr. II: the workers who
    # *will* render the service). The SBC is the filing company's last one
    # registered up to the end of the period; for a worker without one by then,
    # the first one registered after it (his SBC when he joined).
    cr.execute(
        SQL(
            """
            SELECT DISTINCT ON (a.contract_id, a.employee_id)
                   a.contract_id, e.id AS employee_id, e.name,
                   e.ssnid AS nss, e.l10n_mx_curp AS curp,
                   e.company_id AS employee_company_id,
                   a.date_from AS date_assigned,
                   sbc.amount AS sbc, sbc.date_from AS sbc_date
              FROM l10n_mx_icsoe_contract_assignment a
              JOIN hr_employee e ON e.id = a.employee_id
         LEFT JOIN LATERAL (
                       SELECT amount, date_from
                         FROM l10n_mx_icsoe_sbc
                        WHERE employee_id = e.id AND company_id = %(company)s
                     ORDER BY date_from <= %(end)s DESC,
                              CASE WHEN date_from <= %(end)s THEN date_from END
                                  DESC NULLS LAST,
                              date_from
                        LIMIT 1
                   ) sbc ON TRUE
             WHERE a.contract_id = ANY(%(contracts)s)
               AND a.company_id = %(company)s
               AND (a.date_to IS NULL OR a.date_to >= %(start)s)
          ORDER BY a.contract_id, a.employee_id, a.date_from
            """,
            contracts=list(contract_ids),
            company=filing.company_id.id,
            start=filing.date_start,
            end=filing.date_end,
        )
    )
    return cr.dictfetchall()


def _insert(env, table, columns, common, rows):
    """INSERT all rows in one statement; returns the new ids in row order."""
    if not rows:
        return []
    names = (*common, *columns)
    values = SQL(", ").join(
        SQL("(%s)", SQL(", ").join([*common.values(), *(row[c] for c in columns)]))
        for row in rows
    )
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) VALUES %s RETURNING id",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(n) for n in names),
            values,
        )
    )
    return [r[0] for r in env.cr.fetchall()]


def generate_lines(filing):
    env = filing.env
    env.flush_all()
    # Drop the previous lines (draft only: checked by the caller).
    env.cr.execute(
        SQL("DELETE FROM l10n_mx_icsoe_filing_contract WHERE filing_id = %s", filing.id)
    )
    checker = FilingChecker(filing)
    contracts, workers = [], []
    if filing.filing_type != "void":
        contracts = _select_contracts(filing)
        workers = _select_workers(filing, [c["contract_id"] for c in contracts])
    rows = checker.prepare(contracts, workers)

    now = fields.Datetime.now()
    common = {
        "filing_id": filing.id,
        "company_id": filing.company_id.id,
        "create_uid": env.uid,
        "write_uid": env.uid,
        "create_date": now,
        "write_date": now,
    }
    contract_ids = _insert(
        env, "l10n_mx_icsoe_filing_contract", CONTRACT_COLUMNS, common, rows
    )
    line_by_contract = {
        row["contract_id"]: line_id
        for row, line_id in zip(rows, contract_ids, strict=True)
    }
    worker_rows = [
        dict(
            worker,
            filing_contract_id=line_by_contract[row["contract_id"]],
            contract_sequence=row["sequence"],
        )
        for row in rows
        for worker in row["workers"]
    ]
    _insert(
        env,
        "l10n_mx_icsoe_filing_worker",
        ("filing_contract_id", "contract_sequence", *WORKER_COLUMNS),
        common,
        worker_rows,
    )
    env.invalidate_all()
    checker.write_totals(rows, generated_at=now)
