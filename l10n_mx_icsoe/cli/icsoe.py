"""The ``icsoe`` server command, for administrators and scripts.

    odoo-bin icsoe generate -c CONF -d DB --company <id|RFC> --year Y --period P \\
        [--confirm] --output DIR
    odoo-bin icsoe sisub-generate -c CONF -d DB --company <id|RFC> --year Y --period P \\
        [--confirm] --output DIR
    odoo-bin icsoe import-cfdi -c CONF -d DB [--company <id|RFC>] [--create-employees] PATH...

Exit codes: 0 done; 1 refused (failed checks, a filing in the way); 2 bad arguments.
Odoo discovers it because the addon has a ``cli/`` folder; through the project's
wrapper: ``scripts/odoo icsoe generate -d DB ...``.
"""

import argparse
import logging
import sys
from pathlib import Path

from odoo import SUPERUSER_ID, api
from odoo.cli import Command
from odoo.exceptions import UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tools import config

from ..icsoe import cfdi
from ..models.job_cfdi_import import BATCH_FILES, COUNTERS, cfdi_import_key
from ..models.payroll_cfdi import PayrollImport, _line_text, background_threshold
from ..models.periodic_report import IN_PLACE, INLINE_KEY

_logger = logging.getLogger(__name__)

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """The informativa could not be produced as asked (exit code 1)."""


class BadArgument(Exception):
    """An argument names nothing usable (exit code 2)."""


def _odoo_options(parser):
    # Accepted before and after the verb; SUPPRESS keeps one from erasing the other.
    parser.add_argument(
        "-c", "--config", default=argparse.SUPPRESS, help="Odoo config file"
    )
    parser.add_argument("-d", "--database", default=argparse.SUPPRESS, help="database")


def _parser():
    parser = argparse.ArgumentParser(
        prog=f"{Path(sys.argv[0]).name} icsoe",
        description="ICSOE informativa: generate it and write what the IMSS portal takes. "
        "Other Odoo options (e.g. --log-level) are passed to Odoo.",
    )
    _odoo_options(parser)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    gen = verbs.add_parser(
        "generate",
        help="generate (and optionally confirm) the informativa of a period",
        description="Generate the informativa of a company and cuatrimestre from the "
        "contracts that started in it, check it, optionally confirm it, and write the "
        "worker CSVs, the capture sheet and (once confirmed) the XML snapshot to DIR.",
    )
    _odoo_options(gen)
    gen.add_argument("--company", required=True, help="company id or RFC")
    gen.add_argument("--year", required=True, type=int)
    gen.add_argument("--period", required=True, type=int, choices=(1, 2, 3))
    gen.add_argument(
        "--confirm", action="store_true", help="confirm when no check fails"
    )
    gen.add_argument("--output", required=True, type=Path, help="directory to write to")
    sis = verbs.add_parser(
        "sisub-generate",
        help="generate (and optionally confirm) the INFONAVIT SISUB report of a period",
        description="Generate the SISUB report of a company and cuatrimestre from the "
        "contracts in force in it, check it, optionally confirm it, and write its CSVs "
        "(once confirmed: the frozen CSVs and PDFs) and the checks report to DIR.",
    )
    _odoo_options(sis)
    sis.add_argument("--company", required=True, help="company id or RFC")
    sis.add_argument("--year", required=True, type=int)
    sis.add_argument("--period", required=True, type=int, choices=(1, 2, 3))
    sis.add_argument(
        "--confirm", action="store_true", help="confirm when no check fails"
    )
    sis.add_argument("--output", required=True, type=Path, help="directory to write to")
    imp = verbs.add_parser(
        "import-cfdi",
        help="import payroll CFDI (Nómina 1.2): workers, SBC history, assignments",
        description="Read payroll CFDI XML files, ZIP archives of them, or folders holding "
        "them; add the SBC history and the worker assignments in one transaction. Bad "
        "input refuses everything; files of another issuer or type are reported.",
    )
    _odoo_options(imp)
    imp.add_argument("--company", help="company id or RFC (default: the main company)")
    imp.add_argument(
        "--create-employees", action="store_true", help="create workers not found"
    )
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    return parser


def _read_paths(paths):
    """[(name, path)] of the files to import; nothing is read here.

    The import reads each file only once its size on disk (``stat``) fits the
    import's limits, and streams ZIP archives member by member.
    """
    files = []
    for path in paths:
        if path.is_dir():
            members = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in (".xml", ".zip") and p.is_file()
            )
            files += [(str(p.relative_to(path)), p) for p in members]
        elif path.is_file():
            files.append((path.name, path))
        else:
            raise BadArgument(f"{path}: no such file or folder")
    return files


def import_cfdi(env, args, commit=True):
    company = (
        _company(env, args.company) if args.company else env.ref("base.main_company")
    )
    files = _read_paths(args.paths)
    # One import per company at a time, as in the web client.
    busy = env["l10n_mx_icsoe.job"]._active_by_key(cfdi_import_key(company))
    if busy:
        raise Refused(busy._busy_message())
    service = PayrollImport(env, company, args.create_employees)
    with cfdi.Upload(files, service.limits) as upload:
        survey = service.survey(upload)
        threshold = background_threshold(env)
        if survey.files > threshold["files"] or survey.bytes > threshold["bytes"]:
            counts, left_out = _import_in_batches(env, service, upload, commit)
        else:
            counts, left_out = _import_at_once(service, files), 0
    if commit:
        env.cr.commit()
    sys.stdout.write(
        f"{counts['files']} CFDI imported into {company.name}: {counts['employees']} workers "
        f"created, {counts['sbc']} SBC entries, {counts['assignments_created']} assignments "
        f"created, {counts['assignments_extended']} extended, {counts['skipped']} skipped\n"
    )
    if left_out:
        raise Refused(
            f"{left_out} file(s) not imported (listed above): fix them and run the "
            "command again; what was imported is skipped"
        )


def _import_at_once(service, files):
    """A small upload: every file or none, as in the import wizard."""
    plan = service.plan(files)
    counts = service.apply(plan)
    for line in plan:
        if line.status == "skip":
            sys.stderr.write(f"skipped {line.filename}: {'; '.join(line.problems)}\n")
    return counts


def _import_in_batches(env, service, upload, commit):
    """An upload above the background threshold, as the background job does:
    BATCH_FILES at a time (memory bounded by the batch), each committed; files
    that cannot be read, or whose worker cannot be created, are left out and
    listed. Returns the counters and the number of files left out."""
    counts = dict.fromkeys(COUNTERS, 0)
    left_out = 0
    position = cfdi.UploadPosition()
    while not upload.at_end(position):
        entries, position = upload.read_batch(position, BATCH_FILES)
        done, skipped, bad, invalid = service.import_batch(entries)
        if commit:
            env.cr.commit()
        for key in COUNTERS:
            counts[key] += done[key]
        for line in skipped:
            sys.stderr.write(f"skipped {_line_text(line)}\n")
        for error in bad:
            sys.stderr.write(f"not imported: {error}\n")
        for line in invalid:
            sys.stderr.write(f"not imported {_line_text(line)}\n")
        left_out += len(bad) + len(invalid)
    return counts, left_out


def _company(env, value):
    companies = env["res.company"].search([])
    if value.isdigit():
        company = companies.filtered(lambda c: c.id == int(value))
    else:
        rfc = value.strip().upper()
        company = companies.filtered(
            lambda c: (c.vat or "").upper() in (rfc, "MX" + rfc)
        )
    if len(company) != 1:
        raise BadArgument(f"no company with id or RFC {value!r}")
    return company


def generate(env, args, commit=True, model="l10n_mx_icsoe.filing"):
    """Generate (and optionally confirm) a report of a period and write its files.

    The same for the ICSOE informativa (``generate``) and the SISUB report
    (``sisub-generate``): the report in progress (a complementaria included), else
    the one in effect, else a new draft of the period.
    """
    company = _company(env, args.company)
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    report = (
        env[model]
        .with_company(company)
        ._cli_report_of_period(company, args.year, str(args.period))
    )
    # The command is out of any request: large reports are done here, not queued.
    report = report._with_responsible_lang().with_context(**{INLINE_KEY: IN_PLACE})
    if report.state == "draft":
        report._generate_new_draft()
        if args.confirm and not report.error_count:
            report.action_confirm()
    if commit:  # keep the draft even when confirming is refused below
        env.cr.commit()

    checks = report._checks_report()
    files = [
        *report._export_files(),
        (f"{report._file_prefix()}_checks.txt", checks.encode("utf-8")),
    ]
    _write_files(args.output, report, files)
    sys.stdout.write(
        f"{report.name} [{report.state}] {company.name}: {report._checks_summary()}; "
        f"{len(files)} files in {args.output}\n"
    )
    if args.confirm and report.state == "draft":
        sys.stderr.write(f"{checks}\n")
        raise Refused(f"{report.name} not confirmed: {report.error_count} error(s)")


def sisub_generate(env, args, commit=True):
    """The SISUB twin of ``generate``: same arguments, same exit codes."""
    return generate(env, args, commit=commit, model="l10n_mx_icsoe.sisub")


def _write_files(out, report, files):
    """Write [(file name, bytes)] into ``out``.

    Plain base names of the addon's own only (UserError otherwise), each landing
    in the output folder itself once resolved (a link in it to elsewhere is
    refused); everything is checked before anything is written.
    """
    report._check_export_names(name for name, _content in files)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    targets = [(root / name, content) for name, content in files]
    outside = [str(path) for path, _content in targets if path.resolve().parent != root]
    if outside:
        raise Refused(
            f"{report.name}: not written, these paths lead outside {root}: "
            + ", ".join(outside)
        )
    for path, content in targets:
        path.write_bytes(content)


class Icsoe(Command):
    """ICSOE informativa and SISUB report: generate, check, confirm and export"""

    name = "icsoe"

    def run(self, cmdargs):
        parser = _parser()
        args, odoo_args = parser.parse_known_args(cmdargs)
        if getattr(args, "config", None):
            odoo_args += ["-c", args.config]
        if getattr(args, "database", None):
            odoo_args += ["-d", args.database]
        config.parse_config(odoo_args, setup_logging=True)
        db = config["db_name"]
        if not db or "," in db:
            parser.error("give one database with -d DB")
        try:
            registry = Registry(db)
        except Exception as error:  # noqa: BLE001 - report any failure to open it
            sys.stderr.write(f"icsoe: cannot open database {db!r}: {error}\n")
            sys.exit(EXIT_USAGE)
        with registry.cursor() as cr:
            code = execute(api.Environment(cr, SUPERUSER_ID, {}), args)
        sys.exit(code)


def execute(env, args, commit=True):
    """Run a parsed command line; returns the exit code."""
    try:
        if args.verb == "import-cfdi":
            import_cfdi(env, args, commit=commit)
        elif args.verb == "sisub-generate":
            sisub_generate(env, args, commit=commit)
        else:
            generate(env, args, commit=commit)
    except BadArgument as error:
        sys.stderr.write(f"icsoe: {error}\n")
        return EXIT_USAGE
    except (Refused, UserError, ValidationError) as error:
        if commit:
            env.cr.rollback()
        sys.stderr.write(f"icsoe: {error}\n")
        return EXIT_REFUSED
    return EXIT_OK
