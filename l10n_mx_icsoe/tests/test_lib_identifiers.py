"""Tests for the plain-Python identifier validators (no Odoo needed)."""

from decimal import Decimal

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe import identifiers as ids
from odoo.addons.l10n_mx_icsoe.icsoe.identifiers import IdentifierError, RfcInfo


def _code(func, *args):
    with pytest.raises(IdentifierError) as info:
        func(*args)
    return info.value.code


def test_identifier_error_is_value_error_with_code_and_value():
    error = IdentifierError("nss_length", "123")
    assert isinstance(error, ValueError)
    assert (error.code, error.value) == ("nss_length", "123")
    assert str(error) == ids.ERROR_MESSAGES["nss_length"]
    assert str(IdentifierError("empty", None, "custom")) == "custom"


def test_compact():
    assert ids.compact(" 0123-456.789 7 ") == "01234567897"
    assert ids.compact("gode\t561231\nhdfrrn00") == "GODE561231HDFRRN00"
    assert ids.compact("n\u0303") == "Ñ"  # decomposed Ñ becomes one character
    assert ids.compact(None) == ids.compact(False) == ""


# ---------------------------------------------------------------- NSS


def test_nss_check_digit_worked_example():
    assert ids.nss_check_digit("9291908443") == "1"  # domain spec §5.6
    assert ids.nss_check_digit("0123456789") == "7"
    assert ids.nss_check_digit("0000000000") == "0"


def test_nss_check_digit_needs_ten_digits():
    assert _code(ids.nss_check_digit, "929190844") == "nss_digits"
    assert _code(ids.nss_check_digit, "92919084A3") == "nss_digits"


def test_validate_nss_ok():
    assert ids.validate_nss("92919084431") == "92919084431"
    assert ids.validate_nss(" 0123-456-7897 ") == "01234567897"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        (None, "empty"),
        (False, "empty"),
        ("9291908443", "nss_length"),
        ("929190844311", "nss_length"),
        ("9291908443A", "nss_digits"),
        ("92919O84431", "nss_digits"),
        ("929190844٣1", "nss_digits"),  # non-ASCII digit
        ("92919084432", "nss_checksum"),
    ],
)
def test_validate_nss_errors(value, code):
    with pytest.raises(IdentifierError) as info:
        ids.validate_nss(value)
    assert info.value.code == code
    assert info.value.value == value


def test_make_nss():
    assert ids.make_nss("9291908443") == "92919084431"
    assert ids.validate_nss(ids.make_nss("1234567890")) == ids.make_nss("1234567890")


# ---------------------------------------------------------------- CURP


def test_validate_curp_ok():
    assert ids.validate_curp("BOXW310820HNERXN09") == "BOXW310820HNERXN09"
    assert ids.validate_curp(" gode-561231-hdfrrn00 ") == "GODE561231HDFRRN00"
    assert ids.validate_curp("PEMJ800101MDFRRN07") == "PEMJ800101MDFRRN07"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("BOXW310820HNERXN0", "curp_length"),
        ("BOXW310820HNERXN091", "curp_length"),
        ("B0XW310820HNERXN09", "curp_format"),  # digit zero among the letters
        ("BOXW3108A0HNERXN09", "curp_format"),
        ("BOXW311320HNERXN09", "curp_date"),  # month 13
        ("BOXW310230HNERXN09", "curp_date"),  # 30 February
        ("BOXW310820HXXRXN09", "curp_date"),  # unknown state code
        ("BOXW310820XNERXN09", "curp_format"),  # gender other than H/M
        ("PUTO310820HNERXN09", "curp_format"),  # forbidden word
        ("BOXW310820HNERXN08", "curp_checksum"),
    ],
)
def test_validate_curp_errors(value, code):
    assert _code(ids.validate_curp, value) == code


def test_make_curp():
    assert ids.make_curp("GODE561231HDFRRN0") == "GODE561231HDFRRN00"
    assert ids.make_curp("bowx310820hnerxn0") == ids.validate_curp(
        ids.make_curp("BOWX310820HNERXN0")
    )
    assert _code(ids.make_curp, "GODE561231HDFRRN") == "curp_format"
    assert _code(ids.make_curp, "GODE561331HDFRRN0") == "curp_date"


# ---------------------------------------------------------------- RFC


def test_check_rfc_fisica_and_moral():
    assert ids.check_rfc("GODE 561231 GR8") == RfcInfo(
        "GODE561231GR8", "fisica", None, True
    )
    assert ids.check_rfc("mab-930714-8t4") == RfcInfo(
        "MAB9307148T4", "moral", None, True
    )


def test_check_rfc_bad_check_digit_is_not_an_error():
    info = ids.check_rfc("VACE460910SX6")  # real-looking, check digit 5 expected
    assert info.checksum_ok is False
    assert info.person_type == "fisica"
    assert ids.check_rfc("MAB9307148T5").checksum_ok is False


def test_check_rfc_generic():
    national = ids.check_rfc("XAXX010101000")
    assert national == RfcInfo("XAXX010101000", "fisica", "national", True)
    foreign = ids.check_rfc("xexx-010101-000")
    assert foreign == RfcInfo("XEXX010101000", "fisica", "foreign", True)


def test_check_rfc_ampersand_and_enye():
    # '&' and 'Ñ' have their own places in the SAT check-digit alphabet.
    amp = ids.make_rfc("A&B010101AB")
    assert amp == "A&B010101AB0"
    assert ids.check_rfc(amp) == RfcInfo(amp, "moral", None, True)
    enye = ids.make_rfc("ñaño800101ab")
    assert enye == "ÑAÑO800101AB3"
    assert ids.check_rfc(enye.lower()).checksum_ok is True
    assert ids.check_rfc("N\u0303AÑO800101AB3").value == enye
    assert ids.check_rfc("ÑAÑO800101AB4").checksum_ok is False


def test_moral_rfc_check_digit_uses_leading_space():
    # 'ABC010101AB' and ' ABC010101AB' give the same check digit.
    assert ids.make_rfc("ABC010101AB") == "ABC010101AB1"
    assert ids.check_rfc("ABC010101AB1").checksum_ok is True


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("COMG600703", "rfc_length"),  # stdnum accepts 10 characters; we do not
        ("GODE561231GR", "rfc_format"),  # 12 characters but 4 letters
        ("GODE561231GR8X", "rfc_length"),
        ("GOD1561231GR8", "rfc_format"),
        ("GODE56123AGR8", "rfc_format"),
        ("GODE561231G-8", "rfc_format"),  # hyphen dropped: 12 chars, not moral
        ("GODE561231G_8", "rfc_format"),
        ("GODE561331GR8", "rfc_date"),
        ("MA19307148T4", "rfc_format"),
        ("MAB9302308T4", "rfc_date"),  # 30 February
        ("PUTO561231GR8", "rfc_format"),  # forbidden word
    ],
)
def test_check_rfc_errors(value, code):
    assert _code(ids.check_rfc, value) == code


def test_make_rfc():
    assert ids.make_rfc("GODE561231GR") == "GODE561231GR8"
    assert ids.make_rfc("MAB9307148T") == "MAB9307148T4"
    assert _code(ids.make_rfc, "GODE561231") == "rfc_length"
    assert _code(ids.make_rfc, "GODE561331GR") == "rfc_date"
    assert _code(ids.make_rfc, "GOD#561231GR") == "rfc_format"


# ---------------------------------------------------------------- SBC


@pytest.mark.parametrize(
    "amount", [452.37, "452.37", Decimal("452.37"), 452, "452.370", 0.01]
)
def test_validate_sbc_ok(amount):
    assert ids.validate_sbc(amount) == []
    assert ids.validate_sbc(amount, uma_daily=113.14) == []


def test_validate_sbc_cap_warning():
    uma = Decimal("113.14")
    assert ids.validate_sbc(Decimal("2828.50"), uma) == []  # exactly 25 UMA
    assert ids.validate_sbc(2828.51, uma) == ["sbc_above_cap"]
    assert ids.validate_sbc(2828.51, None) == []
    assert "sbc_above_cap" in ids.WARNING_MESSAGES


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        (0, "sbc_not_positive"),
        (-1.5, "sbc_not_positive"),
        (452.365, "sbc_decimals"),
        ("0.001", "sbc_decimals"),
        (0.1 + 0.2, "sbc_decimals"),
        ("abc", "sbc_invalid"),
        ("NaN", "sbc_invalid"),
        (float("inf"), "sbc_invalid"),
        ("1E+40", "sbc_invalid"),
    ],
)
def test_validate_sbc_errors(amount, code):
    assert _code(ids.validate_sbc, amount) == code


def test_every_error_code_has_a_message():
    assert set(ids.ERROR_MESSAGES) >= {
        "empty",
        "nss_length",
        "nss_digits",
        "nss_checksum",
        "curp_length",
        "curp_format",
        "curp_date",
        "curp_checksum",
        "rfc_length",
        "rfc_format",
        "rfc_date",
        "sbc_invalid",
        "sbc_not_positive",
        "sbc_decimals",
    }


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("4421234567", "+524421234567"),
        ("442 123 4567", "+524421234567"),
        ("+52 55 1234 5678", "+525512345678"),
    ],
)
def test_mexican_phone(value, e164):
    info = ids.check_mx_phone(value)
    assert info.e164 == e164
    assert info.kind in ("mobile", "either")


@pytest.mark.parametrize("value", ["12345", "+52 1 55 1234 5678", "+1 512 555 0100"])
def test_mexican_phone_refused(value):
    with pytest.raises(IdentifierError) as error:
        ids.check_mx_phone(value)
    assert error.value.code == "phone_invalid"
