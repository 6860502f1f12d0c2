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
        error on the line, not a traceback at confirmation."""
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
                            where=where,
                            field=column.replace("client_", "client ").replace(
                                "_", " "
                            ),
                            chars=", ".join(bad),
                        ),
                    )
                )
        return errors

    def _load_employee_companies(self, rows):
        """The company each line's worker belongs to today (one query)."""
        ids = {w["employee_id"] for r in rows for w in r["workers"] if w["employee_id"]}
        self._employee_company = {}
        if ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id, company_id FROM hr_employee WHERE id = ANY(%s)",
                    list(ids),
                )
            )
            self._employee_company = dict(self.env.cr.fetchall())

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

    def _update(self, table, rows, extra):
        """Write the check results of ``rows`` (and ``extra`` columns) in one UPDATE."""
        if not rows:
            return
        columns = ("is_ok", "error_text", "warning_text", "problems", *extra)
        values = SQL(", ").join(
            SQL("(%s)", SQL(", ").join([row["id"], *(row[c] for c in columns)]))
            for row in rows
        )
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s FROM (VALUES %s) AS v(id, %s) WHERE t.id = v.id",
                SQL.identifier(table),
                SQL(", ").join(
                    # the JSON text of ``problems`` arrives as text
                    SQL(
                        "%s = v.%s::jsonb" if c == "problems" else "%s = v.%s",
                        SQL.identifier(c),
                        SQL.identifier(c),
                    )
                    for c in columns
                ),
                values,
                SQL(", ").join(SQL.identifier(c) for c in columns),
            )
        )
