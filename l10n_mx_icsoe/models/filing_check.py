"""Line-by-line checks of an ICSOE filing.

The blocking checks mirror the IMSS "información inconsistente" categories
(client = contractor, empty service, missing or inconsistent start date,
contract without workers, Normal without contracts, a second Normal) plus the
identifier and data-quality rules; warnings are shown but do not block.
The same checks run at generation (on the rows about to be inserted) and on
demand (on the stored lines), reading and writing in a constant number of
queries.
"""

from odoo import fields
from odoo.tools import SQL

from ..icsoe.identifiers import (
    IdentifierError,
    check_rfc,
    validate_curp,
    validate_nss,
    validate_sbc,
)
from .common import identifier_message
from .guard import internal
from .repse import capture_text
from .res_partner import partner_rfc

ADDRESS_REQUIRED = (
    "client_street",
    "client_street_number",
    "client_colony",
    "client_zip",
    "client_city",
    "client_state",
)


class FilingChecker:
    def __init__(self, filing):
        self.filing = filing
        self.env = filing.env
        self._ = filing.env._
        company = filing.company_id
        self.company_rfc = partner_rfc(company.vat)
        self.company_partner_id = company.partner_id.id
        self.uma = self.env["l10n_mx_icsoe.uma"]._daily_amount_on(filing.date_end)
        self._registrations = {}

    # ---------------------------------------------------------------- data

    def _load_registrations(self, ids):
        ids = [i for i in set(ids) if i and i not in self._registrations]
        if not ids:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT id, name, company_id, registration_date, expiry_date, state
                  FROM l10n_mx_icsoe_repse_registration WHERE id = ANY(%s)
                """,
                ids,
            )
        )
        for row in self.env.cr.dictfetchall():
            self._registrations[row["id"]] = row

    # ---------------------------------------------------------------- checks

    def _contract_issues(self, row):
        _ = self._
        ref = row["reference"] or ""
        errors, warnings = [], []
        rfc = row["client_rfc"]
        if not rfc:
            errors.append(_("Contract %(ref)s: the client has no RFC.", ref=ref))
        else:
            try:
                info = check_rfc(rfc)
            except IdentifierError as error:
                errors.append(
                    identifier_message(
                        self.env, error, row["client_name"], _("Client RFC")
                    )
                )
            else:
                if info.generic:
                    warnings.append(
                        _(
                            "Contract %(ref)s: the client has a generic RFC; contracts with "
                            "foreign companies without a permanent establishment in Mexico "
                            "are not reported.",
                            ref=ref,
                        )
                    )
                elif not info.checksum_ok:
                    warnings.append(
                        _(
                            "Contract %(ref)s: the check digit of the client RFC %(rfc)s "
                            "does not match; verify it.",
                            ref=ref,
                            rfc=rfc,
                        )
                    )
        if row["partner_id"] == self.company_partner_id or (
            rfc and rfc == self.company_rfc
        ):
            errors.append(
                _(
                    "Contract %(ref)s: the client is the company itself (contratista and "
                    "contratante are the same).",
                    ref=ref,
                )
            )
        if not (row["object"] or "").strip():
            errors.append(
                _("Contract %(ref)s: the Objeto del contrato is empty.", ref=ref)
            )
        if not row["service_text"]:
            errors.append(
                _(
                    "Contract %(ref)s: the Servicio u obra especializado (REPSE folio and "
                    "description) is empty.",
                    ref=ref,
                )
            )
        errors += self._date_issues(row)
        if not row["worker_count"]:
            errors.append(
                _("Contract %(ref)s: no worker is assigned in the period.", ref=ref)
            )
        if not row["client_email"]:
            errors.append(
                _(
                    "Contract %(ref)s: the client %(client)s has no e-mail.",
                    ref=ref,
                    client=row["client_name"],
                )
            )
        if not row["client_mobile"]:
            errors.append(
                _(
                    "Contract %(ref)s: the client %(client)s has no mobile phone.",
                    ref=ref,
                    client=row["client_name"],
                )
            )
        if row["client_other_address"] and not all(row[f] for f in ADDRESS_REQUIRED):
            errors.append(
                _(
                    "Contract %(ref)s: the social/conventional address of %(client)s is "
                    "incomplete (street, number, colonia, ZIP, municipality, state).",
                    ref=ref,
                    client=row["client_name"],
                )
            )
        return errors, warnings

    def _date_issues(self, row):
        _ = self._
        ref = row["reference"] or ""
        filing = self.filing
        start, end = row["date_start"], row["date_end"]
        if not start:
            return [_("Contract %(ref)s: the Start Date is missing.", ref=ref)]
        errors = []
        if not filing.date_start <= start <= filing.date_end:
            errors.append(
                _(
                    "Contract %(ref)s: the Start Date %(start)s is outside the period "
                    "%(period_start)s to %(period_end)s.",
                    ref=ref,
                    start=start,
                    period_start=filing.date_start,
                    period_end=filing.date_end,
                )
            )
        if end and end < start:
            errors.append(
                _(
                    "Contract %(ref)s: the End Date %(end)s is before the Start Date.",
                    ref=ref,
                    end=end,
                )
            )
        reg = self._registrations.get(row["registration_id"])
        if not reg:
            return errors
        if reg["company_id"] != filing.company_id.id:
            errors.append(
                _(
                    "Contract %(ref)s: the REPSE service belongs to another company.",
                    ref=ref,
                )
            )
        elif reg["state"] == "cancelled" or not (
            reg["registration_date"] <= start < reg["expiry_date"]
        ):
            errors.append(
                _(
                    "Contract %(ref)s: REPSE registration %(reg)s is not valid on the Start "
                    "Date %(start)s.",
                    ref=ref,
                    reg=reg["name"],
                    start=start,
                )
            )
        elif reg["state"] == "expired" or reg["expiry_date"] <= fields.Date.today():
            errors.append(
                _(
                    "Contract %(ref)s: REPSE registration %(reg)s expired on %(expiry)s; "
                    "renew it before filing.",
                    ref=ref,
                    reg=reg["name"],
                    expiry=reg["expiry_date"],
                )
            )
        return errors

    def _worker_issues(self, contract_row, worker, seen_nss, seen_curp):
        _ = self._
        ref = contract_row["reference"] or ""
        name = worker["name"] or ""
        errors, warnings = [], []
        for field, label, validate, seen in (
            ("nss", _("NSS"), validate_nss, seen_nss),
            ("curp", _("CURP"), validate_curp, seen_curp),
        ):
            value = worker[field]
            if not value:
                errors.append(
                    _(
                        "Contract %(ref)s: worker %(name)s has no %(field)s.",
                        ref=ref,
                        name=name,
                        field=label,
                    )
                )
                continue
            try:
                validate(value)
            except IdentifierError as error:
                errors.append(identifier_message(self.env, error, name, label))
            if value in seen:
                errors.append(
                    _(
                        "Contract %(ref)s: %(field)s %(value)s appears twice (%(name)s).",
                        ref=ref,
                        field=label,
                        value=value,
                        name=name,
                    )
                )
            seen.add(value)
        sbc = worker["sbc"]
        if not sbc:
            errors.append(
                _(
                    "Contract %(ref)s: worker %(name)s has no SBC up to the end of the period.",
                    ref=ref,
                    name=name,
                )
            )
        else:
            try:
                if validate_sbc(round(sbc, 2), self.uma):
                    warnings.append(
                        _(
                            "Contract %(ref)s: the SBC %(sbc).2f of %(name)s is above 25 UMA.",
                            ref=ref,
                            sbc=sbc,
                            name=name,
                        )
                    )
            except IdentifierError as error:
                errors.append(identifier_message(self.env, error, name, _("SBC")))
        return errors, warnings

    @staticmethod
    def _result(row, errors, warnings):
        row["is_ok"] = not errors
        row["error_text"] = "\n".join(errors) or None
        row["warning_text"] = "\n".join(warnings) or None

    def _check_rows(self, rows):
        self._load_registrations(r["registration_id"] for r in rows)
        for row in rows:
            seen_nss, seen_curp = set(), set()
            for worker in row["workers"]:
                self._result(
                    worker, *self._worker_issues(row, worker, seen_nss, seen_curp)
                )
            row["worker_count"] = len(row["workers"])
            self._result(row, *self._contract_issues(row))
        return rows

    # ---------------------------------------------------------------- entry points

    def prepare(self, contracts, workers):
        """Rows ready to insert: source data normalised, checks applied."""
        by_contract = {}
        for worker in workers:
            by_contract.setdefault(worker["contract_id"], []).append(worker)
        for sequence, row in enumerate(contracts, 1):
            row["sequence"] = sequence
            row["client_rfc"] = partner_rfc(row["client_rfc"]) or None
            try:
                row["client_person_type"] = check_rfc(row["client_rfc"]).person_type
            except IdentifierError:
                row["client_person_type"] = None
            row["service_text"] = (
                capture_text(row.pop("service_folio"), row.pop("service_description"))
                or None
            )
            row["workers"] = sorted(
                by_contract.get(row["contract_id"], []),
                key=lambda w: (w["name"] or "", w["employee_id"]),
            )
        return self._check_rows(contracts)

    def recheck(self):
        """Check the stored lines again and store the results."""
        filing = self.filing
        env = self.env
        env.flush_all()
        cr = env.cr
        cr.execute(
            SQL(
                "SELECT * FROM l10n_mx_icsoe_filing_contract WHERE filing_id = %s ORDER BY sequence, id",
                filing.id,
            )
        )
        rows = cr.dictfetchall()
        cr.execute(
            SQL(
                "SELECT * FROM l10n_mx_icsoe_filing_worker WHERE filing_id = %s ORDER BY name, id",
                filing.id,
            )
        )
        by_line = {}
        for worker in cr.dictfetchall():
            by_line.setdefault(worker["filing_contract_id"], []).append(worker)
        for row in rows:
            row["workers"] = by_line.get(row["id"], [])
        self._check_rows(rows)
        self._update("l10n_mx_icsoe_filing_contract", rows, ("worker_count",))
        self._update(
            "l10n_mx_icsoe_filing_worker", [w for r in rows for w in r["workers"]], ()
        )
        env.invalidate_all()
        self.write_totals(rows)

    def _update(self, table, rows, extra):
        if not rows:
            return
        columns = ("is_ok", "error_text", "warning_text", *extra)
        values = SQL(", ").join(
            SQL("(%s)", SQL(", ").join([row["id"], *(row[c] for c in columns)]))
            for row in rows
        )
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s FROM (VALUES %s) AS v(id, %s) WHERE t.id = v.id",
                SQL.identifier(table),
                SQL(", ").join(
                    SQL("%s = v.%s", SQL.identifier(c), SQL.identifier(c))
                    for c in columns
                ),
                values,
                SQL(", ").join(SQL.identifier(c) for c in columns),
            )
        )

    def _filing_issues(self, rows):
        _ = self._
        filing = self.filing
        errors = []
        if filing.filing_type in ("normal", "correction") and not rows:
            errors.append(
                _(
                    "No contract started in %(year)s-%(period)s: a Normal or Corrección "
                    "needs at least one contract. File a 'Sin información' informativa "
                    "instead.",
                    year=filing.year,
                    period=filing.period,
                )
            )
        if filing.filing_type == "no_info" and rows:
            errors.append(
                _(
                    "%(count)s contract(s) started in %(year)s-%(period)s: a 'Sin "
                    "información' informativa is wrong, file a Normal.",
                    count=len(rows),
                    year=filing.year,
                    period=filing.period,
                )
            )
        if filing.filing_type in ("normal", "no_info"):
            others = filing.search_count(
                [
                    ("id", "!=", filing.id),
                    ("company_id", "=", filing.company_id.id),
                    ("year", "=", filing.year),
                    ("period", "=", filing.period),
                    ("filing_type", "in", ("normal", "no_info")),
                    ("state", "!=", "voided"),
                ]
            )
            if others:
                errors.append(
                    _(
                        "Another Normal or Sin información informativa exists for this "
                        "period: IMSS lists a second one as inconsistent."
                    )
                )
        target = filing.replaced_filing_id
        if filing.filing_type in ("correction", "void") and (
            not target or target.state != "filed"
        ):
            errors.append(
                _(
                    "The informativa to replace must be filed and not already replaced "
                    "or voided."
                )
            )
        return errors

    def write_totals(self, rows, generated_at=None):
        filing_errors = self._filing_issues(rows)
        vals = {
            "contract_count": len(rows),
            "worker_count": sum(len(r["workers"]) for r in rows),
            "error_count": len(filing_errors)
            + sum(not r["is_ok"] for r in rows)
            + sum(not w["is_ok"] for r in rows for w in r["workers"]),
            "warning_count": sum(bool(r["warning_text"]) for r in rows)
            + sum(bool(w["warning_text"]) for r in rows for w in r["workers"]),
            "check_message": "\n".join(filing_errors) or False,
        }
        if generated_at:
            vals["generated_at"] = generated_at
        internal(self.filing).write(vals)
