"""Prepare the load scenario's database (``make load``, issue 13 item 4).

    python bench/load/prepare.py --config .odoo.conf --db icsoe_load --out out/load
        [--users 20] [--companies 4] [--contracts 400] [--workers-per-contract 10]
        [--drafts 0] [--import-workers 2000] [--import-files 10000]

Run in the Odoo virtualenv on a database that already holds l10n_mx_icsoe with
its demo data (``scripts/load`` installs it). Adds, with the benchmarks'
builders (``bench/bench_generation.py``, ``bench/bench_cfdi_import.py``):

- ``--companies`` REPSE-registered companies sharing ``--contracts`` contracts
  that start in the last five cuatrimestres, with ``--workers-per-contract``
  workers each (bulk SQL: employees, two SBC rows, one assignment each);
- one company for the background import, with its clients, contracts and half
  of its ``--import-workers`` workers, and ``payroll.zip``: ``--import-files``
  payroll CFDI of those workers for the import to read while the users work;
- the drafts every company owes, made by the daily job as in production;
- ``--users`` logins (one per simulated user; every fourth an ICSOE Manager,
  the others ICSOE Users) working in all those companies, each with a draft
  of its own to regenerate while there are as many drafts as users (with
  ``--drafts N``, spread over N drafts: users then regenerate the same draft
  at times, and the second one gets the addon's "someone else" message).

Writes ``scenario.json`` (logins, passwords, companies, drafts, the import)
to ``--out`` for the locustfile and ``scripts/load``.
"""

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH))

import bench_cfdi_import as cfdi  # noqa: E402
import bench_generation as gen  # noqa: E402
import benchlib  # noqa: E402
from benchlib import QUIET_CONTEXT, say  # noqa: E402

from odoo import SUPERUSER_ID, Command, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

#: The cuatrimestres the contracts start in (all closed on the clock of the run
#: in December 2026, so each company owes a draft for each).
PERIODS = ((2025, 1), (2025, 2), (2025, 3), (2026, 1), (2026, 2))
CLIENTS = 30
PASSWORD = "icsoe-load-%02d"


def period_start(year, period):
    return date(year, 4 * (period - 1) + 1, 1)


def company_rfc_prefix(index):
    """12-character company RFCs without check digit: LDA150310AB, LDB..."""
    return f"LD{benchlib.LETTERS[index % 26]}15{index % 10 + 1:02d}10AB"


def build_clients(env):
    mx = env.ref("base.mx")
    return env["res.partner"].create(
        [
            {
                "name": f"Cliente Carga {i:02d} SA de CV",
                "is_company": True,
                "country_id": mx.id,
                "vat": gen.client_rfc(100 + i),
                "email": f"compras{i:02d}@cliente-carga.example.mx",
                "mobile": f"44214{i:05d}",
            }
            for i in range(CLIENTS)
        ]
    )


def build_companies(env, args, clients):
    """The accountants' companies, their contracts and workers; returns them."""
    companies = env["res.company"]
    per_company = args.contracts // args.companies
    offset = 0
    for k in range(args.companies):
        company, services = gen._company(
            env, f"ICSOE Carga {k + 1:02d} SA de CV", company_rfc_prefix(k)
        )
        vals = []
        for i in range(per_company):
            year, period = PERIODS[i % len(PERIODS)]
            vals.append(
                {
                    "name": f"LOAD{k + 1:02d}-{i:04d}",
                    "company_id": company.id,
                    "partner_id": clients[(i + k) % len(clients)].id,
                    "object": f"Servicios especializados de limpieza, sitio {i}",
                    "repse_service_id": services[i % len(services)].id,
                    "date_start": period_start(year, period)
                    + timedelta(days=(i * 7) % 100),
                    "date_end": date(2026, 12, 31),
                    "state": "active",
                }
            )
        contracts = env["l10n_mx_icsoe.contract"].create(vals)
        env.flush_all()
        gen._workers(env, company, contracts, args.workers_per_contract, offset)
        offset += len(contracts) * args.workers_per_contract
        companies |= company
    env.invalidate_all()
    return companies


def build_import(env, args, out):
    """The import's company (bench CFDI builder) and payroll.zip; returns its meta."""
    periods = cfdi.pay_periods(-(-args.import_files // args.import_workers) + 1)
    identities = cfdi.worker_identities(args.import_workers)
    clients = env["res.partner"].create(
        [
            {
                "name": f"Cliente Bench CFDI {i:02d} SA de CV",
                "is_company": True,
                "country_id": env.ref("base.mx").id,
                "vat": cfdi.client_rfc(i),
                "email": f"compras{i:02d}@cliente-cfdi.example.mx",
                "mobile": f"44213{i:05d}",
            }
            for i in range(cfdi.CLIENTS)
        ]
    )
    part = cfdi._build_company(
        env, "large", args.import_workers, 0, clients, periods, identities
    )
    meta = {
        "files": args.import_files,
        "periods": [[str(s), str(e)] for s, e in periods[:-1]],
        "next_period": [str(d) for d in periods[-1]],
        "clients": [partner.vat for partner in clients],
        "large": part,
    }
    start = time.perf_counter()
    files = cfdi.build_files(meta, "large")
    archive = out / "payroll.zip"
    archive.write_bytes(cfdi.zip_files(files))
    say(
        f"  {len(files)} payroll CFDI of {args.import_workers} workers "
        f"({args.import_workers // 2} not yet employees) in {archive} "
        f"({archive.stat().st_size / 2**20:.1f} MiB, {time.perf_counter() - start:.1f} s)"
    )
    return {
        "company": part["company"],
        "files": len(files),
        "workers": args.import_workers,
        "zip": str(archive),
    }


def build_users(env, args, companies, drafts):
    """One login per simulated user, each with a home company and a draft."""
    user_group = env.ref("l10n_mx_icsoe.group_icsoe_user")
    manager_group = env.ref("l10n_mx_icsoe.group_icsoe_manager")
    base_group = env.ref("base.group_user")
    accounts = []
    vals = []
    for i in range(args.users):
        draft = drafts[i % len(drafts)]
        manager = i % 4 == 0
        login = f"icsoe_load_{i + 1:02d}"
        vals.append(
            {
                "name": f"Contador Carga {i + 1:02d}",
                "login": login,
                "password": PASSWORD % (i + 1),
                "company_id": draft.company_id.id,
                "company_ids": [Command.set(companies.ids)],
                "tz": "America/Mexico_City",
                "groups_id": [
                    Command.set(
                        [base_group.id, (manager_group if manager else user_group).id]
                    )
                ],
            }
        )
        accounts.append(
            {
                "login": login,
                "password": PASSWORD % (i + 1),
                "role": "manager" if manager else "user",
                "company_id": draft.company_id.id,
                "draft_id": draft.id,
                "draft": draft.display_name,
            }
        )
    users = (
        env["res.users"].with_context(no_reset_password=True, **QUIET_CONTEXT)
    ).create(vals)
    for account, user in zip(accounts, users, strict=True):
        account["uid"] = user.id
    return accounts


def prepare(env, args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = env(context=dict(env.context, **QUIET_CONTEXT))
    say("== load dataset")
    start = time.perf_counter()
    clients = build_clients(env)
    load_companies = build_companies(env, args, clients)
    say(
        f"  {len(load_companies)} companies built in {time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    payroll = build_import(env, args, out)
    say(f"  import company built in {time.perf_counter() - start:.1f} s")
    env.flush_all()
    env.cr.commit()

    start = time.perf_counter()
    Filing = env["l10n_mx_icsoe.filing"]
    Filing._cron_generate_drafts()
    env.flush_all()
    env.cr.commit()
    say(f"  drafts made by the daily job in {time.perf_counter() - start:.1f} s")

    main = env.ref("base.main_company")
    import_company = env["res.company"].browse(payroll["company"])
    companies = main | load_companies | import_company
    drafts = Filing.search(
        [("company_id", "in", companies.ids), ("state", "=", "draft")],
        order="company_id, year, period, id",
    )
    if not drafts:
        raise SystemExit("prepare: the daily job made no draft to regenerate")
    # Users spread over the drafts: the accountants' companies first, so that with
    # fewer users than drafts every user still has one of its own.
    drafts = drafts.sorted(lambda f: (f.company_id == import_company, f.id))
    if args.drafts:  # fewer drafts than users: some regenerate the same one
        drafts = drafts[: args.drafts]
    accounts = build_users(env, args, companies, drafts)

    counts = {}
    for label, model, domain in (
        ("contracts", "l10n_mx_icsoe.contract", []),
        ("workers", "hr.employee", []),
        ("assignments", "l10n_mx_icsoe.contract.assignment", []),
        ("filings", "l10n_mx_icsoe.filing", []),
        (
            "draft_lines",
            "l10n_mx_icsoe.filing.worker",
            [("filing_id", "in", drafts.ids)],
        ),
    ):
        counts[label] = env[model].sudo().search_count(domain)
    scenario = {
        "db": env.cr.dbname,
        "companies": companies.ids,
        "import": payroll,
        "dashboard": bool(env.ref("l10n_mx_icsoe.action_icsoe_dashboard", False))
        and "l10n_mx_icsoe.dashboard" in env,
        # The window actions the web client opens the lists with (get_views option).
        "actions": {
            key: (env.ref(xmlid, False) or env["ir.actions.act_window"]).id
            for key, xmlid in (
                ("filing", "l10n_mx_icsoe.action_filing"),
                ("contract", "l10n_mx_icsoe.action_contract"),
            )
        },
        "drafts": len(drafts),
        "counts": counts,
        "users": accounts,
    }
    env.cr.commit()
    env.cr.execute("ANALYZE")
    (out / "scenario.json").write_text(json.dumps(scenario, indent=1))
    own = len({a["draft_id"] for a in accounts})
    say(
        f"  {counts['contracts']} contracts, {counts['workers']} workers, "
        f"{counts['assignments']} assignments, {len(companies)} companies; "
        f"{len(drafts)} drafts ({counts['draft_lines']} worker lines); "
        f"{len(accounts)} logins on {own} drafts"
    )
    return scenario


def parse_args(argv=None):
    parser = benchlib.new_parser(__doc__, "icsoe_load")
    parser.add_argument("--out", default="out/load", help="output folder")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--companies", type=int, default=4)
    parser.add_argument("--contracts", type=int, default=400)
    parser.add_argument("--workers-per-contract", type=int, default=10)
    parser.add_argument(
        "--drafts",
        type=int,
        default=0,
        help="spread the users over this many drafts (default: all of them)",
    )
    parser.add_argument("--import-workers", type=int, default=2000)
    parser.add_argument("--import-files", type=int, default=10000)
    args = parser.parse_args(argv)
    if args.users < 1 or args.companies < 1 or args.contracts < args.companies:
        parser.error("--users, --companies >= 1 and --contracts >= --companies")
    if args.drafts < 0:
        parser.error("--drafts must be >= 0")
    if args.import_workers < 2 or args.import_files < args.import_workers:
        parser.error("--import-workers must be >= 2 and <= --import-files")
    return args


def main(argv=None):
    args = parse_args(argv)
    # build_cfdi comes from the addon's tests, which import the test framework
    benchlib.init_odoo(args, "--log-handler=odoo.tests.common:CRITICAL")
    with Registry(args.db).cursor() as cr:
        prepare(api.Environment(cr, SUPERUSER_ID, {}), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
