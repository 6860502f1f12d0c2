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
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..icsoe.repse import REFORM_START
from . import bulk
from .filing_check import FilingChecker
from .guard import internal

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


# The contracts and their clients' commercial partners, as _reportable reads them.
_CONTRACTS_FROM = SQL(
    """
    FROM l10n_mx_icsoe_contract c
    JOIN res_partner p ON p.id = c.partner_id
    JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
    """
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


def _select_contracts(filing, contract_ids=None):
    """The reportable contracts in report order, each with the id its line takes;
    with ``contract_ids``, only those (a background job's batch)."""
    cr = filing.env.cr
    where = _reportable(filing)
    if contract_ids is not None:
        where = SQL("%s AND c.id = ANY(%s)", where, list(contract_ids))
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
              %s
         LEFT JOIN res_country_state st ON st.id = p.l10n_mx_icsoe_state_id
         LEFT JOIN l10n_mx_icsoe_repse_service s ON s.id = c.repse_service_id
             WHERE %s
          ORDER BY c.date_start, c.name, c.id
            """,
            _CONTRACTS_FROM,
            where,
        )
    )
    return cr.dictfetchall()


def _stream_workers(filing, contract_ids=None):
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
              %(contracts)s
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
             WHERE %(reportable)s %(only)s
               AND a.company_id = %(company)s
               AND (a.date_to IS NULL OR a.date_to >= %(start)s)
          ORDER BY c.date_start, c.name, c.id, a.employee_id, a.date_from
            """,
            contracts=_CONTRACTS_FROM,
            reportable=_reportable(filing),
            only=SQL("AND c.id = ANY(%s)", list(contract_ids))
            if contract_ids is not None
            else SQL(),
            company=filing.company_id.id,
            start=filing.date_start,
            end=filing.date_end,
        ),
    )


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
    bulk.ensure_consumed(pending)


def _drop_lines(filing):
    """Drop the previous lines (draft only: checked by the caller)."""
    for table in ("l10n_mx_icsoe_filing_worker", "l10n_mx_icsoe_filing_contract"):
        filing.env.cr.execute(
            SQL("DELETE FROM %s WHERE filing_id = %s", SQL.identifier(table), filing.id)
        )


def _write_lines(filing, contracts, workers, first_sequence=1):
    """Check ``contracts`` (rows of :func:`_select_contracts`, in order) and
    their ``workers`` (an iterable in the same order), write their lines with
    one COPY per table, and reduce ``contracts`` in place to what the totals
    read (``ReportChecker.tally``). Returns the checker."""
    env = filing.env
    checker = FilingChecker(filing)
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
    for offset, chunk, chunk_workers in _chunks(contracts, workers):
        checker.prepare(chunk, chunk_workers)
        for sequence, row in enumerate(chunk, first_sequence + offset):
            row["sequence"] = sequence
            contract_spool.add(row)
            for worker in row["workers"]:
                worker["filing_contract_id"] = row["id"]
                worker["contract_sequence"] = sequence
                worker_spool.add(worker)
        contracts[offset : offset + CHUNK_CONTRACTS] = [
            FilingChecker.tally(r) for r in chunk
        ]
    contract_spool.load(env.cr)
    worker_spool.load(env.cr)
    return checker


def generate_lines(filing):
    env = filing.env
    env.flush_all()
    _drop_lines(filing)
    contracts = []
    if filing.filing_type != "void":
        contracts = _select_contracts(filing)
    workers = _stream_workers(filing) if contracts else ()
    checker = _write_lines(filing, contracts, workers)
    env.invalidate_all()
    checker.write_totals(contracts, generated_at=fields.Datetime.now())


# ---------------------------------------------------------------- in batches


def drop_generated_lines(filing):
    """Remove the lines (e.g. of a generation stopped half-way): the filing is
    then as before its first generation."""
    filing.env.flush_all()
    _drop_lines(filing)
    filing.env.invalidate_all()
    checker = FilingChecker(filing)
    checker.write_totals([])
    internal(filing).write({"generated_at": False})


def count_reportable(filing):
    """(contracts, worker assignments) a generation of ``filing`` reads."""
    if filing.filing_type == "void":
        return 0, 0
    cr = filing.env.cr
    cr.execute(
        SQL(
            """
            SELECT count(DISTINCT c.id), count(a.id)
              %s
         LEFT JOIN l10n_mx_icsoe_contract_assignment a
                   ON a.contract_id = c.id AND a.company_id = c.company_id
             WHERE %s
            """,
            _CONTRACTS_FROM,
            _reportable(filing),
        )
    )
    return cr.fetchone()


def _reportable_ids(filing):
    """The ids of the contracts a generation reports, in report order."""
    if filing.filing_type == "void":
        return []
    cr = filing.env.cr
    cr.execute(
        SQL(
            """
            SELECT c.id
              %s
             WHERE %s
          ORDER BY c.date_start, c.name, c.id
            """,
            _CONTRACTS_FROM,
            _reportable(filing),
        )
    )
    return [row[0] for row in cr.fetchall()]


def start_batches(filing):
    """Drop the old lines and mark the filing as not generated (so that nothing
    half-generated can be confirmed); the state a batched generation starts
    from: the contracts to report, fixed now for the whole job."""
    drop_generated_lines(filing)
    ids = _reportable_ids(filing)
    return {"ids": ids, "done": 0, "total": len(ids)}


def generate_batch(filing, state, limit):
    """Generate the lines of the next ``limit`` contracts of ``state``; returns
    the new state (``state["finished"]`` once all are written, the totals then
    written too). Each batch is committed by the job runner with its state, so
    a batch interrupted is redone from the last committed one.

    The contracts are those listed when the job started: one renamed meanwhile
    is written once, in its place. When the contracts to report changed
    during the job, the last batch refuses to finish: generate again."""
    env = filing.env
    env.flush_all()
    state = dict(state)
    done = state["done"]
    ids = state["ids"][done : done + limit]
    if ids:
        contracts = _select_contracts(filing, contract_ids=ids)
        workers = _stream_workers(filing, ids)
        _write_lines(filing, contracts, workers, first_sequence=done + 1)
        state["done"] = done + len(ids)
    if state["done"] >= len(state["ids"]):
        if _reportable_ids(filing) != state["ids"]:
            raise UserError(
                env._(
                    "%(filing)s: contracts of the period were added, changed or "
                    "activated while it was being generated in the background. "
                    "Generate it again.",
                    filing=filing.display_name,
                )
            )
        env.invalidate_all()
        tallies = _tallies_of_lines(filing)
        checker = FilingChecker(filing)
        checker._load_registrations(row["registration_id"] for row in tallies)
        checker.write_totals(tallies, generated_at=fields.Datetime.now())
        state["finished"] = True
    return state


def _tallies_of_lines(filing):
    """The written lines of ``filing``, reduced as ``ReportChecker.tally`` does, read
    with one query (the rows are gone after each batch)."""
    cr = filing.env.cr
    cr.execute(
        SQL(
            """
            SELECT l.contract_id, l.registration_id, l.is_ok, l.warning_text,
                   count(w.id) FILTER (WHERE w.is_ok AND w.warning_text IS NULL),
                   count(w.id) FILTER (WHERE w.is_ok AND w.warning_text IS NOT NULL),
                   count(w.id) FILTER (WHERE NOT w.is_ok AND w.warning_text IS NULL),
                   count(w.id) FILTER (WHERE NOT w.is_ok AND w.warning_text IS NOT NULL)
              FROM l10n_mx_icsoe_filing_contract l
         LEFT JOIN l10n_mx_icsoe_filing_worker w ON w.filing_contract_id = l.id
             WHERE l.filing_id = %s
          GROUP BY l.id
          ORDER BY l.sequence
            """,
            filing.id,
        )
    )
    rows = []
    for contract_id, registration_id, is_ok, warning, *counts in cr.fetchall():
        workers = []
        for (ok, warned), count in zip(
            ((True, False), (True, True), (False, False), (False, True)),
            counts,
            strict=True,
        ):
            workers += [FilingChecker._OUTCOMES[(ok, warned)]] * count
        rows.append(
            {
                "contract_id": contract_id,
                "registration_id": registration_id,
                "is_ok": is_ok,
                "warning_text": warning,
                "workers": workers,
            }
        )
    return rows
