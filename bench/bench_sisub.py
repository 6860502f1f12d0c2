"""Benchmark: the INFONAVIT SISUB report at scale (issue 11).

    python bench/bench_sisub.py --config .odoo.conf [--db icsoe_bench_sisub]
        [--contracts 1000] [--workers-per-contract 20] [--contract-pdfs 1000]
        [--keep] [--reuse] [--profile]

Creates a scratch database with l10n_mx_icsoe (no demo data) and the dataset of
``bench_generation.py`` (a large company with ``--contracts`` contracts in
force in 2026-1 and ``--workers-per-contract`` workers each, a small company
with 10), then adds what SISUB reads (not measured): a principal registro
patronal, the deed and the STPS registration PDFs, a SISUB number, an amount
and a work site per contract, a one-page PDF on ``--contract-pdfs`` contracts,
and a cuatrimestre of payroll data: one imported payroll CFDI per worker and
bi-weekly pay period of 2026-1 (8 per worker, with fixed, variable and
non-integrable pay, an incapacity on one in ten and a housing-credit
repayment on one in five). It then measures, in one process:

1. the ICSOE informativa's generation of the same period (create +
   ``action_generate()``), the yardstick;
2. the SISUB report's generation: create + ``action_generate()`` and a
   regeneration, in the large and in the small company (the numbers of SQL
   queries must be equal);
3. the SISUB files: ``action_confirm()`` (checks + freeze), then
   ``_csv_files()``, ``_pdf_files()`` and ``_zip_bytes()`` separately;
4. peak memory: ``ru_maxrss`` after each step and the ``tracemalloc`` peak of
   a regeneration and of the files, in untimed passes.

Ends with a ``name: value`` summary and PASS/FAIL lines: SISUB generation
within 2x the ICSOE generation measured in the same run, queries equal for
small and large, all files written in 5 s or less. Exit status 0 even when a
target is missed; non-zero only on errors. ``--reuse`` and ``--keep`` work as
in ``bench_generation.py``.
"""

import base64
import io
import sys
import time
from datetime import date, timedelta

import bench_generation
import benchlib
from bench_generation import (
    PERIOD,
    YEAR,
    company_env,
    next_second,
)
from benchlib import QUIET_CONTEXT, db_exists, maxrss_mib, say

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL
from odoo.tools.pdf import PdfFileWriter

SISUB_PARAM = "l10n_mx_icsoe.bench_sisub_dataset"
TARGET_RATIO = 2.0
TARGET_FILES_S = 5.0


def _pay_periods():
    """The bi-weekly pay periods of 2026-1: 1-15 and 16-end of each month."""
    result = []
    for month in range(1, 5):
        last = date(2026, month + 1, 1) - timedelta(days=1)
        result += [
            (date(2026, month, 1), date(2026, month, 15)),
            (date(2026, month, 16), last),
        ]
    return result


PAY_PERIODS = _pay_periods()
LINE_TABLES = (
    "l10n_mx_icsoe_filing_contract",
    "l10n_mx_icsoe_filing_worker",
    "l10n_mx_icsoe_sisub_contract",
    "l10n_mx_icsoe_sisub_worker",
)


class Step(benchlib.Step):
    tables = LINE_TABLES


def one_page_pdf():
    writer = PdfFileWriter()
    writer.addBlankPage(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- dataset


def add_sisub_data(env, meta, contract_pdfs):
    """What SISUB reads beyond the ICSOE dataset (ORM for the few records, SQL
    for one row per contract or payslip)."""
    env = env(context=dict(env.context, **QUIET_CONTEXT))
    cr = env.cr
    pdf = base64.b64encode(one_page_pdf())
    state = env.ref("base.state_mx_qro").id
    for index, key in enumerate(("large", "small")):
        company = env["res.company"].browse(meta[key])
        env["l10n_mx_icsoe.nrp"].create(
            {
                "name": f"Y60{12345 + index:05d}104",
                "company_id": company.id,
                "is_principal": True,
            }
        )
        company.l10n_mx_icsoe_deed = pdf
        company.l10n_mx_icsoe_repse_ids.write({"document": pdf})
    companies = [meta["large"], meta["small"]]
    cr.execute(
        SQL(
            """
            UPDATE l10n_mx_icsoe_contract
               SET sisub_number = id::text, amount_untaxed = 100000 + id,
                   estimated_worker_count = 20
             WHERE company_id = ANY(%s)
            """,
            companies,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO l10n_mx_icsoe_work_site
                   (contract_id, company_id, sequence, name, street, street_number,
                    colony, zip, city, state_id, create_uid, write_uid, create_date,
                    write_date)
            SELECT id, company_id, 10, 'Planta', 'Av. 5 de Febrero', '1200',
                   'Centro', '76000', 'Querétaro', %s, 1, 1,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM l10n_mx_icsoe_contract WHERE company_id = ANY(%s)
            """,
            state,
            companies,
        )
    )
    contracts = env["l10n_mx_icsoe.contract"].search(
        [("company_id", "=", meta["large"])], order="id", limit=contract_pdfs
    )
    attachments = env["ir.attachment"].create(
        [{"name": f"{c.name}.pdf", "datas": pdf} for c in contracts]
    )
    for contract, attachment in zip(contracts, attachments, strict=True):
        contract.document_ids = [(6, 0, attachment.ids)]
    env.flush_all()
    add_payroll(cr, companies)
    meta["contract_pdfs"] = contract_pdfs
    env["ir.config_parameter"].set_param(SISUB_PARAM, str(contract_pdfs))
    benchlib.store_dataset(env, bench_generation.DATASET_PARAM, meta)


def add_payroll(cr, companies):
    """One payroll CFDI record per worker and bi-weekly pay period of 2026-1."""
    cr.execute(
        SQL(
            "SELECT id, company_id FROM hr_employee WHERE company_id = ANY(%s) "
            "ORDER BY id",
            companies,
        )
    )
    employees = cr.fetchall()
    columns = {name: [] for name in (
        "uuid", "company_id", "employee_id", "filename", "period_start", "period_end",
        "payment_date", "sbc", "fixed_pay", "variable_pay", "non_integrable_pay",
        "incapacity_days", "housing_credit",
    )}  # fmt: skip
    for number, (employee_id, company_id) in enumerate(employees):
        for index, (start, end) in enumerate(PAY_PERIODS):
            uuid = f"00000000-0000-4000-8000-{number:06d}{index:06d}"
            columns["uuid"].append(uuid)
            columns["company_id"].append(company_id)
            columns["employee_id"].append(employee_id)
            columns["filename"].append(f"{uuid}.xml")
            columns["period_start"].append(start)
            columns["period_end"].append(end)
            columns["payment_date"].append(end)
            columns["sbc"].append(350.25 + number % 700)
            columns["fixed_pay"].append(4500.0 + number % 300)
            columns["variable_pay"].append(float(number % 7) * 100)
            columns["non_integrable_pay"].append(250.0)
            columns["incapacity_days"].append(3 if number % 10 == index else 0)
            columns["housing_credit"].append(420.25 if number % 5 == 0 else 0.0)
    types = {
        "uuid": "varchar",
        "company_id": "int",
        "employee_id": "int",
        "filename": "varchar",
        "period_start": "date",
        "period_end": "date",
        "payment_date": "date",
        "sbc": "numeric",
        "fixed_pay": "numeric",
        "variable_pay": "numeric",
        "non_integrable_pay": "numeric",
        "incapacity_days": "int",
        "housing_credit": "numeric",
    }
    bench_generation._bulk_insert(
        cr,
        "l10n_mx_icsoe_payroll_cfdi",
        {name: (types[name], values) for name, values in columns.items()},
    )
    return len(columns["uuid"])


def delete_bench_reports(env, meta):
    """Delete the ICSOE filings and SISUB reports of the bench companies."""
    companies = [meta["large"], meta["small"]]
    for table in ("l10n_mx_icsoe_filing", "l10n_mx_icsoe_sisub"):
        env.cr.execute(
            SQL(
                "UPDATE %s SET state = 'draft' WHERE company_id = ANY(%s)",
                SQL.identifier(table),
                companies,
            )
        )
    env.invalidate_all()
    for model in ("l10n_mx_icsoe.sisub", "l10n_mx_icsoe.filing"):
        # their attachments (exports, acuses) go with them
        env[model].search([("company_id", "in", companies)]).unlink()
    env.cr.commit()
    benchlib.analyze(env.cr, LINE_TABLES)


def prepare_db(args):
    if args.reuse and db_exists(args.db):
        benchlib.update_db(args.config, args.db)
    else:
        benchlib.create_db(args.config, args.db)
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        meta = bench_generation.existing_dataset(
            env, args.contracts, args.workers_per_contract
        )
        if meta and env["ir.config_parameter"].get_param(SISUB_PARAM) == str(
            args.contract_pdfs
        ):
            delete_bench_reports(env, meta)
            say(f"== reusing the dataset in {args.db}")
            return meta
        if meta:
            say("== the dataset has no SISUB data of this size: building anew")
            benchlib.create_db(args.config, args.db)
        start = time.perf_counter()
        say(
            f"== dataset: {args.contracts} contracts x {args.workers_per_contract} "
            f"workers (+ {bench_generation.SMALL_CONTRACTS} in a small company), "
            f"{len(PAY_PERIODS)} payslips per worker"
        )
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        meta = bench_generation.build_dataset(
            env, args.contracts, args.workers_per_contract
        )
        add_sisub_data(env, meta, args.contract_pdfs)
        say(f"  built in {time.perf_counter() - start:.1f} s")
        return meta


# ---------------------------------------------------------------- measuring


def new_report(env, model, company_id):
    report = env[model].create(
        {"company_id": company_id, "year": YEAR, "period": PERIOD}
    )
    report.action_generate()
    return report


def measure(env, meta, figures):
    large_env = company_env(env, meta["large"], meta)
    small_env = company_env(env, meta["small"], meta)
    # Warm the registry caches (access rights, record rules, ... per company)
    # so that the first measured generation does not pay for them: a small
    # report and an empty one of the large company (2025-3, before any
    # contract), each generated twice, then deleted.
    say("== warm-up (deleted)")
    for model in ("l10n_mx_icsoe.filing", "l10n_mx_icsoe.sisub"):
        for warm_env, company, year, period in (
            (small_env, meta["small"], YEAR, PERIOD),
            (large_env, meta["large"], 2025, "3"),
        ):
            label = f"warm-up {model.split('.')[-1]} {year}-{period}"

            def create(e=warm_env, m=model, c=company, y=year, p=period):
                report = e[m].create({"company_id": c, "year": y, "period": p})
                report.action_generate()
                return report

            report = Step(warm_env, label).run(create)
            next_second()
            Step(warm_env, f"{label} regenerate").run(report.action_generate)
            report.unlink()

    say("== ICSOE generation (yardstick)")
    icsoe = Step(large_env, "ICSOE large: create + generate")
    filing = icsoe.run(
        lambda: new_report(large_env, "l10n_mx_icsoe.filing", meta["large"])
    )
    say(f"  {filing.contract_count} contracts, {filing.worker_count} workers")

    say("== SISUB generation")
    small = Step(small_env, "SISUB small: create + generate")
    small_report = small.run(
        lambda: new_report(small_env, "l10n_mx_icsoe.sisub", meta["small"])
    )
    next_second()
    small_regen = Step(small_env, "SISUB small: regenerate")
    small_regen.run(small_report.action_generate)
    large = Step(large_env, "SISUB large: create + generate")
    report = large.run(
        lambda: new_report(large_env, "l10n_mx_icsoe.sisub", meta["large"])
    )
    next_second()
    large_regen = Step(large_env, "SISUB large: regenerate")
    large_regen.run(report.action_generate)
    say(
        f"  large: {report.contract_count} contracts, {report.worker_count} workers, "
        f"{report.row_count} detail rows, {report.error_count} errors, "
        f"{report.warning_count} warnings, aportaciones {report.aportacion_total:,.2f}"
    )
    figures.update(
        {
            "contracts": report.contract_count,
            "workers": report.worker_count,
            "detail_rows": report.row_count,
            "icsoe_generation_s": icsoe.seconds,
            "sisub_generation_s": large.seconds,
            "sisub_regeneration_s": large_regen.seconds,
            "sisub_over_icsoe": large.seconds / icsoe.seconds,
            "sisub_regeneration_over_icsoe": large_regen.seconds / icsoe.seconds,
            "icsoe_generation_queries": icsoe.queries,
            "sisub_generation_queries_large": large.queries,
            "sisub_generation_queries_small": small.queries,
            "sisub_regeneration_queries_large": large_regen.queries,
            "sisub_regeneration_queries_small": small_regen.queries,
        }
    )
    figures["sisub_generation_peak_traced_mib"] = benchlib.traced_peak(
        large_env, report.action_generate, LINE_TABLES
    )

    say("== SISUB files")
    confirm = Step(large_env, "action_confirm (checks + freeze)")
    confirm.run(report.action_confirm)
    steps = [
        Step(large_env, "_csv_files"),
        Step(large_env, "_pdf_files"),
        Step(large_env, "_zip_bytes"),
    ]
    for step in steps:
        step.run(getattr(report, step.label))
    csv_files, pdf_files, data = (s.result for s in steps)
    total = sum(s.seconds for s in steps)
    say(
        f"  {'total of the files':<42} {total:8.3f} s  "
        + ", ".join(f"{n} ({len(c) / 1024:.0f} KiB)" for n, c in csv_files + pdf_files)
        + f"; ZIP {len(data) / 1024:.0f} KiB"
    )
    figures["confirm_s"] = confirm.seconds
    figures["confirm_queries"] = confirm.queries
    for step in steps:
        figures[f"files{step.label}_s"] = step.seconds
    figures["files_total_s"] = total

    def all_files():
        for step in steps:
            getattr(report, step.label)()

    figures["files_peak_traced_mib"] = benchlib.traced_peak(
        large_env, all_files, LINE_TABLES
    )
    figures["maxrss_mib"] = maxrss_mib()


def summary(figures):
    benchlib.print_figures(figures)
    benchlib.print_checks(
        [
            (
                f"SISUB generation <= {TARGET_RATIO:g}x the ICSOE generation",
                max(
                    figures["sisub_over_icsoe"],
                    figures["sisub_regeneration_over_icsoe"],
                )
                <= TARGET_RATIO,
            ),
            (
                "SISUB generation queries equal for small and large",
                figures["sisub_generation_queries_small"]
                == figures["sisub_generation_queries_large"]
                and figures["sisub_regeneration_queries_small"]
                == figures["sisub_regeneration_queries_large"],
            ),
            (
                f"all files written <= {TARGET_FILES_S:g} s",
                figures["files_total_s"] <= TARGET_FILES_S,
            ),
        ]
    )


def parse_args(argv=None):
    parser = benchlib.new_parser(__doc__, "icsoe_bench_sisub")
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--workers-per-contract", type=int, default=20)
    parser.add_argument(
        "--contract-pdfs",
        type=int,
        default=1000,
        help="contracts of the large company with a one-page PDF attached",
    )
    benchlib.add_run_options(parser)
    return parser.parse_args(argv)


def run(args):
    benchlib.init_odoo(args)
    Step.profile = args.profile
    meta = prepare_db(args)
    figures = {}
    with Registry(args.db).cursor() as cr:
        admin = api.Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin")
        env = api.Environment(
            cr,
            admin.id,
            {"allowed_company_ids": [meta["large"], meta["small"]], "lang": "en_US"},
        )
        say(f"== measuring as {admin.login}")
        measure(env, meta, figures)
        if args.reuse and not args.keep:
            delete_bench_reports(api.Environment(cr, SUPERUSER_ID, {}), meta)
    benchlib.finish(args, figures, summary)


def main(argv=None):
    run(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
