"""Benchmark: payroll CFDI (Nómina 1.2) import at scale (issue 6).

    python bench/bench_cfdi_import.py --config .odoo.conf [--db icsoe_bench_cfdi]
        [--files 5000] [--workers 500] [--keep] [--reuse] [--profile]

Creates a scratch database with l10n_mx_icsoe (no demo data) and, per company
(a large one with ``--workers`` workers, a small one with a tenth of them and
a tiny one for warming the caches): a REPSE registration, one active contract
per client (8 clients) covering every pay period, and half of the workers
already as employees (an SBC each; one in four already assigned for the
first pay period, so the import extends it). The other half is created by
the import (``create_employees=True``).

The payroll CFDI 4.0 files (``--files``, i.e. ``--workers`` x bi-weekly pay
periods from 1 January 2026; each worker placed at one client, or at two with
60/40 ``SubContratacion``) are built in memory with lxml and zipped into one
archive; both are timed apart. Then, as an ICSOE Manager (not the superuser),
in one process:

1. preview: ``PayrollImport.plan()`` of the ZIP archive, and of the same
   files one by one, and the wizard's ``action_preview`` (plan + preview
   lines) on the uploaded ZIP;
2. import: ``PayrollImport.apply()`` of the plan, in one transaction;
3. re-import: ``plan()`` + ``apply()`` of the same ZIP again, which must
   change nothing;
4. the next pay period: one payslip per worker, every assignment extended;

with seconds, SQL queries (``cr.sql_log_count``) and the RSS high-water mark,
the same steps on the small company (a tenth of the files) to show that the
number of queries does not grow per file beyond the ORM's batches, and the
Python allocation peak (``tracemalloc``) of a preview + import in a separate,
untimed and rolled back pass.

Ends with a ``name: value`` summary and PASS/FAIL lines against the targets
(preview <= 20 s, import <= 40 s). Exit status 0 even when a target is missed;
non-zero only on errors.

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
import time
import tracemalloc
import uuid
import zipfile
from calendar import monthrange
from datetime import date, timedelta

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
    files = []
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
            files.append((f"nomina_{end:%Y%m%d}_{nss}.xml", xml))
    if key == "large" and not next_period:  # --files: any multiple of --workers
        files = files[: meta["files"]]
    return files


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
    """What the first import of ``files`` must report."""
    part = meta[key]
    periods = -(-len(files) // part["workers"])
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
        "files": len(files),
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
    benchlib.add_run_options(parser)
    args = parser.parse_args(argv)
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
        measure_company(env, meta, "small", figures)
        measure_company(env, meta, "large", figures, traced=True)
        if args.reuse and not args.keep:
            reset_dataset(api.Environment(cr, SUPERUSER_ID, {}), meta)
    benchlib.finish(args, figures, summary)


def main(argv=None):
    args = parse_args(argv)
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
