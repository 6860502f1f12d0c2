"""Validators for the Mexican identifiers used in an ICSOE filing.

Rules follow the domain spec (icsoe-domain.md §5.5, §5.6 and §7.2):

* NSS: 11 digits, the last one a Luhn check digit over the first 10.
* CURP: 18 characters, structure, birth date, state and check digit
  (python-stdnum ``stdnum.mx.curp``).
* RFC: 12 characters (persona moral) or 13 (persona física), structure and
  date (python-stdnum ``stdnum.mx.rfc``).  A wrong RFC check digit is reported
  through :attr:`RfcInfo.checksum_ok`, never raised: SAT has issued RFCs whose
  check digit fails the published algorithm.
* SBC: positive, at most 2 decimals; above 25 UMA per day is only a warning.

Errors are :class:`IdentifierError` with a stable ``code``; the Odoo layer maps
codes to translated messages, so the messages here are English fallbacks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

ERROR_MESSAGES = {
    "empty": "The value is empty.",
    "nss_length": "An NSS has exactly 11 digits.",
    "nss_digits": "An NSS has only digits.",
    "nss_checksum": "The NSS check digit (11th digit) is wrong.",
    "curp_length": "A CURP has exactly 18 characters.",
    "curp_format": "The value does not follow the CURP structure.",
    "curp_date": "The CURP birth date or state code is not valid.",
    "curp_checksum": "The CURP check digit (18th character) is wrong.",
    "rfc_length": "An RFC has 12 (moral) or 13 (física) characters.",
    "rfc_format": "The value does not follow the RFC structure.",
    "rfc_date": "The RFC date is not a valid date.",
    "sbc_invalid": "The SBC is not a number.",
    "sbc_not_positive": "The SBC must be greater than zero.",
    "sbc_decimals": "The SBC must have at most 2 decimals.",
}

#: Warning codes returned (not raised) by the validators.
WARNING_MESSAGES = {
    "sbc_above_cap": "The SBC is above the legal cap of 25 UMA per day (LSS art. 28).",
}

GENERIC_RFC_NATIONAL = "XAXX010101000"
GENERIC_RFC_FOREIGN = "XEXX010101000"
_GENERIC_RFCS = {GENERIC_RFC_NATIONAL: "national", GENERIC_RFC_FOREIGN: "foreign"}

#: SBC cap in UMA per day (LSS art. 28).
SBC_CAP_UMA = 25

_CURP_PREFIX = re.compile(r"[A-Z]{4}[0-9]{6}[A-Z]{6}[0-9A-Z]")
_CENT = Decimal("0.01")


class IdentifierError(ValueError):
    """An identifier failed validation; ``code`` is stable, ``value`` the input."""

    def __init__(self, code: str, value: object = None, message: str | None = None):
        super().__init__(message or ERROR_MESSAGES.get(code, code))
        self.code = code
        self.value = value


def compact(value: object) -> str:
    """Return *value* without whitespace, hyphens or dots, in upper case.

    ``None`` and ``False`` (an empty Odoo field) give ``''``.  The text is
    NFC-normalised first so that a decomposed "Ñ" stays one character.
    """
    if value is None or value is False:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return "".join(text.split()).replace("-", "").replace(".", "").upper()


# ---------------------------------------------------------------- NSS


def nss_check_digit(first10: str) -> str:
    """Return the NSS check digit for the first 10 digits (Luhn, weights 1,2,…).

    >>> nss_check_digit("9291908443")
    '1'
    """
    if not re.fullmatch(r"[0-9]{10}", first10):
        raise IdentifierError("nss_digits", first10, "Expected exactly 10 digits.")
    total = 0
    for index, char in enumerate(first10):
        product = int(char) * (1 if index % 2 == 0 else 2)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def validate_nss(value: object) -> str:
    """Return the compact 11-digit NSS or raise :class:`IdentifierError`."""
    nss = compact(value)
    if not nss:
        raise IdentifierError("empty", value)
    if len(nss) != 11:
        raise IdentifierError("nss_length", value)
    if not re.fullmatch(r"[0-9]{11}", nss):
        raise IdentifierError("nss_digits", value)
    if nss[-1] != nss_check_digit(nss[:-1]):
        raise IdentifierError("nss_checksum", value)
    return nss


def make_nss(prefix10: str) -> str:
    """Append the check digit to a 10-digit NSS prefix (demo data, tests)."""
    prefix = compact(prefix10)
    return prefix + nss_check_digit(prefix)


# ---------------------------------------------------------------- CURP


def _curp_component_code(curp: str) -> str:
    """Tell which component made stdnum raise ``InvalidComponent``."""
    if curp[:4] in getattr(stdnum_curp, "_name_blacklist", ()):
        return "curp_format"  # a forbidden word: RENAPO replaces its 2nd letter
    if curp[10] not in "HM":
        return "curp_format"  # stdnum 1.19 only knows H/M (non-binary X is [U])
    return "curp_date"  # birth date or state code


def validate_curp(value: object) -> str:
    """Return the compact upper-case CURP or raise :class:`IdentifierError`."""
    curp = compact(value)
    if not curp:
        raise IdentifierError("empty", value)
    try:
        return stdnum_curp.validate(curp)
    except InvalidLength as exc:
        raise IdentifierError("curp_length", value) from exc
    except InvalidFormat as exc:
        raise IdentifierError("curp_format", value) from exc
    except InvalidComponent as exc:
        raise IdentifierError(_curp_component_code(curp), value) from exc
    except InvalidChecksum as exc:
        raise IdentifierError("curp_checksum", value) from exc
    except ValidationError as exc:  # any future stdnum subclass
        raise IdentifierError("curp_format", value) from exc


def make_curp(first17: str) -> str:
    """Append the check digit to the first 17 CURP characters and validate."""
    prefix = compact(first17)
    if not _CURP_PREFIX.fullmatch(prefix):
        raise IdentifierError("curp_format", first17)
    return validate_curp(prefix + stdnum_curp.calc_check_digit(prefix))


# ---------------------------------------------------------------- RFC


@dataclass(frozen=True)
class RfcInfo:
    """Result of :func:`check_rfc`."""

    value: str
    person_type: str  # 'fisica' (13 characters) or 'moral' (12)
    generic: str | None  # 'national' (XAXX010101000), 'foreign' (XEXX010101000)
    checksum_ok: bool


def _rfc_checksum_ok(rfc: str) -> bool:
    # stdnum pads the 11-character body of a moral RFC with a leading space.
    return rfc[-1] == stdnum_rfc.calc_check_digit(rfc[:-1])


def check_rfc(value: object) -> RfcInfo:
    """Check an RFC's length, structure and date; report its check digit.

    Raises :class:`IdentifierError` for a structural error.  The generic RFCs
    (public in general, foreign residents) are accepted as they are: their
    fixed last digit does not follow the check-digit algorithm.
    """
    rfc = compact(value)
    if not rfc:
        raise IdentifierError("empty", value)
    if rfc in _GENERIC_RFCS:
        return RfcInfo(rfc, "fisica", _GENERIC_RFCS[rfc], True)
    if len(rfc) not in (12, 13):  # stdnum also accepts 10 (no homoclave)
        raise IdentifierError("rfc_length", value)
    try:
        stdnum_rfc.validate(rfc, validate_check_digits=False)
    except InvalidLength as exc:
        raise IdentifierError("rfc_length", value) from exc
    except InvalidFormat as exc:
        raise IdentifierError("rfc_format", value) from exc
    except InvalidComponent as exc:
        # stdnum raises it for a bad date and for a forbidden first word.
        if rfc[:4] in getattr(stdnum_rfc, "_name_blacklist", ()) and len(rfc) == 13:
            raise IdentifierError("rfc_format", value) from exc
        raise IdentifierError("rfc_date", value) from exc
    except ValidationError as exc:  # any future stdnum subclass
        raise IdentifierError("rfc_format", value) from exc
    person_type = "fisica" if len(rfc) == 13 else "moral"
    return RfcInfo(rfc, person_type, None, _rfc_checksum_ok(rfc))


def make_rfc(first11_or_12: str) -> str:
    """Append a correct check digit to an RFC without it and validate it."""
    prefix = compact(first11_or_12)
    if len(prefix) not in (11, 12):
        raise IdentifierError("rfc_length", first11_or_12)
    try:
        digit = stdnum_rfc.calc_check_digit(prefix)
    except ValueError as exc:  # a character outside the RFC alphabet
        raise IdentifierError("rfc_format", first11_or_12) from exc
    return check_rfc(prefix + digit).value


# ---------------------------------------------------------------- SBC


def validate_sbc(amount: object, uma_daily: object = None) -> list[str]:
    """Validate a daily SBC; return warning codes, raise on hard errors.

    *amount* and *uma_daily* may be ``int``, ``float``, ``Decimal`` or ``str``;
    floats go through ``str()`` so that ``452.37`` stays exactly 452.37.
    Warnings: ``'sbc_above_cap'`` when *amount* > 25 × *uma_daily*.
    """
    if amount is None or amount is False or amount == "":
        raise IdentifierError("empty", amount)
    try:
        sbc = Decimal(str(amount))
    except InvalidOperation as exc:
        raise IdentifierError("sbc_invalid", amount) from exc
    if not sbc.is_finite():
        raise IdentifierError("sbc_invalid", amount)
    if sbc <= 0:
        raise IdentifierError("sbc_not_positive", amount)
    try:
        has_more_decimals = sbc != sbc.quantize(_CENT)
    except InvalidOperation as exc:  # beyond the decimal context's precision
        raise IdentifierError("sbc_invalid", amount) from exc
    if has_more_decimals:
        raise IdentifierError("sbc_decimals", amount)
    warnings = []
    if uma_daily and sbc > SBC_CAP_UMA * Decimal(str(uma_daily)):
        warnings.append("sbc_above_cap")
    return warnings


# ---------------------------------------------------------------- phones


@dataclass(frozen=True)
class PhoneInfo:
    e164: str  # e.g. +524421234567
    kind: str  # "mobile", "fixed" or "either"


def check_mx_phone(value: object) -> PhoneInfo:
    """Parse a Mexican phone with libphonenumber (``phonenumbers``).

    Since the 2019 national numbering plan, Mexican numbers have 10 digits and the
    plan does not tell mobiles from landlines: libphonenumber answers "fixed line
    or mobile" for nearly all of them, and a number it knows to be a landline is
    reported as ``fixed``. The old mobile prefixes (044, 045, +52 1) are gone:
    such a number is refused. Raises ``IdentifierError`` (``phone_invalid``);
    ``RuntimeError`` when ``phonenumbers`` is not installed.
    """
    try:
        import phonenumbers
    except ImportError as exc:  # optional for Odoo; the project's scripts install it
        raise RuntimeError("phonenumbers is not installed") from exc
    text = compact(value) if value else ""
    if not text:
        raise IdentifierError("empty", value)
    try:
        number = phonenumbers.parse(text, "MX")
    except phonenumbers.NumberParseException as exc:
        raise IdentifierError("phone_invalid", value) from exc
    if number.country_code != 52 or not phonenumbers.is_valid_number(number):
        raise IdentifierError("phone_invalid", value)
    kind = {
        phonenumbers.PhoneNumberType.MOBILE: "mobile",
        phonenumbers.PhoneNumberType.FIXED_LINE: "fixed",
    }.get(phonenumbers.number_type(number), "either")
    return PhoneInfo(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind
    )
