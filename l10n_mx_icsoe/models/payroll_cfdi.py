"""Payroll CFDI (Nómina 1.2) import: workers, SBC history and assignments.

The plan is built from all files at once with a constant number of queries
(employees, clients, contracts, SBC rows, assignments and already imported
UUIDs are each read in one search), shown as a preview, and applied in one
transaction. Bad input (malformed XML, DTDs, wrong namespaces, missing
attributes, hostile ZIPs) refuses the whole import; files that are fine but
do not apply (another issuer, not a payroll CFDI, not stamped, already
imported, a client without a matching contract) are reported and skipped.

One import is held to the limits of the ICSOE settings (system parameters
``l10n_mx_icsoe.import_max_*``): a size per file, a total expanded size, a
number of files and a compression ratio per ZIP member, all checked before the
bytes are held (see :class:`..icsoe.cfdi.ImportLimits`).

The payroll XML (a whole payslip: salary, deductions, bank account) is kept on
the imported CFDI record, readable only by HR officers and ICSOE Managers; it
is never attached to the worker, whose documents ICSOE users do not see.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..icsoe import cfdi, sisub
from ..icsoe.identifiers import IdentifierError, compact, validate_curp, validate_nss
from .res_partner import partner_rfc

# CfdiError codes that are "not for us" rather than bad input.
SKIPPED_CODES = {"not_payroll", "no_nomina"}
ONE_DAY = timedelta(days=1)
#: ImportLimits field -> (system parameter, default, unit in bytes or 1).
LIMIT_PARAMS = {
    "file_bytes": (
        "l10n_mx_icsoe.import_max_file_mb",
        cfdi.MAX_FILE_BYTES // cfdi.MIB,
        cfdi.MIB,
    ),
    "total_bytes": (
        "l10n_mx_icsoe.import_max_total_mb",
        cfdi.MAX_IMPORT_BYTES // cfdi.MIB,
        cfdi.MIB,
    ),
    "files": ("l10n_mx_icsoe.import_max_files", cfdi.MAX_IMPORT_FILES, 1),
    "ratio": ("l10n_mx_icsoe.import_max_ratio", cfdi.MAX_ZIP_RATIO, 1),
}
#: Files listed by name in a refusal or a summary; the rest are counted.
MAX_LISTED = 30
#: Who reads the stored payroll XML (a whole payslip).
PAYROLL_XML_GROUPS = "hr.group_hr_user,l10n_mx_icsoe.group_icsoe_manager"


#: Uploads above either size are imported in the background (system parameters;
#: a missing, unreadable, zero or negative value means the default).
BACKGROUND_PARAMS = {
    "files": ("l10n_mx_icsoe.import_background_files", 2000, 1),
    "bytes": ("l10n_mx_icsoe.import_background_mb", 50, cfdi.MIB),
}


def _positive_param(params, param, default):
    try:
        value = int(params.get_param(param) or 0)
    except ValueError:
        value = 0
    return value if value > 0 else default


def background_threshold(env):
    """{"files": n, "bytes": n}: an upload holding more is imported in the background."""
    params = env["ir.config_parameter"].sudo()
    return {
        key: _positive_param(params, param, default) * unit
        for key, (param, default, unit) in BACKGROUND_PARAMS.items()
    }


def import_limits(env):
    """The limits of one import, from the system parameters (a missing, unreadable,
    zero or negative value means the default)."""
    params = env["ir.config_parameter"].sudo()
    return cfdi.ImportLimits(
        **{
            key: _positive_param(params, param, default) * unit
            for key, (param, default, unit) in LIMIT_PARAMS.items()
        }
    )


def _limit_label(error):
    if error.code in ("too_large", "total_too_large"):
        if error.limit % cfdi.MIB == 0:
            return f"{error.limit // cfdi.MIB:,} MiB"
        return f"{error.limit:,} bytes"
    return f"{error.limit:,}"


def _line_text(line):
    """``file: problem; problem`` of a plan line, for a summary."""
    return f"{line.filename}: {'; '.join(line.problems)}"


def _cfdi_reason(error):
    """The parser's message without the file name (shown next to it already)."""
    message = cfdi.ERROR_MESSAGES.get(error.code, error.code)
    return f"{message}: {error.detail}" if error.detail else message


def import_summary(env, counts):
    """What an import did, for the user (wizard, background job)."""
    return env._(
        "%(files)s CFDI imported: %(employees)s workers created, %(sbc)s SBC entries, "
        "%(created)s assignments created and %(extended)s extended; %(skipped)s skipped.",
        files=counts["files"],
        employees=counts["employees"],
        sbc=counts["sbc"],
        created=counts["assignments_created"],
        extended=counts["assignments_extended"],
        skipped=counts["skipped"],
    )


class L10nMxIcsoePayrollCfdi(models.Model):
    """A payroll CFDI already imported (its UUID is never imported twice)."""

    _name = "l10n_mx_icsoe.payroll.cfdi"
    _description = "Imported Payroll CFDI"
    _order = "period_end desc, id desc"
    _rec_name = "uuid"

    uuid = fields.Char(string="UUID", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    employee_id = fields.Many2one("hr.employee", index=True, ondelete="set null")
    filename = fields.Char()
    period_start = fields.Date()
    period_end = fields.Date()
    sbc = fields.Float(string="SBC", digits=(16, 2))
    # The pay SISUB reports per worker and bimester (every Nómina complement of the
    # CFDI added up; see icsoe.sisub.pay_amounts for what is fixed, variable and
    # non-integrable).
    payment_date = fields.Date(index=True, help="FechaPago of the Nómina complement.")
    fixed_pay = fields.Float(digits=(16, 2))
    variable_pay = fields.Float(digits=(16, 2))
    non_integrable_pay = fields.Float(string="Non-integrable Pay", digits=(16, 2))
    incapacity_days = fields.Integer(help="Incapacidades/DiasIncapacidad.")
    housing_credit = fields.Float(
        string="INFONAVIT Credit Repayment",
        digits=(16, 2),
        help="Deductions of SAT type 010 (pago por crédito de vivienda): the "
        "amortización SISUB reports.",
    )
    registro_patronal = fields.Char(help="nomina12:Emisor/@RegistroPatronal.")
    # The whole payslip (salary, deductions, bank account): HR officers and ICSOE
    # Managers only. Stored as an attachment of this record's field, which Odoo
    # lets read only those who may read the field.
    xml_file = fields.Binary(
        string="Payroll XML", attachment=True, groups=PAYROLL_XML_GROUPS
    )

    _sql_constraints = [
        (
            "uuid_company_unique",
            "unique(company_id, uuid)",
            "This CFDI (UUID) has already been imported.",
        ),
    ]


@dataclass
class PlanLine:
    filename: str
    uuid: str | None = None
    worker: str = ""
    match: str = ""  # nss, curp, rfc, new, none
    employee_id: int | None = None
    nss: str | None = None
    curp: str | None = None
    rfc: str | None = None
    sbc: object = None
    sbc_date: object = None
    sbc_previous: float | None = None
    clients: str = ""
    contracts: list = field(default_factory=list)  # (contract_id, date_from, date_to)
    contract_names: str = ""
    status: str = "ok"  # ok, skip, error
    problems: list = field(default_factory=list)
    payslip: object = None
    nomina: object = None
    data: bytes = b""


class PayrollImport:
    """Build the import plan for a company, then apply it."""

    def __init__(self, env, company, create_employees=False, limits=None):
        self.env = env
        self.company = company
        self.create_employees = create_employees
        self.limits = limits or import_limits(env)
        self._ = env._

    # ---------------------------------------------------------------- read

    def read_files(self, files):
        """[(name, bytes or path)] -> (payslips with their bytes, skipped lines).

        Raises on bad input and on the import's limits, before holding the bytes.
        """
        try:
            entries = list(cfdi.iter_files(files, limits=self.limits))
        except cfdi.CfdiError as error:
            raise self._refusal(error) from error
        parsed, skipped, bad = self.parse_entries(entries)
        if bad:
            raise UserError(self._bad_input(bad))
        return parsed, skipped

    def parse_entries(self, entries):
        """[(name, bytes or CfdiError)] -> (payslips with their bytes, skipped
        lines, errors of the files that cannot be read)."""
        parsed, skipped, bad = [], [], []
        for name, data in entries:
            try:
                if isinstance(data, cfdi.CfdiError):
                    raise data
                parsed.append(
                    (cfdi.parse_cfdi(data, name, self.limits.file_bytes), data)
                )
            except cfdi.CfdiError as error:
                if error.code in SKIPPED_CODES:
                    skipped.append(
                        PlanLine(
                            filename=name,
                            status="skip",
                            problems=[
                                self.env._(
                                    "Not a payroll CFDI: %(reason)s",
                                    reason=_cfdi_reason(error),
                                )
                            ],
                        )
                    )
                else:
                    bad.append(error)
        return parsed, skipped, bad

    def _refusal(self, error):
        """The UserError for a CfdiError that stops the whole import."""
        if error.code in cfdi.LIMIT_CODES:
            return UserError(self._limit_message(error))
        return UserError(self._bad_input([error]))

    def _limit_message(self, error):
        """A refusal for one of the import's limits: the file, the limit, what to do."""
        values = {"file": error.filename, "limit": _limit_label(error)}
        if error.code == "too_large":
            return self.env._(
                "Nothing was imported: %(file)s is larger than %(limit)s once expanded, "
                "the most one file of an import may be. A payroll CFDI is a few "
                "kilobytes: check that this is the right file. If it is, ask an "
                'administrator to raise "%(setting)s" in ICSOE > Configuration > '
                "Settings.",
                setting=self.env._("Largest file (MiB)"),
                **values,
            )
        if error.code == "total_too_large":
            return self.env._(
                "Nothing was imported: the files of this import come to more than "
                "%(limit)s once expanded (reached at %(file)s). Split the upload into "
                'several imports, or ask an administrator to raise "%(setting)s" in '
                "ICSOE > Configuration > Settings.",
                setting=self.env._("Total size (MiB)"),
                **values,
            )
        if error.code == "too_many_files":
            return self.env._(
                "Nothing was imported: this import holds more than %(limit)s files "
                "(reached at %(file)s). Split the upload into several imports, or ask "
                'an administrator to raise "%(setting)s" in ICSOE > Configuration > '
                "Settings.",
                setting=self.env._("Most files"),
                **values,
            )
        return self.env._(
            "Nothing was imported: %(file)s expands to more than %(limit)s times its "
            "compressed size, which payroll XML never does: the archive may be a ZIP "
            "bomb. Check where it comes from and upload the XML files themselves or a "
            "new ZIP of them; if it is genuine, ask an administrator to raise "
            '"%(setting)s" in ICSOE > Configuration > Settings.',
            setting=self.env._("Compression ratio"),
            **values,
        )

    def _bad_input(self, errors, count=None):
        """Refusal listing the first files that cannot be read (``count``: how
        many there are in all, when more were seen than listed)."""
        count = max(count or 0, len(errors))
        lines = "\n".join(f"- {error}" for error in errors[:MAX_LISTED])
        more = count - min(len(errors), MAX_LISTED)
        if more > 0:
            lines += "\n" + self._("… and %(count)s more.", count=more)
        return self._(
            "Nothing was imported: %(count)s file(s) cannot be read as payroll CFDI.\n%(files)s",
            count=count,
            files=lines,
        )

    def _invalid_lines(self, texts, count=None):
        """Refusal listing the first files whose worker cannot be created."""
        count = max(count or 0, len(texts))
        files = "\n".join(f"- {text}" for text in texts[:MAX_LISTED])
        more = count - min(len(texts), MAX_LISTED)
        if more > 0:
            files += "\n" + self._("… and %(count)s more.", count=more)
        return self._(
            "Nothing was imported: fix these files first.\n%(files)s", files=files
        )

    # ---------------------------------------------------------------- batches

    def survey(self, upload):
        """What an :class:`..icsoe.cfdi.Upload` holds, checked against the
        import's limits before any of it is read (raises the refusal)."""
        try:
            return upload.survey()
        except cfdi.CfdiError as error:
            raise self._refusal(error) from error

    def import_batch(self, entries):
        """Plan and apply a batch of ``(name, bytes or CfdiError)``, as much of it
        as can be: ``(counters, skipped lines, errors of the files that cannot be
        read, lines whose worker cannot be created)``; those files are left out,
        the others imported. A limit of the whole import reached while reading
        (a ZIP whose directory lied) refuses the rest."""
        for _name, data in entries:
            if isinstance(data, cfdi.CfdiError) and data.code in cfdi.STOP_CODES:
                raise self._refusal(data)
        parsed, skipped, bad = self.parse_entries(entries)
        plan = self.plan_parsed(parsed, skipped)
        invalid = [line for line in plan if line.status == "error"]
        counts = self.apply([line for line in plan if line.status != "error"])
        return counts, [line for line in plan if line.status == "skip"], bad, invalid

    # ---------------------------------------------------------------- plan

    def plan(self, files):
        parsed, lines = self.read_files(files)
        return self.plan_parsed(parsed, lines)

    def plan_parsed(self, parsed, lines):
        """The plan of parsed files (``lines``: the skipped ones so far)."""
        company_rfc = partner_rfc(self.company.vat)
        uuids = {p.uuid for p, _d in parsed if p.uuid}
        done = set(
            self.env["l10n_mx_icsoe.payroll.cfdi"]
            .search([("company_id", "=", self.company.id), ("uuid", "in", list(uuids))])
            .mapped("uuid")
        )
        todo = []
        seen_uuids = set()
        for payslip, data in parsed:
            base = PlanLine(
                filename=payslip.filename,
                uuid=payslip.uuid,
                worker=payslip.receiver_name or "",
                rfc=payslip.receiver_rfc,
                payslip=payslip,
                data=data,
            )
            if payslip.issuer_rfc != company_rfc:
                base.status = "skip"
                base.problems.append(
                    self.env._(
                        "Issued by %(rfc)s, not by %(company)s (%(company_rfc)s).",
                        rfc=payslip.issuer_rfc,
                        company=self.company.name,
                        company_rfc=company_rfc,
                    )
                )
            elif not payslip.uuid:
                base.status = "skip"
                base.problems.append(
                    self.env._(
                        "Not stamped (no TimbreFiscalDigital UUID): cancelled or a draft."
                    )
                )
            elif payslip.uuid in done:
                base.status = "skip"
                base.problems.append(
                    self.env._("Already imported (UUID %(uuid)s).", uuid=payslip.uuid)
                )
            elif payslip.uuid in seen_uuids:
                base.status = "skip"
                base.problems.append(
                    self.env._(
                        "The same CFDI (UUID %(uuid)s) appears twice.",
                        uuid=payslip.uuid,
                    )
                )
            if base.status == "skip":
                lines.append(base)
                continue
            seen_uuids.add(payslip.uuid)
            for nomina in payslip.nominas:
                line = PlanLine(**{**base.__dict__, "problems": [], "contracts": []})
                line.nomina = nomina
                line.nss = compact(nomina.nss) or None
                line.curp = compact(nomina.curp) or None
                line.sbc = nomina.sbc
                line.sbc_date = nomina.period_end
                todo.append(line)
        self._match_employees(todo)
        self._match_contracts(todo)
        self._previous_sbc(todo)
        return todo + lines

    def _match_employees(self, lines):
        Employee = self.env["hr.employee"].with_context(active_test=False)
        nss = {line.nss for line in lines if line.nss}
        curps = {line.curp for line in lines if line.curp}
        rfcs = {line.rfc for line in lines if line.rfc}
        employees = Employee.search(
            [
                ("company_id", "=", self.company.id),
                "|",
                "|",
                ("ssnid", "in", list(nss)),
                ("l10n_mx_curp", "in", list(curps)),
                ("l10n_mx_rfc", "in", list(rfcs)),
            ]
        )
        by = {"nss": {}, "curp": {}, "rfc": {}}
        for emp in employees:
            for key, value in (
                ("nss", emp.ssnid),
                ("curp", emp.l10n_mx_curp),
                ("rfc", emp.l10n_mx_rfc),
            ):
                if value:
                    by[key].setdefault(compact(value), emp)
        for line in lines:
            for key, value in (
                ("nss", line.nss),
                ("curp", line.curp),
                ("rfc", line.rfc),
            ):
                emp = by[key].get(value) if value else None
                if emp:
                    line.match, line.employee_id = key, emp.id
                    line.worker = emp.name
                    break
            else:
                problems = self._identity_problems(line)
                if problems:
                    line.status = "error"
                    line.problems += problems
                    line.match = "none"
                elif self.create_employees:
                    line.match = "new"
                else:
                    line.match = "none"
                    line.status = "skip"
                    line.problems.append(
                        self.env._(
                            "No worker with NSS %(nss)s, CURP %(curp)s or RFC %(rfc)s; allow "
                            "creating workers to import it.",
                            nss=line.nss or "-",
                            curp=line.curp or "-",
                            rfc=line.rfc or "-",
                        )
                    )

    def _identity_problems(self, line):
        problems = []
        for label, value, validate in (
            ("NSS", line.nss, validate_nss),
            ("CURP", line.curp, validate_curp),
        ):
            if not value:
                if label == "NSS":
                    problems.append(self.env._("The CFDI has no NumSeguridadSocial."))
                continue
            try:
                validate(value)
            except IdentifierError:
                problems.append(
                    self.env._(
                        "%(field)s %(value)s is not valid.", field=label, value=value
                    )
                )
        return problems

    def _match_contracts(self, lines):
        rfcs = {rfc for line in lines for rfc, _pct in line.nomina.subcontracts}
        if not rfcs:
            return
        variants = list(rfcs | {"MX" + r for r in rfcs})
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("vat", "in", variants)])
        )
        partner_by_rfc = {
            partner_rfc(p.vat): (p.name, p.commercial_partner_id.id) for p in partners
        }
        contracts = self.env["l10n_mx_icsoe.contract"].search(
            [
                ("company_id", "=", self.company.id),
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    partners.commercial_partner_id.ids,
                ),
                ("state", "=", "active"),
            ]
        )
        # Read once, matched as plain values: a batch holds thousands of lines.
        by_client = {}
        for contract in contracts:
            by_client.setdefault(
                contract.partner_id.commercial_partner_id.id, []
            ).append(
                (contract.id, contract.name, contract.date_start, contract.date_end)
            )
        for line in lines:
            if line.status == "error":
                continue
            start, end = line.nomina.period_start, line.nomina.period_end
            names, clients = [], []
            for rfc, pct in line.nomina.subcontracts:
                name, client = partner_by_rfc.get(rfc, (rfc, None))
                clients.append(f"{name} ({pct}%)")
                matching = [
                    c
                    for c in by_client.get(client, ())
                    if c[2] <= end and (not c[3] or c[3] >= start)
                ]
                if len(matching) != 1:
                    line.problems.append(
                        self.env._(
                            "Client %(rfc)s: %(reason)s; no assignment is made for it.",
                            rfc=rfc,
                            reason=self.env._(
                                "no active contract covers the pay period"
                            )
                            if not matching
                            else self.env._(
                                "%(count)s active contracts cover the pay period",
                                count=len(matching),
                            ),
                        )
                    )
                    continue
                contract_id, contract_name, date_start, date_end = matching[0]
                line.contracts.append(
                    (
                        contract_id,
                        max(start, date_start),
                        min(end, date_end) if date_end else end,
                    )
                )
                names.append(contract_name)
            line.clients = ", ".join(clients)
            line.contract_names = ", ".join(names)

    def _previous_sbc(self, lines):
        employees = self.env["hr.employee"].browse(
            {line.employee_id for line in lines if line.employee_id}
        )
        if not employees:
            return
        dates = [line.sbc_date for line in lines if line.employee_id]
        last = self.env["l10n_mx_icsoe.sbc"]._last_sbc(employees, max(dates))
        for line in lines:
            if line.employee_id in last:
                line.sbc_previous = float(last[line.employee_id][1])

    # ---------------------------------------------------------------- apply

    def apply(self, lines):
        """Write the plan; returns counters. Any failure rolls back everything."""
        env = self.env
        todo = [line for line in lines if line.status != "skip"]
        errors = [line for line in todo if line.status == "error"]
        if errors:
            raise UserError(self._invalid_lines([_line_text(e) for e in errors]))
        counts = {
            "employees": 0,
            "sbc": 0,
            "assignments_created": 0,
            "assignments_extended": 0,
            "files": 0,
            "skipped": len(lines) - len(todo),
        }
        # New workers, one per identity.
        new_by_key = {}
        to_create = []
        for line in todo:
            if line.match == "new":
                key = line.nss or line.curp
                if key not in new_by_key:
                    new_by_key[key] = len(to_create)
                    to_create.append(
                        {
                            "name": line.worker or line.curp,
                            "company_id": self.company.id,
                            "ssnid": line.nss,
                            "l10n_mx_curp": line.curp,
                            "l10n_mx_rfc": line.rfc,
                        }
                    )
        # Creating an employee also creates its resource, which only HR officers may
        # do; the import is an ICSOE Manager's job, so it creates them as superuser
        # in the import's company.
        created = env["hr.employee"]
        if to_create:
            quiet = created.sudo().with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            # Their work contacts in one batch: hr would write them one by one.
            contacts = quiet.env["res.partner"].create(
                [
                    {"name": vals["name"], "company_id": self.company.id}
                    for vals in to_create
                ]
            )
            for vals, contact in zip(to_create, contacts, strict=True):
                vals["work_contact_id"] = contact.id
            created = quiet.create(to_create).with_env(self.env)
        counts["employees"] = len(created)
        for line in todo:
            if line.match == "new":
                line.employee_id = created[new_by_key[line.nss or line.curp]].id
        self._apply_sbc(todo, counts)
        self._apply_assignments(todo, counts)
        self._store_files(todo, counts)
        return counts

    def _apply_sbc(self, lines, counts):
        """One SBC entry per change, dated by the pay period's end.

        A payslip whose SBC equals the one in force on its date adds nothing, so
        importing every pay period does not pile up identical rows; an entry on
        the same date is never duplicated (re-import).
        """
        history = {}
        for sbc in self.env["l10n_mx_icsoe.sbc"].search_read(
            [("employee_id", "in", list({line.employee_id for line in lines}))],
            ["employee_id", "date_from", "amount"],
        ):
            history.setdefault(sbc["employee_id"][0], {})[sbc["date_from"]] = round(
                sbc["amount"], 2
            )
        vals = []
        for line in sorted(
            (line for line in lines if line.sbc is not None),
            key=lambda line: (line.employee_id, line.sbc_date),
        ):
            dates = history.setdefault(line.employee_id, {})
            amount = round(float(line.sbc), 2)
            if line.sbc_date in dates:
                continue
            before = [d for d in dates if d < line.sbc_date]
            if before and dates[max(before)] == amount:
                continue
            dates[line.sbc_date] = amount
            vals.append(
                {
                    "employee_id": line.employee_id,
                    "date_from": line.sbc_date,
                    "amount": amount,
                    "source": f"CFDI {line.uuid}",
                }
            )
        self.env["l10n_mx_icsoe.sbc"].create(vals)
        counts["sbc"] = len(vals)

    def _apply_assignments(self, lines, counts):
        Assignment = self.env["l10n_mx_icsoe.contract.assignment"]
        wanted = {}
        for line in lines:
            for contract_id, date_from, date_to in line.contracts:
                key = (contract_id, line.employee_id)
                old = wanted.get(key)
                wanted[key] = (
                    (min(old[0], date_from), max(old[1], date_to))
                    if old
                    else (date_from, date_to)
                )
        if not wanted:
            return
        existing = Assignment.search(
            [
                ("contract_id", "in", list({c for c, _e in wanted})),
                ("employee_id", "in", list({e for _c, e in wanted})),
            ]
        )
        by_key = {}
        for assignment in existing:
            by_key.setdefault(
                (assignment.contract_id.id, assignment.employee_id.id), []
            ).append(assignment)
        to_create = []
        extend = {}  # one write per distinct set of new dates
        for key, (date_from, date_to) in wanted.items():
            current = by_key.get(key, [])
            # extend the assignment that touches or overlaps the pay period
            near = [
                a
                for a in current
                if a.date_from <= date_to + ONE_DAY
                and (not a.date_to or a.date_to >= date_from - ONE_DAY)
            ]
            if near:
                assignment = near[0]
                vals = {}
                if assignment.date_from > date_from:
                    vals["date_from"] = date_from
                if assignment.date_to and assignment.date_to < date_to:
                    vals["date_to"] = date_to
                if vals:
                    key_vals = tuple(sorted(vals.items()))
                    extend.setdefault(key_vals, Assignment)
                    extend[key_vals] |= assignment
            else:
                to_create.append(
                    {
                        "contract_id": key[0],
                        "employee_id": key[1],
                        "date_from": date_from,
                        "date_to": date_to,
                    }
                )
        for vals, assignments in extend.items():
            assignments.write(dict(vals))
            counts["assignments_extended"] += len(assignments)
        Assignment.create(to_create)
        counts["assignments_created"] = len(to_create)

    def _store_files(self, lines, counts):
        """One record per CFDI, holding its XML (not an attachment of the worker)
        and its pay (every Nómina complement of the CFDI added up).

        Written set-based (one INSERT of the records, one of their XML
        attachments, each XML written once to the filestore): an import holds
        up to hundreds of thousands of them.
        """
        by_uuid = {}
        for line in lines:
            by_uuid.setdefault(line.uuid, []).append(line)
        rows, xml = [], {}
        for uuid_lines in by_uuid.values():
            line = uuid_lines[0]
            nominas = [each.nomina for each in uuid_lines]
            pay = sisub.pay_amounts(
                [p for nomina in nominas for p in nomina.perceptions],
                [d for nomina in nominas for d in nomina.deductions],
                [i for nomina in nominas for i in nomina.incapacities],
            )
            rows.append(
                (
                    line.uuid,
                    self.company.id,
                    line.employee_id,
                    line.filename,
                    min(n.period_start for n in nominas),
                    max(n.period_end for n in nominas),
                    line.nomina.payment_date,
                    float(line.sbc or 0.0),
                    float(pay.fixed),
                    float(pay.variable),
                    float(pay.non_integrable),
                    pay.incapacity_days,
                    float(pay.housing_credit),
                    line.nomina.registro_patronal,
                )
            )
            xml[line.uuid] = line.data
        Cfdi = self.env["l10n_mx_icsoe.payroll.cfdi"]
        Cfdi.check_access("create")
        self.env.flush_all()
        ids = _insert(self.env, Cfdi, STORED_COLUMNS, rows)
        _store_xml(self.env, Cfdi, {ids[uuid]: data for uuid, data in xml.items()})
        Cfdi.invalidate_model()
        self.env["hr.employee"].invalidate_model(["l10n_mx_icsoe_payroll_cfdi_ids"])
        counts["files"] = len(by_uuid)


#: Columns of a stored CFDI, in the order of _store_files' rows.
STORED_COLUMNS = (
    "uuid",
    "company_id",
    "employee_id",
    "filename",
    "period_start",
    "period_end",
    "payment_date",
    "sbc",
    "fixed_pay",
    "variable_pay",
    "non_integrable_pay",
    "incapacity_days",
    "housing_credit",
    "registro_patronal",
)
#: Rows per INSERT.
INSERT_ROWS = 1000


def _insert(env, model, columns, rows):
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table with
    their creation and write user and date, one column array per parameter
    (``unnest``); returns {first column's value: id}."""
    ids = {}
    types = [model._fields[column].column_type[1] for column in columns]
    for start in range(0, len(rows), INSERT_ROWS):
        chunk = rows[start : start + INSERT_ROWS]
        arrays = SQL(", ").join(
            SQL("%s::%s[]", list(values), SQL(column_type))
            for values, column_type in zip(zip(*chunk, strict=True), types, strict=True)
        )
        env.cr.execute(
            SQL(
                "INSERT INTO %(table)s (%(columns)s, create_uid, create_date, "
                "write_uid, write_date) SELECT *, %(uid)s, %(now)s, %(uid)s, %(now)s "
                "FROM unnest(%(arrays)s) RETURNING %(key)s, id",
                table=SQL.identifier(model._table),
                columns=SQL(", ").join(SQL.identifier(column) for column in columns),
                uid=env.uid,
                now=SQL("(now() at time zone 'UTC')"),
                arrays=arrays,
                key=SQL.identifier(columns[0]),
            )
        )
        ids.update(env.cr.fetchall())
    return ids


def _store_xml(env, model, files):
    """The payroll XML of stored CFDI ({record id: bytes}) as the attachments of
    their ``xml_file`` field, as the ORM would store them (text/plain, in the
    filestore or the database as configured), without its per-record work."""
    Attachment = env["ir.attachment"].sudo()
    in_db = Attachment._storage() == "db"
    company = env.company.id
    rows = []
    for res_id, data in files.items():
        checksum = Attachment._compute_checksum(data)
        rows.append(
            (
                res_id,
                "xml_file",
                model._name,
                "xml_file",
                "binary",
                "text/plain",
                len(data),
                checksum,
                None if in_db else Attachment._file_write(data, checksum),
                psycopg2.Binary(data) if in_db else None,
                company,
                False,
            )
        )
    _insert(
        env,
        Attachment,
        (
            "res_id",
            "name",
            "res_model",
            "res_field",
            "type",
            "mimetype",
            "file_size",
            "checksum",
            "store_fname",
            "db_datas",
            "company_id",
            "public",
        ),
        rows,
    )
    Attachment.invalidate_model()
