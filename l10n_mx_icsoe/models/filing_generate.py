"""Chunked, streaming generation of a filing's lines.

Memory is bounded by a chunk, not by the filing, and the number of SQL
statements does not grow with the data:

- one SELECT reads the contracts with their clients and REPSE services (one
  small row per contract), each with the id its line will take;
- the workers, with their last SBC in the period, are streamed from a
  server-side cursor in the contracts' order (:func:`bulk.stream`), and
  checked :data:`CHUNK_CONTRACTS` contracts at a time;
- each checked row goes to a spooled COPY file (:class:`bulk.Spool`), and one
  COPY per line table loads them; one UPDATE writes the filing's counters.
"""

from odoo import fields
from odoo.tools import SQL

from ..icsoe.repse import REFORM_START
from . import bulk
from .filing_check import FilingChecker

CHUNK_CONTRACTS = 500

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
    "problems",
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
    "problems",
)


def _reportable(filing):
    """The WHERE clause of the contracts a filing reports (``c`` the contract,
    ``cp`` its client's commercial partner)."""
    return SQL(
        """
        c.company_id = %(company)s
        AND c.state NOT IN ('cancelled', 'draft')
        AND NOT COALESCE(cp.l10n_mx_icsoe_foreign_resident, FALSE)
        AND c.date_start BETWEEN %(start)s AND %(end)s
        AND c.date_start >= %(reform)s
        """,
        company=filing.company_id.id,
        start=filing.date_start,
        end=filing.date_end,
        reform=REFORM_START,
    )


def _select_contracts(filing):
    """The reportable contracts in report order, each with the id its line takes."""
    cr = filing.env.cr
    cr.execute(
        SQL(
            """
            SELECT nextval(pg_get_serial_sequence('l10n_mx_icsoe_filing_contract', 'id'))
                       AS id,
                   c.id AS contract_id, c.name AS reference, c.object,
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
             WHERE %s
          ORDER BY c.date_start, c.name, c.id
            """,
            _reportable(filing),
        )
    )
    return cr.dictfetchall()


def _stream_workers(filing):
    """The workers of the reportable contracts, grouped by contract in report
    order, streamed (see :func:`bulk.stream`).

    One line per worker and contract, whatever the number of assignments. Every
    worker assigned to a contract that started in the period is reported, also
    one who starts after the period ends (LSS art. 15-A fr. II: the workers who
    *will* render the service). The SBC is the filing company's last one
    registered up to the end of the period; for a worker without one by then,
    the first one registered after it (his SBC when he joined)."""
    return bulk.stream(
        filing.env.cr,
        SQL(
            """
            SELECT DISTINCT ON (c.date_start, c.name, c.id, a.employee_id)
                   a.contract_id, e.id AS employee_id, e.name,
                   e.ssnid AS nss, e.l10n_mx_curp AS curp,
                   e.company_id AS employee_company_id,
                   a.date_from AS date_assigned,
                   sbc.amount AS sbc, sbc.date_from AS sbc_date
              FROM l10n_mx_icsoe_contract c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
              JOIN l10n_mx_icsoe_contract_assignment a ON a.contract_id = c.id
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
             WHERE %(reportable)s
               AND a.company_id = %(company)s
               AND (a.date_to IS NULL OR a.date_to >= %(start)s)
          ORDER BY c.date_start, c.name, c.id, a.employee_id, a.date_from
            """,
            reportable=_reportable(filing),
            company=filing.company_id.id,
            start=filing.date_start,
            end=filing.date_end,
        ),
    )


class _ChunkChecker(FilingChecker):
    """The filing's checker, fed a chunk of contracts at a time: the workers'
    companies come with the streamed rows (no query per chunk), and what it
    remembers of the texts it looked at is dropped at each chunk."""

    def _load_employee_companies(self, rows):
        self._unsafe = {}
        self._employee_company = {
            w["employee_id"]: w["employee_company_id"]
            for row in rows
            for w in row["workers"]
        }


# What the filing's totals need of a worker line once it is written; one
# shared dict per outcome instead of the line (see _Tally).
_WORKER_OUTCOMES = {
    (ok, warned): {"is_ok": ok, "warning_text": "!" if warned else None}
    for ok in (True, False)
    for warned in (True, False)
}
_CONTRACT_KEEP = ("contract_id", "registration_id", "is_ok", "warning_text")


def _tally(row):
    """A written contract row, reduced to what the filing's totals read."""
    workers = row["workers"]
    slim = {key: row[key] for key in _CONTRACT_KEEP}
    slim["workers"] = [
        _WORKER_OUTCOMES[(w["is_ok"], bool(w["warning_text"]))] for w in workers
    ]
    return slim


def _chunks(contracts, workers):
    """Yield (contracts, their workers) CHUNK_CONTRACTS contracts at a time, the
    workers taken from the stream as their contract comes up."""
    workers = iter(workers)
    pending = next(workers, None)
    for offset in range(0, len(contracts), CHUNK_CONTRACTS):
        chunk = contracts[offset : offset + CHUNK_CONTRACTS]
        ids = {row["contract_id"] for row in chunk}
        chunk_workers = []
        while pending is not None and pending["contract_id"] in ids:
            chunk_workers.append(pending)
            pending = next(workers, None)
        yield offset, chunk, chunk_workers


def generate_lines(filing):
    env = filing.env
    cr = env.cr
    env.flush_all()
    # Drop the previous lines (draft only: checked by the caller).
    for table in ("l10n_mx_icsoe_filing_worker", "l10n_mx_icsoe_filing_contract"):
        cr.execute(
            SQL("DELETE FROM %s WHERE filing_id = %s", SQL.identifier(table), filing.id)
        )
    checker = _ChunkChecker(filing)
    contracts = []
    if filing.filing_type != "void":
        contracts = _select_contracts(filing)
    checker._load_registrations(row["registration_id"] for row in contracts)

    now = fields.Datetime.now()
    common = {
        "filing_id": filing.id,
        "company_id": filing.company_id.id,
        "create_uid": env.uid,
        "write_uid": env.uid,
        "create_date": now,
        "write_date": now,
    }
    contract_spool = bulk.Spool(
        "l10n_mx_icsoe_filing_contract", ("id", *CONTRACT_COLUMNS), common
    )
    worker_spool = bulk.Spool(
        "l10n_mx_icsoe_filing_worker",
        ("filing_contract_id", "contract_sequence", *WORKER_COLUMNS),
        common,
    )
    workers = _stream_workers(filing) if contracts else ()
    for offset, chunk, chunk_workers in _chunks(contracts, workers):
        checker.prepare(chunk, chunk_workers)
        for sequence, row in enumerate(chunk, offset + 1):
            row["sequence"] = sequence
            contract_spool.write(row)
            for worker in row["workers"]:
                worker["filing_contract_id"] = row["id"]
                worker["contract_sequence"] = sequence
                worker_spool.write(worker)
        contracts[offset : offset + CHUNK_CONTRACTS] = [_tally(r) for r in chunk]
    contract_spool.copy(cr)
    worker_spool.copy(cr)
    env.invalidate_all()
    checker.write_totals(contracts, generated_at=now)
