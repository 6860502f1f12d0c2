"""Tests for the ICSOE worker CSV layout (no Odoo needed)."""

import codecs
import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe import layouts

LAYOUT = layouts.worker_layout(date(2025, 6, 1))
ROWS = [
    ("01234567897", "GODE561231HDFRRN00", 452.37),
    ("92919084431", "PEMJ800101MDFRRN07", Decimal("315.04")),
]
BODY = b"\r\n".join(
    [
        b"01234567897,GODE561231HDFRRN00,452.37",
        b"92919084431,PEMJ800101MDFRRN07,315.04",
    ]
)


def _rows(count):
    return [(f"{i:011d}", "GODE561231HDFRRN00", "100") for i in range(count)]


def test_layout_table():
    assert LAYOUT.code == "icsoe_workers_2021"
    assert LAYOUT.valid_from == date(2021, 8, 27)
    assert [col.name for col in LAYOUT.columns] == ["NSS", "CURP", "SBC"]
    assert [col.width for col in LAYOUT.columns] == [11, 18, None]
    assert [col.kind for col in LAYOUT.columns] == ["digits", "alnum", "amount2"]
    assert (LAYOUT.max_rows, LAYOUT.max_bytes) == (3000, 15 * 1024 * 1024)
    assert "Guía 3" in LAYOUT.source
    assert layouts.worker_layout(date(2021, 8, 27)) is LAYOUT
    # periods that ended before the portal opened were filed with the first layout
    assert layouts.worker_layout(date(2021, 4, 30)) is LAYOUT
    with pytest.raises(dataclasses.FrozenInstanceError):
        LAYOUT.max_rows = 1


def test_render_without_header_exact_bytes():
    assert layouts.render_worker_csv(ROWS, header=False, layout=LAYOUT) == [BODY]


def test_render_with_header_exact_bytes():
    files = layouts.render_worker_csv(ROWS, header=True, layout=LAYOUT)
    assert files == [b"NSS,CURP,SBC\r\n" + BODY]


def test_render_default_layout():
    assert layouts.render_worker_csv(iter(ROWS), header=False) == [BODY]


def test_no_bom_no_trailing_newline():
    (content,) = layouts.render_worker_csv(ROWS, header=True, layout=LAYOUT)
    assert not content.startswith(codecs.BOM_UTF8)
    assert not content.endswith((b"\n", b"\r"))
    assert content.decode("ascii")


def test_split_3001_rows():
    files = layouts.render_worker_csv(_rows(3001), header=False, layout=LAYOUT)
    assert [len(content.split(b"\r\n")) for content in files] == [3000, 1]
    assert files[1] == b"00000003000,GODE561231HDFRRN00,100.00"
    (single,) = layouts.render_worker_csv(_rows(3000), header=False, layout=LAYOUT)
    assert single.count(b"\r\n") == 2999


def test_split_repeats_header():
    files = layouts.render_worker_csv(_rows(3001), header=True, layout=LAYOUT)
    assert len(files) == 2
    for content in files:
        assert content.startswith(b"NSS,CURP,SBC\r\n")
    assert [content.count(b"\r\n") for content in files] == [3000, 1]


def test_split_with_a_smaller_layout():
    small = dataclasses.replace(LAYOUT, max_rows=2)
    files = layouts.render_worker_csv(_rows(5), header=True, layout=small)
    assert [content.count(b"\r\n") for content in files] == [2, 2, 1]


def test_max_bytes_is_enforced():
    tiny = dataclasses.replace(LAYOUT, max_bytes=40)
    with pytest.raises(ValueError, match="exceeds 40 bytes"):
        layouts.render_worker_csv(ROWS, header=False, layout=tiny)


def test_no_rows_gives_no_file():
    assert layouts.render_worker_csv([], header=True, layout=LAYOUT) == []


@pytest.mark.parametrize(
    ("sbc", "text"),
    [
        (452.365, b"452.37"),
        ("452.365", b"452.37"),
        (Decimal("452.365"), b"452.37"),
        (452.364, b"452.36"),
        (0.005, b"0.01"),
        (300, b"300.00"),
        ("2.5", b"2.50"),
        ("1E+2", b"100.00"),
    ],
)
def test_sbc_formatting(sbc, text):
    row = [("01234567897", "GODE561231HDFRRN00", sbc)]
    (content,) = layouts.render_worker_csv(row, header=False, layout=LAYOUT)
    assert content == b"01234567897,GODE561231HDFRRN00," + text


def test_text_is_upper_cased_and_trimmed():
    row = [(" 01234567897 ", "gode561231hdfrrn00", "452.37")]
    (content,) = layouts.render_worker_csv(row, header=False, layout=LAYOUT)
    assert content == BODY.split(b"\r\n")[0]


def test_bad_nss_length_names_the_row():
    rows = [*ROWS, ("0123456789", "GODE561231HDFRRN00", 1)]
    with pytest.raises(ValueError, match=r"Row 3, column NSS"):
        layouts.render_worker_csv(rows, header=True, layout=LAYOUT)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ((1234567897, "GODE561231HDFRRN00", 1), "NSS"),  # number: lost zeros
        (("0123456789A", "GODE561231HDFRRN00", 1), "NSS"),
        (("01234567897", "GODE561231 DFRRN00", 1), "CURP"),
        (("01234567897", "GODE561231,DFRRN00", 1), "CURP"),
        (("01234567897", 'GODE561231"DFRRN00', 1), "CURP"),
        (("01234567897", "GODE561231HDFRRN0", 1), "CURP"),
        (("01234567897", "GODE561231HDFRRÑ00", 1), "CURP"),
        (("01234567897", "GODE561231HDFRRN00", "1,000.00"), "SBC"),
        (("01234567897", "GODE561231HDFRRN00", "abc"), "SBC"),
        (("01234567897", "GODE561231HDFRRN00", -1), "SBC"),
        (("01234567897", "GODE561231HDFRRN00", None), "SBC"),
        (("01234567897", "GODE561231HDFRRN00", True), "SBC"),
        (("01234567897", "GODE561231HDFRRN00", float("nan")), "SBC"),
    ],
)
def test_bad_values_name_row_and_column(row, column):
    with pytest.raises(ValueError, match=rf"Row 1, column {column}: "):
        layouts.render_worker_csv([row], header=False, layout=LAYOUT)


def test_wrong_number_of_values():
    with pytest.raises(ValueError, match=r"Row 2: expected 3 values, got 2"):
        layouts.render_worker_csv(
            [ROWS[0], ("01234567897", "GODE561231HDFRRN00")],
            header=False,
            layout=LAYOUT,
        )


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("C-001", 1, 1), "contrato_C-001.csv"),
        (("C-001", 1, 3), "contrato_C-001_1de3.csv"),
        (("C-001", 3, 3), "contrato_C-001_3de3.csv"),
        (("CTO/2025 Ñ.01", 2, 2), "contrato_CTO_2025___01_2de2.csv"),
        (("ref_x", 1, 1), "contrato_ref_x.csv"),
    ],
)
def test_split_name(args, name):
    assert layouts.split_name(*args) == name


@pytest.mark.parametrize(("index", "total"), [(0, 1), (2, 1), (4, 3)])
def test_split_name_bad_index(index, total):
    with pytest.raises(ValueError):
        layouts.split_name("C-001", index, total)
