"""The catalogue of the reports' checks: every error and warning a checker can put
on a line or on a report, with a stable code, a severity, a short title and how to
fix it.

Codes read ``<REPORT>-<SUBJECT>-<PROBLEM>`` in capitals: the report is ``ICSOE``
(the IMSS informativa) or ``SISUB`` (the INFONAVIT report); the subject says what
holds the data (``CLIENT``, ``CONTRACT``, ``WORKER``, ``COMPANY``, ``REPSE``,
``WORK-SITE``, ``REPORT``); the checks that mirror an IMSS "información
inconsistente" category have the subject ``IMSS<n>``, n being the category's
number in the domain notes (§7.1). A code is never renamed nor given another
meaning: filters, exports and the documentation (readme/USAGE.md, kept in step by
a test) rely on it; a check that goes away leaves its code unused.

A checker builds each message as an :class:`Issue` (a ``str``, so the joined
``error_text`` / ``warning_text`` stay as they were) carrying its code; the line's
``problems`` column stores ``[{code, severity, message}]`` in the same statement
as the texts. Titles and fixes are translated when shown, never per line.
"""

from json.encoder import encode_basestring
from typing import NamedTuple

ERROR = "error"
WARNING = "warning"
SEVERITIES = [(ERROR, "Error"), (WARNING, "Warning")]

# What a user opens to fix a problem (the problems list's button).
CLIENT = "client"
CONTRACT = "contract"
EMPLOYEE = "employee"
REGISTRATION = "registration"
WORK_SITE = "work_site"
COMPANY = "company"
REPORT = "report"


class Issue(str):
    """A check's message with its catalogue code.

    ``record`` names the record to fix, ``(model, id)``, for a problem of the
    report as a whole (a line's problems are fixed on the line's sources).
    """

    def __new__(cls, code, message, record=None):
        issue = super().__new__(cls, message)
        issue.code = code
        issue.record = record
        return issue


def problem_list(errors, warnings):
    """[{code, severity, message[, model, res_id]}] of a check's result."""
    problems = []
    for severity, issues in ((ERROR, errors), (WARNING, warnings)):
        for issue in issues:
            problem = {"code": issue.code, "severity": severity, "message": issue}
            if issue.record:
                problem["model"], problem["res_id"] = issue.record
            problems.append(problem)
    return problems


def problems_json(errors, warnings):
    """The ``problems`` column of a line as JSON text (None without problems).

    Written by hand for speed (generation writes hundreds of thousands of
    lines): the codes and severities are plain ASCII, the messages are encoded
    by the json module's C string encoder; the same text as :func:`json.dumps`
    of :func:`problem_list` with ``ensure_ascii=False``."""
    if not errors and not warnings:
        return None
    parts = []
    for severity, issues in ((ERROR, errors), (WARNING, warnings)):
        for issue in issues:
            record = issue.record
            extra = f', "model": "{record[0]}", "res_id": {record[1]}' if record else ""
            parts.append(
                f'{{"code": "{issue.code}", "severity": "{severity}", '
                f'"message": {encode_basestring(issue)}{extra}}}'
            )
    return "[" + ", ".join(parts) + "]"


class Check(NamedTuple):
    code: str
    severity: str
    source: str
    title: str
    fix: str


def catalog(env):
    """{code: Check}, titles and fixes in the language of ``env``."""
    return {check.code: check for check in _checks(env)}


def _checks(env):
    return (
        *_icsoe_checks(env),
        *_sisub_checks(env),
    )


def _shared_checks(env):
    """(severity, source, title, how to fix) of the checks both reports make
    alike, by the code they share after their prefix."""
    return {
        "CLIENT-RFC-INVALID": (
            ERROR,
            CLIENT,
            env._("Client RFC not valid"),
            env._(
                "Correct the client's RFC as on its constancia de situación fiscal: 12 "
                "characters for a company, 13 for an individual."
            ),
        ),
        "COMPANY-RFC-INVALID": (
            ERROR,
            COMPANY,
            env._("Company RFC not valid"),
            env._(
                "Correct the company's RFC as on its constancia de situación fiscal: 12 "
                "characters for a company, 13 for an individual."
            ),
        ),
        "COMPANY-RFC-MISSING": (
            ERROR,
            COMPANY,
            env._("Company without RFC"),
            env._("Set the company's RFC (Tax ID) on the company."),
        ),
        "CONTRACT-CONTROL-CHARS": (
            ERROR,
            CONTRACT,
            env._("Contract text with control characters"),
            env._(
                "Retype the field the message names on the contract: text pasted from "
                "other programs may carry invisible characters."
            ),
        ),
        "CONTRACT-OBJECT-MISSING": (
            ERROR,
            CONTRACT,
            env._("Objeto del contrato empty"),
            env._("Type the Objeto del contrato on the contract."),
        ),
        "REPSE-PDF-MISSING": (
            WARNING,
            REGISTRATION,
            env._("STPS registration PDF missing"),
            env._("Attach the STPS registration PDF on the REPSE registration."),
        ),
        "WORKER-CONTROL-CHARS": (
            ERROR,
            EMPLOYEE,
            env._("Worker name with control characters"),
            env._("Retype the worker's name on the employee."),
        ),
        "WORKER-NSS-DUPLICATE": (
            ERROR,
            EMPLOYEE,
            env._("NSS twice in a contract"),
            env._(
                "Two workers of the contract have the same NSS: correct the wrong one on "
                "its employee."
            ),
        ),
        "WORKER-NSS-INVALID": (
            ERROR,
            EMPLOYEE,
            env._("Worker NSS not valid"),
            env._(
                "Correct the NSS on the employee as on the IMSS records: 11 digits, the "
                "last one a check digit."
            ),
        ),
        "WORKER-OTHER-COMPANY": (
            WARNING,
            EMPLOYEE,
            env._("Worker now belongs to another company"),
            env._(
                "Nothing to fix if the worker moved: the data this company recorded is "
                "reported. Otherwise correct the employee's company."
            ),
        ),
    }


def _icsoe_checks(env):
    shared = _shared_checks(env)
    return (
        # ------------------------------------------------ IMSS inconsistency categories
        Check(
            "ICSOE-IMSS1-SAME-PARTY",
            ERROR,
            CONTRACT,
            env._("Client and contractor are the same (IMSS inconsistency 1)"),
            env._(
                "Choose the real client on the contract: the contratante cannot be the "
                "company that files, nor have its RFC."
            ),
        ),
        Check(
            "ICSOE-IMSS2-SERVICE-MISSING",
            ERROR,
            CONTRACT,
            env._("No specialised service (IMSS inconsistency 2)"),
            env._(
                "Set the REPSE Service on the contract: it gives the REPSE folio and "
                "the authorised description IMSS expects."
            ),
        ),
        Check(
            "ICSOE-IMSS3-START-MISSING",
            ERROR,
            CONTRACT,
            env._("Start date missing (IMSS inconsistency 3)"),
            env._("Set the Start Date on the contract."),
        ),
        Check(
            "ICSOE-IMSS3-START-OUTSIDE-PERIOD",
            ERROR,
            CONTRACT,
            env._("Start date outside the period (IMSS inconsistency 3)"),
            env._(
                "Correct the contract's Start Date, or report the contract in the "
                "informativa of the period it started in; then regenerate."
            ),
        ),
        Check(
            "ICSOE-IMSS3-END-BEFORE-START",
            ERROR,
            CONTRACT,
            env._("End date before the start date (IMSS inconsistency 3)"),
            env._("Correct the Start Date or the End Date on the contract."),
        ),
        Check(
            "ICSOE-IMSS3-REPSE-NOT-VALID",
            ERROR,
            CONTRACT,
            env._(
                "No valid REPSE registration on the start date (IMSS inconsistency 3)"
            ),
            env._(
                "Move the contract to a service of the REPSE registration valid on its "
                "start date, or record the registration that was valid then."
            ),
        ),
        Check(
            "ICSOE-IMSS4-NO-WORKERS",
            ERROR,
            CONTRACT,
            env._("Contract without workers (IMSS inconsistency 4)"),
            env._(
                "Assign on the contract the workers who render the service, also those "
                "who start after the period."
            ),
        ),
        Check(
            "ICSOE-IMSS5-NO-CONTRACTS",
            ERROR,
            REPORT,
            env._("Normal or Corrección without contracts (IMSS inconsistency 5)"),
            env._(
                "File a Sin información informativa instead (button 'Make it Sin "
                "información'), or activate the contracts that started in the period "
                "and regenerate."
            ),
        ),
        Check(
            "ICSOE-IMSS6-CHAIN",
            ERROR,
            REPORT,
            env._(
                "Second original, or complementaria out of turn (IMSS inconsistency 6)"
            ),
            env._(
                "A period has one original: finish or delete the other draft, or correct "
                "the informativa in effect with a Corrección, as the message says."
            ),
        ),
        # ------------------------------------------------ the informativa
        Check(
            "ICSOE-REPORT-NO-INFO-WITH-CONTRACTS",
            ERROR,
            REPORT,
            env._("Sin información with contracts to report"),
            env._(
                "Press 'Make it Normal': a period in which reportable contracts started "
                "is filed as Normal."
            ),
        ),
        # ------------------------------------------------ the contractor (LSS 15-A fr. I)
        Check("ICSOE-COMPANY-RFC-MISSING", *shared["COMPANY-RFC-MISSING"]),
        Check("ICSOE-COMPANY-RFC-INVALID", *shared["COMPANY-RFC-INVALID"]),
        Check(
            "ICSOE-COMPANY-EMAIL-MISSING",
            ERROR,
            COMPANY,
            env._("No ICSOE contact e-mail"),
            env._(
                "Set the ICSOE Contact E-mail in Settings > ICSOE, or the company's "
                "e-mail: IMSS sends its notices there."
            ),
        ),
        Check(
            "ICSOE-COMPANY-PHONE-MISSING",
            ERROR,
            COMPANY,
            env._("No ICSOE contact phone"),
            env._(
                "Set the ICSOE Contact Phone on the company, or the company's phone."
            ),
        ),
        Check(
            "ICSOE-COMPANY-PHONE-INVALID",
            ERROR,
            COMPANY,
            env._("ICSOE contact phone not valid"),
            env._(
                "Type the ICSOE Contact Phone as a Mexican number of 10 digits, without "
                "the old 044, 045 or +52 1 prefixes."
            ),
        ),
        Check(
            "ICSOE-COMPANY-ADDRESS-INCOMPLETE",
            ERROR,
            COMPANY,
            env._("Company fiscal address incomplete"),
            env._("Complete the street, ZIP, city and state of the company."),
        ),
        # ------------------------------------------------ REPSE
        Check(
            "ICSOE-REPSE-OTHER-COMPANY",
            ERROR,
            CONTRACT,
            env._("REPSE service of another company"),
            env._(
                "Choose on the contract a service of a REPSE registration of the "
                "company that files."
            ),
        ),
        Check(
            "ICSOE-REPSE-PENDING-RENEWAL",
            WARNING,
            REGISTRATION,
            env._("Valid only through a pending REPSE renewal"),
            env._(
                "When the STPS grants the renewal, record it on the registration "
                "(button 'Record Renewal') and move the contracts to it."
            ),
        ),
        Check("ICSOE-REPSE-PDF-MISSING", *shared["REPSE-PDF-MISSING"]),
        # ------------------------------------------------ contracts
        Check("ICSOE-CONTRACT-OBJECT-MISSING", *shared["CONTRACT-OBJECT-MISSING"]),
        Check(
            "ICSOE-CONTRACT-BEFORE-REFORM",
            ERROR,
            CONTRACT,
            env._("Contract started before 24 April 2021"),
            env._(
                "Contracts started before the reform are not reported: correct the "
                "Start Date if it is wrong."
            ),
        ),
        Check(
            "ICSOE-CONTRACT-WORKER-FILE-SPLIT",
            WARNING,
            CONTRACT,
            env._("Worker file split in several files"),
            env._(
                "Upload every part of the contract's worker CSV, after checking that the "
                "portal accepts several files for one contract."
            ),
        ),
        Check("ICSOE-CONTRACT-CONTROL-CHARS", *shared["CONTRACT-CONTROL-CHARS"]),
        Check(
            "ICSOE-CONTRACT-DRAFT",
            WARNING,
            CONTRACT,
            env._("Draft contract of the period not reported"),
            env._(
                "Activate the contract if it was signed, then regenerate; cancel it if "
                "it was not."
            ),
        ),
        # ------------------------------------------------ clients
        Check(
            "ICSOE-CLIENT-RFC-MISSING",
            ERROR,
            CLIENT,
            env._("Client without RFC"),
            env._(
                "Set the client's RFC on the contact. A client resident abroad without "
                "a permanent establishment in Mexico: tick Foreign Resident on its ICSOE "
                "tab."
            ),
        ),
        Check("ICSOE-CLIENT-RFC-INVALID", *shared["CLIENT-RFC-INVALID"]),
        Check(
            "ICSOE-CLIENT-RFC-GENERIC",
            WARNING,
            CLIENT,
            env._("Client with a generic RFC"),
            env._(
                "A client resident abroad without a permanent establishment: tick "
                "Foreign Resident on its ICSOE tab (its contracts are not reported). "
                "Otherwise set its real RFC."
            ),
        ),
        Check(
            "ICSOE-CLIENT-RFC-CHECK-DIGIT",
            WARNING,
            CLIENT,
            env._("Client RFC check digit does not match"),
            env._(
                "Compare the RFC with the client's constancia de situación fiscal and "
                "correct it if it was mistyped."
            ),
        ),
        Check(
            "ICSOE-CLIENT-EMAIL-MISSING",
            ERROR,
            CLIENT,
            env._("Client without e-mail"),
            env._("Set the client's e-mail on the contact."),
        ),
        Check(
            "ICSOE-CLIENT-MOBILE-MISSING",
            ERROR,
            CLIENT,
            env._("Client without mobile phone"),
            env._("Set the client's mobile phone on the contact (10 digits)."),
        ),
        Check(
            "ICSOE-CLIENT-MOBILE-INVALID",
            ERROR,
            CLIENT,
            env._("Client mobile phone not valid"),
            env._(
                "Type the client's mobile as 10 digits, without the old 044, 045 or "
                "+52 1 prefixes."
            ),
        ),
        Check(
            "ICSOE-CLIENT-MOBILE-IS-LANDLINE",
            WARNING,
            CLIENT,
            env._("Client mobile phone is a landline"),
            env._(
                "Ask the client for a mobile number and set it on the contact; keep the "
                "landline as its phone."
            ),
        ),
        Check(
            "ICSOE-CLIENT-LANDLINE-INVALID",
            WARNING,
            CLIENT,
            env._("Client landline not valid"),
            env._(
                "Correct the client's landline (10 digits) or clear it: it is optional."
            ),
        ),
        Check(
            "ICSOE-CLIENT-ADDRESS-INCOMPLETE",
            ERROR,
            CLIENT,
            env._("Client social address incomplete"),
            env._(
                "Complete the social/conventional address on the client's ICSOE tab "
                "(street, number, colonia, ZIP, municipality, state), or untick "
                "'Social/Conventional Address Differs from Fiscal'."
            ),
        ),
        Check(
            "ICSOE-CLIENT-ADDRESS-BETWEEN-STREETS",
            WARNING,
            CLIENT,
            env._("Client social address without 'entre calles'"),
            env._("Fill Between Streets in the client's social address (ICSOE tab)."),
        ),
        Check(
            "ICSOE-CLIENT-CONTROL-CHARS",
            ERROR,
            CLIENT,
            env._("Client data with control characters"),
            env._(
                "Retype the field the message names on the client: text pasted from "
                "other programs may carry invisible characters."
            ),
        ),
        # ------------------------------------------------ workers
        Check(
            "ICSOE-WORKER-NSS-MISSING",
            ERROR,
            EMPLOYEE,
            env._("Worker without NSS"),
            env._(
                "Set the worker's NSS (11 digits) on the employee's ICSOE tab, or import "
                "the worker's payroll CFDI."
            ),
        ),
        Check("ICSOE-WORKER-NSS-INVALID", *shared["WORKER-NSS-INVALID"]),
        Check("ICSOE-WORKER-NSS-DUPLICATE", *shared["WORKER-NSS-DUPLICATE"]),
        Check(
            "ICSOE-WORKER-CURP-MISSING",
            ERROR,
            EMPLOYEE,
            env._("Worker without CURP"),
            env._("Set the worker's CURP (18 characters) on the employee's ICSOE tab."),
        ),
        Check(
            "ICSOE-WORKER-CURP-INVALID",
            ERROR,
            EMPLOYEE,
            env._("Worker CURP not valid"),
            env._(
                "Correct the CURP on the employee as on the worker's CURP document: 18 "
                "characters, the last one a check digit."
            ),
        ),
        Check(
            "ICSOE-WORKER-CURP-DUPLICATE",
            ERROR,
            EMPLOYEE,
            env._("CURP twice in a contract"),
            env._(
                "Two workers of the contract have the same CURP: correct the wrong one "
                "on its employee."
            ),
        ),
        Check("ICSOE-WORKER-CONTROL-CHARS", *shared["WORKER-CONTROL-CHARS"]),
        Check(
            "ICSOE-WORKER-STARTS-AFTER-PERIOD",
            WARNING,
            CONTRACT,
            env._("Worker starts after the period"),
            env._(
                "Nothing to fix if the date is right (the informativa lists the workers "
                "who will render the service); otherwise correct the assignment's date "
                "on the contract."
            ),
        ),
        Check("ICSOE-WORKER-OTHER-COMPANY", *shared["WORKER-OTHER-COMPANY"]),
        Check(
            "ICSOE-WORKER-SBC-MISSING",
            ERROR,
            EMPLOYEE,
            env._("Worker without SBC"),
            env._(
                "Add the SBC to the worker's SBC history (ICSOE tab of the employee), or "
                "import the payroll CFDI."
            ),
        ),
        Check(
            "ICSOE-WORKER-SBC-AFTER-PERIOD",
            WARNING,
            EMPLOYEE,
            env._("SBC recorded only after the period"),
            env._(
                "Add to the worker's SBC history the SBC in force in the period, if the "
                "worker had one."
            ),
        ),
        Check(
            "ICSOE-WORKER-SBC-ABOVE-CAP",
            WARNING,
            EMPLOYEE,
            env._("SBC above 25 UMA"),
            env._(
                "Check the SBC in the worker's SBC history: IMSS caps it at 25 UMA "
                "(LSS art. 28)."
            ),
        ),
        Check(
            "ICSOE-WORKER-SBC-INVALID",
            ERROR,
            EMPLOYEE,
            env._("SBC not valid"),
            env._(
                "Correct the SBC in the worker's SBC history: greater than zero, at most "
                "2 decimals."
            ),
        ),
    )


def _sisub_checks(env):
    shared = _shared_checks(env)
    return (
        # ------------------------------------------------ the report
        Check(
            "SISUB-REPORT-TYPE-WRONG",
            ERROR,
            REPORT,
            env._("Report type does not match the contracts"),
            env._(
                "Press 'Use the Proposed Type': Presentar informe when a contract "
                "started in the period, Datos continuos when only earlier ones were in "
                "force, Sin actividad when none was."
            ),
        ),
        Check(
            "SISUB-REPORT-CHAIN",
            ERROR,
            REPORT,
            env._("Second original report, or complementario out of turn"),
            env._(
                "A period has one original SISUB report: finish or delete the other "
                "draft, or file a Complementario once INFONAVIT has answered, as the "
                "message says."
            ),
        ),
        # ------------------------------------------------ the company
        Check("SISUB-COMPANY-RFC-MISSING", *shared["COMPANY-RFC-MISSING"]),
        Check("SISUB-COMPANY-RFC-INVALID", *shared["COMPANY-RFC-INVALID"]),
        Check(
            "SISUB-COMPANY-NRP-MISSING",
            ERROR,
            COMPANY,
            env._("No principal registro patronal"),
            env._(
                "Add the company's NRPs on its SISUB tab and mark as Principal the one "
                "the INFONAVIT portal is entered with."
            ),
        ),
        Check(
            "SISUB-COMPANY-REPSE-MISSING",
            ERROR,
            COMPANY,
            env._("No REPSE registration valid in the period"),
            env._("Record the company's REPSE registration (ICSOE > REPSE)."),
        ),
        Check(
            "SISUB-COMPANY-DEED-MISSING",
            WARNING,
            COMPANY,
            env._("Articles of incorporation PDF missing"),
            env._(
                "Attach the articles of incorporation (an individual: the constancia de "
                "situación fiscal) as a PDF on the company's SISUB tab."
            ),
        ),
        Check("SISUB-REPSE-PDF-MISSING", *shared["REPSE-PDF-MISSING"]),
        # ------------------------------------------------ contracts
        Check(
            "SISUB-CONTRACT-NUMBER-MISSING",
            WARNING,
            CONTRACT,
            env._("No SISUB contract number (reported as 0)"),
            env._("Set the SISUB Contract Number on the contract if it has one."),
        ),
        Check(
            "SISUB-CONTRACT-NUMBER-MISSING-MANY",
            ERROR,
            CONTRACT,
            env._("Several contracts without SISUB contract number"),
            env._(
                "Set the SISUB Contract Number on the contracts: INFONAVIT tells their "
                "workers apart by it."
            ),
        ),
        Check(
            "SISUB-CONTRACT-NUMBER-INVALID",
            ERROR,
            CONTRACT,
            env._("SISUB contract number not valid"),
            env._(
                "Type the SISUB Contract Number on the contract with digits only, at "
                "most 30."
            ),
        ),
        Check(
            "SISUB-CONTRACT-NUMBER-DUPLICATE",
            ERROR,
            CONTRACT,
            env._("SISUB contract number used twice"),
            env._("Give each contract its own SISUB Contract Number."),
        ),
        Check(
            "SISUB-CONTRACT-AMOUNT-MISSING",
            ERROR,
            CONTRACT,
            env._("Contract amount missing"),
            env._(
                "Set the Amount without VAT on the contract, or record the amendment "
                "that sets it."
            ),
        ),
        Check(
            "SISUB-CONTRACT-ESTIMATED-WORKERS",
            WARNING,
            CONTRACT,
            env._("Estimated workers is 0"),
            env._("Set the Estimated Workers on the contract's SISUB tab."),
        ),
        Check(
            "SISUB-CONTRACT-NRP-MISSING",
            ERROR,
            CONTRACT,
            env._("Contract without registro patronal"),
            env._(
                "Set the SISUB NRPs on the contract, the workers' Registro Patronal, or "
                "the company's principal NRP."
            ),
        ),
        Check(
            "SISUB-CONTRACT-NRP-INVALID",
            ERROR,
            CONTRACT,
            env._("Contract registro patronal not valid"),
            env._(
                "Correct the NRP as on the IMSS registration: 11 characters, a letter or "
                "digit then 10 digits."
            ),
        ),
        Check("SISUB-CONTRACT-OBJECT-MISSING", *shared["CONTRACT-OBJECT-MISSING"]),
        Check(
            "SISUB-CONTRACT-NOT-IN-FORCE",
            ERROR,
            CONTRACT,
            env._("Contract not in force in the period"),
            env._("Correct the contract's Start Date or End Date, then regenerate."),
        ),
        Check(
            "SISUB-CONTRACT-END-BEFORE-START",
            ERROR,
            CONTRACT,
            env._("End date before the start date"),
            env._("Correct the Start Date or the End Date on the contract."),
        ),
        Check(
            "SISUB-CONTRACT-PDF-MISSING",
            WARNING,
            CONTRACT,
            env._("Contract PDF missing"),
            env._("Attach the signed contract on the contract's Documents tab."),
        ),
        Check(
            "SISUB-CONTRACT-NO-WORKERS",
            WARNING,
            CONTRACT,
            env._("No worker placed in the period"),
            env._(
                "Nothing to fix if no worker rendered the service in the period; "
                "otherwise record the worker assignments on the contract."
            ),
        ),
        Check(
            "SISUB-CONTRACT-DETAIL-MISSING",
            ERROR,
            CONTRACT,
            env._("Workers placed without detail rows"),
            env._("Regenerate the report: the assignments changed since it was made."),
        ),
        Check("SISUB-CONTRACT-CONTROL-CHARS", *shared["CONTRACT-CONTROL-CHARS"]),
        Check(
            "SISUB-CONTRACT-DRAFT",
            WARNING,
            CONTRACT,
            env._("Draft contract in force not reported"),
            env._(
                "Activate the contract if it was signed, then regenerate; cancel it if "
                "it was not."
            ),
        ),
        # ------------------------------------------------ clients
        Check(
            "SISUB-CLIENT-RFC-MISSING",
            ERROR,
            CLIENT,
            env._("Client without RFC"),
            env._("Set the client's RFC on the contact."),
        ),
        Check("SISUB-CLIENT-RFC-INVALID", *shared["CLIENT-RFC-INVALID"]),
        Check(
            "SISUB-CLIENT-IS-COMPANY",
            ERROR,
            CONTRACT,
            env._("Client and company are the same"),
            env._(
                "Choose the real client on the contract: it cannot be the company that "
                "reports, nor have its RFC."
            ),
        ),
        Check(
            "SISUB-CLIENT-NRP-INVALID",
            ERROR,
            CLIENT,
            env._("Client registro patronal not valid"),
            env._(
                "Correct the client's Registro Patronal on its SISUB tab: 11 "
                "characters, a letter or digit then 10 digits."
            ),
        ),
        Check(
            "SISUB-CLIENT-NRP-REPLACED",
            WARNING,
            CLIENT,
            env._("Client without registro patronal"),
            env._(
                "Set the client's Registro Patronal on its SISUB tab if it has one; "
                "otherwise the company's 'Client without NRP' rule fills it."
            ),
        ),
        Check(
            "SISUB-CLIENT-NRP-NONE",
            ERROR,
            CLIENT,
            env._("Client without registro patronal and nothing to repeat"),
            env._(
                "Set the client's Registro Patronal, or the company's principal NRP (or "
                "the placeholder of the 'Client without NRP' rule)."
            ),
        ),
        Check(
            "SISUB-CLIENT-CONTROL-CHARS",
            ERROR,
            CLIENT,
            env._("Client name with control characters"),
            env._("Retype the client's name on the contact."),
        ),
        # ------------------------------------------------ worker detail
        Check(
            "SISUB-WORKER-NSS-MISSING",
            ERROR,
            EMPLOYEE,
            env._("Worker without NSS"),
            env._("Set the worker's NSS (11 digits) on the employee's ICSOE tab."),
        ),
        Check("SISUB-WORKER-NSS-INVALID", *shared["WORKER-NSS-INVALID"]),
        Check("SISUB-WORKER-NSS-DUPLICATE", *shared["WORKER-NSS-DUPLICATE"]),
        Check(
            "SISUB-WORKER-NRP-MISSING",
            ERROR,
            EMPLOYEE,
            env._("Worker without registro patronal"),
            env._(
                "Set the worker's Registro Patronal (SISUB tab of the employee), the "
                "contract's SISUB NRPs or the company's principal NRP."
            ),
        ),
        Check(
            "SISUB-WORKER-NRP-INVALID",
            ERROR,
            EMPLOYEE,
            env._("Worker registro patronal not valid"),
            env._(
                "Correct the NRP as on the IMSS registration: 11 characters, a letter or "
                "digit then 10 digits."
            ),
        ),
        Check(
            "SISUB-WORKER-NRP-NOT-IN-CONTRACT",
            WARNING,
            CONTRACT,
            env._("Worker registro patronal not among the contract's"),
            env._(
                "Add the worker's NRP to the contract's SISUB NRPs, or correct the "
                "worker's Registro Patronal."
            ),
        ),
        Check(
            "SISUB-WORKER-BIMESTER-OUTSIDE",
            ERROR,
            REPORT,
            env._("Bimester outside the period"),
            env._("Regenerate the report."),
        ),
        Check(
            "SISUB-WORKER-DAYS-EXCEED",
            ERROR,
            REPORT,
            env._("More days placed than the bimester has"),
            env._("Regenerate the report."),
        ),
        Check(
            "SISUB-WORKER-AMOUNT-NEGATIVE",
            ERROR,
            EMPLOYEE,
            env._("Negative pay or amount"),
            env._(
                "Check the worker's payroll CFDI of the bimester: import the corrected "
                "CFDI, then regenerate."
            ),
        ),
        Check(
            "SISUB-WORKER-INCAPACITY-DAYS",
            WARNING,
            EMPLOYEE,
            env._("More incapacity days than days placed"),
            env._(
                "Check the incapacities of the worker's payroll CFDI and the assignment "
                "dates on the contract."
            ),
        ),
        Check(
            "SISUB-WORKER-SBC-ABOVE-CAP",
            WARNING,
            EMPLOYEE,
            env._("SBC above 25 UMA"),
            env._(
                "Nothing to fix if the SBC is right: the aportación is computed on 25 "
                "UMA (LSS art. 28). Otherwise correct the worker's SBC history."
            ),
        ),
        Check(
            "SISUB-WORKER-SBC-MISSING",
            ERROR,
            EMPLOYEE,
            env._("No SBC for the aportación"),
            env._(
                "Add the SBC to the worker's SBC history, or type the SUA figure in the "
                "line's SUA Aportación."
            ),
        ),
        Check(
            "SISUB-WORKER-SBC-PARTIAL",
            WARNING,
            EMPLOYEE,
            env._("No SBC for some days placed"),
            env._("Complete the worker's SBC history for the bimester."),
        ),
        Check(
            "SISUB-WORKER-PAYROLL-MISSING",
            WARNING,
            EMPLOYEE,
            env._("No payroll CFDI for the bimester"),
            env._("Import the worker's payroll CFDI (ICSOE > Import Payroll CFDI)."),
        ),
        Check(
            "SISUB-WORKER-CONTRACTS-OVERLAP",
            WARNING,
            CONTRACT,
            env._("Worker on several contracts on the same days"),
            env._(
                "Type the SUA figure in SUA Aportación where the aportación must be "
                "split, or correct the assignment dates."
            ),
        ),
        Check("SISUB-WORKER-OTHER-COMPANY", *shared["WORKER-OTHER-COMPANY"]),
        Check("SISUB-WORKER-CONTROL-CHARS", *shared["WORKER-CONTROL-CHARS"]),
        Check(
            "SISUB-WORK-SITE-MISSING",
            ERROR,
            CONTRACT,
            env._("No work site"),
            env._(
                "Add the address where the service is rendered on the contract's Work "
                "Sites."
            ),
        ),
        Check(
            "SISUB-WORK-SITE-INCOMPLETE",
            ERROR,
            WORK_SITE,
            env._("Work site address incomplete"),
            env._(
                "Complete the work site's street, exterior number, colonia, ZIP, "
                "municipality and state."
            ),
        ),
        Check(
            "SISUB-WORK-SITE-CONTROL-CHARS",
            ERROR,
            WORK_SITE,
            env._("Work site address with control characters"),
            env._("Retype the field the message names on the work site."),
        ),
    )


def markdown_table(env, report):
    """The catalogue of ``report`` (ICSOE, SISUB) as the table of readme/USAGE.md."""
    severities = dict(SEVERITIES)
    rows = [
        "| Code | Severity | What it means | How to fix |",
        "|---|---|---|---|",
    ]
    rows += [
        f"| `{check.code}` | {severities[check.severity]} | {check.title} | {check.fix} |"
        for check in _checks(env)
        if check.code.startswith(f"{report}-")
    ]
    return "\n".join(rows)
