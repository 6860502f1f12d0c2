"""What the line checks of every report share (ICSOE informativa, SISUB).

Plain classes, no ORM model: a checker reads the report's lines as rows (dicts),
computes each row's errors and warnings in Python, and writes the results back
with one UPDATE per line table. Every message is an :class:`Issue` carrying its
code of the check catalogue (check_catalog.py); a row's ``problems`` column holds
them as JSON, written in the same statement as the texts.
"""

from odoo.tools import SQL

from ..icsoe.identifiers import IdentifierError, check_rfc
from ..icsoe.snapshot import xml_unsafe_chars
from . import bulk
from .check_catalog import Issue, problems_json
from .common import identifier_message
from .res_partner import partner_rfc


class ReportChecker:
    def __init__(self, report):
        self.env = report.env
        self._ = report.env._
        company = report.company_id
        self.company = company
        self.company_rfc = partner_rfc(company.vat)
        self.company_partner_id = company.partner_id.id
        self.uma = self.env["l10n_mx_icsoe.uma"]._daily_amount_on(report.date_end)
        self.chain = self.env["l10n_mx_icsoe.repse.registration"]._chain_of(company)
        self._unsafe = {}
        self._employee_company = {}

    @staticmethod
    def _result(row, errors, warnings):
        row["is_ok"] = not errors
        row["error_text"] = "\n".join(errors) or None
        row["warning_text"] = "\n".join(warnings) or None
        row["problems"] = problems_json(errors, warnings)

    def _text_issues(self, row, where, columns, code):
        """Text XML and the exported files cannot hold (control characters) is an
        error on the line, not a traceback at confirmation. ``where`` (text, or a
        function giving it) is only spelled out when there is an error."""
        errors = []
        unsafe = self._unsafe
        for column in columns:
            value = row.get(column)
            if not value:
                continue
            bad = unsafe.get(value)
            if bad is None:
                bad = unsafe[value] = xml_unsafe_chars(value)
            if bad:
                errors.append(
                    Issue(
                        code,
                        self.env._(
                            "%(where)s: %(field)s holds control characters (%(chars)s) "
                            "that the exported files cannot hold; retype it in the "
                            "source record.",
                            where=where() if callable(where) else where,
                            field=column.replace("client_", "client ").replace(
                                "_", " "
                            ),
                            chars=", ".join(bad),
                        ),
                    )
                )
        return errors

    def _load_employee_companies(self, rows):
        """The company each line's worker belongs to today: read with the
        workers when they carry it (``employee_company_id``), else one query.
        Called once per chunk of lines: what the checker remembers of the texts
        it looked at is dropped too, so memory follows the chunk."""
        self._unsafe = {}
        workers = [w for r in rows for w in r["workers"] if w["employee_id"]]
        if all("employee_company_id" in w for w in workers):
            self._employee_company = {
                w["employee_id"]: w["employee_company_id"] for w in workers
            }
            return
        ids = {w["employee_id"] for w in workers}
        self._employee_company = {}
        if ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id, company_id FROM hr_employee WHERE id = ANY(%s)",
                    list(ids),
                )
            )
            self._employee_company = dict(self.env.cr.fetchall())

    # What the report's totals need of a line once its results are written: one
    # shared dict per outcome instead of the worker line (see tally()).
    _OUTCOMES = {
        (ok, warned): {"is_ok": ok, "warning_text": "!" if warned else None}
        for ok in (True, False)
        for warned in (True, False)
    }
    _TALLY_KEEP = ("id", "contract_id", "registration_id", "is_ok", "warning_text")

    @classmethod
    def tally(cls, row):
        """A checked contract row reduced to what ``write_totals`` reads."""
        slim = {key: row.get(key) for key in cls._TALLY_KEEP}
        slim["workers"] = [
            cls._OUTCOMES[(bool(w["is_ok"]), bool(w["warning_text"]))]
            for w in row["workers"]
        ]
        return slim

    def _company_rfc_issues(self, missing_code, invalid_code):
        name = self.company.name
        if not self.company_rfc:
            return [
                Issue(
                    missing_code,
                    self.env._(
                        "%(company)s has no RFC (Tax ID): set it on the company.",
                        company=name,
                    ),
                )
            ]
        try:
            check_rfc(self.company_rfc)
        except IdentifierError as error:
            return [
                Issue(
                    invalid_code,
                    identifier_message(
                        self.env, error, name, self.env._("Company RFC")
                    ),
                )
            ]
        return []

    RESULT_COLUMNS = ("is_ok", "error_text", "warning_text", "problems")

    def _update(self, table, rows, extra):
        """Write the check results of ``rows`` (and ``extra`` columns) with one
        COPY and one UPDATE (see ``bulk.UpdateSpool``)."""
        spool = bulk.UpdateSpool(table, (*self.RESULT_COLUMNS, *extra))
        for row in rows:
            spool.add(row)
        spool.apply(self.env.cr)
