"""What the bench scripts share: output, scratch database, measured steps.

Imported by ``bench_*.py`` in this directory (run as scripts, so this
directory is ``sys.path[0]``).
"""

import argparse
import cProfile
import io
import json
import pstats
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import odoo
from odoo import Command
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def say(*args):
    print(*args, flush=True)


def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- database


def _admin_cursor():
    return odoo.sql_db.db_connect("postgres").cursor()


def db_exists(db):
    with _admin_cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        return bool(cr.fetchone())


def drop_db(db):
    Registry.delete(db)
    odoo.sql_db.close_db(db)
    with _admin_cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid != pg_backend_pid()",
            (db,),
        )
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(db)))
    shutil.rmtree(config.filestore(db), ignore_errors=True)


def odoo_command(conf, db, *options):
    """The command line of odoo-bin (the one ``import odoo`` finds) on ``db``."""
    odoo_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    return [sys.executable, str(odoo_bin), "-c", conf, "-d", db, *options]


def install_db(conf, db, update=False):
    """Install l10n_mx_icsoe without demo data (or update it, for a reused DB)."""
    command = odoo_command(
        conf,
        db,
        "-u" if update else "-i",
        "l10n_mx_icsoe",
        "--without-demo=all",
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    )
    subprocess.run(command, check=True)


def update_db(conf, db):
    """Update l10n_mx_icsoe in a reused database (the addon may have changed)."""
    start = time.perf_counter()
    say(f"== database {db}: update l10n_mx_icsoe")
    install_db(conf, db, update=True)
    say(f"  updated in {time.perf_counter() - start:.1f} s")


def create_db(conf, db):
    """Drop ``db`` and make it anew with l10n_mx_icsoe installed (no demo)."""
    say(f"== database {db}: drop, create, install l10n_mx_icsoe (no demo)")
    start = time.perf_counter()
    drop_db(db)
    install_db(conf, db)
    say(f"  installed in {time.perf_counter() - start:.1f} s")


def init_odoo(args, *options):
    """Load the configuration file for ``args.db`` and start Odoo's logging."""
    config.parse_config(
        ["-c", args.config, "-d", args.db, "--log-level=warn", *options]
    )
    odoo.netsvc.init_logger()


# ---------------------------------------------------------------- dataset


def identifiers():
    """The addon's identifier helpers (importable once the addons path is set)."""
    from odoo.addons.l10n_mx_icsoe.icsoe import identifiers as module

    return module


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def curp_stem(prefix, i):
    """The first 16 characters of the ``i``-th bench CURP: two letters after
    ``prefix`` and the birth date vary with ``i``; the sex and state are fixed."""
    day = date(1960, 1, 1) + timedelta(days=i % 14000)
    block = i // 14000
    name = prefix + LETTERS[block // 26 % 26] + LETTERS[block % 26]
    return f"{name}{day:%y%m%d}HDFRRN"


def create_company(env, name, vat, services):
    """A Mexican company with a REPSE registration offering ``services``
    ((folio, description) pairs); returns the company and the services."""
    company = env["res.company"].create(
        {
            "name": name,
            "country_id": env.ref("base.mx").id,
            "vat": vat,
            "l10n_mx_icsoe_email": "icsoe@bench.example.mx",
            "l10n_mx_icsoe_phone": "5512345678",
            "street": "Av. Reforma 100",
            "zip": "06600",
            "city": "Cuauhtémoc",
            "state_id": env.ref("base.state_mx_df").id,
        }
    )
    registration = env["l10n_mx_icsoe.repse.registration"].create(
        {
            "name": f"AR{company.id:05d}/2025",
            "company_id": company.id,
            "registration_date": date(2025, 1, 1),
            "service_ids": [
                Command.create({"folio": folio, "description": description})
                for folio, description in services
            ],
        }
    )
    return company, registration.service_ids


def stored_dataset(env, param):
    """The dataset description saved in the ``param`` system parameter, or {}."""
    return json.loads(env["ir.config_parameter"].get_param(param) or "{}")


def store_dataset(env, param, meta):
    """Save the dataset description, commit, ANALYZE and clear the caches."""
    env["ir.config_parameter"].set_param(param, json.dumps(meta))
    env.cr.commit()
    env.cr.execute("ANALYZE")
    env.invalidate_all()


# ---------------------------------------------------------------- measuring


def analyze(cr, tables):
    """Bring the planner statistics of ``tables`` up to date and commit."""
    for table in tables:
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    cr.commit()


def traced_peak(env, func, tables=()):
    """Python allocation peak (MiB) of ``func``, untimed (tracemalloc is slow);
    committed, then ``tables`` ANALYZEd."""
    env.flush_all()
    env.invalidate_all()
    tracemalloc.start()
    try:
        func()
        env.flush_all()
        env.cr.commit()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
        analyze(env.cr, tables)


class Step:
    """Seconds, SQL queries and RSS high-water mark of one measured call.

    Each step is one transaction, committed inside the measurement, as a click
    in the web client would be. Subclasses set ``tables`` (ANALYZEd after the
    step), the label column's width and how a ``--profile`` is printed.
    """

    profile = False
    tables = ()
    label_width = 42
    profile_sort = "tottime"
    profile_lines = 25

    def __init__(self, env, label):
        self.env, self.label = env, label
        self.seconds = self.queries = self.result = None

    def run(self, func):
        env = self.env
        env.flush_all()
        env.invalidate_all()
        profiler = cProfile.Profile() if self.profile else None
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        self.result = func()
        env.flush_all()
        self.queries = env.cr.sql_log_count - queries
        env.cr.commit()
        if profiler:
            profiler.disable()
        self.seconds = time.perf_counter() - start
        # Commit-time work (tracking, bus notifications, caches filled once)
        # is the framework's: shown apart, not compared.
        at_commit = env.cr.sql_log_count - queries - self.queries
        say(
            f"  {self.label:<{self.label_width}} {self.seconds:8.3f} s  "
            f"{self.queries:6d} queries "
            f"(+{at_commit:2d} at commit)  maxrss {maxrss_mib():7.1f} MiB"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(self.profile_sort)
            stats.print_stats(self.profile_lines)
            say(out.getvalue())
        analyze(env.cr, self.tables)
        return self.result


# ---------------------------------------------------------------- summary


def print_figures(figures):
    say("== summary")
    for name, value in figures.items():
        text = f"{value:.3f}" if isinstance(value, float) else value
        say(f"{name}: {text}")


def print_checks(checks):
    """One PASS/FAIL line per (label, ok) pair."""
    for label, ok in checks:
        say(f"{'PASS' if ok else 'FAIL'}: {label}")


# ---------------------------------------------------------------- main


def new_parser(doc, db):
    """An argument parser described by ``doc``'s first paragraph, with the
    options every bench starts with (--config, --db defaulting to ``db``)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", default=db, help="scratch database")
    return parser


def add_run_options(parser):
    """--keep, --reuse and --profile, after the bench's own sizes."""
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse an existing bench database"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of each step"
    )


def finish(args, figures, summary):
    """Print the summary; drop the scratch database unless kept or reused."""
    summary(figures)
    if not (args.keep or args.reuse):
        drop_db(args.db)
