"""Benchmark: generation and exports of an ICSOE filing at scale (issue 4).

    python bench/bench_generation.py --config .odoo.conf [--db icsoe_bench]
        [--contracts 1000] [--workers-per-contract 20] [--keep] [--reuse] [--profile]
        [--no-report-server]

Creates a scratch database with l10n_mx_icsoe (no demo data), builds a dataset
fast (ORM for the few master records, bulk SQL for workers, SBCs and
assignments; not measured), then measures, in one process:

1. generation: create a draft filing and ``action_generate()``, then a
   regeneration; the same on a small dataset (another company, 10 contracts)
   to show the number of SQL queries does not grow with the data;
2. exports: ``action_confirm()`` (checks + freeze), then separately
   ``_worker_csv_files()``, ``_snapshot_xml()``, ``_capture_sheet()`` and
   ``_zip_bytes()``;
3. a lower bound: one plain SQL query and the per-contract CSVs written with
   the stdlib ``csv`` module, and the ratio generation / lower bound;
4. peak memory: the process high-water mark (``ru_maxrss``) and, in a separate
   untimed pass, the Python allocation peak (``tracemalloc``) of a regeneration
   and of the exports.

Ends with a ``name: value`` summary and PASS/FAIL lines against the targets.
Exit status 0 even when a target is missed; non-zero only on errors.

Each measured step is its own transaction (committed inside the measurement,
as a click in the web client is); the line tables are ANALYZEd after each step
so that the plans do not depend on when autovacuum runs. Caches are flushed
and invalidated before each step.

Without ``--keep`` the database is dropped at the end. With ``--reuse`` an
existing bench database holding a dataset of the same size is reused (the
addon is updated first; the dataset is rebuilt when missing or of another
size) and kept; the filings the run creates are deleted at the end unless
``--keep`` is given.

The capture sheet is rendered as PDF too when wkhtmltopdf is installed; an
Odoo HTTP server is then started on the scratch database (``report.url``
points to it) so that wkhtmltopdf fetches the report assets as in production.
``--no-report-server`` skips it: faster, but the PDF is then rendered without
its assets and its figure is a lower bound.
"""

import contextlib
import csv
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import benchlib
from benchlib import (
    QUIET_CONTEXT,
    create_company,
    db_exists,
    identifiers,
    maxrss_mib,
    odoo_command,
    say,
)

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools import SQL

YEAR, PERIOD = 2026, "1"
PERIOD_START, PERIOD_END = date(2026, 1, 1), date(2026, 4, 30)
SMALL_CONTRACTS = 10
MEDIUM_CONTRACTS = 1000  # the per-line yardstick of a large run (issue 13)
CLIENTS = 50
DATASET_PARAM = "l10n_mx_icsoe.bench_dataset"
TARGET_GENERATION_S = 15.0
TARGET_EXPORTS_S = 5.0  # at 1,000 contracts (issue 4)
# Issue 13, at 10,000 contracts / 200,000 lines:
TARGET_PER_LINE_RATIO = 1.3  # time per line, large over medium
TARGET_OVER_LOWER_BOUND = 4.0
TARGET_MAXRSS_MIB = 600.0
TARGET_CONFIRM_EXPORTS_S = 60.0


# ---------------------------------------------------------------- report server


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def report_server(conf, db):
    """Serve ``db`` over HTTP so that wkhtmltopdf can fetch the report assets,
    as it does in production; yields the server's URL."""
    port = free_port()
    command = odoo_command(
        conf,
        db,
        f"--db-filter=^{re.escape(db)}$",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--max-cron-threads=0",
        "--log-level=warn",
    )
    url = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryFile() as log,
        subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT) as server,
    ):
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/web/login", timeout=5):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(
                            "the report server did not start:\n"
                            + log.read().decode(errors="replace")[-2000:]
                        ) from None
                    time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


# ---------------------------------------------------------------- identifiers


def nss_list(count, offset):
    return [
        identifiers().make_nss(f"{1200000000 + offset + i:010d}") for i in range(count)
    ]


def curp_list(count, offset):
    """``count`` distinct valid CURPs (birth date and name letters vary)."""
    ids = identifiers()
    curps, seen, i = [], set(), offset
    while len(curps) < count:
        first17 = f"{benchlib.curp_stem('PE', i)}{i % 10}"
        i += 1
        try:
            curp = ids.make_curp(first17)
        except ids.IdentifierError:
            continue  # a forbidden word: skip it
        if curp not in seen:
            seen.add(curp)
            curps.append(curp)
    return curps


def client_rfc(index):
    day = date(2000, 1, 1) + timedelta(days=index * 37)
    return identifiers().make_rfc(
        f"CL{'ABCDEFGHJK'[index % 10]}{day:%y%m%d}X{index % 10}"
    )


# ---------------------------------------------------------------- dataset


def _bulk_insert(cr, table, columns):
    """INSERT rows given column-wise: ``columns`` maps name -> (pg type, values)."""
    cr.execute(
        SQL(
            "INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date) "
            "SELECT u.*, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' "
            "FROM unnest(%s) AS u",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(name) for name in columns),
            SQL(", ").join(
                SQL(f"%s::{pg_type}[]", list(values))
                for pg_type, values in columns.values()
            ),
        )
    )


def _new_ids(cr, table, count):
    cr.execute(
        SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"{table}_id_seq", count)
    )
    return [row[0] for row in cr.fetchall()]


def _company(env, name, rfc_prefix):
    company, services = create_company(
        env,
        name,
        identifiers().make_rfc(rfc_prefix),
        [
            ("20001", "Servicios de limpieza"),
            ("20002", "Mantenimiento industrial"),
        ],
    )
    env.ref("base.user_admin").company_ids = [Command.link(company.id)]
    return company, services


def _contracts(env, company, services, clients, count, prefix):
    vals = [
        {
            "name": f"{prefix}-{i:05d}",
            "company_id": company.id,
            "partner_id": clients[i % len(clients)].id,
            "object": f"Servicios especializados en planta {i}",
            "repse_service_id": services[i % len(services)].id,
            "date_start": PERIOD_START + timedelta(days=i % 120),
            "date_end": date(2026, 12, 31),
            "state": "active",
        }
        for i in range(count)
    ]
    return env["l10n_mx_icsoe.contract"].create(vals)


def _workers(env, company, contracts, per_contract, offset):
    """Employees (with resources), 2 SBC rows each and one assignment each, in SQL."""
    cr = env.cr
    count = len(contracts) * per_contract
    resource_ids = _new_ids(cr, "resource_resource", count)
    employee_ids = _new_ids(cr, "hr_employee", count)
    names = [f"Trabajador {offset + i:06d}" for i in range(count)]
    calendar = company.resource_calendar_id.id
    company_ids = [company.id] * count
    _bulk_insert(
        cr,
        "resource_resource",
        {
            "id": ("int", resource_ids),
            "name": ("varchar", names),
            "company_id": ("int", company_ids),
            "calendar_id": ("int", [calendar] * count),
            "resource_type": ("varchar", ["user"] * count),
            "tz": ("varchar", ["America/Mexico_City"] * count),
            "time_efficiency": ("float8", [100.0] * count),
            "active": ("bool", [True] * count),
        },
    )
    _bulk_insert(
        cr,
        "hr_employee",
        {
            "id": ("int", employee_ids),
            "resource_id": ("int", resource_ids),
            "name": ("varchar", names),
            "company_id": ("int", company_ids),
            "resource_calendar_id": ("int", [calendar] * count),
            "active": ("bool", [True] * count),
            "marital": ("varchar", ["single"] * count),
            "distance_home_work_unit": ("varchar", ["kilometers"] * count),
            "employee_type": ("varchar", ["employee"] * count),
            "ssnid": ("varchar", nss_list(count, offset)),
            "l10n_mx_curp": ("varchar", curp_list(count, offset)),
        },
    )
    _bulk_insert(
        cr,
        "l10n_mx_icsoe_sbc",
        {
            "employee_id": ("int", employee_ids * 2),
            "company_id": ("int", company_ids * 2),
            "date_from": (
                "date",
                [date(2025, 6, 1)] * count + [date(2026, 2, 1)] * count,
            ),
            "amount": (
                "float8",
                [300.0 + i % 500 for i in range(count)]
                + [350.25 + i % 700 for i in range(count)],
            ),
            "source": ("varchar", ["bench"] * (2 * count)),
        },
    )
    by_contract = [c for c in contracts for _i in range(per_contract)]
    _bulk_insert(
        cr,
        "l10n_mx_icsoe_contract_assignment",
        {
            "contract_id": ("int", [c.id for c in by_contract]),
            "employee_id": ("int", employee_ids),
            "company_id": ("int", company_ids),
            "date_from": ("date", [c.date_start for c in by_contract]),
        },
    )


def build_dataset(env, contracts, per_contract):
    env = env(context=dict(env.context, **QUIET_CONTEXT))
    mx = env.ref("base.mx")
    clients = env["res.partner"].create(
        [
            {
                "name": f"Cliente Bench {i:02d} SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": client_rfc(i),
                "email": f"compras{i:02d}@cliente.example.mx",
                "mobile": f"44212{i:05d}",
            }
            for i in range(CLIENTS)
        ]
    )
    meta = {"contracts": contracts, "workers_per_contract": per_contract}
    offset = 0
    companies = [
        ("large", "ICSOE Bench Large", "BLA150310AB", contracts, "BENCH"),
        ("small", "ICSOE Bench Small", "BSM160420CD", SMALL_CONTRACTS, "SMALL"),
    ]
    if contracts > MEDIUM_CONTRACTS:
        companies.append(
            ("medium", "ICSOE Bench Medium", "BMD170515EF", MEDIUM_CONTRACTS, "MED")
        )
    for key, name, rfc, count, prefix in companies:
        company, services = _company(env, name, rfc)
        records = _contracts(env, company, services, clients, count, prefix)
        env.flush_all()
        _workers(env, company, records, per_contract, offset)
        offset += count * per_contract
        meta[key] = company.id
    benchlib.store_dataset(env, DATASET_PARAM, meta)
    return meta


def delete_bench_filings(env, meta):
    """Delete the filings of the bench companies (draft or not) and commit."""
    companies = [meta[key] for key in ("large", "small", "medium") if key in meta]
    env.cr.execute(
        "UPDATE l10n_mx_icsoe_filing SET state = 'draft' WHERE company_id = ANY(%s)",
        (companies,),
    )
    env.invalidate_all()
    env["l10n_mx_icsoe.filing"].search([("company_id", "in", companies)]).unlink()
    env.cr.commit()
    vacuum_lines(env.cr.dbname)
    analyze_lines(env.cr)


def existing_dataset(env, contracts, per_contract):
    meta = benchlib.stored_dataset(env, DATASET_PARAM)
    if (meta.get("contracts"), meta.get("workers_per_contract")) != (
        contracts,
        per_contract,
    ) or (contracts > MEDIUM_CONTRACTS) != ("medium" in meta):
        return None
    delete_bench_filings(env, meta)  # left by an earlier run with --keep
    return meta


# ---------------------------------------------------------------- measuring


LINE_TABLES = ("l10n_mx_icsoe_filing_contract", "l10n_mx_icsoe_filing_worker")


def vacuum_lines(db):
    """VACUUM the line tables after the lines of an earlier run were deleted:
    otherwise autovacuum does it in the middle of a measured step."""
    connection = sql_db.db_connect(db).cursor()
    try:
        connection._cnx.autocommit = True  # VACUUM cannot run in a transaction
        for table in LINE_TABLES:
            connection.execute(SQL("VACUUM %s", SQL.identifier(table)))
    finally:
        connection._cnx.autocommit = False
        connection.close()


def analyze_lines(cr):
    """Bring the planner statistics of the line tables up to date and commit.

    Autovacuum would do it within a minute or so; doing it after each step
    keeps the plans, hence the figures, from depending on its timing.
    """
    benchlib.analyze(cr, LINE_TABLES)


class Step(benchlib.Step):
    """A measured step; the line tables are ANALYZEd after it."""

    tables = LINE_TABLES


def company_env(env, company_id, meta):
    """``env`` with the filing's company as the current one, as in the web client."""
    others = [
        meta[key]
        for key in ("large", "small", "medium")
        if key in meta and meta[key] != company_id
    ]
    return env(context=dict(env.context, allowed_company_ids=[company_id, *others]))


def next_second():
    """Sleep to the next second: a regeneration then changes ``generated_at``
    (the ORM skips writing a value equal to the cached one), as it would in use."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


def generate(env, company_id, period=PERIOD):
    """Create a draft filing and generate it; returns the filing."""
    filing = env["l10n_mx_icsoe.filing"].create(
        {"company_id": company_id, "year": YEAR, "period": period}
    )
    filing.action_generate()
    return filing


def set_background_lines(env, lines):
    env["ir.config_parameter"].sudo().set_param("l10n_mx_icsoe.background_lines", lines)
    env.cr.commit()


def measure_background_generation(env, meta, figures):
    """The large generation as the background job runs it: batches of
    contracts, each committed with its cursor and progress."""
    say("== generation in the background (job batches, committed)")
    large_env = company_env(env, meta["large"], meta)
    set_background_lines(env, 1)
    try:
        filing = large_env["l10n_mx_icsoe.filing"].create(
            {"company_id": meta["large"], "year": YEAR, "period": PERIOD}
        )
        filing.action_generate()
        job = filing.background_job_id
        env.cr.commit()
        batches = [0]

        def run_job():
            while not job._run_step():
                env.cr.commit()
                batches[0] += 1
            batches[0] += 1

        step = Step(large_env, "large: background job, every batch")
        step.run(run_job)
        say(
            f"  {batches[0]} batches, job {job.state}: {filing.contract_count} "
            f"contracts, {filing.worker_count} workers"
        )
        figures["background_generation_s"] = step.seconds
        figures["background_generation_batches"] = batches[0]
        figures["maxrss_after_background_mib"] = maxrss_mib()
        filing.unlink()
        env.cr.commit()
    finally:
        set_background_lines(env, 0)


def measure_generation(env, meta, figures):
    say("== generation")
    # The generation itself, in the request: no background job (measured apart).
    set_background_lines(env, 0)
    small_env = company_env(env, meta["small"], meta)
    large_env = company_env(env, meta["large"], meta)
    # Warm the registry caches (access rights, record rules, ... per company)
    # so that the first measured generation does not pay for them: a small
    # filing, and an empty one of the large company (in period 2, where no
    # contract starts), each generated twice, then deleted.
    warm_ups = [
        ("warm-up: small (deleted)", small_env, meta["small"], PERIOD),
        ("warm-up: large, empty period (deleted)", large_env, meta["large"], "2"),
    ]
    if "medium" in meta:
        warm_ups.append(
            (
                "warm-up: medium, empty period (deleted)",
                company_env(env, meta["medium"], meta),
                meta["medium"],
                "2",
            )
        )
    for label, warm_env, company, period in warm_ups:
        warm = Step(warm_env, label)
        warm_filing = warm.run(
            lambda e=warm_env, c=company, p=period: generate(e, c, p)
        )
        next_second()
        Step(warm_env, label.replace("(deleted)", "regenerate")).run(
            warm_filing.action_generate
        )
        warm_filing.unlink()

    small = Step(small_env, "small: create + generate")
    small_filing = small.run(lambda: generate(small_env, meta["small"]))
    next_second()
    small_regen = Step(small_env, "small: regenerate")
    small_regen.run(small_filing.action_generate)

    if "medium" in meta:
        medium_env = company_env(env, meta["medium"], meta)
        medium = Step(medium_env, "medium: create + generate")
        medium_filing = medium.run(lambda: generate(medium_env, meta["medium"]))
        figures["medium_lines"] = (
            medium_filing.contract_count + medium_filing.worker_count
        )
        figures["medium_generation_s"] = medium.seconds
        figures["generation_queries_medium"] = medium.queries
        figures["maxrss_after_medium_mib"] = maxrss_mib()

    large = Step(large_env, "large: create + generate")
    filing = large.run(lambda: generate(large_env, meta["large"]))
    next_second()
    large_regen = Step(large_env, "large: regenerate")
    large_regen.run(filing.action_generate)
    say(
        f"  large: {filing.contract_count} contracts, {filing.worker_count} workers, "
        f"{filing.error_count} errors, {filing.warning_count} warnings"
    )
    say(
        f"  small: {small_filing.contract_count} contracts, "
        f"{small_filing.worker_count} workers"
    )
    figures["maxrss_after_generation_mib"] = maxrss_mib()
    figures.update(
        {
            "contracts": filing.contract_count,
            "workers": filing.worker_count,
            "lines": filing.contract_count + filing.worker_count,
            "generation_s": large.seconds,
            "regeneration_s": large_regen.seconds,
            "generation_queries_large": large.queries,
            "generation_queries_small": small.queries,
            "regeneration_queries_large": large_regen.queries,
            "regeneration_queries_small": small_regen.queries,
        }
    )
    figures["generation_peak_traced_mib"] = benchlib.traced_peak(
        large_env, filing.action_generate, LINE_TABLES
    )
    return filing, small_filing


def measure_exports(filing, figures, prefix=""):
    env = filing.env
    label = prefix.rstrip("_") or "large"
    say(f"== exports ({label})")
    confirm = Step(env, "action_confirm (checks + freeze)")
    try:
        confirm.run(filing.action_confirm)
    except UserError as error:
        say(f"  confirm refused: {error}")
        say("  " + "\n  ".join(filing._checks_report().splitlines()[:30]))
        raise
    steps = [
        Step(env, "_worker_csv_files"),
        Step(env, "_snapshot_xml"),
        Step(env, "_capture_sheet"),
        Step(env, "_zip_bytes"),
    ]
    for step in steps:
        step.run(getattr(filing, step.label))
    csv_files, xml, sheet, data = (s.result for s in steps)
    say(
        "  capture sheet: "
        + ", ".join(f"{n} ({len(c) / 1024:.0f} KiB)" for n, c in sheet)
    )
    total = sum(s.seconds for s in steps)
    queries = sum(s.queries for s in steps)
    say(
        f"  {'total of the 4 exports':<42} {total:8.3f} s  {queries:6d} queries"
        f"  ({len(csv_files)} CSV files, XML {len(xml) / 1024:.0f} KiB, "
        f"ZIP {len(data) / 1024:.0f} KiB)"
    )
    figures[f"{prefix}confirm_s"] = confirm.seconds
    figures[f"{prefix}confirm_queries"] = confirm.queries
    for step in steps:
        figures[f"{prefix}export{step.label}_s"] = step.seconds
        figures[f"{prefix}export{step.label}_queries"] = step.queries
    figures[f"{prefix}exports_total_s"] = total
    figures[f"{prefix}exports_total_queries"] = queries
    if len(sheet) > 1:
        # What the exports cost without the PDF (ZIP left out: it holds the PDF).
        html = Step(env, "capture sheet, HTML only")
        html.run(
            lambda: env["ir.actions.report"]._render_qweb_html(
                "l10n_mx_icsoe.action_report_capture_sheet", filing.ids
            )
        )
        without_pdf = steps[0].seconds + steps[1].seconds + html.seconds
        say(f"  {'CSV + XML + HTML capture sheet (no PDF)':<42} {without_pdf:8.3f} s")
        figures[f"{prefix}capture_sheet_html_only_s"] = html.seconds
        figures[f"{prefix}exports_without_pdf_s"] = without_pdf

    def all_exports():
        for step in steps:
            getattr(filing, step.label)()

    if not prefix:
        # before the traced pass: tracemalloc's own bookkeeping inflates the RSS
        figures["maxrss_after_exports_mib"] = maxrss_mib()
        figures["exports_peak_traced_mib"] = benchlib.traced_peak(
            env, all_exports, LINE_TABLES
        )


REPORTABLE_SQL = """
      FROM l10n_mx_icsoe_contract c
      JOIN res_partner p ON p.id = c.partner_id
      JOIN l10n_mx_icsoe_repse_service s ON s.id = c.repse_service_id
     WHERE c.company_id = %(company)s AND c.state = 'active'
       AND c.date_start BETWEEN %(start)s AND %(end)s
"""
# The same lines as a generation, written set-based: the contract lines, then
# their worker lines with the SBC in force, in two INSERT ... SELECT.
LOWER_BOUND_INSERT_SQL = (
    """
    WITH lines AS (
        INSERT INTO l10n_mx_icsoe_filing_contract
               (filing_id, company_id, sequence, contract_id, reference, partner_id,
                client_rfc, client_name, object, service_id, service_text,
                registration_id, date_start, date_end, is_ok,
                create_uid, write_uid, create_date, write_date)
        SELECT %(filing)s, c.company_id,
               row_number() OVER (ORDER BY c.date_start, c.name, c.id),
               c.id, c.name, p.id, p.vat, p.name, c.object, s.id,
               s.folio || ' ' || s.description, s.registration_id,
               c.date_start, c.date_end, TRUE, 1, 1, now(), now()
    """
    + REPORTABLE_SQL
    + """
     RETURNING id, contract_id, sequence
    )
    INSERT INTO l10n_mx_icsoe_filing_worker
           (filing_id, company_id, filing_contract_id, contract_sequence,
            employee_id, date_assigned, name, nss, curp, sbc, sbc_date, is_ok,
            create_uid, write_uid, create_date, write_date)
    SELECT %(filing)s, %(company)s, l.id, l.sequence, e.id, a.date_from, e.name,
           e.ssnid, e.l10n_mx_curp, sbc.amount, sbc.date_from, TRUE,
           1, 1, now(), now()
      FROM lines l
      JOIN l10n_mx_icsoe_contract_assignment a
           ON a.contract_id = l.contract_id
          AND (a.date_to IS NULL OR a.date_to >= %(start)s)
      JOIN hr_employee e ON e.id = a.employee_id
 LEFT JOIN LATERAL (
               SELECT amount, date_from FROM l10n_mx_icsoe_sbc
                WHERE employee_id = e.id AND date_from <= %(end)s
             ORDER BY date_from DESC LIMIT 1
           ) sbc ON TRUE
"""
)
LOWER_BOUND_CSV_SQL = """
    SELECT l.sequence, l.reference, w.nss, w.curp, w.sbc
      FROM l10n_mx_icsoe_filing_worker w
      JOIN l10n_mx_icsoe_filing_contract l ON l.id = w.filing_contract_id
     WHERE w.filing_id = %(filing)s AND l.id > %(before)s
  ORDER BY l.sequence, w.name, w.id
"""


def lower_bound(cr, filing, directory):
    """The lines written set-based and the per-contract worker CSVs (stdlib csv),
    undone afterwards (a savepoint)."""
    params = {
        "filing": filing.id,
        "company": filing.company_id.id,
        "start": PERIOD_START,
        "end": PERIOD_END,
    }
    cr.execute("SAVEPOINT lower_bound")
    try:
        cr.execute("SELECT COALESCE(max(id), 0) FROM l10n_mx_icsoe_filing_contract")
        params["before"] = cr.fetchone()[0]
        cr.execute(LOWER_BOUND_INSERT_SQL, params)
        written = cr.rowcount
        cr.execute(LOWER_BOUND_CSV_SQL, params)
        by_contract = {}
        for row in cr.fetchall():
            by_contract.setdefault((row[0], row[1]), []).append(row)
        for (sequence, ref), rows in by_contract.items():
            path = Path(directory, f"{sequence:03d}_{ref}.csv")
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerows((r[2], r[3], f"{r[4]:.2f}") for r in rows)
    finally:
        cr.execute("ROLLBACK TO SAVEPOINT lower_bound")
    return len(by_contract), written


def measure_lower_bound(filing, figures):
    say("== lower bound (INSERT ... SELECT of the lines + stdlib csv)")
    env = filing.env
    with tempfile.TemporaryDirectory(prefix="icsoe_bench_") as directory:
        step = Step(env, "2 INSERT ... SELECT + per-contract CSV files")
        files, workers = step.run(lambda: lower_bound(env.cr, filing, directory))
    say(f"  {workers} worker lines written, {files} CSV files")
    figures["lower_bound_s"] = step.seconds
    figures["generation_over_lower_bound"] = (
        max(figures["generation_s"], figures["regeneration_s"]) / step.seconds
        if step.seconds
        else float("nan")
    )


# ---------------------------------------------------------------- summary


def summary(figures):
    benchlib.print_figures(figures)
    generation = max(figures["generation_s"], figures["regeneration_s"])
    queries_equal = (
        figures["generation_queries_small"] == figures["generation_queries_large"]
        and figures["regeneration_queries_small"]
        == figures["regeneration_queries_large"]
        and figures.get(
            "generation_queries_medium", figures["generation_queries_small"]
        )
        == figures["generation_queries_small"]
    )
    checks = [
        ("generation queries equal for every size", queries_equal),
        (
            f"generation <= {TARGET_OVER_LOWER_BOUND:g} x the set-based lower bound "
            f"({figures['generation_over_lower_bound']:.2f} x)",
            figures["generation_over_lower_bound"] <= TARGET_OVER_LOWER_BOUND,
        ),
    ]
    if figures["contracts"] <= MEDIUM_CONTRACTS:
        checks += [
            (
                f"generation <= {TARGET_GENERATION_S:g} s",
                generation <= TARGET_GENERATION_S,
            ),
            (
                f"exports <= {TARGET_EXPORTS_S:g} s",
                figures["exports_total_s"] <= TARGET_EXPORTS_S,
            ),
        ]
    if "medium_generation_s" in figures:
        ratio = (figures["generation_s"] / figures["lines"]) / (
            figures["medium_generation_s"] / figures["medium_lines"]
        )
        figures["per_line_ratio_large_over_medium"] = ratio
        say(f"  per-line time, large over medium: {ratio:.2f}")
        confirm_exports = figures["confirm_s"] + figures["exports_total_s"]
        checks += [
            (
                f"time per line at {figures['lines']} lines <= "
                f"{TARGET_PER_LINE_RATIO:g} x at {figures['medium_lines']} "
                f"({ratio:.2f} x)",
                ratio <= TARGET_PER_LINE_RATIO,
            ),
            (
                f"maxrss after generation <= {TARGET_MAXRSS_MIB:g} MiB "
                f"({figures['maxrss_after_generation_mib']:.0f} MiB)",
                figures["maxrss_after_generation_mib"] <= TARGET_MAXRSS_MIB,
            ),
            (
                f"maxrss after confirm and exports <= {TARGET_MAXRSS_MIB:g} MiB "
                f"({figures['maxrss_after_exports_mib']:.0f} MiB)",
                figures["maxrss_after_exports_mib"] <= TARGET_MAXRSS_MIB,
            ),
            (
                f"confirm + all exports <= {TARGET_CONFIRM_EXPORTS_S:g} s "
                f"({confirm_exports:.1f} s)",
                confirm_exports <= TARGET_CONFIRM_EXPORTS_S,
            ),
        ]
    if "exports_without_pdf_s" in figures:
        checks.append(
            (
                f"exports without the PDF capture sheet <= {TARGET_EXPORTS_S:g} s "
                "(informative)",
                figures["exports_without_pdf_s"] <= TARGET_EXPORTS_S,
            )
        )
    benchlib.print_checks(checks)


# ---------------------------------------------------------------- main


def parse_args(argv=None):
    parser = benchlib.new_parser(__doc__, "icsoe_bench")
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--workers-per-contract", type=int, default=20)
    benchlib.add_run_options(parser)
    parser.add_argument(
        "--no-report-server",
        action="store_true",
        help="do not serve the report assets to wkhtmltopdf (faster; the PDF "
        "capture sheet is then rendered without them)",
    )
    return parser.parse_args(argv)


def _build_in_child(args):
    """Build the dataset in a forked process: what building it costs in memory
    (the identifier lists, the ORM caches) stays out of the measured process's
    high-water mark."""
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            with Registry(args.db).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                start = time.perf_counter()
                build_dataset(env, args.contracts, args.workers_per_contract)
                say(f"  built in {time.perf_counter() - start:.1f} s")
            status = 0
        finally:
            os._exit(status)
    _pid, status = os.waitpid(pid, 0)
    if status:
        raise RuntimeError("building the dataset failed (see above)")


def prepare_db(args):
    """Return the dataset description, building database and dataset as needed."""
    if args.reuse and db_exists(args.db):
        benchlib.update_db(args.config, args.db)
        with Registry(args.db).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            meta = existing_dataset(env, args.contracts, args.workers_per_contract)
        if meta:
            say(f"== reusing the dataset in {args.db}")
            return meta
        Registry.delete(args.db)
    benchlib.create_db(args.config, args.db)
    say(
        f"== dataset: {args.contracts} contracts x {args.workers_per_contract} "
        f"workers (+ {SMALL_CONTRACTS} in a small company"
        + (
            f", {MEDIUM_CONTRACTS} in a medium one"
            if args.contracts > MEDIUM_CONTRACTS
            else ""
        )
        + ")"
    )
    _build_in_child(args)
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return benchlib.stored_dataset(env, DATASET_PARAM)


def measure(args, meta, figures):
    with Registry(args.db).cursor() as cr:
        admin = api.Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin")
        env = api.Environment(
            cr,
            admin.id,
            {"allowed_company_ids": [meta["large"], meta["small"]], "lang": "en_US"},
        )
        say(
            f"== measuring as {admin.login} in companies {meta['large']}, {meta['small']}"
        )
        if "medium" in meta:
            measure_background_generation(env, meta, figures)
        filing, small_filing = measure_generation(env, meta, figures)
        measure_lower_bound(filing, figures)
        # The small filing first: it also warms the report assets.
        measure_exports(small_filing, figures, prefix="small_")
        measure_exports(filing, figures)
        figures["maxrss_mib"] = maxrss_mib()
        if args.reuse and not args.keep:
            delete_bench_filings(api.Environment(cr, SUPERUSER_ID, {}), meta)


def set_report_url(db, url):
    with Registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("report.url", url)


def pdf_mode(args):
    """How the capture sheet PDF is rendered here: 'none', 'served' or 'bare'."""
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            return "none"
    return "bare" if args.no_report_server else "served"


def run(args):
    benchlib.init_odoo(args)
    # wkhtmltopdf's warnings about an unpatched Qt and missing assets, once per PDF.
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(
        logging.ERROR
    )
    Step.profile = args.profile
    meta = prepare_db(args)
    figures = {}
    mode = pdf_mode(args)
    figures["capture_sheet_pdf"] = {
        "none": "no (wkhtmltopdf not available)",
        "bare": "yes, without the report assets (--no-report-server)",
        "served": "yes, report assets served over HTTP",
    }[mode]
    say(f"== capture sheet PDF: {figures['capture_sheet_pdf']}")
    if mode == "served":
        with report_server(args.config, args.db) as url:
            set_report_url(args.db, url)
            try:
                measure(args, meta, figures)
            finally:
                set_report_url(args.db, False)
    else:
        measure(args, meta, figures)
    benchlib.finish(args, figures, summary)


def main(argv=None):
    args = parse_args(argv)
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
