"""SISUB (INFONAVIT, Ley del INFONAVIT art. 29 Bis): the rules that need no database.

Domain notes §8 (file set HIGH confidence, column lists LOW), §5.6 (NRP), §10.

**Registro patronal (NRP).** 11 characters: a 3-character municipality key
(letter or digit, then digits), a 5-digit progressive number, a 2-digit
modality and a check digit [S1]. Only the structure is checked here: the check
digit algorithm is not published [U]. :func:`validate_nrp` normalises
(upper case, spaces, hyphens and dots off) and raises :class:`NrpError`.

**Contract number.** The filer's own number, digits only, at most 30 [S1];
``0`` stands for a contract without a number, and the same number must appear
in the contracts file and in the worker detail (:func:`contract_number_problem`).

**Fill rules (§8.2) — applied by the writer, never left to the user** [S1]:

* text holds no commas, periods, hyphens, slashes, quotes or accents:
  accented letters lose their accent and ``Ñ`` becomes ``N``; periods, quotes
  and apostrophes are dropped (``S.A.`` → ``SA``); any other character that is
  not a letter A–Z, a digit or a space becomes a space; runs of spaces are
  collapsed; text is written in upper case [U: case is not documented, upper
  case is what the INFONAVIT and IMSS files use everywhere]. So
  ``Ñandú, S.A. de C.V. — "Planta #2"`` is written ``NANDU SA DE CV PLANTA 2``;
* no empty cell: a missing value is ``N/A``;
* dates ``DD/MM/AAAA``; an open-ended end date is ``31/12/9999``;
* amounts with 2 decimals and a ``.`` separator, no thousands separator
  [U: the decimal point is the one period the files keep];
* no trailing line break after the last row; rows end with ``\\r\\n`` (what
  Excel's "CSV (delimitado por comas)" writes) [U]; one header row with the
  column names [U: the .xls guides carry titles; a company setting drops it].

**The files** (:data:`SISUB_LAYOUTS`, dated like the ICSOE worker CSV): the CSVs
``1_SISUB_Ley_29_bis_Sujeto obligado``, ``2_SISUB_Ley_29_bis_Contratos`` and
``3_SISUB_Ley_29_bis_DetalleTrab`` and the PDFs ``1a_…_Escritura Constitutiva``
(persona física: constancia de situación fiscal), ``2B_…_Contratos`` and
``4_…_Registro emitido por STPS`` [S2]. Each column names the record it is read
from (``Column.source``). The column lists follow the summary of the
INFONAVIT guide in the domain notes [S1]; the official ``.xls`` guides were not
seen [U], so a layout change is a new dated :class:`Layout`, not new code.

**Bimesters.** INFONAVIT works by bimester (Jan–Feb = 1 … Nov–Dec = 6); each
cuatrimestre holds two of them (:func:`bimesters`), and the worker detail has
one row per worker and bimester [S1]. The ``BIMESTRE`` column holds the
bimester of the year (1–6) [U: 1–2 within the cuatrimestre is possible].

**Aportación** (Ley del INFONAVIT art. 29 fr. II; LSS art. 28 for the cap) —
:func:`aportacion`: 5 % of the salario base de aportación (the SBC) for each day
of the bimester the worker was placed under the contract, the SBC of each day
capped at 25 UMA of that day (UMA changes on 1 February, SBC on the dates of the
SBC history, so the bimester is cut into segments), rounded half up to the cent
at the end. Points not confirmed [U]:

* incapacity days do not reduce the days (the aportación stays due during an
  incapacity, as the SUA computes it); absences (ausentismos) are not in the
  records, so they are not deducted either;
* a worker placed under two contracts on the same days gets the days on both
  lines (the checks warn): the SUA figure can be typed over the computed one
  on each line;
* a day without an SBC counts nothing (the checks report it as an error).

**Pay from payroll CFDI** (Nómina 1.2) — :func:`pay_amounts`: each percepción
(``ImporteGravado`` + ``ImporteExento``) is *fixed*, *variable* or
*non-integrable* pay by its SAT ``TipoPercepcion`` (:data:`PERCEPTION_KINDS`,
after LSS art. 27 and 30) [U: the partial exclusions of art. 27 — overtime,
punctuality and attendance bonuses, vales de despensa within their limits —
are not split; such codes count whole in the kind given here, unknown codes as
variable]. ``Incapacidades/Incapacidad@DiasIncapacidad`` are the incapacity
days; deductions of SAT type ``010`` (*pago por crédito de vivienda*) are the
INFONAVIT credit repayments (amortizaciones).

Errors are :class:`NrpError` / :class:`SisubError` with a stable ``code``; the
Odoo layer maps codes to translated messages.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# ---------------------------------------------------------------- errors


class SisubError(ValueError):
    """Bad SISUB input; ``code`` is stable, ``value`` the input, ``detail`` English."""

    def __init__(self, code: str, value: object = None, detail: str | None = None):
        super().__init__(detail or code)
        self.code = code
        self.value = value
        self.detail = detail


class NrpError(SisubError):
    """A registro patronal that does not follow the NRP structure."""


# ---------------------------------------------------------------- NRP

NRP_LENGTH = 11
#: Municipality key (3: a letter or digit, then 2 digits), progressive number
#: (5 digits), modality (2 digits), check digit (1 digit).
_NRP = re.compile(r"[A-Z0-9][0-9]{10}")
_NRP_NOISE = re.compile(r"[\s.\-/]")


def compact_nrp(value: object) -> str:
    """*value* in upper case without spaces, dots, hyphens or slashes ('' if empty)."""
    if value is None or value is False:
        return ""
    return _NRP_NOISE.sub("", str(value)).upper()


def validate_nrp(value: object) -> str:
    """Return the compact NRP or raise :class:`NrpError` (``empty``,
    ``nrp_length``, ``nrp_format``)."""
    nrp = compact_nrp(value)
    if not nrp:
        raise NrpError("empty", value, "The registro patronal is empty.")
    if len(nrp) != NRP_LENGTH:
        raise NrpError(
            "nrp_length", value, "A registro patronal has exactly 11 characters."
        )
    if not _NRP.fullmatch(nrp):
        raise NrpError(
            "nrp_format",
            value,
            "A registro patronal is a letter or digit followed by 10 digits.",
        )
    return nrp


# ---------------------------------------------------------------- contract number

CONTRACT_NUMBER_MAX = 30
NO_CONTRACT_NUMBER = "0"


def contract_number_problem(value: object) -> str | None:
    """``None`` when *value* is a valid SISUB contract number, else a code:
    ``empty``, ``number_digits`` (not only digits) or ``number_length`` (> 30)."""
    text = (value or "").strip() if isinstance(value, str) else value
    if not text:
        return "empty"
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        return "number_digits"
    if len(text) > CONTRACT_NUMBER_MAX:
        return "number_length"
    return None


# ---------------------------------------------------------------- fill rules

NA = "N/A"
OPEN_END = "31/12/9999"
_DROPPED = re.compile(r"[.'\"`´‘’“”«»]")
_NOT_ALLOWED = re.compile(r"[^A-Z0-9 ]")
_SPACES = re.compile(r" {2,}")
_CENT = Decimal("0.01")


def clean_text(value: object, max_length: int | None = None) -> str:
    """*value* as SISUB text (see the module docstring); ``N/A`` when empty."""
    if value is None or value is False:
        return NA
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    text = _DROPPED.sub("", text)
    text = _NOT_ALLOWED.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if max_length:
        text = text[:max_length].rstrip()
    return text or NA


def fmt_date(value: date | None) -> str:
    """``DD/MM/AAAA``; ``N/A`` when there is no date."""
    return value.strftime("%d/%m/%Y") if value else NA


def fmt_end_date(value: date | None) -> str:
    """An end date: ``DD/MM/AAAA``, or ``31/12/9999`` when open-ended."""
    return value.strftime("%d/%m/%Y") if value else OPEN_END


def to_decimal(value: object) -> Decimal:
    """An amount (float, int, Decimal, str) as a Decimal."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not an amount")
        return value
    if value is None or value is False:
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount") from exc
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    return amount


def money(value: object) -> Decimal:
    """*value* rounded half up to the cent."""
    return to_decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def fmt_amount(value: object) -> str:
    """Two decimals, ``.`` separator, no thousands separator; negatives refused."""
    amount = money(value)
    if amount < 0:
        raise ValueError(f"{value!r} is negative")
    return f"{amount:f}"


def fmt_int(value: object) -> str:
    if value is None or value is False or value == "":
        return NA
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"{value!r} is not a whole number")
    return str(int(value))


def fmt_code(value: object) -> str:
    """An identifier (RFC, NSS, NRP, contract number): compact, upper case."""
    text = compact_nrp(value)
    if not text:
        return NA
    if _NOT_ALLOWED.search(text):
        # Ñ and & in an RFC, or anything unexpected, follow the text rules.
        return clean_text(text).replace(" ", "")
    return text


FORMATTERS = {
    "text": clean_text,
    "code": fmt_code,
    "date": fmt_date,
    "end_date": fmt_end_date,
    "amount": fmt_amount,
    "int": fmt_int,
}


# ---------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Column:
    """One CSV column: header, the row key it is read from, its kind and source.

    ``kind`` is one of :data:`FORMATTERS`; ``source`` documents the record and
    field the value comes from.
    """

    name: str
    key: str
    kind: str
    source: str
    max_length: int | None = None

    def format(self, value: Any) -> str:
        if self.kind == "text":
            return clean_text(value, self.max_length)
        return FORMATTERS[self.kind](value)


@dataclass(frozen=True)
class CsvFile:
    """One of the CSV files: its code, the name INFONAVIT gives it, its columns."""

    code: str
    filename: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Layout:
    """The dated SISUB file set: three CSV layouts and the PDF names."""

    code: str
    valid_from: date
    files: tuple[CsvFile, ...]
    pdfs: tuple[tuple[str, str], ...]  # (code, file name)
    source: str = ""

    def file(self, code: str) -> CsvFile:
        return next(f for f in self.files if f.code == code)

    def pdf_name(self, code: str) -> str:
        return dict(self.pdfs)[code]


_SOURCE_2021 = (
    "INFONAVIT, Instructivo de uso del SISUB (Sep 2021) as reproduced by "
    "bbconsultinggroup and Consolidé (file set [S2]); column content as summarised "
    "from contadormx in the domain notes §8.2 (column lists [S1], official .xls not "
    "seen [U])"
)
_COMPANY = "Company (res.company)"
_CONTRACT = "Contract (l10n_mx_icsoe.contract)"
_CLIENT = "Client (res.partner of the contract)"
_PAY = "Payroll CFDI imported for the worker (l10n_mx_icsoe.payroll.cfdi)"

SISUB_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "sisub_2021",
        date(2021, 9, 1),
        (
            CsvFile(
                "subject",
                "1_SISUB_Ley_29_bis_Sujeto obligado.csv",
                (
                    Column("RFC", "company_rfc", "code", f"{_COMPANY}: RFC (vat)"),
                    Column(
                        "NOMBRE_RAZON_SOCIAL",
                        "company_name",
                        "text",
                        f"{_COMPANY}: name",
                    ),
                    Column(
                        "NRP_PRINCIPAL",
                        "company_nrp",
                        "code",
                        f"{_COMPANY}: the registro patronal marked principal "
                        "(l10n_mx_icsoe.nrp); the portal is entered with it",
                    ),
                    Column(
                        "NUMERO_REGISTRO_REPSE",
                        "repse_number",
                        "text",
                        "REPSE registration (l10n_mx_icsoe.repse.registration) valid at "
                        "the end of the period: number, text rules applied",
                    ),
                    Column(
                        "FECHA_REGISTRO_REPSE",
                        "repse_date",
                        "date",
                        "REPSE registration: registration date",
                    ),
                    Column(
                        "CUATRIMESTRE", "period", "int", "SISUB report: cuatrimestre"
                    ),
                    Column("ANIO", "year", "int", "SISUB report: year"),
                    Column(
                        "TIPO_INFORME",
                        "report_type",
                        "text",
                        "SISUB report: type (see REPORT_TYPE_LABELS)",
                    ),
                    Column(
                        "NUMERO_CONTRATOS",
                        "contract_count",
                        "int",
                        "SISUB report: contracts in force in the period",
                    ),
                    Column(
                        "NUMERO_TRABAJADORES",
                        "worker_count",
                        "int",
                        "SISUB report: distinct workers placed in the period",
                    ),
                ),
            ),
            CsvFile(
                "contracts",
                "2_SISUB_Ley_29_bis_Contratos.csv",
                (
                    Column(
                        "NUMERO_CONTRATO",
                        "contract_number",
                        "code",
                        f"{_CONTRACT}: SISUB Contract Number, 0 when it has none",
                    ),
                    Column(
                        "TIPO_CONTRATO",
                        "contract_type",
                        "text",
                        f"{_CONTRACT}: SISUB Contract Type (see CONTRACT_TYPE_LABELS)",
                    ),
                    Column(
                        "OBJETO_CONTRATO",
                        "object",
                        "text",
                        f"{_CONTRACT}: Objeto del contrato",
                        max_length=250,
                    ),
                    Column(
                        "FECHA_INICIO", "date_start", "date", f"{_CONTRACT}: Start Date"
                    ),
                    Column(
                        "FECHA_TERMINO",
                        "date_end",
                        "end_date",
                        f"{_CONTRACT}: End Date, 31/12/9999 when open-ended",
                    ),
                    Column(
                        "MONTO_SIN_IVA",
                        "amount",
                        "amount",
                        f"{_CONTRACT}: the last amendment on or before the end of the "
                        "period, else the Amount without VAT",
                    ),
                    Column(
                        "NRP",
                        "nrp",
                        "code",
                        f"{_CONTRACT}: SISUB NRPs (one row per NRP); when none, the NRPs "
                        "of its workers' detail rows",
                    ),
                    Column(
                        "NUMERO_TRABAJADORES_ESTIMADO",
                        "estimated_workers",
                        "int",
                        f"{_CONTRACT}: Estimated Workers",
                    ),
                    Column(
                        "RFC_BENEFICIARIO",
                        "client_rfc",
                        "code",
                        f"{_CLIENT}: RFC (vat)",
                    ),
                    Column(
                        "NOMBRE_RAZON_SOCIAL_BENEFICIARIO",
                        "client_name",
                        "text",
                        f"{_CLIENT}: name",
                    ),
                    Column(
                        "NRP_BENEFICIARIO",
                        "client_nrp",
                        "code",
                        f"{_CLIENT}: Registro Patronal; when it has none, the company "
                        "setting 'Client without NRP' (the contractor's NRP, or a "
                        "placeholder) [U]",
                    ),
                ),
            ),
            CsvFile(
                "workers",
                "3_SISUB_Ley_29_bis_DetalleTrab.csv",
                (
                    Column(
                        "CUATRIMESTRE", "period", "int", "SISUB report: cuatrimestre"
                    ),
                    Column("ANIO", "year", "int", "SISUB report: year"),
                    Column(
                        "BIMESTRE",
                        "bimester",
                        "int",
                        "Bimester of the year (1-6), two rows per worker",
                    ),
                    Column(
                        "RFC_SUJETO_OBLIGADO",
                        "company_rfc",
                        "code",
                        f"{_COMPANY}: RFC (vat)",
                    ),
                    Column(
                        "NUMERO_CONTRATO",
                        "contract_number",
                        "code",
                        f"{_CONTRACT}: SISUB Contract Number (as in the contracts file)",
                    ),
                    Column(
                        "NRP",
                        "nrp",
                        "code",
                        "Worker (hr.employee): Registro Patronal; else the contract's "
                        "first SISUB NRP; else the company's principal NRP",
                    ),
                    Column("NSS", "nss", "code", "Worker: NSS (ssnid)"),
                    Column(
                        "CALLE",
                        "street",
                        "text",
                        "Work site (l10n_mx_icsoe.work.site) of the assignment, else the "
                        "contract's first work site: street",
                    ),
                    Column(
                        "NUMERO_EXTERIOR",
                        "street_number",
                        "text",
                        "Work site: exterior number",
                    ),
                    Column(
                        "NUMERO_INTERIOR",
                        "street_number2",
                        "text",
                        "Work site: interior number, N/A when none",
                    ),
                    Column("COLONIA", "colony", "text", "Work site: colonia"),
                    Column("CODIGO_POSTAL", "zip", "code", "Work site: ZIP"),
                    Column("MUNICIPIO", "city", "text", "Work site: municipality"),
                    Column("ESTADO", "state", "text", "Work site: state"),
                    Column(
                        "SALARIO_VARIABLE_BIMESTRE_ANTERIOR",
                        "variable_pay",
                        "amount",
                        f"{_PAY}: variable percepciones paid in the previous bimester, "
                        "for the days placed under the contract",
                    ),
                    Column(
                        "SALARIO_FIJO_BIMESTRE",
                        "fixed_pay",
                        "amount",
                        f"{_PAY}: fixed percepciones paid in the bimester, for the days "
                        "placed under the contract",
                    ),
                    Column(
                        "DIAS_INCAPACIDAD",
                        "incapacity_days",
                        "int",
                        f"{_PAY}: Incapacidades/DiasIncapacidad in the bimester",
                    ),
                    Column(
                        "PAGOS_NO_INTEGRABLES",
                        "non_integrable_pay",
                        "amount",
                        f"{_PAY}: non-integrable percepciones paid in the bimester",
                    ),
                    Column(
                        "SALARIO_TOPADO",
                        "sbc_capped",
                        "amount",
                        "Worker's SBC history: daily SBC on the last day placed in the "
                        "bimester, capped at 25 UMA",
                    ),
                    Column(
                        "APORTACIONES",
                        "aportacion",
                        "amount",
                        "5 % of the capped SBC for the days placed in the bimester "
                        "(aportacion()), or the SUA figure typed on the line",
                    ),
                    Column(
                        "AMORTIZACIONES",
                        "amortizacion",
                        "amount",
                        f"{_PAY}: deductions of type 010 (housing credit) in the bimester",
                    ),
                ),
            ),
        ),
        (
            ("deed", "1a_SISUB_Ley_29_bis_Escritura Constitutiva.pdf"),
            ("contracts", "2B_SISUB_Ley_29_bis_Contratos.pdf"),
            ("stps", "4_SISUB_Ley_29_bis_Registro emitido por STPS.pdf"),
        ),
        source=_SOURCE_2021,
    ),
)

#: What the TIPO_INFORME column says for each report type [U].
REPORT_TYPE_LABELS = {
    "normal": "Presentar informe",
    "no_activity": "Informe sin actividad",
    "continuous": "Datos continuos",
    "complementary": "Complementario",
}
#: What the TIPO_CONTRATO column says for each contract type [U].
CONTRACT_TYPE_LABELS = {
    "services": "Prestacion de servicios especializados",
    "works": "Ejecucion de obras especializadas",
}
#: Which files each report type uploads: a report "sin actividad" has no
#: contracts and no workers (filed bajo protesta with the REPSE number and the
#: deed) [S2].
FILES_BY_TYPE = {
    "no_activity": ("subject",),
}
PDFS_BY_TYPE = {
    "no_activity": ("deed", "stps"),
}
ALL_FILES = ("subject", "contracts", "workers")
ALL_PDFS = ("deed", "contracts", "stps")


def sisub_layout(on_date: date) -> Layout:
    """The newest layout in force on *on_date* (the first one before it)."""
    valid = [lay for lay in SISUB_LAYOUTS if lay.valid_from <= on_date]
    if not valid:
        return min(SISUB_LAYOUTS, key=lambda lay: lay.valid_from)
    return max(valid, key=lambda lay: lay.valid_from)


LINE_TERMINATOR = "\r\n"
ENCODING = "utf-8"
_CELL_FORBIDDEN = re.compile(r"[,\"'\r\n]")


def format_rows(file: CsvFile, rows: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """The cells of *rows* (dicts keyed by ``Column.key``), fill rules applied.

    Raises ``ValueError`` naming the row (from 1) and the column of a value that
    cannot be written. Each distinct value of a column is formatted once (the
    detail file repeats work sites, states, amounts… on tens of thousands of
    rows).
    """
    result = []
    columns = [(column, column.key, {}) for column in file.columns]
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, key, memo in columns:
            value = row.get(key)
            cache_key = (type(value), value)  # 1, 1.0 and True stay apart
            try:
                text = memo.get(cache_key)
            except TypeError:  # not hashable
                text = None
            if text is None:
                try:
                    text = column.format(value)
                except (ValueError, TypeError) as exc:
                    raise ValueError(
                        f"Row {number}, column {column.name}: {exc}"
                    ) from exc
                if _CELL_FORBIDDEN.search(text):
                    raise ValueError(
                        f"Row {number}, column {column.name}: {text!r} holds a comma, "
                        "quote or line break"
                    )
                with contextlib.suppress(TypeError):
                    memo[cache_key] = text
            cells.append(text)
        result.append(cells)
    return result


def render_csv(
    file: CsvFile, rows: Iterable[Mapping[str, Any]], *, header: bool = True
) -> bytes:
    """One SISUB CSV: optional header, fill rules, ``\\r\\n`` between rows and no
    line break after the last one."""
    lines = []
    if header:
        lines.append(",".join(column.name for column in file.columns))
    lines += [",".join(cells) for cells in format_rows(file, rows)]
    return LINE_TERMINATOR.join(lines).encode(ENCODING)


# ---------------------------------------------------------------- bimesters


@dataclass(frozen=True)
class Bimester:
    year: int
    number: int  # 1-6
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def bimester(year: int, number: int) -> Bimester:
    """Bimester *number* (1-6) of *year*."""
    if isinstance(number, bool) or number not in range(1, 7):
        raise ValueError(f"Invalid bimester: {number!r} (expected 1 to 6)")
    first = date(year, 2 * number - 1, 1)
    following = date(year + 1, 1, 1) if number == 6 else date(year, 2 * number + 1, 1)
    return Bimester(year, number, first, following - timedelta(days=1))


def bimester_of(day: date) -> Bimester:
    return bimester(day.year, (day.month + 1) // 2)


def previous_bimester(bim: Bimester) -> Bimester:
    return (
        bimester(bim.year - 1, 6)
        if bim.number == 1
        else bimester(bim.year, bim.number - 1)
    )


def bimesters(year: int, period: int) -> tuple[Bimester, Bimester]:
    """The two bimesters of cuatrimestre *period* (1: 1-2, 2: 3-4, 3: 5-6)."""
    if isinstance(period, bool) or period not in (1, 2, 3):
        raise ValueError(f"Invalid period: {period!r} (expected 1, 2 or 3)")
    return bimester(year, 2 * period - 1), bimester(year, 2 * period)


# ---------------------------------------------------------------- days and aportación

APORTACION_RATE = Decimal("0.05")  # Ley del INFONAVIT art. 29 fr. II
CAP_UMA = 25  # LSS art. 28 (salario base de aportación capped at 25 UMA)
ONE_DAY = timedelta(days=1)
FAR_FUTURE = date(9999, 12, 31)


def merge_ranges(ranges: Iterable[tuple[date, date | None]]) -> list[tuple[date, date]]:
    """Sorted, non-overlapping ``(start, end)`` ranges (inclusive; ``None`` end
    means open) — touching ranges are joined."""
    items = sorted((start, end or FAR_FUTURE) for start, end in ranges)
    merged: list[list[date]] = []
    for start, end in items:
        if merged and start <= merged[-1][1] + ONE_DAY:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def clip(
    ranges: Sequence[tuple[date, date]], start: date, end: date
) -> list[tuple[date, date]]:
    """*ranges* (merged) cut to ``start``–``end``."""
    result = []
    for low, high in ranges:
        low, high = max(low, start), min(high, end)
        if low <= high:
            result.append((low, high))
    return result


def count_days(ranges: Iterable[tuple[date, date]]) -> int:
    return sum((high - low).days + 1 for low, high in ranges)


@dataclass(frozen=True)
class Aportacion:
    """The aportación of a worker's days in a bimester."""

    days: int  # days counted (placed under the contract, with or without SBC)
    days_without_sbc: int  # of them, days with no SBC registered
    capped_days: int  # of them, days whose SBC was above 25 UMA
    base: Decimal  # sum over the days of the capped daily SBC
    amount: Decimal  # 5 % of base, rounded half up to the cent
    sbc_capped: Decimal | None  # capped SBC on the last day counted


@dataclass(frozen=True)
class Timeline:
    """A worker's daily salario base de aportación, capped, as segments.

    ``starts`` are the days on which the SBC or the UMA changes; ``values[i]``
    is ``(SBC, capped SBC)`` from ``starts[i]`` to the next start (``None``
    before the first SBC). Built once per worker, read for every bimester.
    """

    starts: tuple[date, ...]
    values: tuple[tuple[Decimal, Decimal] | None, ...]


def caps(uma_history: Sequence[tuple[date, Any]], cap_uma: int = CAP_UMA):
    """``[(valid from, cap)]``: the daily cap (*cap_uma* x UMA) of each UMA value."""
    return [(day, to_decimal(amount) * cap_uma) for day, amount in uma_history]


def timeline(
    sbc_history: Sequence[tuple[date, Any]],
    uma_history: Sequence[tuple[date, Any]] = (),
    cap_uma: int = CAP_UMA,
    uma_caps: Sequence[tuple[date, Decimal]] | None = None,
) -> Timeline:
    """The capped daily SBC from *sbc_history* and *uma_history* (``(valid from,
    daily amount)`` sorted by date), or the :func:`caps` of the UMA already. A
    day with no UMA in the table is not capped."""
    sbc_rows = [(day, to_decimal(amount)) for day, amount in sbc_history]
    uma_rows = caps(uma_history, cap_uma) if uma_caps is None else uma_caps
    starts = sorted({day for day, _v in sbc_rows} | {day for day, _v in uma_rows})
    values = []
    sbc_i = uma_i = -1
    for day in starts:
        while sbc_i + 1 < len(sbc_rows) and sbc_rows[sbc_i + 1][0] <= day:
            sbc_i += 1
        while uma_i + 1 < len(uma_rows) and uma_rows[uma_i + 1][0] <= day:
            uma_i += 1
        if sbc_i < 0:
            values.append(None)
            continue
        sbc = sbc_rows[sbc_i][1]
        cap = uma_rows[uma_i][1] if uma_i >= 0 else None
        values.append((sbc, sbc if cap is None or sbc <= cap else cap))
    return Timeline(tuple(starts), tuple(values))


def aportacion(
    ranges: Sequence[tuple[date, date]],
    sbc_history: Sequence[tuple[date, Any]] | Timeline,
    uma_history: Sequence[tuple[date, Any]] = (),
    rate: Decimal = APORTACION_RATE,
    cap_uma: int = CAP_UMA,
) -> Aportacion:
    """Aportación for the days in *ranges* (merged, inclusive).

    *sbc_history* and *uma_history* are ``(valid from, daily amount)`` sorted by
    date, or *sbc_history* is the worker's :func:`timeline` already. The days are
    cut into segments on which both the SBC and the UMA are constant; each
    segment adds ``days x min(SBC, cap_uma x UMA)``.
    """
    line = (
        sbc_history
        if isinstance(sbc_history, Timeline)
        else timeline(sbc_history, uma_history, cap_uma)
    )
    starts, values = line.starts, line.values
    base = Decimal(0)
    days = missing = capped_days = 0
    last_capped = None
    for low, high in ranges:
        days += (high - low).days + 1
        index = bisect_right(starts, low) - 1
        cursor = low
        while cursor <= high:
            following = starts[index + 1] if index + 1 < len(starts) else None
            seg_end = min(high, following - ONE_DAY) if following else high
            length = (seg_end - cursor).days + 1
            value = values[index] if index >= 0 else None
            if value is None:
                missing += length
            else:
                sbc, capped = value
                if capped < sbc:
                    capped_days += length
                base += capped * length
                last_capped = capped
            cursor = seg_end + ONE_DAY
            index += 1
    amount = (base * rate).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Aportacion(
        days,
        missing,
        capped_days,
        base,
        amount,
        last_capped.quantize(_CENT, rounding=ROUND_HALF_UP)
        if last_capped is not None
        else None,
    )


# ---------------------------------------------------------------- pay from CFDI

FIXED, VARIABLE, NON_INTEGRABLE = "fixed", "variable", "non_integrable"
#: SAT c_TipoPercepcion → kind of pay (after LSS art. 27 and 30) [U].
PERCEPTION_KINDS = {
    # fixed: salary and the fixed integration elements
    "001": FIXED,  # Sueldos, salarios, rayas y jornales
    "002": FIXED,  # Gratificación anual (aguinaldo)
    "020": FIXED,  # Prima dominical
    "021": FIXED,  # Prima vacacional
    # variable: elements that change from one period to the next
    "010": VARIABLE,  # Premios por puntualidad (non-integrable up to 10 %)
    "019": VARIABLE,  # Horas extra (non-integrable within the legal limit)
    "028": VARIABLE,  # Comisiones
    "038": VARIABLE,  # Otros ingresos por salarios
    "047": VARIABLE,  # Alimentación
    "048": VARIABLE,  # Habitación
    "049": VARIABLE,  # Premios por asistencia (non-integrable up to 10 %)
    # non-integrable (LSS art. 27): not part of the SBC
    "003": NON_INTEGRABLE,  # PTU
    "004": NON_INTEGRABLE,  # Reembolso de gastos médicos
    "005": NON_INTEGRABLE,  # Fondo de ahorro
    "006": NON_INTEGRABLE,  # Caja de ahorro
    "009": NON_INTEGRABLE,  # Contribuciones a cargo del trabajador pagadas por el patrón
    "011": NON_INTEGRABLE,  # Prima de seguro de vida
    "012": NON_INTEGRABLE,  # Seguro de gastos médicos mayores
    "013": NON_INTEGRABLE,  # Cuotas sindicales pagadas por el patrón
    "014": NON_INTEGRABLE,  # Subsidios por incapacidad
    "015": NON_INTEGRABLE,  # Becas
    "022": NON_INTEGRABLE,  # Prima por antigüedad
    "023": NON_INTEGRABLE,  # Pagos por separación
    "024": NON_INTEGRABLE,  # Seguro de retiro
    "025": NON_INTEGRABLE,  # Indemnizaciones
    "026": NON_INTEGRABLE,  # Reembolso por funeral
    "027": NON_INTEGRABLE,  # Cuotas de seguridad social pagadas por el patrón
    "029": NON_INTEGRABLE,  # Vales de despensa (within 40 % UMA)
    "030": NON_INTEGRABLE,  # Vales de restaurante
    "031": NON_INTEGRABLE,  # Vales de gasolina
    "032": NON_INTEGRABLE,  # Vales de ropa
    "033": NON_INTEGRABLE,  # Ayuda para renta
    "034": NON_INTEGRABLE,  # Ayuda para artículos escolares
    "035": NON_INTEGRABLE,  # Ayuda para anteojos
    "036": NON_INTEGRABLE,  # Ayuda para transporte
    "037": NON_INTEGRABLE,  # Ayuda para gastos de funeral
    "050": NON_INTEGRABLE,  # Viáticos
}
DEFAULT_PERCEPTION_KIND = VARIABLE
#: SAT c_TipoDeduccion of the INFONAVIT housing-credit repayment.
HOUSING_CREDIT_DEDUCTION = "010"


@dataclass(frozen=True)
class PayAmounts:
    fixed: Decimal = Decimal(0)
    variable: Decimal = Decimal(0)
    non_integrable: Decimal = Decimal(0)
    incapacity_days: int = 0
    housing_credit: Decimal = Decimal(0)


def pay_amounts(
    perceptions: Iterable[tuple[str, Any]],
    deductions: Iterable[tuple[str, Any]] = (),
    incapacities: Iterable[tuple[str, Any]] = (),
) -> PayAmounts:
    """Sum a payslip's percepciones by kind, its incapacity days and its
    housing-credit deductions. ``(code, amount)`` pairs; incapacities are
    ``(type, days)``."""
    totals = {FIXED: Decimal(0), VARIABLE: Decimal(0), NON_INTEGRABLE: Decimal(0)}
    for code, amount in perceptions:
        kind = PERCEPTION_KINDS.get(code, DEFAULT_PERCEPTION_KIND)
        totals[kind] += to_decimal(amount)
    housing = sum(
        (
            to_decimal(amount)
            for code, amount in deductions
            if code == HOUSING_CREDIT_DEDUCTION
        ),
        Decimal(0),
    )
    days = sum(int(days) for _type, days in incapacities)
    return PayAmounts(
        totals[FIXED], totals[VARIABLE], totals[NON_INTEGRABLE], days, housing
    )


# ---------------------------------------------------------------- INFONAVIT error file


MAX_ERROR_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ErrorRow:
    """One rejection INFONAVIT returned (its "Logmensaje" file) [S1].

    Any of the references may be missing; ``row`` counts the lines of the file
    INFONAVIT names, the header line included (as a spreadsheet shows it) [U].
    """

    number: int  # line of the error file
    file: str | None  # 'subject', 'contracts', 'workers' or None
    row: int | None
    nss: str | None
    contract_number: str | None
    bimester: int | None
    message: str


#: Column names of the error file, by what they hold; for each key the first
#: hint found in a header wins (so a "DESCRIPCION" column beats "CODIGO ERROR").
_HEADER_HINTS = {
    "file": ("ARCHIVO", "LAYOUT", "FILE"),
    "row": ("LINEA", "RENGLON", "FILA", "ROW", "NUMERO DE REGISTRO"),
    "nss": ("NSS", "SEGURIDAD SOCIAL"),
    "contract_number": ("CONTRATO",),
    "bimester": ("BIMESTRE",),
    "message": ("MENSAJE", "DESCRIPCION", "OBSERVACION", "MOTIVO", "ERROR"),
}
_FILE_HINTS = (
    ("workers", ("DETALLETRAB", "DETALLE", "TRABAJ", "3")),
    ("contracts", ("CONTRATO", "2")),
    ("subject", ("SUJETO", "1")),
)
_NSS_CELL = re.compile(r"[0-9]{11}")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SisubError("error_file_encoding", None, "The file is not text.")


def _header_columns(cells: Sequence[str]) -> dict[str, int]:
    """{key: column index} of a header row ({} when it is not one)."""
    texts = [clean_text(cell) for cell in cells]
    columns = {}
    for key, hints in _HEADER_HINTS.items():
        for hint in hints:
            index = next(
                (
                    i
                    for i, text in enumerate(texts)
                    if hint in text and i not in columns.values()
                ),
                None,
            )
            if index is not None:
                columns[key] = index
                break
    return columns


def _file_code(cell: str | None) -> str | None:
    if not cell:
        return None
    text = clean_text(cell).replace(" ", "")
    for code, hints in _FILE_HINTS:
        if any(text == hint or (len(hint) > 1 and hint in text) for hint in hints):
            return code
    return None


def _int_or_none(cell: str | None) -> int | None:
    cell = (cell or "").strip()
    return int(cell) if cell.isdigit() else None


def parse_error_file(data: bytes) -> list[ErrorRow]:
    """Read the error file INFONAVIT returns (CSV or plain text, any of ``,;|``
    or tab as separator, with or without a header row).

    With a header row, columns are found by their names (archivo, línea, NSS,
    contrato, bimestre, mensaje…); without one, an 11-digit cell is the NSS and
    the longest text cell the message. Raises :class:`SisubError`
    (``error_file_empty``, ``error_file_too_large``, ``error_file_encoding``).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_error_file() expects bytes")
    if len(data) > MAX_ERROR_FILE_BYTES:
        raise SisubError(
            "error_file_too_large",
            len(data),
            f"The file has {len(data):,} bytes; the limit is "
            f"{MAX_ERROR_FILE_BYTES:,} bytes.",
        )
    if b"\x00" in data:
        raise SisubError("error_file_encoding", None, "The file is not text.")
    text = _decode(bytes(data))
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise SisubError("error_file_empty", None, "The file is empty.")
    sample = "\n".join(lines[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;|\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    first = rows[0]
    columns = _header_columns(first)
    if columns and not any(_NSS_CELL.fullmatch(c.strip()) for c in first):
        body = list(enumerate(rows[1:], start=2))
    else:
        columns = {}
        body = list(enumerate(rows, start=1))
    result = []
    for number, row in body:
        cells = [cell.strip() for cell in row]

        def cell(key, cells=cells):
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        nss = cell("nss")
        if nss is not None:
            nss = compact_nrp(nss) or None
        else:
            nss = next((c for c in cells if _NSS_CELL.fullmatch(c)), None)
        message = cell("message")
        if not message:
            message = max(cells, key=len, default="")
        result.append(
            ErrorRow(
                number=number,
                file=_file_code(cell("file")),
                row=_int_or_none(cell("row")),
                nss=nss,
                contract_number=(cell("contract_number") or "").strip() or None,
                bimester=_int_or_none(cell("bimester")),
                message=message[:500],
            )
        )
    return result
