"""Line-by-line checks of an ICSOE filing.

The blocking checks mirror the IMSS "información inconsistente" categories
(client = contractor, empty service, missing or inconsistent start date,
contract without workers, Normal without contracts, a second Normal) plus the
identifier and data-quality rules; warnings are shown but do not block.
The same checks run at generation (on the rows about to be inserted) and on
demand (on the stored lines), reading and writing in a constant number of
queries.
"""

import logging

from odoo.tools import SQL

from ..icsoe import layouts
from ..icsoe.identifiers import (
    IdentifierError,
    check_mx_phone,
    check_rfc,
    validate_curp,
    validate_nss,
    validate_sbc,
)
from ..icsoe.repse import REFORM_START
from . import bulk
from .check_base import ReportChecker
from .check_catalog import Issue, problem_list
from .common import identifier_message
from .guard import internal
from .repse import capture_text
from .res_partner import partner_rfc

_logger = logging.getLogger(__name__)

#: Contract lines checked at a time by a re-check.
RECHECK_CHUNK = 500

# (missing, not valid, twice in a contract)
NSS_CODES = (
    "ICSOE-WORKER-NSS-MISSING",
    "ICSOE-WORKER-NSS-INVALID",
    "ICSOE-WORKER-NSS-DUPLICATE",
)
CURP_CODES = (
    "ICSOE-WORKER-CURP-MISSING",
    "ICSOE-WORKER-CURP-INVALID",
    "ICSOE-WORKER-CURP-DUPLICATE",
)
ADDRESS_REQUIRED = (
    "client_street",
    "client_street_number",
    "client_colony",
    "client_zip",
    "client_city",
    "client_state",
)


class FilingChecker(ReportChecker):
    def __init__(self, filing):
        super().__init__(filing)
        self.filing = filing
        self._registrations = {}
        self.max_rows = layouts.worker_layout(filing.date_end).max_rows
        # Read once, not per worker line (a filing may have 200,000).
        self.date_end = filing.date_end
        self.company_id = filing.company_id.id
        self._worker_identifiers = (
            ("nss", self.env._("NSS"), validate_nss, NSS_CODES),
            ("curp", self.env._("CURP"), validate_curp, CURP_CODES),
        )

    # ---------------------------------------------------------------- data

    def _load_registrations(self, ids):
        ids = [i for i in set(ids) if i and i not in self._registrations]
        if not ids:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id, r.name, r.company_id, r.registration_date, r.expiry_date,
                       r.state,
                       EXISTS (
                           SELECT 1 FROM ir_attachment a
                            WHERE a.res_model = 'l10n_mx_icsoe.repse.registration'
                              AND a.res_field = 'document' AND a.res_id = r.id
                       ) AS has_document
                  FROM l10n_mx_icsoe_repse_registration r WHERE r.id = ANY(%s)
                """,
                ids,
            )
        )
        for row in self.env.cr.dictfetchall():
            self._registrations[row["id"]] = row

    # ---------------------------------------------------------------- checks

    def _contract_issues(self, row):
        ref = row["reference"] or ""
        errors, warnings = [], []
        rfc = row["client_rfc"]
        if not rfc:
            errors.append(
                Issue(
                    "ICSOE-CLIENT-RFC-MISSING",
                    self.env._("Contract %(ref)s: the client has no RFC.", ref=ref),
                )
            )
        else:
            try:
                info = check_rfc(rfc)
            except IdentifierError as error:
                errors.append(
                    Issue(
                        "ICSOE-CLIENT-RFC-INVALID",
                        identifier_message(
                            self.env,
                            error,
                            row["client_name"],
                            self.env._("Client RFC"),
                        ),
                    )
                )
            else:
                if info.generic:
                    warnings.append(
                        Issue(
                            "ICSOE-CLIENT-RFC-GENERIC",
                            self.env._(
                                "Contract %(ref)s: the client has a generic RFC; contracts with "
                                "foreign companies without a permanent establishment in Mexico "
                                "are not reported.",
                                ref=ref,
                            ),
                        )
                    )
                elif not info.checksum_ok:
                    warnings.append(
                        Issue(
                            "ICSOE-CLIENT-RFC-CHECK-DIGIT",
                            self.env._(
                                "Contract %(ref)s: the check digit of the client RFC %(rfc)s "
                                "does not match; verify it.",
                                ref=ref,
                                rfc=rfc,
                            ),
                        )
                    )
        if row["partner_id"] == self.company_partner_id or (
            rfc and rfc == self.company_rfc
        ):
            errors.append(
                Issue(
                    "ICSOE-IMSS1-SAME-PARTY",
                    self.env._(
                        "Contract %(ref)s: the client is the company itself (contratista and "
                        "contratante are the same).",
                        ref=ref,
                    ),
                )
            )
        if not (row["object"] or "").strip():
            errors.append(
                Issue(
                    "ICSOE-CONTRACT-OBJECT-MISSING",
                    self.env._(
                        "Contract %(ref)s: the Objeto del contrato is empty.", ref=ref
                    ),
                )
            )
        if not row["service_text"]:
            errors.append(
                Issue(
                    "ICSOE-IMSS2-SERVICE-MISSING",
                    self.env._(
                        "Contract %(ref)s: the Servicio u obra especializado (REPSE folio and "
                        "description) is empty.",
                        ref=ref,
                    ),
                )
            )
        date_errors, date_warnings = self._date_issues(row)
        errors += date_errors
        warnings += date_warnings
        if not row["worker_count"]:
            errors.append(
                Issue(
                    "ICSOE-IMSS4-NO-WORKERS",
                    self.env._(
                        "Contract %(ref)s: no worker is assigned to it. Assign the workers who "
                        "render the service (also those who start after the period).",
                        ref=ref,
                    ),
                )
            )
        elif row["worker_count"] > self.max_rows:
            warnings.append(
                Issue(
                    "ICSOE-CONTRACT-WORKER-FILE-SPLIT",
                    self.env._(
                        "Contract %(ref)s: %(count)s workers, more than the %(max)s rows the "
                        "portal takes per file: the worker CSV is split in several files. "
                        "Whether the portal accepts several uploads for one contract is not "
                        "confirmed; check it before the deadline.",
                        ref=ref,
                        count=row["worker_count"],
                        max=self.max_rows,
                    ),
                )
            )
        where = self.env._("Contract %(ref)s", ref=ref)
        errors += self._text_issues(
            row,
            where,
            ("reference", "object", "service_text"),
            "ICSOE-CONTRACT-CONTROL-CHARS",
        )
        errors += self._text_issues(
            row,
            where,
            (
                "client_name",
                "client_email",
                "client_mobile",
                "client_phone",
                "client_street",
                "client_street_number",
                "client_street_number2",
                "client_colony",
                "client_between_streets",
                "client_zip",
                "client_city",
            ),
            "ICSOE-CLIENT-CONTROL-CHARS",
        )
        if not row["client_email"]:
            errors.append(
                Issue(
                    "ICSOE-CLIENT-EMAIL-MISSING",
                    self.env._(
                        "Contract %(ref)s: the client %(client)s has no e-mail.",
                        ref=ref,
                        client=row["client_name"],
                    ),
                )
            )
        if not row["client_mobile"]:
            errors.append(
                Issue(
                    "ICSOE-CLIENT-MOBILE-MISSING",
                    self.env._(
                        "Contract %(ref)s: the client %(client)s has no mobile phone.",
                        ref=ref,
                        client=row["client_name"],
                    ),
                )
            )
        else:
            phone_errors, phone_warnings = self._phone_issues(row, ref)
            errors += phone_errors
            warnings += phone_warnings
        if row["client_other_address"] and not all(row[f] for f in ADDRESS_REQUIRED):
            errors.append(
                Issue(
                    "ICSOE-CLIENT-ADDRESS-INCOMPLETE",
                    self.env._(
                        "Contract %(ref)s: the social/conventional address of %(client)s is "
                        "incomplete (street, number, colonia, ZIP, municipality, state).",
                        ref=ref,
                        client=row["client_name"],
                    ),
                )
            )
        if row["client_other_address"] and not row.get("client_between_streets"):
            warnings.append(
                Issue(
                    "ICSOE-CLIENT-ADDRESS-BETWEEN-STREETS",
                    self.env._(
                        "Contract %(ref)s: the social/conventional address of %(client)s has "
                        "no 'entre calles' (Between Streets): the IMSS form asks for it.",
                        ref=ref,
                        client=row["client_name"],
                    ),
                )
            )
        return errors, warnings

    def _phone_issues(self, row, ref):
        """The client's mobile must be a valid Mexican number; a known landline warns."""
        errors, warnings = [], []
        for column, label, required_mobile, code in (
            (
                "client_mobile",
                self.env._("Mobile"),
                True,
                "ICSOE-CLIENT-MOBILE-INVALID",
            ),
            (
                "client_phone",
                self.env._("Landline"),
                False,
                "ICSOE-CLIENT-LANDLINE-INVALID",
            ),
        ):
            if not row.get(column):
                continue
            try:
                info = check_mx_phone(row[column])
            except RuntimeError:  # phonenumbers missing: Odoo cannot check phones
                return errors, warnings
            except IdentifierError as error:
                message = identifier_message(self.env, error, row["client_name"], label)
                (errors if required_mobile else warnings).append(
                    Issue(
                        code,
                        self.env._(
                            "Contract %(ref)s: %(message)s", ref=ref, message=message
                        ),
                    )
                )
                continue
            if required_mobile and info.kind == "fixed":
                warnings.append(
                    Issue(
                        "ICSOE-CLIENT-MOBILE-IS-LANDLINE",
                        self.env._(
                            "Contract %(ref)s: the mobile phone %(phone)s of %(client)s is a "
                            "landline; IMSS asks for a mobile.",
                            ref=ref,
                            phone=row[column],
                            client=row["client_name"],
                        ),
                    )
                )
        return errors, warnings

    def _date_issues(self, row):
        """(errors, warnings) about the contract's dates and its REPSE registration."""
        ref = row["reference"] or ""
        filing = self.filing
        start, end = row["date_start"], row["date_end"]
        if not start:
            return [
                Issue(
                    "ICSOE-IMSS3-START-MISSING",
                    self.env._("Contract %(ref)s: the Start Date is missing.", ref=ref),
                )
            ], []
        errors, warnings = [], []
        if not filing.date_start <= start <= filing.date_end:
            errors.append(
                Issue(
                    "ICSOE-IMSS3-START-OUTSIDE-PERIOD",
                    self.env._(
                        "Contract %(ref)s: the Start Date %(start)s is outside the period "
                        "%(period_start)s to %(period_end)s.",
                        ref=ref,
                        start=start,
                        period_start=filing.date_start,
                        period_end=filing.date_end,
                    ),
                )
            )
        if start < REFORM_START:
            errors.append(
                Issue(
                    "ICSOE-CONTRACT-BEFORE-REFORM",
                    self.env._(
                        "Contract %(ref)s: it started on %(start)s, before 24 April 2021; "
                        "contracts started before the reform are not reported.",
                        ref=ref,
                        start=start,
                    ),
                )
            )
        if end and end < start:
            errors.append(
                Issue(
                    "ICSOE-IMSS3-END-BEFORE-START",
                    self.env._(
                        "Contract %(ref)s: the End Date %(end)s is before the Start Date.",
                        ref=ref,
                        end=end,
                    ),
                )
            )
        reg = self._registrations.get(row["registration_id"])
        if not reg:
            return errors, warnings
        if reg["company_id"] != filing.company_id.id:
            errors.append(
                Issue(
                    "ICSOE-REPSE-OTHER-COMPANY",
                    self.env._(
                        "Contract %(ref)s: the REPSE service belongs to another company.",
                        ref=ref,
                    ),
                )
            )
            return errors, warnings
        valid = self.chain.valid_for(reg["id"], start)
        if not valid:
            errors.append(
                Issue(
                    "ICSOE-IMSS3-REPSE-NOT-VALID",
                    self.env._(
                        "Contract %(ref)s: neither REPSE registration %(reg)s nor a "
                        "registration it renews was valid on the Start Date %(start)s. Move "
                        "the contract to a service of the registration valid on that date.",
                        ref=ref,
                        reg=reg["name"],
                        start=start,
                    ),
                )
            )
        elif self.chain.relies_on_pending(valid, start):
            warnings.append(
                Issue(
                    "ICSOE-REPSE-PENDING-RENEWAL",
                    self.env._(
                        "Contract %(ref)s: it started on %(start)s, after REPSE registration "
                        "%(reg)s expired; it counts as valid because the renewal was requested "
                        "in time (setting 'Pending REPSE Renewal Keeps Validity'). Record the "
                        "renewed registration when the STPS grants it.",
                        ref=ref,
                        start=start,
                        reg=valid.name,
                    ),
                )
            )
        return errors, warnings

    def _worker_issues(self, contract_row, worker, seen_nss, seen_curp):
        ref = contract_row["reference"] or ""
        name = worker["name"] or ""
        errors, warnings = [], []
        seen_by_field = {"nss": seen_nss, "curp": seen_curp}
        for field, label, validate, codes in self._worker_identifiers:
            seen = seen_by_field[field]
            missing_code, invalid_code, duplicate_code = codes
            value = worker[field]
            if not value:
                errors.append(
                    Issue(
                        missing_code,
                        self.env._(
                            "Contract %(ref)s: worker %(name)s has no %(field)s.",
                            ref=ref,
                            name=name,
                            field=label,
                        ),
                    )
                )
                continue
            try:
                validate(value)
            except IdentifierError as error:
                errors.append(
                    Issue(
                        invalid_code,
                        identifier_message(self.env, error, name, label),
                    )
                )
            if value in seen:
                errors.append(
                    Issue(
                        duplicate_code,
                        self.env._(
                            "Contract %(ref)s: %(field)s %(value)s appears twice "
                            "(%(name)s).",
                            ref=ref,
                            field=label,
                            value=value,
                            name=name,
                        ),
                    )
                )
            seen.add(value)
        errors += self._text_issues(
            worker,
            lambda: self.env._("Contract %(ref)s, worker %(name)s", ref=ref, name=name),
            ("name",),
            "ICSOE-WORKER-CONTROL-CHARS",
        )
        assigned = worker.get("date_assigned")
        if assigned and assigned > self.date_end:
            warnings.append(
                Issue(
                    "ICSOE-WORKER-STARTS-AFTER-PERIOD",
                    self.env._(
                        "Contract %(ref)s: worker %(name)s starts on %(date)s, after the "
                        "period; reported because the informativa lists the workers who will "
                        "render the service (LSS art. 15-A fr. II).",
                        ref=ref,
                        name=name,
                        date=assigned,
                    ),
                )
            )
        moved_to = self._employee_company.get(worker.get("employee_id"))
        if moved_to and moved_to != self.company_id:
            warnings.append(
                Issue(
                    "ICSOE-WORKER-OTHER-COMPANY",
                    self.env._(
                        "Contract %(ref)s: worker %(name)s now belongs to another company; "
                        "reported with the NSS, CURP and SBC this company recorded.",
                        ref=ref,
                        name=name,
                    ),
                )
            )
        sbc = worker["sbc"]
        if not sbc:
            errors.append(
                Issue(
                    "ICSOE-WORKER-SBC-MISSING",
                    self.env._(
                        "Contract %(ref)s: worker %(name)s has no SBC recorded by this company. "
                        "Add the SBC to the worker's SBC history.",
                        ref=ref,
                        name=name,
                    ),
                )
            )
        elif worker.get("sbc_date") and worker["sbc_date"] > self.date_end:
            warnings.append(
                Issue(
                    "ICSOE-WORKER-SBC-AFTER-PERIOD",
                    self.env._(
                        "Contract %(ref)s: worker %(name)s had no SBC by the end of the period; "
                        "the first one registered after it (from %(date)s) is reported.",
                        ref=ref,
                        name=name,
                        date=worker["sbc_date"],
                    ),
                )
            )
        else:
            try:
                if validate_sbc(round(sbc, 2), self.uma):
                    warnings.append(
                        Issue(
                            "ICSOE-WORKER-SBC-ABOVE-CAP",
                            self.env._(
                                "Contract %(ref)s: the SBC %(sbc).2f of %(name)s is above 25 UMA.",
                                ref=ref,
                                sbc=sbc,
                                name=name,
                            ),
                        )
                    )
            except IdentifierError as error:
                errors.append(
                    Issue(
                        "ICSOE-WORKER-SBC-INVALID",
                        identifier_message(self.env, error, name, self.env._("SBC")),
                    )
                )
        return errors, warnings

    def _check_rows(self, rows):
        self._load_registrations(r["registration_id"] for r in rows)
        self._load_employee_companies(rows)
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
        """Check the stored lines again and store the results.

        The contract lines are read at once (one small row each); their workers
        are streamed in contract order and checked :data:`RECHECK_CHUNK`
        contracts at a time; the results go back with one COPY and one UPDATE
        per line table (``bulk.UpdateSpool``)."""
        filing = self.filing
        env = self.env
        env.flush_all()
        cr = env.cr
        cr.execute(
            SQL(
                "SELECT * FROM l10n_mx_icsoe_filing_contract WHERE filing_id = %s "
                "ORDER BY sequence, id",
                filing.id,
            )
        )
        rows = cr.dictfetchall()
        workers = bulk.stream(
            cr,
            SQL(
                """
                SELECT w.*, e.company_id AS employee_company_id
                  FROM l10n_mx_icsoe_filing_worker w
                  JOIN l10n_mx_icsoe_filing_contract l ON l.id = w.filing_contract_id
             LEFT JOIN hr_employee e ON e.id = w.employee_id
                 WHERE w.filing_id = %s
              ORDER BY l.sequence, l.id, w.name, w.id
                """,
                filing.id,
            ),
        )
        contract_spool = bulk.UpdateSpool(
            "l10n_mx_icsoe_filing_contract", (*self.RESULT_COLUMNS, "worker_count")
        )
        worker_spool = bulk.UpdateSpool(
            "l10n_mx_icsoe_filing_worker", self.RESULT_COLUMNS
        )
        pending = next(workers, None)
        for start in range(0, len(rows), RECHECK_CHUNK):
            chunk = rows[start : start + RECHECK_CHUNK]
            for row in chunk:
                row["workers"] = []
                while (
                    pending is not None and pending["filing_contract_id"] == row["id"]
                ):
                    row["workers"].append(pending)
                    pending = next(workers, None)
            self._check_rows(chunk)
            for row in chunk:
                contract_spool.add(row)
                for worker in row["workers"]:
                    worker_spool.add(worker)
            rows[start : start + RECHECK_CHUNK] = [self.tally(row) for row in chunk]
        bulk.ensure_consumed(pending)
        contract_spool.apply(cr)
        worker_spool.apply(cr)
        env.invalidate_all()
        self.write_totals(rows)

    def _filing_issues(self, rows):
        """(errors, warnings, not reported) about the filing as a whole."""
        filing = self.filing
        errors, warnings = [], []
        if filing.filing_type in ("normal", "correction") and not rows:
            errors.append(
                Issue(
                    "ICSOE-IMSS5-NO-CONTRACTS",
                    self.env._(
                        "No reportable contract started in %(year)s-%(period)s: a Normal or "
                        "Corrección needs at least one contract. File a 'Sin información' "
                        "informativa instead.",
                        year=filing.year,
                        period=filing.period,
                    ),
                )
            )
        if filing.filing_type == "no_info" and rows:
            errors.append(
                Issue(
                    "ICSOE-REPORT-NO-INFO-WITH-CONTRACTS",
                    self.env._(
                        "%(count)s contract(s) started in %(year)s-%(period)s: a 'Sin "
                        "información' informativa is wrong, file a Normal (button 'Make it "
                        "Normal').",
                        count=len(rows),
                        year=filing.year,
                        period=filing.period,
                    ),
                )
            )
        if filing.state in ("draft", "confirmed"):
            refusal = filing._chain_refusal()
            if refusal:
                errors.append(Issue("ICSOE-IMSS6-CHAIN", refusal))
        errors += self._contractor_issues()
        for reg_id in sorted(
            {r["registration_id"] for r in rows if r["registration_id"]}
        ):
            reg = self._registrations.get(reg_id)
            if reg and not reg["has_document"]:
                warnings.append(
                    Issue(
                        "ICSOE-REPSE-PDF-MISSING",
                        self.env._(
                            "REPSE registration %(reg)s has no STPS registration PDF "
                            "attached; the ICSOE asks for a copy of it (LSS art. 15-A fr. "
                            "III). Attach it on the registration.",
                            reg=reg["name"],
                        ),
                        record=("l10n_mx_icsoe.repse.registration", reg_id),
                    )
                )
        not_reported = []
        for contract in self._unreported_contracts():
            if contract["state"] == "draft":
                warnings.append(
                    Issue(
                        "ICSOE-CONTRACT-DRAFT",
                        self.env._(
                            "Contract %(ref)s (%(client)s) starts on %(start)s but is still a "
                            "draft: it is not reported. Activate it and regenerate if it was "
                            "signed.",
                            ref=contract["name"],
                            client=contract["client"],
                            start=contract["date_start"],
                        ),
                        record=("l10n_mx_icsoe.contract", contract["id"]),
                    )
                )
            elif contract["foreign"]:
                not_reported.append(
                    self.env._(
                        "Contract %(ref)s (%(client)s) is not reported: the client is a "
                        "foreign resident without a permanent establishment in Mexico, "
                        "whose contracts IMSS does not receive.",
                        ref=contract["name"],
                        client=contract["client"],
                    )
                )
            else:
                not_reported.append(
                    self.env._(
                        "Contract %(ref)s (%(client)s) is not reported: it started on "
                        "%(start)s, before 24 April 2021.",
                        ref=contract["name"],
                        client=contract["client"],
                        start=contract["date_start"],
                    )
                )
        return errors, warnings, not_reported

    def _contractor_issues(self):
        """LSS art. 15-A fr. I: the contractor's own data (entered once in the portal)."""
        company = self.filing.company_id
        name = company.name
        errors = self._company_rfc_issues(
            "ICSOE-COMPANY-RFC-MISSING", "ICSOE-COMPANY-RFC-INVALID"
        )
        if not (company.l10n_mx_icsoe_email or company.email):
            errors.append(
                Issue(
                    "ICSOE-COMPANY-EMAIL-MISSING",
                    self.env._(
                        "%(company)s has no ICSOE Contact E-mail (nor a company e-mail): IMSS "
                        "sends its notices there. Set it in Settings > ICSOE or on the company.",
                        company=name,
                    ),
                )
            )
        phone = company.l10n_mx_icsoe_phone or company.phone
        if not phone:
            errors.append(
                Issue(
                    "ICSOE-COMPANY-PHONE-MISSING",
                    self.env._(
                        "%(company)s has no ICSOE Contact Phone (nor a company phone): set it on "
                        "the company.",
                        company=name,
                    ),
                )
            )
        else:
            try:
                check_mx_phone(phone)
            except RuntimeError:
                _logger.debug("phonenumbers is missing: phones are not checked")
            except IdentifierError as error:
                errors.append(
                    Issue(
                        "ICSOE-COMPANY-PHONE-INVALID",
                        identifier_message(
                            self.env, error, name, self.env._("ICSOE Contact Phone")
                        ),
                    )
                )
        missing = [
            label
            for label, value in (
                (self.env._("street"), company.street),
                (self.env._("ZIP"), company.zip),
                (self.env._("city"), company.city),
                (self.env._("state"), company.state_id),
            )
            if not value
        ]
        if missing:
            errors.append(
                Issue(
                    "ICSOE-COMPANY-ADDRESS-INCOMPLETE",
                    self.env._(
                        "%(company)s: the fiscal address is incomplete (%(missing)s); complete "
                        "it on the company.",
                        company=name,
                        missing=", ".join(missing),
                    ),
                )
            )
        return errors

    def _unreported_contracts(self):
        """Contracts started in the period that generation leaves out (one query)."""
        filing = self.filing
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.name, c.state, c.date_start, cp.name AS client,
                       COALESCE(cp.l10n_mx_icsoe_foreign_resident, FALSE) AS foreign
                  FROM l10n_mx_icsoe_contract c
                  JOIN res_partner p ON p.id = c.partner_id
                  JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
                 WHERE c.company_id = %(company)s
                   AND c.state != 'cancelled'
                   AND c.date_start BETWEEN %(start)s AND %(end)s
                   AND (c.state = 'draft'
                        OR COALESCE(cp.l10n_mx_icsoe_foreign_resident, FALSE)
                        OR c.date_start < %(reform)s)
              ORDER BY c.date_start, c.name, c.id
                """,
                company=filing.company_id.id,
                start=filing.date_start,
                end=filing.date_end,
                reform=REFORM_START,
            )
        )
        return self.env.cr.dictfetchall()

    def write_totals(self, rows, generated_at=None):
        filing_errors, filing_warnings, not_reported = self._filing_issues(rows)
        vals = {
            "contract_count": len(rows),
            "worker_count": sum(len(r["workers"]) for r in rows),
            "error_count": len(filing_errors)
            + sum(not r["is_ok"] for r in rows)
            + sum(not w["is_ok"] for r in rows for w in r["workers"]),
            "warning_count": len(filing_warnings)
            + sum(bool(r["warning_text"]) for r in rows)
            + sum(bool(w["warning_text"]) for r in rows for w in r["workers"]),
            "check_message": "\n".join(filing_errors) or False,
            "warning_message": "\n".join(filing_warnings) or False,
            "info_message": "\n".join(not_reported) or False,
            "report_problems": problem_list(filing_errors, filing_warnings) or False,
        }
        if generated_at:
            vals["generated_at"] = generated_at
        internal(self.filing).write(vals)
