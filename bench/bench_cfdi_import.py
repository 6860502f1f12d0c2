"""Benchmark: payroll CFDI (Nómina 1.2) import at scale (issues 6 and 13).

    python bench/bench_cfdi_import.py --config .odoo.conf [--db icsoe_bench_cfdi]
        [--files 5000] [--workers 500] [--job] [--keep] [--reuse] [--profile]

Creates a scratch database with l10n_mx_icsoe (no demo data) and, per company
(a large one with ``--workers`` workers, a small one with a tenth of them and
a tiny one for warming the caches): a REPSE registration, one active contract
per client (8 clients) covering every pay period, and half of the workers
already as employees (an SBC each; one in four already assigned for the
first pay period, so the import extends it). The other half is created by
the import (``create_employees=True``).

The payroll CFDI 4.0 files (``--files``, i.e. ``--workers`` x bi-weekly pay
periods from 1 January 2026; each worker placed at one client, or at two with
60/40 ``SubContratacion``) are built with lxml and zipped into one archive;
both are timed apart. Then, as an ICSOE Manager (not the superuser), in one
process, either (up to 20,000 files, issue 6):

1. preview: ``PayrollImport.plan()`` of the ZIP archive, and of the same
   files one by one, and the wizard's ``action_preview`` (plan + preview
   lines) on the uploaded ZIP (the background threshold raised for it);
2. import: ``PayrollImport.apply()`` of the plan, in one transaction;
3. re-import: ``plan()`` + ``apply()`` of the same ZIP again, which must
   change nothing;
4. the next pay period: one payslip per worker, every assignment extended;

with seconds, SQL queries (``cr.sql_log_count``) and the RSS high-water mark,
the same steps on the small company (a tenth of the files) to show that the
number of queries does not grow per file beyond the ORM's batches, and the
Python allocation peak (``tracemalloc``) of a preview + import in a separate,
untimed and rolled back pass; PASS/FAIL against preview <= 20 s and import
<= 40 s;

or (above 20,000 files, or with ``--job``, issue 13) the background import:
the files are written one by one into a ZIP on disk (never all held); a bare
lxml parse of every member of it is timed (the floor); the ZIP is uploaded in
the wizard, which queues it as a background job, and the job is run as the
scheduled action runs it (``_cron_run_jobs()``: runs of its time budget, a
commit per batch) until it ends; then the same upload again. PASS/FAIL
against: peak process memory (``ru_maxrss``) <= 600 MiB; the job within 10x
the bare parse; SQL queries per file <= 0.05, those spent creating the new
workers (``hr.employee.create``, counted apart) excluded; every file stored;
the re-import a no-op.

Exit status 0 even when a target is missed; non-zero only on errors.

Each measured step is its own transaction (committed inside the measurement);
caches are flushed and invalidated before each step and the tables the import
writes are ANALYZEd after it.

Without ``--keep`` the database is dropped at the end. With ``--reuse`` an
existing bench database holding a dataset of the same size is reused (the
addon is updated first; the dataset is rebuilt when missing or of another
size) and kept; what the imports wrote is deleted before measuring and, unless
``--keep`` is given, at the end.
"""

import io
import sys
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from calendar import monthrange
from datetime import date, timedelta
from pathlib import Path

import benchlib
from benchlib import QUIET_CONTEXT, db_exists, identifiers, maxrss_mib, say

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

FIRST_PAY_DAY = date(2026, 1, 1)
CLIENTS = 8
SMALL_DIVISOR = 10
WARM_WORKERS = 4
DATASET_PARAM = "l10n_mx_icsoe.bench_cfdi_dataset"
DATASET_VERSION = 2
TARGET_PREVIEW_S = 20.0
TARGET_IMPORT_S = 40.0
#: Extra SQL queries allowed per extra file between the small and the large
#: import: the ORM inserts 100 rows per query and reads 1000 per query, so a
#: batch cost is ~0.01-0.05 per file; a query per file or per worker is >= 0.1.
MAX_QUERIES_PER_EXTRA_FILE = 0.05
#: Issue 13, the background import of --files above JOB_FILES (or --job).
JOB_FILES = 20000
TARGET_JOB_MAXRSS_MIB = 600
TARGET_JOB_VS_PARSE = 10.0
MAX_QUERIES_PER_FILE_JOB = 0.05
UUID_NAMESPACE = uuid.UUID("0b6c2f4e-9a51-4d0e-8f37-5e2d1c7a9b80")
#: Tables the import writes: ANALYZEd after each step, counted for the no-op check.
IMPORT_TABLES = (
    "hr_employee",
    "l10n_mx_icsoe_sbc",
    "l10n_mx_icsoe_contract_assignment",
    "l10n_mx_icsoe_payroll_cfdi",
    "ir_attachment",
)
COMPANIES = {
    # key: (name, RFC without check digit, contract prefix)
    "warm": ("ICSOE Bench CFDI Warm-up", "BCW150310AB", "WARM"),
    "small": ("ICSOE Bench CFDI Small", "BCS160420CD", "SMALL"),
    "large": ("ICSOE Bench CFDI Large", "BCL170530EF", "LARGE"),
}


# ---------------------------------------------------------------- identities


def worker_identities(count):
    """``count`` workers: (name, NSS, CURP, RFC), all valid and distinct."""
    ids = identifiers()
    letters = benchlib.LETTERS
    workers, i = [], 0
    while len(workers) < count:
        stem = benchlib.curp_stem("MO", i)
        i += 1
        try:
            curp = ids.make_curp(f"{stem}{i % 10}")
            rfc = ids.make_rfc(f"{curp[:10]}{letters[i % 26]}{i % 10}")
        except ids.IdentifierError:
            continue  # a forbidden word: skip it
        n = len(workers)
        nss = ids.make_nss(f"{3100000000 + n:010d}")
        workers.append((f"TRABAJADOR BENCH {n:06d}", nss, curp, rfc))
    return workers


def client_rfc(index):
    day = date(2001, 1, 1) + timedelta(days=index * 41)
    return identifiers().make_rfc(f"CB{'ABCDEFGHJK'[index % 10]}{day:%y%m%d}Z{index}")


def pay_periods(count):
    """``count`` bi-weekly pay periods (1st-15th, 16th-end) from FIRST_PAY_DAY."""
    result, month = [], FIRST_PAY_DAY.replace(day=1)
    while len(result) < count:
        last = monthrange(month.year, month.month)[1]
        result.append((month, month.replace(day=15)))
        result.append((month.replace(day=16), month.replace(day=last)))
        month = (month + timedelta(days=32)).replace(day=1)
    return result[:count]


def placements(index):
    """Client indexes and shares of worker ``index``: one client, or two (60/40)."""
    first = index % CLIENTS
    if index % 3 == 0:
        return [(first, "60.00"), ((first + 1) % CLIENTS, "40.00")]
    return [(first, "100.00")]


# ---------------------------------------------------------------- dataset


def _company(env, key, vat):
    name, _rfc, _prefix = COMPANIES[key]
    return benchlib.create_company(
        env,
        name,
        vat,
        [
            ("30001", "Limpieza industrial"),
            ("30002", "Mantenimiento industrial"),
        ],
    )


def _build_company(env, key, workers, offset, clients, periods, identities):
    """Company, contracts and the existing half of its workers; returns its meta."""
    ids = identifiers()
    _name, rfc_prefix, prefix = COMPANIES[key]
    company, services = _company(env, key, ids.make_rfc(rfc_prefix))
    contracts = env["l10n_mx_icsoe.contract"].create(
        [
            {
                "name": f"{prefix}-{i:02d}",
                "company_id": company.id,
                "partner_id": client.id,
                "object": f"Servicios especializados en planta {i}",
                "repse_service_id": services[i % len(services)].id,
                "date_start": periods[0][0],
                "date_end": periods[-1][1],
                "state": "active",
            }
            for i, client in enumerate(clients)
        ]
    )
    existing = workers // 2
    employees = (
        env["hr.employee"]
        .sudo()
        .create(
            [
                {
                    "name": name.title(),
                    "company_id": company.id,
                    "ssnid": nss,
                    "l10n_mx_curp": curp,
                    "l10n_mx_rfc": rfc,
                }
                for name, nss, curp, rfc in identities[offset : offset + existing]
            ]
        )
    )
    env["l10n_mx_icsoe.sbc"].create(
        [
            {
                "employee_id": emp.id,
                "date_from": date(2025, 6, 1),
                "amount": 300.0 + j % 400,
                "source": "Alta IMSS",
            }
            for j, emp in enumerate(employees)
        ]
    )
    first_start, first_end = periods[0]
    assignments = env["l10n_mx_icsoe.contract.assignment"].create(
        [
            {
                "contract_id": contracts[placements(offset + j)[0][0]].id,
                "employee_id": emp.id,
                "date_from": first_start,
                "date_to": first_end,
            }
            for j, emp in enumerate(employees)
            if j % 4 == 0
        ]
    )
    return {
        "company": company.id,
        "vat": company.vat,
        "workers": workers,
        "offset": offset,
        "employees": employees.ids,
        "assignments": [[a.id, str(a.date_from), str(a.date_to)] for a in assignments],
    }


def build_dataset(env, workers, files):
    env = env(context=dict(env.context, **QUIET_CONTEXT))
    mx = env.ref("base.mx")
    period_count = -(-files // workers)
    periods = pay_periods(period_count + 1)  # and the next one, imported apart
    sizes = {
        "warm": WARM_WORKERS,
        "small": max(1, workers // SMALL_DIVISOR),
        "large": workers,
    }
    identities = worker_identities(sum(sizes.values()))
    clients = env["res.partner"].create(
        [
            {
                "name": f"Cliente Bench CFDI {i:02d} SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": client_rfc(i),
                "email": f"compras{i:02d}@cliente-cfdi.example.mx",
                "mobile": f"44213{i:05d}",
            }
            for i in range(CLIENTS)
        ]
    )
    meta = {
        "workers": workers,
        "files": files,
        "version": DATASET_VERSION,
        "periods": [[str(s), str(e)] for s, e in periods[:-1]],
        "next_period": [str(d) for d in periods[-1]],
        "clients": [partner.vat for partner in clients],
    }
    offset = 0
    for key, count in sizes.items():
        meta[key] = _build_company(
            env, key, count, offset, clients, periods, identities
        )
        offset += count
    company_ids = [meta[key]["company"] for key in sizes]
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "ICSOE Bench Manager",
                "login": "icsoe_bench_cfdi_manager",
                "company_id": company_ids[-1],
                "company_ids": [Command.set(company_ids)],
                "groups_id": [
                    Command.set(
                        [
                            env.ref("base.group_user").id,
                            env.ref("l10n_mx_icsoe.group_icsoe_manager").id,
                        ]
                    )
                ],
            }
        )
    )
    meta["user"] = user.id
    benchlib.store_dataset(env, DATASET_PARAM, meta)
    return meta


def reset_dataset(env, meta):
    """Delete what imports wrote in the bench companies; restore the baseline."""
    env = env(context=dict(env.context, active_test=False, **QUIET_CONTEXT))
    cr = env.cr
    for key in ("warm", "small", "large"):
        part = meta[key]
        company = part["company"]
        stored = env["l10n_mx_icsoe.payroll.cfdi"].search(
            [("company_id", "=", company)]
        )
        stored.unlink()  # its payroll XML attachments go with it
        cr.execute(
            "DELETE FROM l10n_mx_icsoe_sbc WHERE employee_id = ANY(%s) "
            "AND source LIKE 'CFDI %%'",
            (part["employees"],),
        )
        baseline = [a[0] for a in part["assignments"]]
        cr.execute(
            "DELETE FROM l10n_mx_icsoe_contract_assignment "
            "WHERE company_id = %s AND NOT id = ANY(%s)",
            (company, baseline),
        )
        for assignment_id, date_from, date_to in part["assignments"]:
            cr.execute(
                "UPDATE l10n_mx_icsoe_contract_assignment "
                "SET date_from = %s, date_to = %s WHERE id = %s",
                (date_from, date_to, assignment_id),
            )
        env.invalidate_all()
        env["hr.employee"].search(
            [("company_id", "=", company), ("id", "not in", part["employees"])]
        ).unlink()
    companies = [meta[key]["company"] for key in ("warm", "small", "large")]
    # Background jobs (and their uploads) of an earlier run, ended or not.
    cr.execute(
        "DELETE FROM ir_attachment WHERE res_model = 'l10n_mx_icsoe.job' AND res_id IN "
        "(SELECT id FROM l10n_mx_icsoe_job WHERE company_id = ANY(%s))",
        (companies,),
    )
    cr.execute("DELETE FROM l10n_mx_icsoe_job WHERE company_id = ANY(%s)", (companies,))
    wizards = env["l10n_mx_icsoe.cfdi.import"].search([("company_id", "in", companies)])
    uploads = wizards.attachment_ids
    wizards.unlink()
    uploads.unlink()
    env.invalidate_all()
    cr.commit()
    analyze(cr)


def existing_dataset(env, workers, files):
    meta = benchlib.stored_dataset(env, DATASET_PARAM)
    if (meta.get("version"), meta.get("workers"), meta.get("files")) != (
        DATASET_VERSION,
        workers,
        files,
    ):
        return None
    reset_dataset(env, meta)  # left by an earlier run with --keep
    return meta


# ---------------------------------------------------------------- CFDI files


def cfdi_builder():
    """``build_cfdi`` and ``nomina_spec`` of the addon's CFDI tests."""
    from odoo.addons.l10n_mx_icsoe.tests import test_lib_cfdi

    return test_lib_cfdi.build_cfdi, test_lib_cfdi.nomina_spec


def build_files(meta, key, next_period=False):
    """The company's payroll CFDIs: [(filename, bytes)], worker by worker.

    With ``next_period``, one payslip per worker for the pay period after them.
    """
    return list(iter_files(meta, key, next_period))


def iter_files(meta, key, next_period=False):
    """:func:`build_files` one file at a time (nothing kept)."""
    build_cfdi, nomina_spec = cfdi_builder()
    part = meta[key]
    identities = worker_identities(part["offset"] + part["workers"])
    periods = [
        (date.fromisoformat(s), date.fromisoformat(e))
        for s, e in [*meta["periods"], meta["next_period"]]
    ]
    wanted = [len(periods) - 1] if next_period else range(len(periods) - 1)
    clients = meta["clients"]
    issuer = part["vat"]
    # --files: any multiple of --workers
    limit = meta["files"] if key == "large" and not next_period else None
    count = 0
    for j in range(part["workers"]):
        index = part["offset"] + j
        name, nss, curp, rfc = identities[index]
        subcontracts = [(clients[c], share) for c, share in placements(index)]
        base = 320.0 + (index * 7) % 900
        for k in wanted:
            start, end = periods[k]
            sbc = base if k < len(periods) // 2 else base * 1.04
            spec = nomina_spec(
                attrs={
                    "FechaPago": end.isoformat(),
                    "FechaInicialPago": start.isoformat(),
                    "FechaFinalPago": end.isoformat(),
                },
                receptor={
                    "Curp": curp,
                    "NumSeguridadSocial": nss,
                    "NumEmpleado": f"{index:06d}",
                    "SalarioBaseCotApor": f"{sbc:.2f}",
                    "SalarioDiarioIntegrado": f"{sbc:.2f}",
                },
                subcontracts=subcontracts,
            )
            xml = build_cfdi(
                "4.0",
                nominas=[spec],
                comprobante={"Folio": str(k + 1), "Fecha": f"{end}T18:05:12"},
                emisor={"Rfc": issuer, "Nombre": COMPANIES[key][0].upper()},
                receptor={"Rfc": rfc, "Nombre": name},
                uuid=str(uuid.uuid5(UUID_NAMESPACE, f"{issuer}/{nss}/{end}")),
            )
            if limit is not None and count >= limit:
                return
            count += 1
            yield f"nomina_{end:%Y%m%d}_{nss}.xml", xml


def zip_files(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


# ---------------------------------------------------------------- measuring


def analyze(cr):
    """Bring the planner statistics of the written tables up to date and commit."""
    benchlib.analyze(cr, IMPORT_TABLES)


def table_counts(cr):
    counts = {}
    for table in IMPORT_TABLES:
        cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        counts[table] = cr.fetchone()[0]
    return counts


class Step(benchlib.Step):
    """A measured step; the tables the import writes are ANALYZEd after it."""

    tables = IMPORT_TABLES
    label_width = 44
    profile_sort = "cumtime"
    profile_lines = 30


def company_env(env, meta, key):
    """``env`` with the company as the current one, as in the web client."""
    ids = [meta[k]["company"] for k in (key, "large", "small", "warm")]
    return env(context=dict(env.context, allowed_company_ids=list(dict.fromkeys(ids))))


def importer(env, meta, key):
    from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import PayrollImport

    company = env["res.company"].browse(meta[key]["company"])
    return PayrollImport(env, company, create_employees=True)


def prepare_files(meta, key, figures):
    start = time.perf_counter()
    files = build_files(meta, key)
    built = time.perf_counter() - start
    start = time.perf_counter()
    archive = zip_files(files)
    zipped = time.perf_counter() - start
    size = sum(len(d) for _n, d in files)
    say(
        f"  built {len(files)} CFDI in {built:.2f} s ({size / 2**20:.1f} MiB), "
        f"zipped in {zipped:.2f} s ({len(archive) / 2**20:.1f} MiB)  (not measured)"
    )
    figures[f"{key}_files"] = len(files)
    if key == "large":
        figures["build_cfdi_s"] = built
        figures["zip_s"] = zipped
        figures["xml_mib"] = size / 2**20
        figures["zip_mib"] = len(archive) / 2**20
    return files, archive


def expected_counts(meta, key, files):
    """What the first import of ``files`` (a list, or their number) must report."""
    part = meta[key]
    count = files if isinstance(files, int) else len(files)
    periods = -(-count // part["workers"])
    existing = len(part["employees"])
    pairs = sum(len(placements(part["offset"] + j)) for j in range(part["workers"]))
    extended = len(part["assignments"]) if periods > 1 else 0
    return {
        "employees": part["workers"] - existing,
        # SBC history rows are only added when the SBC changes: each worker's SBC
        # rises once half-way through the pay periods (2 values over several).
        "sbc": part["workers"] * (2 if periods > 1 else 1),
        "assignments_created": pairs - len(part["assignments"]),
        "assignments_extended": extended,
        "files": count,
        "skipped": 0,
    }


def measure_company(env, meta, key, figures, traced=False):
    say(f"== {key}: {meta[key]['workers']} workers")
    cenv = company_env(env, meta, key)
    files, archive = prepare_files(meta, key, figures)
    zip_name = f"nomina_{key}.zip"
    service = importer(cenv, meta, key)
    one_by_one = Step(cenv, "preview: plan() of the files one by one")
    one_by_one.run(lambda: service.plan(files))
    preview = Step(cenv, "preview: plan() of the ZIP")
    plan = preview.run(lambda: service.plan([(zip_name, archive)]))
    statuses = {}
    for line in plan:
        statuses[line.status] = statuses.get(line.status, 0) + 1
    say(f"  plan: {len(plan)} lines {statuses}")
    attachment = cenv["ir.attachment"].create({"name": zip_name, "raw": archive})
    wizard = cenv["l10n_mx_icsoe.cfdi.import"].create(
        {
            "company_id": meta[key]["company"],
            "attachment_ids": [Command.set(attachment.ids)],
            "create_employees": True,
        }
    )
    cenv.cr.commit()
    wizard_step = Step(cenv, "preview: wizard action_preview (ZIP upload)")
    wizard_step.run(wizard.action_preview)
    if traced:
        figures["preview_import_peak_traced_mib"] = traced_peak(
            cenv, lambda: service.apply(service.plan([(zip_name, archive)]))
        )
    before = table_counts(cenv.cr)
    apply = Step(cenv, "import: apply() of the plan")
    counts = apply.run(lambda: service.apply(plan))
    say(f"  import: {counts}")
    expected = expected_counts(meta, key, files)
    if counts != expected:
        say(f"  UNEXPECTED: expected {expected}")
    after = table_counts(cenv.cr)
    say(
        "  rows added: "
        + ", ".join(f"{t} +{after[t] - before[t]}" for t in IMPORT_TABLES)
    )
    replan = Step(cenv, "re-import: plan() of the ZIP")
    plan_again = replan.run(lambda: service.plan([(zip_name, archive)]))
    reapply = Step(cenv, "re-import: apply()")
    counts_again = reapply.run(lambda: service.apply(plan_again))
    say(f"  re-import: {counts_again}")
    no_op = table_counts(cenv.cr) == after and counts_again == {
        "employees": 0,
        "sbc": 0,
        "assignments_created": 0,
        "assignments_extended": 0,
        "files": 0,
        "skipped": len(files),
    }
    figures.update(
        {
            f"{key}_preview_s": preview.seconds,
            f"{key}_preview_queries": preview.queries,
            f"{key}_import_s": apply.seconds,
            f"{key}_import_queries": apply.queries,
            f"{key}_reimport_plan_s": replan.seconds,
            f"{key}_reimport_plan_queries": replan.queries,
            f"{key}_reimport_apply_s": reapply.seconds,
            f"{key}_reimport_apply_queries": reapply.queries,
            f"{key}_import_as_expected": counts == expected,
            f"{key}_new_workers": counts["employees"],
            f"{key}_reimport_no_op": no_op,
        }
    )
    figures[f"{key}_preview_files_s"] = one_by_one.seconds
    figures[f"{key}_preview_files_queries"] = one_by_one.queries
    figures[f"{key}_wizard_preview_s"] = wizard_step.seconds
    figures[f"{key}_wizard_preview_queries"] = wizard_step.queries
    measure_next_period(cenv, meta, key, service, figures)
    figures["maxrss_mib"] = maxrss_mib()


def measure_next_period(env, meta, key, service, figures):
    """The next pay period's payslips, one per worker: every assignment extended."""
    files = build_files(meta, key, next_period=True)
    archive = zip_files(files)
    name = f"nomina_{key}_next.zip"
    plan_step = Step(env, f"next pay period: plan() of {len(files)} files")
    plan = plan_step.run(lambda: service.plan([(name, archive)]))
    apply_step = Step(env, "next pay period: apply()")
    counts = apply_step.run(lambda: service.apply(plan))
    say(f"  next pay period: {counts}")
    part = meta[key]
    pairs = sum(len(placements(part["offset"] + j)) for j in range(part["workers"]))
    expected = {
        "employees": 0,
        "sbc": 0,  # the same SBC as the previous pay period: no new history row
        "assignments_created": 0,
        "assignments_extended": pairs,
        "files": len(files),
        "skipped": 0,
    }
    if counts != expected:
        say(f"  UNEXPECTED: expected {expected}")
    figures.update(
        {
            f"{key}_next_files": len(files),
            f"{key}_next_plan_s": plan_step.seconds,
            f"{key}_next_plan_queries": plan_step.queries,
            f"{key}_next_import_s": apply_step.seconds,
            f"{key}_next_import_queries": apply_step.queries,
            f"{key}_next_as_expected": counts == expected,
        }
    )


def traced_peak(env, func):
    """Python allocation peak (MiB) of ``func``, untimed and rolled back."""
    env.flush_all()
    env.invalidate_all()
    tracemalloc.start()
    try:
        func()
        env.flush_all()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
        env.cr.rollback()
        env.invalidate_all()


def warm_up(env, meta, figures):
    """A whole import in the tiny company: fills the registry caches."""
    say("== warm-up (tiny company, not compared)")
    cenv = company_env(env, meta, "warm")
    files, archive = prepare_files(meta, "warm", figures)
    service = importer(cenv, meta, "warm")
    plan = Step(cenv, "warm-up: plan() of the ZIP").run(
        lambda: service.plan([("warm.zip", archive)])
    )
    Step(cenv, "warm-up: apply()").run(lambda: service.apply(plan))


# ---------------------------------------------------------------- background job


def write_zip(path, files):
    """Write ``files`` ((name, bytes), an iterator) into a ZIP at ``path``, one
    member at a time; returns (files, expanded bytes)."""
    count = size = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
            count += 1
            size += len(data)
    return count, size


def bare_parse(path):
    """Seconds to read every member of the ZIP and parse it with lxml, nothing
    else: the floor any import of these files stands on."""
    from lxml import etree

    start = time.perf_counter()
    count = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            etree.fromstring(archive.read(info))
            count += 1
    return time.perf_counter() - start, count


class QueryCounter:
    """SQL queries spent creating workers (``hr.employee.create``), apart."""

    def __init__(self, env):
        self.env = env
        self.cr = env.cr
        self.queries = 0
        self.calls = 0

    def __enter__(self):
        Employee = type(self.env["hr.employee"])
        original = Employee.create
        counter = self

        def create(records, vals_list):
            before = counter.cr.sql_log_count
            try:
                return original(records, vals_list)
            finally:
                records.env.flush_all()
                counter.queries += counter.cr.sql_log_count - before
                counter.calls += 1

        self._patch = (Employee, original)
        Employee.create = create
        return self

    def __exit__(self, *exc):
        Employee, original = self._patch
        Employee.create = original


class PhaseTimer:
    """Seconds spent reading, parsing, planning and writing in the job's steps."""

    def __init__(self):
        from odoo.addons.l10n_mx_icsoe.icsoe import cfdi
        from odoo.addons.l10n_mx_icsoe.models.payroll_cfdi import PayrollImport

        self.methods = {
            "read": (cfdi.Upload, "read_batch"),
            "parse": (PayrollImport, "parse_entries"),
            "plan": (PayrollImport, "plan_parsed"),
            "write": (PayrollImport, "apply"),
        }
        self.seconds = dict.fromkeys(self.methods, 0.0)

    def __enter__(self):
        for phase, (owner, name) in self.methods.items():
            setattr(owner, name, self._timed(phase, getattr(owner, name)))
        return self

    def _timed(self, phase, original):
        timer = self

        def method(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timer.seconds[phase] += time.perf_counter() - start

        method.original = original
        return method

    def __exit__(self, *exc):
        for owner, name in self.methods.values():
            setattr(owner, name, getattr(owner, name).original)

    def text(self):
        return ", ".join(f"{phase} {sec:.1f} s" for phase, sec in self.seconds.items())


def run_job(env, meta, key, attachment, label):
    """Queue the upload as a background import and run it as the scheduled
    action does (runs of its time budget, a commit per batch); returns the job
    and the figures of the run."""
    cenv = company_env(env, meta, key)
    company = cenv["res.company"].browse(meta[key]["company"])
    Job = cenv["l10n_mx_icsoe.job"]
    from odoo.addons.l10n_mx_icsoe.models.job_cfdi_import import cfdi_import_key

    wizard = cenv["l10n_mx_icsoe.cfdi.import"].create(
        {
            "company_id": company.id,
            "attachment_ids": [Command.set(attachment.ids)],
            "create_employees": True,
        }
    )
    wizard.action_preview()
    assert wizard.state == "background", wizard.state
    wizard.action_import_background()
    job = Job._active_by_key(cfdi_import_key(company))
    cenv.cr.commit()
    runner = env(user=SUPERUSER_ID)["l10n_mx_icsoe.job"]
    budget = runner._time_budget()
    queries = cenv.cr.sql_log_count
    start = time.perf_counter()
    runs = 0
    with QueryCounter(cenv) as counter, PhaseTimer() as phases:
        while True:
            runner._cron_run_jobs()
            runs += 1
            job.invalidate_recordset()
            if job.sudo().state not in ("queued", "running"):
                break
    seconds = time.perf_counter() - start
    queries = cenv.cr.sql_log_count - queries
    job = job.sudo()
    say(
        f"  {label:<44} {seconds:8.1f} s  {queries:7d} queries "
        f"({counter.queries} creating {counter.calls} batches of workers)  "
        f"{runs} runs of {budget:.0f} s  maxrss {maxrss_mib():7.1f} MiB"
    )
    say(f"    in the steps: {phases.text()}; the job is {job.state}")
    say("    " + (job.result or job.error or "").replace("\n", "\n    ")[:1500])
    return job, {
        "seconds": seconds,
        "queries": queries,
        "worker_queries": counter.queries,
        "runs": runs,
        "phases": dict(phases.seconds),
        "state": job.state,
        "counts": dict(job.payload.get("counts", {})),
    }


def measure_job(env, meta, figures, workdir):
    """The large company's upload as one ZIP, imported in the background."""
    key = "large"
    say(f"== background job: {meta['files']} files of {meta[key]['workers']} workers")
    path = workdir / "nominas.zip"
    start = time.perf_counter()
    files, size = write_zip(path, iter_files(meta, key))
    say(
        f"  built and zipped {files} CFDI in {time.perf_counter() - start:.1f} s "
        f"({size / 2**20:.1f} MiB, ZIP {path.stat().st_size / 2**20:.1f} MiB)  "
        f"(not measured)  maxrss {maxrss_mib():.1f} MiB"
    )
    figures.update(
        large_files=files,
        xml_mib=size / 2**20,
        zip_mib=path.stat().st_size / 2**20,
        maxrss_before_import_mib=maxrss_mib(),
    )
    parse_s, parsed = bare_parse(path)
    say(f"  bare lxml parse of the {parsed} ZIP members: {parse_s:.1f} s")
    figures["bare_parse_s"] = parse_s
    cenv = company_env(env, meta, key)
    before = table_counts(cenv.cr)
    attachment = cenv["ir.attachment"].create(
        {"name": path.name, "raw": path.read_bytes()}
    )
    cenv.cr.commit()
    job, run = run_job(env, meta, key, attachment, "background import")
    after = table_counts(cenv.cr)
    say(
        "  rows added: "
        + ", ".join(f"{t} +{after[t] - before[t]}" for t in IMPORT_TABLES)
    )
    expected = expected_counts(meta, key, files)
    stored = after["l10n_mx_icsoe_payroll_cfdi"] - before["l10n_mx_icsoe_payroll_cfdi"]
    as_expected = (
        run["state"] == "done"
        and stored == files
        and run["counts"].get("files") == files
        and run["counts"].get("employees") == expected["employees"]
        and run["counts"].get("skipped") == 0
    )
    if not as_expected:
        say(f"  UNEXPECTED: {run['counts']}, expected {expected}")
    figures.update(
        job_s=run["seconds"],
        job_files_per_s=files / run["seconds"],
        **{f"job_{phase}_s": sec for phase, sec in run["phases"].items()},
        job_runs=run["runs"],
        job_queries=run["queries"],
        job_worker_queries=run["worker_queries"],
        job_new_workers=run["counts"].get("employees", 0),
        job_queries_per_file=(run["queries"] - run["worker_queries"]) / files,
        job_vs_bare_parse=run["seconds"] / parse_s,
        job_as_expected=as_expected,
        maxrss_mib=maxrss_mib(),
    )
    # The same upload again: every file already imported, nothing written.
    attachment = cenv["ir.attachment"].create(
        {"name": path.name, "raw": path.read_bytes()}
    )
    cenv.cr.commit()
    _job, again = run_job(env, meta, key, attachment, "re-import")
    figures.update(
        reimport_s=again["seconds"],
        reimport_queries=again["queries"],
        reimport_no_op=(
            again["state"] == "done"
            and table_counts(cenv.cr) == after
            and again["counts"].get("files") == 0
            and again["counts"].get("skipped") == files
        ),
        maxrss_mib=maxrss_mib(),
    )
    path.unlink()


def job_summary(figures):
    benchlib.print_figures(figures)
    files = figures["large_files"]
    ratio = figures["job_vs_bare_parse"]
    checks = [
        (
            f"peak process memory {figures['maxrss_mib']:.0f} MiB <= "
            f"{TARGET_JOB_MAXRSS_MIB} MiB",
            figures["maxrss_mib"] <= TARGET_JOB_MAXRSS_MIB,
        ),
        (
            f"background import of {files} files in {figures['job_s']:.0f} s: "
            f"{ratio:.1f}x the bare lxml parse ({figures['bare_parse_s']:.1f} s) "
            f"<= {TARGET_JOB_VS_PARSE:g}x",
            ratio <= TARGET_JOB_VS_PARSE,
        ),
        (
            f"SQL queries per file {figures['job_queries_per_file']:.4f} <= "
            f"{MAX_QUERIES_PER_FILE_JOB:g} (creating "
            f"{figures['job_new_workers']} new workers apart: "
            f"{figures['job_worker_queries']} queries)",
            figures["job_queries_per_file"] <= MAX_QUERIES_PER_FILE_JOB,
        ),
        (
            "import results as expected (every file stored, workers created, "
            "nothing skipped)",
            figures["job_as_expected"],
        ),
        ("re-import is a no-op", figures["reimport_no_op"]),
    ]
    benchlib.print_checks(checks)


# ---------------------------------------------------------------- summary


def query_growth(figures):
    """Print the queries of each step, small vs large; return the worst growth."""
    say("== SQL queries: small vs large company")
    say(f"  {'step':<16} {'small':>14} {'large':>14}   per extra file")
    worst = 0.0
    for step, files in (
        ("preview_files", "files"),
        ("preview", "files"),
        ("wizard_preview", "files"),
        ("import", "files"),
        ("reimport_plan", "files"),
        ("reimport_apply", "files"),
        ("next_plan", "next_files"),
        ("next_import", "next_files"),
    ):
        small = figures[f"small_{step}_queries"]
        large = figures[f"large_{step}_queries"]
        small_files, large_files = figures[f"small_{files}"], figures[f"large_{files}"]
        extra = large_files - small_files
        per_file = (large - small) / extra if extra else 0.0
        # The first import also creates the missing workers, and Odoo's hr module
        # spends ~5 queries per new employee (work contact, follower): that step
        # grows per new worker, not per file, and is reported separately.
        if step != "import":
            worst = max(worst, per_file)
        say(
            f"  {step:<16} {small:6d} ({small_files:5d}) {large:6d} ({large_files:5d})"
            f"   {per_file:8.4f}"
        )
    say("  (queries (files))")
    new_small = figures.get("small_new_workers")
    new_large = figures.get("large_new_workers")
    if new_small is not None and new_large is not None and new_large != new_small:
        figures["import_queries_per_new_worker"] = (
            figures["large_import_queries"] - figures["small_import_queries"]
        ) / (new_large - new_small)
    figures["queries_per_extra_file_max"] = worst
    return worst


def summary(figures):
    worst = query_growth(figures)
    benchlib.print_figures(figures)
    preview = max(
        figures["large_preview_s"],
        figures["large_preview_files_s"],
        figures["large_reimport_plan_s"],
    )
    checks = [
        (
            f"preview (plan of {figures['large_files']} files) <= {TARGET_PREVIEW_S:g} s",
            preview <= TARGET_PREVIEW_S,
        ),
        (
            f"import (apply of {figures['large_files']} files) <= {TARGET_IMPORT_S:g} s",
            figures["large_import_s"] <= TARGET_IMPORT_S,
        ),
        (
            "import results as expected (workers, SBC, assignments, files)",
            all(
                figures[f"{key}_{what}_as_expected"]
                for key in ("small", "large")
                for what in ("import", "next")
            ),
        ),
        (
            "re-import is a no-op",
            figures["large_reimport_no_op"] and figures["small_reimport_no_op"],
        ),
        (
            f"SQL queries grow <= {MAX_QUERIES_PER_EXTRA_FILE:g} per extra file "
            "(batches only; creating new workers apart)",
            worst <= MAX_QUERIES_PER_EXTRA_FILE,
        ),
    ]
    benchlib.print_checks(checks)


# ---------------------------------------------------------------- main


def parse_args(argv=None):
    parser = benchlib.new_parser(__doc__, "icsoe_bench_cfdi")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument(
        "--job",
        action="store_true",
        help=f"measure the background import (the default above {JOB_FILES} files)",
    )
    benchlib.add_run_options(parser)
    args = parser.parse_args(argv)
    args.job = args.job or args.files > JOB_FILES
    if args.workers < 2 * SMALL_DIVISOR or args.files < args.workers:
        parser.error(f"--workers must be >= {2 * SMALL_DIVISOR} and <= --files")
    return args


def prepare_db(args):
    """Return the dataset description, building database and dataset as needed.

    A reused database holding a dataset of another size (or none) is made
    anew: the bench companies cannot be created twice.
    """
    if args.reuse and db_exists(args.db):
        benchlib.update_db(args.config, args.db)
        with Registry(args.db).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            meta = existing_dataset(env, args.workers, args.files)
        if meta:
            say(f"== reusing the dataset in {args.db}")
            return meta
        say("  no dataset of that size in it")
    benchlib.create_db(args.config, args.db)
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        say(
            f"== dataset: {args.workers} workers (half existing) x "
            f"{-(-args.files // args.workers)} pay periods, {CLIENTS} clients"
        )
        start = time.perf_counter()
        meta = build_dataset(env, args.workers, args.files)
        say(f"  built in {time.perf_counter() - start:.1f} s")
        return meta


def run(args):
    # build_cfdi comes from the addon's tests, which import the test framework
    benchlib.init_odoo(args, "--log-handler=odoo.tests.common:CRITICAL")
    Step.profile = args.profile
    meta = prepare_db(args)
    figures = {}
    with Registry(args.db).cursor() as cr:
        user = api.Environment(cr, SUPERUSER_ID, {})["res.users"].browse(meta["user"])
        env = api.Environment(cr, user.id, {"lang": "en_US"})
        say(f"== measuring as {user.login} (ICSOE Manager)")
        warm_up(env, meta, figures)
        if args.job:
            with tempfile.TemporaryDirectory() as workdir:
                measure_job(env, meta, figures, Path(workdir))
        else:
            # Issue 6's figures are those of the file-by-file preview in the
            # request: no upload of this run goes to the background.
            params = api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
            params.set_param("l10n_mx_icsoe.import_background_files", str(10**9))
            params.set_param("l10n_mx_icsoe.import_background_mb", str(10**6))
            cr.commit()
            measure_company(env, meta, "small", figures)
            measure_company(env, meta, "large", figures, traced=True)
        if args.reuse and not args.keep:
            reset_dataset(api.Environment(cr, SUPERUSER_ID, {}), meta)
    benchlib.finish(args, figures, job_summary if args.job else summary)


def main(argv=None):
    args = parse_args(argv)
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
