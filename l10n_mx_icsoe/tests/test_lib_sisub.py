"""Tests for the SISUB rules that need no database (icsoe.sisub)."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe import cfdi, sisub

from .test_lib_cfdi import build_cfdi, nomina_spec

UMA = [(date(2025, 2, 1), Decimal("113.14")), (date(2026, 2, 1), Decimal("117.31"))]
HOSTILE = 'Ñandú, S.A. de C.V. — "Planta #2"'


# ---------------------------------------------------------------- NRP


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Y6012345104", "Y6012345104"),
        (" y60-12345-10 4 ", "Y6012345104"),
        ("E61.12345.10.6", "E6112345106"),
        ("12345678901", "12345678901"),
    ],
)
def test_nrp_valid(value, expected):
    assert sisub.validate_nrp(value) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "empty"),
        (None, "empty"),
        ("Y601234510", "nrp_length"),
        ("Y60123451045", "nrp_length"),
        ("YY012345104", "nrp_format"),
        ("Y60123451O4", "nrp_format"),
        ("Ñ6012345104", "nrp_format"),
    ],
)
def test_nrp_invalid(value, code):
    with pytest.raises(sisub.NrpError) as caught:
        sisub.validate_nrp(value)
    assert caught.value.code == code


def test_contract_number():
    assert sisub.contract_number_problem("2026001") is None
    assert sisub.contract_number_problem("1" * 30) is None
    assert sisub.contract_number_problem("1" * 31) == "number_length"
    assert sisub.contract_number_problem("A-1") == "number_digits"
    assert sisub.contract_number_problem("١٢٣") == "number_digits"  # not ASCII digits
    assert sisub.contract_number_problem("") == "empty"
    assert sisub.contract_number_problem(False) == "empty"


# ---------------------------------------------------------------- fill rules


def test_hostile_text():
    assert sisub.clean_text(HOSTILE) == "NANDU SA DE CV PLANTA 2"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Av. Insurgentes Sur 1,234-B", "AV INSURGENTES SUR 1 234 B"),
        ("O'Brien & Asociados", "OBRIEN ASOCIADOS"),
        ("Calle 5/7 «Norte»", "CALLE 5 7 NORTE"),
        ("  año\tcañón\r\n", "ANO CANON"),
        ("Müller – Straße", "MULLER STRASSE"),
        ("", "N/A"),
        (None, "N/A"),
        (False, "N/A"),
        ("...", "N/A"),
    ],
)
def test_fill_rules(value, expected):
    text = sisub.clean_text(value)
    assert text == expected
    assert not set(text) & set(",.-/\"'`´") or text == "N/A"


def test_text_max_length():
    assert sisub.clean_text("Limpieza " * 40, max_length=20) == "LIMPIEZA LIMPIEZA LI"


def test_dates_and_amounts():
    assert sisub.fmt_date(date(2026, 3, 1)) == "01/03/2026"
    assert sisub.fmt_date(None) == "N/A"
    assert sisub.fmt_end_date(None) == "31/12/9999"
    assert sisub.fmt_end_date(date(2026, 12, 31)) == "31/12/2026"
    assert sisub.fmt_amount(120000) == "120000.00"
    assert sisub.fmt_amount(0.005) == "0.01"  # half up
    assert sisub.fmt_amount("1234.565") == "1234.57"
    with pytest.raises(ValueError):
        sisub.fmt_amount(-1)
    with pytest.raises(ValueError):
        sisub.fmt_amount("abc")
    assert sisub.fmt_int(3) == "3"
    assert sisub.fmt_int(None) == "N/A"
    with pytest.raises(ValueError):
        sisub.fmt_int(2.5)
    assert sisub.fmt_code(" b-1234567890 ") == "B1234567890"
    assert sisub.fmt_code("ÑAN100101AB1") == "NAN100101AB1"
    assert sisub.fmt_code("") == "N/A"


# ---------------------------------------------------------------- layouts


def test_layout_table():
    layout = sisub.sisub_layout(date(2026, 4, 30))
    assert layout.code == "sisub_2021"
    assert sisub.sisub_layout(date(2021, 1, 1)) is layout  # before the first one
    assert [f.filename for f in layout.files] == [
        "1_SISUB_Ley_29_bis_Sujeto obligado.csv",
        "2_SISUB_Ley_29_bis_Contratos.csv",
        "3_SISUB_Ley_29_bis_DetalleTrab.csv",
    ]
    assert dict(layout.pdfs) == {
        "deed": "1a_SISUB_Ley_29_bis_Escritura Constitutiva.pdf",
        "contracts": "2B_SISUB_Ley_29_bis_Contratos.pdf",
        "stps": "4_SISUB_Ley_29_bis_Registro emitido por STPS.pdf",
    }
    workers = layout.file("workers")
    assert len(workers.columns) == 21
    assert [c.name for c in workers.columns[:3]] == ["CUATRIMESTRE", "ANIO", "BIMESTRE"]
    assert workers.columns[-2].name == "APORTACIONES"
    for file in layout.files:
        for column in file.columns:
            assert column.source, column.name  # every column says where it comes from
            assert column.kind in sisub.FORMATTERS
    assert "[U]" in layout.source
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.code = "x"


def test_render_csv():
    file = sisub.sisub_layout(date(2026, 4, 30)).file("contracts")
    row = {
        "contract_number": "1002",
        "contract_type": "Prestacion de servicios especializados",
        "object": 'Limpieza, mantenimiento/jardinería — "Área #3"',
        "date_start": date(2026, 3, 1),
        "date_end": None,
        "amount": Decimal("50000"),
        "nrp": "Y6012345104",
        "estimated_workers": 2,
        "client_rfc": "NAN100101XY1",
        "client_name": HOSTILE,
        "client_nrp": None,
    }
    content = sisub.render_csv(file, [row, row])
    lines = content.split(b"\r\n")
    assert len(lines) == 3
    assert not content.endswith(b"\r\n")
    assert lines[0].startswith(b"NUMERO_CONTRATO,TIPO_CONTRATO,")
    assert lines[1] == (
        b"1002,PRESTACION DE SERVICIOS ESPECIALIZADOS,"
        b"LIMPIEZA MANTENIMIENTO JARDINERIA AREA 3,01/03/2026,31/12/9999,50000.00,"
        b"Y6012345104,2,NAN100101XY1,NANDU SA DE CV PLANTA 2,N/A"
    )
    assert sisub.render_csv(file, [row], header=False) == lines[1]
    assert sisub.render_csv(file, [], header=False) == b""
    with pytest.raises(ValueError, match="Row 1, column MONTO_SIN_IVA"):
        sisub.render_csv(file, [dict(row, amount=-5)])


# ---------------------------------------------------------------- bimesters


def test_bimesters():
    first, second = sisub.bimesters(2026, 1)
    assert (first.number, first.start, first.end, first.days) == (
        1,
        date(2026, 1, 1),
        date(2026, 2, 28),
        59,
    )
    assert (second.number, second.start, second.end) == (
        2,
        date(2026, 3, 1),
        date(2026, 4, 30),
    )
    assert [b.number for b in sisub.bimesters(2028, 3)] == [5, 6]
    assert sisub.bimesters(2028, 1)[0].days == 60  # leap year
    assert sisub.bimester(2026, 6).end == date(2026, 12, 31)
    assert sisub.previous_bimester(first) == sisub.bimester(2025, 6)
    assert sisub.bimester_of(date(2026, 8, 31)).number == 4
    with pytest.raises(ValueError):
        sisub.bimesters(2026, 4)
    with pytest.raises(ValueError):
        sisub.bimester(2026, 7)


def test_ranges():
    merged = sisub.merge_ranges(
        [
            (date(2026, 3, 10), date(2026, 3, 20)),
            (date(2026, 3, 21), date(2026, 3, 25)),  # touching: joined
            (date(2026, 1, 1), date(2026, 1, 5)),
            (date(2026, 4, 1), None),
        ]
    )
    assert merged[:2] == [
        (date(2026, 1, 1), date(2026, 1, 5)),
        (date(2026, 3, 10), date(2026, 3, 25)),
    ]
    clipped = sisub.clip(merged, date(2026, 3, 1), date(2026, 4, 30))
    assert sisub.count_days(clipped) == 16 + 30


# ---------------------------------------------------------------- aportación


def test_aportacion_simple():
    result = sisub.aportacion(
        [(date(2026, 3, 1), date(2026, 4, 30))], [(date(2026, 1, 1), "300")], UMA
    )
    assert (result.days, result.amount, result.sbc_capped) == (
        61,
        Decimal("915.00"),
        Decimal("300.00"),
    )
    assert (result.days_without_sbc, result.capped_days) == (0, 0)


def test_aportacion_cap_follows_uma_and_sbc_changes():
    # 1-14 Jan at 500; from 15 Jan 4,000, capped at 25 UMA: 2,828.50 in January
    # (UMA 2025), 2,932.75 from 1 February (UMA 2026).
    result = sisub.aportacion(
        [(date(2026, 1, 1), date(2026, 2, 28))],
        [(date(2025, 12, 1), 500), (date(2026, 1, 15), 4000)],
        UMA,
    )
    base = Decimal("500") * 14 + Decimal("2828.50") * 17 + Decimal("2932.75") * 28
    assert result.base == base
    assert result.amount == Decimal("6860.08")  # 6,860.075 rounded half up
    assert result.capped_days == 45
    assert result.sbc_capped == Decimal("2932.75")


def test_aportacion_days_without_sbc_and_gaps():
    result = sisub.aportacion(
        [
            (date(2026, 3, 1), date(2026, 3, 10)),
            (date(2026, 4, 1), date(2026, 4, 10)),
        ],
        [(date(2026, 3, 6), "200")],
        UMA,
    )
    assert (result.days, result.days_without_sbc) == (20, 5)
    assert result.amount == Decimal("150.00")  # 15 days x 200 x 5 %
    empty = sisub.aportacion([], [(date(2026, 1, 1), "300")], UMA)
    assert (empty.days, empty.amount, empty.sbc_capped) == (0, Decimal("0.00"), None)


# ---------------------------------------------------------------- pay


def test_pay_amounts():
    pay = sisub.pay_amounts(
        [
            ("001", Decimal("7000")),
            ("028", "1000"),
            ("029", "500"),
            ("014", "600"),
            ("999", "10"),
        ],
        [("010", "850.50"), ("010", "100"), ("002", "900")],
        [("02", 3), ("01", 2)],
    )
    assert pay == sisub.PayAmounts(
        Decimal("7000"), Decimal("1010"), Decimal("1100"), 5, Decimal("950.50")
    )


def test_cfdi_reads_the_pay():
    spec = nomina_spec()
    nomina = cfdi.parse_cfdi(build_cfdi(nominas=[spec]), "n.xml").nominas[0]
    assert nomina.perceptions == (("001", Decimal("6785.55")),)
    assert nomina.deductions == (("001", Decimal("162.50")), ("002", Decimal("612.30")))
    assert nomina.incapacities == ()
    pay = sisub.pay_amounts(nomina.perceptions, nomina.deductions)
    assert (pay.fixed, pay.housing_credit) == (Decimal("6785.55"), 0)


# ---------------------------------------------------------------- error file


def test_error_file_with_header():
    data = (
        "Archivo;Línea;NSS;Contrato;Bimestre;Código error;Descripción\n"
        "3_SISUB_Ley_29_bis_DetalleTrab;5;12159012014;1002;2;E12;NRP no corresponde\n"
        "2_SISUB_Ley_29_bis_Contratos;3;;1001;;E40;Monto inválido\n"
    ).encode("cp1252")
    first, second = sisub.parse_error_file(data)
    assert first == sisub.ErrorRow(
        2, "workers", 5, "12159012014", "1002", 2, "NRP no corresponde"
    )
    assert (second.file, second.row, second.nss, second.contract_number) == (
        "contracts",
        3,
        None,
        "1001",
    )
    assert second.message == "Monto inválido"


def test_error_file_without_header():
    rows = sisub.parse_error_file(b"12159012014,El trabajador no existe\n\n")
    assert rows == [
        sisub.ErrorRow(
            1, None, None, "12159012014", None, None, "El trabajador no existe"
        )
    ]


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "error_file_empty"),
        (b"\n \n", "error_file_empty"),
        (b"\x00\x01\x02", "error_file_encoding"),
        (b"x" * (sisub.MAX_ERROR_FILE_BYTES + 1), "error_file_too_large"),
    ],
)
def test_error_file_refused(data, code):
    with pytest.raises(sisub.SisubError) as caught:
        sisub.parse_error_file(data)
    assert caught.value.code == code
