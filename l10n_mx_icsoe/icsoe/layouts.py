"""Upload layouts: the ICSOE per-contract worker CSV ("Carga masiva de trabajadores").

Domain spec §6.1 (confidence MEDIUM, [S1]): one CSV per contract, comma
delimited, three columns in this order — NSS (11 digits, text), CURP (18
characters, upper case), SBC (2 decimals, '.' separator, no thousands
separator) — no spaces, at most 3,000 workers and 15 MB per file.

Choices made here that are NOT confirmed by IMSS material [U]:

* encoding UTF-8 without BOM (content is ASCII in practice);
* line terminator ``\\r\\n`` (what Excel's "CSV (delimitado por comas)" export of
  the IMSS ``plantilla_carga_trabajadores.xlsm`` template writes), and no
  terminator after the last row;
* header row optional (``NSS,CURP,SBC``), repeated in every file of a split;
* more than 3,000 rows are split into several files for the same contract.

Layouts are dated so that a future IMSS change adds a row to
:data:`WORKER_CSV_LAYOUTS` instead of editing the rendering code.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

LINE_TERMINATOR = "\r\n"
ENCODING = "utf-8"

_KIND_PATTERNS = {
    "digits": "[0-9]",
    "alnum": "[0-9A-Z]",
}
_AMOUNT2 = re.compile(r"[0-9]+\.[0-9]{2}")
_FORBIDDEN = re.compile(r"[,\"'\s]")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Column:
    """One CSV column: header name, exact width (None: free), kind, formatter.

    ``kind`` is ``'digits'``, ``'alnum'`` (0-9, A-Z) or ``'amount2'`` (a
    non-negative decimal with exactly 2 decimals).
    """

    name: str
    width: int | None
    kind: str
    fmt: Callable[[Any], str]

    def check(self, text: str) -> None:
        """Raise ``ValueError`` if a formatted value does not fit the column."""
        if _FORBIDDEN.search(text):
            raise ValueError(f"{text!r} contains a comma, quote or whitespace")
        if self.kind == "amount2":
            ok = bool(_AMOUNT2.fullmatch(text))
            shape = "an amount with 2 decimals"
        else:
            chars = _KIND_PATTERNS[self.kind]
            repeat = "+" if self.width is None else f"{{{self.width}}}"
            ok = bool(re.fullmatch(chars + repeat, text))
            shape = f"{self.width or 'one or more'} characters of {chars}"
        if not ok:
            raise ValueError(f"{text!r} is not {shape}")


@dataclass(frozen=True)
class Layout:
    """A dated file layout: columns in order plus the portal's file limits."""

    code: str
    valid_from: date
    columns: tuple[Column, ...]
    max_rows: int = 3000
    max_bytes: int = 15 * 1024 * 1024
    source: str = ""


def fmt_text(value: Any) -> str:
    """Format an identifier kept as text: surrounding whitespace off, upper case.

    Numbers are refused: an NSS stored as a number has lost its leading zeros.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value.strip().upper()


def fmt_amount2(value: Any) -> str:
    """Format an amount with exactly 2 decimals (ROUND_HALF_UP), no separators."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    try:
        amount = Decimal(str(value).strip()).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount") from exc
    return f"{amount:f}"


_SOURCE_GUIA_3 = (
    "IMSS Guía 3 Carga masiva de trabajadores v2.0 (2023-01), via domain doc §6.1"
)

WORKER_CSV_LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "icsoe_workers_2021",
        date(2021, 8, 27),
        (
            Column("NSS", 11, "digits", fmt_text),
            Column("CURP", 18, "alnum", fmt_text),
            Column("SBC", None, "amount2", fmt_amount2),
        ),
        source=_SOURCE_GUIA_3,
    ),
)


def worker_layout(on_date: date) -> Layout:
    """Return the newest worker CSV layout in force on *on_date*.

    Before the first layout (the ICSOE portal opened on 27 August 2021) the first
    one: the periods of 2021 were filed through it.
    """
    valid = [lay for lay in WORKER_CSV_LAYOUTS if lay.valid_from <= on_date]
    if not valid:
        return min(WORKER_CSV_LAYOUTS, key=lambda lay: lay.valid_from)
    return max(valid, key=lambda lay: lay.valid_from)


def _format_rows(rows: Iterable[Iterable[Any]], layout: Layout) -> list[list[str]]:
    columns = layout.columns
    result = []
    for number, row in enumerate(rows, start=1):
        values = tuple(row)
        if len(values) != len(columns):
            raise ValueError(
                f"Row {number}: expected {len(columns)} values, got {len(values)}"
            )
        texts = []
        for column, value in zip(columns, values, strict=True):
            try:
                text = column.fmt(value)
                column.check(text)
            except ValueError as exc:
                raise ValueError(f"Row {number}, column {column.name}: {exc}") from exc
            texts.append(text)
        result.append(texts)
    return result


def render_worker_csv(
    rows: Iterable[Iterable[Any]], *, header: bool, layout: Layout | None = None
) -> list[bytes]:
    """Render worker rows ``(nss, curp, sbc)`` as one or more CSV files.

    Returns one ``bytes`` per file, each with at most ``layout.max_rows`` data
    rows (the header, when asked for, is repeated in every file).  Rows are
    numbered from 1 in error messages, header excluded.  No rows give ``[]``.
    *layout* defaults to the layout in force today.
    """
    layout = layout or worker_layout(date.today())
    data = _format_rows(rows, layout)
    files = []
    for start in range(0, len(data), layout.max_rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=LINE_TERMINATOR)
        if header:
            writer.writerow([column.name for column in layout.columns])
        writer.writerows(data[start : start + layout.max_rows])
        text = buffer.getvalue().removesuffix(LINE_TERMINATOR)
        content = text.encode(ENCODING)
        if len(content) > layout.max_bytes:
            raise ValueError(
                f"CSV file of {len(content)} bytes exceeds {layout.max_bytes} bytes"
            )
        files.append(content)
    return files


def split_name(base: str, index: int, total: int) -> str:
    """Return the file name of part *index* (1-based) of *total* for contract *base*.

    ``contrato_<ref>.csv`` for a single file, ``contrato_<ref>_<i>de<n>.csv``
    when split; characters other than ``[A-Za-z0-9_-]`` become ``_``.
    """
    if not 1 <= index <= total:
        raise ValueError(f"Invalid part {index} of {total}")
    ref = _UNSAFE_NAME_CHARS.sub("_", base or "") or "_"
    if total == 1:
        return f"contrato_{ref}.csv"
    return f"contrato_{ref}_{index}de{total}.csv"
