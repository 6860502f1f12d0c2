"""Read payroll CFDI files (CFDI 3.3 / 4.0 with the Nómina 1.2 complement).

Only what the ICSOE and SISUB reports need is read: the issuer and receiver,
the stamp's UUID and, per ``nomina12:Nomina`` complement, the pay period, the
worker's CURP, NSS, SBC and SDI, the employer registration, the
``nomina12:SubContratacion`` nodes (client RFC and share of time) and, for
SISUB, the pay: each ``Percepcion`` (type, taxed + exempt amount), each
``Deduccion`` (type, amount) and each ``Incapacidad`` (type, days).

The files come from users, so parsing is hardened:

* the size is checked before anything is parsed;
* a document with a DOCTYPE (DTD, entity declarations) is refused before it is
  parsed, so no entity is expanded and no external resource is read; the
  parser also runs with entity resolution, DTD loading and network access off;
* documents are read as UTF-8 (the only encoding Anexo 20 allows), so the
  DOCTYPE check on the raw bytes cannot be bypassed with another encoding;
* one import (every file and archive of it together) is held to
  :class:`ImportLimits`: a size per file, a total expanded size, a number of
  files and, per ZIP member, a compression ratio.  Each is checked from what
  is known before reading (a file's size on disk, a ZIP's directory) and again
  while the bytes are read, in small chunks, stopping at the limit: a ZIP
  header that lies about a member's size is never trusted, so no more than
  the limit is ever held; nested archives are refused.

Errors are :class:`CfdiError` with a stable ``code``; the Odoo layer maps codes
to translated messages, so the messages here are English fallbacks.  Nothing in
this module imports Odoo.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from .identifiers import compact

#: CFDI namespace → the ``Version`` it must carry.
CFDI_NAMESPACES = {
    "http://www.sat.gob.mx/cfd/3": "3.3",
    "http://www.sat.gob.mx/cfd/4": "4.0",
}
NS_NOMINA12 = "http://www.sat.gob.mx/nomina12"
NS_NOMINA11 = "http://www.sat.gob.mx/nomina"
NS_TFD = "http://www.sat.gob.mx/TimbreFiscalDigital"

MIB = 1024 * 1024
#: Default limits of one import: every file and archive of it together.
MAX_FILE_BYTES = 2 * MIB  # one XML file or ZIP member, expanded
# Large imports are read a batch at a time (Upload): these bound the work of
# one import, not the memory it holds. The biggest providers' cuatrimestre is
# ~100,000 payroll CFDI of ~4 KiB.
MAX_IMPORT_BYTES = 1024 * MIB  # all the files of one import, expanded
MAX_IMPORT_FILES = 200_000  # files of one import, ZIP members included
MAX_ZIP_RATIO = 100  # expanded size / compressed size of one ZIP member
#: A member expanding to less than this is not held to the ratio: tiny files
#: compress oddly and cannot exhaust anything.
RATIO_GRACE_BYTES = 64 * 1024
#: Bytes read from a ZIP member at a time.  The ratio is measured on the
#: compressed bytes read so far, which run ahead of the expanded ones by at
#: most about 1.5 x this, so a member expanding more than the ratio is stopped
#: by the time it reaches ``ratio`` x 12 KiB (1.2 MiB at 100:1).
READ_CHUNK = 8 * 1024

#: English fallback per error code; ``str(error)`` is
#: ``"<filename>: <message>: <detail>."`` (or ``"<filename>: <message>."``).
ERROR_MESSAGES = {
    "too_large": "The file is too large",
    "unreadable": "The file cannot be read",
    "malformed": "The file is not well-formed XML",
    "encoding": "The file is not encoded in UTF-8, the only encoding a CFDI may use",
    "dtd": "The file contains a DOCTYPE (DTD or entity declarations), which a CFDI never has; it was refused without being processed",
    "not_cfdi": "The file is not a CFDI 3.3 or 4.0 (cfdi:Comprobante)",
    "bad_version": "The CFDI or Nómina version is not supported (CFDI 3.3 or 4.0 with Nómina 1.2 only)",
    "not_payroll": "The CFDI is not a payroll CFDI (TipoDeComprobante is not N)",
    "no_nomina": "The CFDI has no Nómina 1.2 complement",
    "missing_element": "A required element is missing",
    "missing_attribute": "A required attribute is missing or empty",
    "bad_value": "An attribute's value cannot be read",
    "bad_zip": "The ZIP archive is damaged, encrypted or uses an unsupported compression method",
    "zip_member": "The ZIP archive contains a member that is not a CFDI XML file",
    "too_many_files": "The import holds too many files",
    "total_too_large": "The files of the import are too large together once expanded",
    "zip_ratio": "The ZIP member expands far more than payroll XML ever does (a ZIP bomb?)",
}
#: Codes of the limits of :class:`ImportLimits`; the error's ``limit`` holds it.
LIMIT_CODES = frozenset({"too_large", "too_many_files", "total_too_large", "zip_ratio"})
#: Limits that stop the whole import at once (nothing after can fit).
STOP_CODES = frozenset({"too_many_files", "total_too_large"})

_TIPOS = {
    "I": "Ingreso",
    "E": "Egreso",
    "T": "Traslado",
    "P": "Pago",
    "N": "Nómina",
}
_UTF8_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_DTD_PATTERN = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(
    rb"\A\s*<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE
)
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}
_DATE_PREFIX = re.compile(r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]|\s*\Z)")


class CfdiError(ValueError):
    """A file could not be read as a payroll CFDI.

    ``code`` is stable (see :data:`ERROR_MESSAGES`), ``filename`` names the
    file (``archive.zip/member.xml`` for a ZIP member) and ``detail`` says what
    exactly was wrong, in English.  For the codes of :data:`LIMIT_CODES`,
    ``limit`` is the limit that was reached (bytes, files or ratio).
    """

    def __init__(
        self,
        code: str,
        filename: str,
        detail: str | None = None,
        limit: int | None = None,
    ):
        self.code = code
        self.filename = filename
        self.detail = detail
        self.limit = limit
        message = f"{filename}: {ERROR_MESSAGES.get(code, code)}"
        super().__init__(f"{message}: {detail}." if detail else f"{message}.")

    def __reduce__(self):
        return (
            self.__class__,
            (self.code, self.filename, self.detail, self.limit),
        )


@dataclass(frozen=True)
class ImportLimits:
    """What one import may hold once expanded, every file and archive together.

    ``file_bytes``: one XML file or ZIP member; ``total_bytes``: all of them;
    ``files``: how many (ZIP members included); ``ratio``: how many times its
    compressed size a ZIP member may expand to.
    """

    file_bytes: int = MAX_FILE_BYTES
    total_bytes: int = MAX_IMPORT_BYTES
    files: int = MAX_IMPORT_FILES
    ratio: int = MAX_ZIP_RATIO

    def __post_init__(self):
        for name in ("file_bytes", "total_bytes", "files", "ratio"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ImportLimits.{name} must be a positive integer")


@dataclass(frozen=True)
class NominaData:
    """One ``nomina12:Nomina`` complement."""

    payment_date: date  # FechaPago
    period_start: date  # FechaInicialPago
    period_end: date  # FechaFinalPago
    days_paid: Decimal  # NumDiasPagados
    curp: str  # nomina12:Receptor/@Curp, compact upper case
    nss: str | None  # @NumSeguridadSocial, compact
    sbc: Decimal | None  # @SalarioBaseCotApor
    sdi: Decimal | None  # @SalarioDiarioIntegrado
    employee_number: str  # @NumEmpleado
    start_date: date | None  # @FechaInicioRelLaboral
    registro_patronal: str | None  # nomina12:Emisor/@RegistroPatronal, compact
    #: (RfcLabora compact upper case, PorcentajeTiempo) per SubContratacion.
    subcontracts: tuple[tuple[str, Decimal], ...] = ()
    payroll_type: str | None = None  # @TipoNomina: 'O' ordinaria, 'E' extraordinaria
    regime_type: str | None = None  # nomina12:Receptor/@TipoRegimen ('02' sueldos…)
    # The pay, for SISUB; left out of comparisons (what the ICSOE reads is above).
    #: (TipoPercepcion, ImporteGravado + ImporteExento) per Percepcion.
    perceptions: tuple[tuple[str, Decimal], ...] = dataclasses.field(
        default=(), compare=False
    )
    #: (TipoDeduccion, Importe) per Deduccion.
    deductions: tuple[tuple[str, Decimal], ...] = dataclasses.field(
        default=(), compare=False
    )
    #: (TipoIncapacidad, DiasIncapacidad) per Incapacidad.
    incapacities: tuple[tuple[str, int], ...] = dataclasses.field(
        default=(), compare=False
    )


@dataclass(frozen=True)
class Payslip:
    """A payroll CFDI: the comprobante's header and its Nómina complements."""

    filename: str
    version: str  # '3.3' or '4.0'
    uuid: str | None  # tfd:TimbreFiscalDigital/@UUID, upper case; None if unstamped
    issuer_rfc: str  # cfdi:Emisor/@Rfc, compact upper case
    issuer_name: str | None
    receiver_rfc: str  # cfdi:Receptor/@Rfc, compact upper case
    receiver_name: str | None
    date: date  # Comprobante/@Fecha (date part)
    nominas: tuple[NominaData, ...]


# ---------------------------------------------------------------- parsing


def _make_parser() -> etree.XMLParser:
    # One parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def _check_raw(data: bytes, filename: str) -> None:
    """Refuse, before parsing, what must never reach the XML parser."""
    if not data.strip():
        raise CfdiError("malformed", filename, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise CfdiError("encoding", filename, "the file looks UTF-16 or UTF-32 encoded")
    declared = _XML_DECL_ENCODING.match(data)
    if declared:
        name = declared.group(1).decode("ascii", "replace").strip()
        if name.lower() not in _UTF8_NAMES:
            raise CfdiError("encoding", filename, f'encoding="{name[:40]}" is declared')
    if _DTD_PATTERN.search(data):
        raise CfdiError("dtd", filename)
    if not data.lstrip().startswith(b"<"):
        raise CfdiError("malformed", filename, "the file does not start with '<'")


def _syntax_detail(exc: etree.XMLSyntaxError) -> str:
    text = str(exc.msg if getattr(exc, "msg", None) else exc).strip()
    line = getattr(exc, "lineno", None)
    if line and "line" not in text:
        text = f"{text}, line {line}"
    return text[:300]


def parse_cfdi(data: bytes, filename: str, max_bytes: int = MAX_FILE_BYTES) -> Payslip:
    """Parse one payroll CFDI or raise :class:`CfdiError` naming *filename*."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("parse_cfdi() expects bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise CfdiError(
            "too_large", filename, _size_detail(len(data), max_bytes), max_bytes
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    _check_raw(data, filename)
    try:
        root = etree.fromstring(data, _make_parser())
    except etree.XMLSyntaxError as exc:
        raise CfdiError("malformed", filename, _syntax_detail(exc)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # defence in depth
        raise CfdiError("dtd", filename)
    return _read_comprobante(root, filename)


class _Reader:
    """Attribute access with the file name and the node path for errors."""

    def __init__(self, filename: str):
        self.filename = filename

    def optional(self, node, attribute: str) -> str | None:
        if node is None:
            return None
        value = node.get(attribute)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def required(self, node, attribute: str, path: str) -> str:
        value = self.optional(node, attribute)
        if value is None:
            raise CfdiError("missing_attribute", self.filename, f"{path}/@{attribute}")
        return value

    def required_id(self, node, attribute: str, path: str) -> str:
        """A required identifier (RFC, CURP), compact and upper case."""
        value = compact(self.optional(node, attribute))
        if not value:
            raise CfdiError("missing_attribute", self.filename, f"{path}/@{attribute}")
        return value

    def bad_value(self, path: str, attribute: str, value: str, expected: str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return CfdiError(
            "bad_value",
            self.filename,
            f'{path}/@{attribute}="{shown}" is not {expected}',
        )

    def to_date(self, value: str | None, path: str, attribute: str) -> date | None:
        if value is None:
            return None
        match = _DATE_PREFIX.match(value)
        try:
            if not match:
                raise ValueError(value)
            return date.fromisoformat(match.group(1))
        except ValueError:
            raise self.bad_value(path, attribute, value, "a date") from None

    def to_decimal(
        self, value: str | None, path: str, attribute: str
    ) -> Decimal | None:
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self.bad_value(path, attribute, value, "a number")
        return number

    def required_date(self, node, attribute: str, path: str) -> date:
        return self.to_date(self.required(node, attribute, path), path, attribute)

    def required_decimal(self, node, attribute: str, path: str) -> Decimal:
        return self.to_decimal(self.required(node, attribute, path), path, attribute)

    def child(self, parent, namespace: str, name: str, path: str):
        node = parent.find(f"{{{namespace}}}{name}")
        if node is None:
            raise CfdiError("missing_element", self.filename, path)
        return node


def _read_comprobante(root, filename: str) -> Payslip:
    qname = etree.QName(root)
    if qname.localname != "Comprobante" or qname.namespace not in CFDI_NAMESPACES:
        found = (
            f"{{{qname.namespace}}}{qname.localname}"
            if qname.namespace
            else qname.localname
        )
        raise CfdiError("not_cfdi", filename, f"the root element is {found[:120]}")
    ns = qname.namespace
    expected = CFDI_NAMESPACES[ns]
    reader = _Reader(filename)
    version = reader.optional(root, "Version")
    if version is None:
        legacy = reader.optional(root, "version")  # CFDI 3.2 and older
        if legacy is None:
            raise CfdiError("missing_attribute", filename, "cfdi:Comprobante/@Version")
        version = legacy
    if version != expected:
        raise CfdiError(
            "bad_version", filename, f'CFDI Version="{version[:20]}" in namespace {ns}'
        )
    tipo = reader.required(root, "TipoDeComprobante", "cfdi:Comprobante")
    if tipo != "N":
        label = _TIPOS.get(tipo)
        shown = f'"{tipo[:10]}" ({label})' if label else f'"{tipo[:10]}"'
        raise CfdiError("not_payroll", filename, f"TipoDeComprobante={shown}")

    complementos = root.findall(f"{{{ns}}}Complemento")
    nomina_nodes = [
        node
        for comp in complementos
        for node in comp.iterchildren(f"{{{NS_NOMINA12}}}Nomina")
    ]
    if not nomina_nodes:
        old = any(
            comp.find(f"{{{NS_NOMINA11}}}Nomina") is not None for comp in complementos
        )
        detail = "only a Nómina 1.1 complement was found" if old else None
        raise CfdiError("no_nomina", filename, detail)

    issued = reader.to_date(
        reader.required(root, "Fecha", "cfdi:Comprobante"), "cfdi:Comprobante", "Fecha"
    )
    emisor = reader.child(root, ns, "Emisor", "cfdi:Emisor")
    receptor = reader.child(root, ns, "Receptor", "cfdi:Receptor")
    issuer_rfc = reader.required_id(emisor, "Rfc", "cfdi:Emisor")
    receiver_rfc = reader.required_id(receptor, "Rfc", "cfdi:Receptor")

    uuid = None
    for comp in complementos:
        tfd = comp.find(f"{{{NS_TFD}}}TimbreFiscalDigital")
        if tfd is not None:
            uuid = reader.required(tfd, "UUID", "tfd:TimbreFiscalDigital").upper()
            break

    several = len(nomina_nodes) > 1
    nominas = tuple(
        _read_nomina(
            node, reader, f"nomina12:Nomina[{index}]" if several else "nomina12:Nomina"
        )
        for index, node in enumerate(nomina_nodes, start=1)
    )
    return Payslip(
        filename=filename,
        version=version,
        uuid=uuid,
        issuer_rfc=issuer_rfc,
        issuer_name=reader.optional(emisor, "Nombre"),
        receiver_rfc=receiver_rfc,
        receiver_name=reader.optional(receptor, "Nombre"),
        date=issued,
        nominas=nominas,
    )


def _read_nomina(node, reader: _Reader, path: str) -> NominaData:
    version = reader.required(node, "Version", path)
    if version != "1.2":
        raise CfdiError(
            "bad_version", reader.filename, f'{path} Version="{version[:20]}"'
        )
    emisor = node.find(f"{{{NS_NOMINA12}}}Emisor")
    receptor_path = f"{path}/nomina12:Receptor"
    receptor = reader.child(node, NS_NOMINA12, "Receptor", receptor_path)
    nss = reader.optional(receptor, "NumSeguridadSocial")
    registro = reader.optional(emisor, "RegistroPatronal")
    subcontracts = []
    sub_path = f"{receptor_path}/nomina12:SubContratacion"
    for sub in receptor.iterchildren(f"{{{NS_NOMINA12}}}SubContratacion"):
        rfc = reader.required_id(sub, "RfcLabora", sub_path)
        share = reader.required_decimal(sub, "PorcentajeTiempo", sub_path)
        subcontracts.append((rfc, share))
    perceptions, deductions, incapacities = _read_pay(node, reader, path)
    return NominaData(
        payment_date=reader.required_date(node, "FechaPago", path),
        period_start=reader.required_date(node, "FechaInicialPago", path),
        period_end=reader.required_date(node, "FechaFinalPago", path),
        days_paid=reader.required_decimal(node, "NumDiasPagados", path),
        curp=reader.required_id(receptor, "Curp", receptor_path),
        nss=compact(nss) or None,
        sbc=reader.to_decimal(
            reader.optional(receptor, "SalarioBaseCotApor"),
            receptor_path,
            "SalarioBaseCotApor",
        ),
        sdi=reader.to_decimal(
            reader.optional(receptor, "SalarioDiarioIntegrado"),
            receptor_path,
            "SalarioDiarioIntegrado",
        ),
        employee_number=reader.required(receptor, "NumEmpleado", receptor_path),
        start_date=reader.to_date(
            reader.optional(receptor, "FechaInicioRelLaboral"),
            receptor_path,
            "FechaInicioRelLaboral",
        ),
        registro_patronal=compact(registro) or None,
        subcontracts=tuple(subcontracts),
        payroll_type=reader.optional(node, "TipoNomina"),
        regime_type=reader.optional(receptor, "TipoRegimen"),
        perceptions=perceptions,
        deductions=deductions,
        incapacities=incapacities,
    )


def _read_pay(node, reader: _Reader, path: str):
    """(perceptions, deductions, incapacities) of one ``nomina12:Nomina``."""
    q = f"{{{NS_NOMINA12}}}"
    perceptions = []
    p_path = f"{path}/nomina12:Percepciones/nomina12:Percepcion"
    for group in node.iterchildren(q + "Percepciones"):
        for item in group.iterchildren(q + "Percepcion"):
            code = reader.required(item, "TipoPercepcion", p_path)
            taxed = reader.required_decimal(item, "ImporteGravado", p_path)
            exempt = reader.required_decimal(item, "ImporteExento", p_path)
            perceptions.append((code, taxed + exempt))
    deductions = []
    d_path = f"{path}/nomina12:Deducciones/nomina12:Deduccion"
    for group in node.iterchildren(q + "Deducciones"):
        for item in group.iterchildren(q + "Deduccion"):
            code = reader.required(item, "TipoDeduccion", d_path)
            deductions.append((code, reader.required_decimal(item, "Importe", d_path)))
    incapacities = []
    i_path = f"{path}/nomina12:Incapacidades/nomina12:Incapacidad"
    for group in node.iterchildren(q + "Incapacidades"):
        for item in group.iterchildren(q + "Incapacidad"):
            raw = reader.required(item, "DiasIncapacidad", i_path)
            if not raw.isdigit():
                raise reader.bad_value(
                    i_path, "DiasIncapacidad", raw, "a whole number of days"
                )
            incapacities.append(
                (reader.optional(item, "TipoIncapacidad") or "", int(raw))
            )
    return tuple(perceptions), tuple(deductions), tuple(incapacities)


# ---------------------------------------------------------------- files and ZIPs


def _size_detail(size: int, limit: int) -> str:
    return f"{size:,} bytes; the limit is {limit:,} bytes"


def is_zip(data: bytes) -> bool:
    """Tell a ZIP archive by its first bytes."""
    return bytes(data[:4]) in _ZIP_MAGIC


class _Budget:
    """What one import has taken so far, against its limits."""

    def __init__(self, limits: ImportLimits):
        self.limits = limits
        self.bytes = 0
        self.files = 0

    def room(self) -> int:
        return self.limits.total_bytes - self.bytes

    def too_many(self, name: str, adding: int = 1) -> CfdiError | None:
        limit = self.limits.files
        if self.files + adding <= limit:
            return None
        if adding == 1:
            detail = f"more than {limit:,} files; the limit is {limit:,} files"
        else:
            detail = (
                f"{adding:,} files in it and {self.files:,} before it; the limit "
                f"is {limit:,} files"
            )
        return CfdiError("too_many_files", name, detail, limit)

    def too_large(self, name: str, size: int, exact: bool = True) -> CfdiError | None:
        """The error if ``size`` more bytes do not fit, else ``None``."""
        if size <= self.room():
            return None
        limit = self.limits.total_bytes
        before = f" and {self.bytes:,} before it" if self.bytes else ""
        what = f"{size:,} bytes" if exact else f"more than {self.room():,} bytes"
        detail = f"{what}{before}; the limit is {limit:,} bytes"
        return CfdiError("total_too_large", name, detail, limit)

    def take(self, size: int) -> None:
        self.files += 1
        self.bytes += size


def _file_too_large(name: str, size: int, limit: int, exact: bool = True):
    detail = _size_detail(size, limit) if exact else f"more than {limit:,} bytes"
    return CfdiError("too_large", name, detail, limit)


def _ratio_error(name: str, size: int, compressed: int, ratio: int):
    detail = (
        f"{size:,} bytes from {compressed:,} compressed bytes; the limit is "
        f"{ratio:,} times the compressed size"
    )
    return CfdiError("zip_ratio", name, detail, ratio)


def _over_ratio(size: int, compressed: int, ratio: int) -> bool:
    return size > RATIO_GRACE_BYTES and size > ratio * max(compressed, 1)


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it.

    The compressed bytes a ZIP member really took are counted here, where they
    are read from the archive, instead of being taken from its header.
    """

    def __init__(self, raw):
        super().__init__()
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()


_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    RuntimeError,  # encrypted
    NotImplementedError,  # compression method
    OSError,
    EOFError,
    ValueError,
    zlib.error,
)


def _read_member(archive, info, label, counter, budget):
    """The bytes of one ZIP member, or the error that stopped reading it.

    Read in chunks of :data:`READ_CHUNK`; stops as soon as the member is over
    the file limit, the import over its total, or the member over the ratio
    measured on the compressed bytes actually read: whatever its header says,
    no more than the limits (plus a chunk) is ever held.
    """
    limits = budget.limits
    chunks, size = [], 0
    try:
        with archive.open(info) as member:
            start = counter.count
            while chunk := member.read(READ_CHUNK):
                size += len(chunk)
                if size > limits.file_bytes:
                    return _file_too_large(label, size, limits.file_bytes, False)
                if error := budget.too_large(label, size, exact=False):
                    return error
                compressed = counter.count - start
                if _over_ratio(size, compressed, limits.ratio):
                    return _ratio_error(label, size, compressed, limits.ratio)
                chunks.append(chunk)
    except _ZIP_ERRORS as exc:
        return CfdiError("bad_zip", label, str(exc)[:200] or None)
    return b"".join(chunks)


def _expand_zip(name: str, handle, budget: _Budget):
    """Yield ``(member label, bytes or CfdiError)`` for a ZIP archive."""
    counter = _CountingReader(handle)
    try:
        archive = zipfile.ZipFile(counter)
    except _ZIP_ERRORS as exc:
        yield name, CfdiError("bad_zip", name, str(exc)[:200] or None)
        return
    with archive:
        infos = _zip_infos(archive)
        # What the directory declares, before reading anything.
        if error := budget.too_many(name, len(infos)):
            yield name, error
            return
        declared = _zip_declared(infos, budget.limits)
        if error := budget.too_large(name, declared):
            yield name, error
            return
        for info in infos:
            label, data = _zip_entry(name, archive, info, counter, budget)
            yield label, data
            if isinstance(data, CfdiError) and data.code in STOP_CODES:
                return


def _zip_infos(archive) -> list:
    """The members of an archive that count: not folders, not macOS resource forks."""
    return [
        info
        for info in archive.infolist()
        if not (info.is_dir() or info.filename.startswith("__MACOSX/"))
    ]


def _zip_declared(infos, limits: ImportLimits) -> int:
    """The expanded bytes an archive's directory declares for the members that
    may be read (those refused one by one are never held: they do not count)."""
    return sum(
        info.file_size
        for info in infos
        if info.filename.lower().endswith(".xml")
        and info.file_size <= limits.file_bytes
        and not _over_ratio(info.file_size, info.compress_size, limits.ratio)
    )


def _zip_entry(name, archive, info, counter, budget):
    """``(member label, bytes or CfdiError)`` of one member of archive ``name``."""
    limits = budget.limits
    label = f"{name}/{info.filename}"
    lower = info.filename.lower()
    if lower.endswith(".zip"):
        return label, CfdiError("zip_member", label, "nested ZIP archives are not read")
    if not lower.endswith(".xml"):
        return label, CfdiError("zip_member", label, "not an .xml file")
    if info.file_size > limits.file_bytes:
        return label, _file_too_large(label, info.file_size, limits.file_bytes)
    if _over_ratio(info.file_size, info.compress_size, limits.ratio):
        error = _ratio_error(label, info.file_size, info.compress_size, limits.ratio)
        return label, error
    data = _read_member(archive, info, label, counter, budget)
    if isinstance(data, CfdiError):
        return label, data
    if is_zip(data):
        return label, CfdiError("zip_member", label, "nested ZIP archives are not read")
    budget.take(len(data))
    return label, data


def _from_memory(name: str, data, budget: _Budget):
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name}: expected bytes, got {type(data).__name__}")
    if is_zip(data):
        yield from _expand_zip(name, io.BytesIO(data), budget)
        return
    limits = budget.limits
    error = (
        budget.too_many(name)
        or (
            len(data) > limits.file_bytes
            and _file_too_large(name, len(data), limits.file_bytes)
        )
        or budget.too_large(name, len(data))
    )
    if error:
        yield name, error
        return
    budget.take(len(data))
    yield name, bytes(data)


def _from_disk(name: str, path, budget: _Budget):
    """A file on disk: its size is checked before it is read; a ZIP is streamed."""
    limits = budget.limits
    try:
        with open(path, "rb") as handle:
            if is_zip(handle.read(4)):
                handle.seek(0)
                yield from _expand_zip(name, handle, budget)
                return
            size = os.fstat(handle.fileno()).st_size
            error = (
                budget.too_many(name)
                or (
                    size > limits.file_bytes
                    and _file_too_large(name, size, limits.file_bytes)
                )
                or budget.too_large(name, size)
            )
            if not error:
                handle.seek(0)
                # It may have grown since: never more than the limits.
                data = handle.read(min(limits.file_bytes, budget.room()) + 1)
                if len(data) > limits.file_bytes:
                    error = _file_too_large(name, len(data), limits.file_bytes, False)
                else:
                    error = budget.too_large(name, len(data), exact=False)
    except OSError as exc:
        yield name, CfdiError("unreadable", name, exc.strerror or str(exc))
        return
    if error:
        yield name, error
        return
    budget.take(len(data))
    yield name, data


def _entries(
    files: Iterable, limits: ImportLimits
) -> Iterator[tuple[str, bytes | CfdiError]]:
    budget = _Budget(limits)
    for item in files:
        if isinstance(item, (str, os.PathLike)):
            entries = _from_disk(os.fspath(item), item, budget)
        else:
            name, value = item
            if isinstance(value, os.PathLike):
                entries = _from_disk(name, value, budget)
            else:
                entries = _from_memory(name, value, budget)
        for name, data in entries:
            yield name, data
            if isinstance(data, CfdiError) and data.code in STOP_CODES:
                return


@dataclass(frozen=True)
class UploadPosition:
    """Where reading an :class:`Upload` stands: the next file and ZIP member,
    and what was taken before them (expanded bytes, entries) against the
    import's limits.  Plain values, kept between batches as a list."""

    file: int = 0
    member: int = 0
    bytes: int = 0
    taken: int = 0

    def as_list(self) -> list[int]:
        return [self.file, self.member, self.bytes, self.taken]

    @classmethod
    def from_list(cls, values) -> UploadPosition:
        return cls(*(int(v) for v in values)) if values else cls()


@dataclass(frozen=True)
class UploadSurvey:
    """What an upload holds, from what is known before reading any of it."""

    files: int  # XML files and ZIP members (folders apart), each an entry
    bytes: int  # their expanded size as declared (directories, sizes on disk)


class Upload:
    """An upload (files and ZIP archives) read a batch of entries at a time.

    For imports too large to hold at once.  :meth:`survey` counts the entries
    and checks the import's limits on what is known before reading (ZIP
    directories, sizes on disk).  :meth:`read_batch` returns the next entries from an
    :class:`UploadPosition`, reading each ZIP member only then, in chunks and
    held to the same limits as :func:`iter_files` (per file, total, ratio):
    one batch of bytes is all that is ever held.  The position is plain data,
    so another process (after a restart) resumes from it; archives are opened
    once per :class:`Upload` and kept open until :meth:`close`.

    *files* holds ``(name, bytes)`` or ``(name, path)`` pairs, as for
    :func:`iter_files`.
    """

    def __init__(self, files: Iterable, limits: ImportLimits | None = None):
        self.files = [
            (os.fspath(item), item) if isinstance(item, (str, os.PathLike)) else item
            for item in files
        ]
        self.limits = limits or ImportLimits()
        self._zips: dict[int, tuple] = {}  # index -> (handle, counter, archive, infos)

    # ------------------------------------------------------------ context

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        for index in list(self._zips):
            self._close_zip(index)

    def _close_zip(self, index: int) -> None:
        handle, _counter, archive, _infos = self._zips.pop(index)
        archive.close()
        handle.close()

    # ------------------------------------------------------------ sources

    def _head(self, source) -> bytes:
        if isinstance(source, os.PathLike):
            with open(source, "rb") as handle:
                return handle.read(4)
        if not isinstance(source, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes or a path, got {type(source).__name__}")
        return bytes(source[:4])

    def _is_zip(self, index: int) -> bool:
        name, source = self.files[index]
        try:
            return index in self._zips or is_zip(self._head(source))
        except OSError as exc:
            raise CfdiError("unreadable", name, exc.strerror or str(exc)) from None

    def _zip(self, index: int):
        """(handle, counter, archive, infos) of file ``index``, opened once."""
        if index not in self._zips:
            name, source = self.files[index]
            try:
                handle = (
                    open(source, "rb")  # noqa: SIM115 (closed by close())
                    if isinstance(source, os.PathLike)
                    else io.BytesIO(source)
                )
            except OSError as exc:
                raise CfdiError("unreadable", name, exc.strerror or str(exc)) from None
            counter = _CountingReader(handle)
            try:
                archive = zipfile.ZipFile(counter)
            except _ZIP_ERRORS as exc:
                handle.close()
                raise CfdiError("bad_zip", name, str(exc)[:200] or None) from None
            self._zips[index] = (handle, counter, archive, _zip_infos(archive))
        return self._zips[index]

    # ------------------------------------------------------------ reading

    def survey(self) -> UploadSurvey:
        """Count the entries and check the import's file count and total size on
        what the ZIP directories and the sizes on disk declare.

        Raises :class:`CfdiError` for a limit of the whole import
        (``too_many_files``, ``total_too_large``) or an archive that cannot be
        opened (``bad_zip``, ``unreadable``); a file refused on its own (too
        large, not XML) is left for :meth:`read_batch` to report.
        """
        budget = _Budget(self.limits)
        for index, (name, source) in enumerate(self.files):
            if self._is_zip(index):
                infos = self._zip(index)[3]
                if error := budget.too_many(name, len(infos)):
                    raise error
                declared = _zip_declared(infos, self.limits)
                if error := budget.too_large(name, declared):
                    raise error
                budget.files += len(infos)
                budget.bytes += declared
                continue
            if error := budget.too_many(name):
                raise error
            try:
                size = (
                    os.stat(source).st_size
                    if isinstance(source, os.PathLike)
                    else len(source)
                )
            except OSError as exc:
                raise CfdiError("unreadable", name, exc.strerror or str(exc)) from None
            budget.files += 1
            if size > self.limits.file_bytes:
                continue  # refused on its own when read
            if error := budget.too_large(name, size):
                raise error
            budget.bytes += size
        return UploadSurvey(files=budget.files, bytes=budget.bytes)

    def read_batch(
        self, position: UploadPosition, count: int
    ) -> tuple[list[tuple[str, bytes | CfdiError]], UploadPosition]:
        """The next ``count`` entries from ``position`` (fewer at the end) as
        ``(name, bytes or CfdiError)``, and the position after them.

        An entry that cannot be read is a :class:`CfdiError` in its place; a
        limit of the whole import reached while reading (``too_many_files``,
        ``total_too_large``) ends the batch there.
        """
        budget = _Budget(self.limits)
        budget.bytes, budget.files = position.bytes, position.taken
        index, member = position.file, position.member
        entries = []
        while len(entries) < count and index < len(self.files):
            name, source = self.files[index]
            try:
                zipped = self._is_zip(index)
                infos = self._zip(index)[3] if zipped else None
            except CfdiError as error:
                entries.append((name, error))
                index, member = index + 1, 0
                continue
            if not zipped:
                reader = (
                    _from_disk(name, source, budget)
                    if isinstance(source, os.PathLike)
                    else _from_memory(name, source, budget)
                )
                entries.extend(reader)  # one entry: not a ZIP
                index, member = index + 1, 0
            else:
                _handle, counter, archive, infos = self._zips[index]
                while member < len(infos) and len(entries) < count:
                    entries.append(
                        _zip_entry(name, archive, infos[member], counter, budget)
                    )
                    member += 1
                if member >= len(infos):
                    self._close_zip(index)
                    index, member = index + 1, 0
            last = entries[-1][1] if entries else None
            if isinstance(last, CfdiError) and last.code in STOP_CODES:
                break
        return entries, UploadPosition(index, member, budget.bytes, budget.files)

    def at_end(self, position: UploadPosition) -> bool:
        return position.file >= len(self.files)


def _limits(limits: ImportLimits | None, **overrides) -> ImportLimits:
    limits = limits or ImportLimits()
    overrides = {key: value for key, value in overrides.items() if value is not None}
    return dataclasses.replace(limits, **overrides) if overrides else limits


def iter_files(
    files: Iterable,
    *,
    limits: ImportLimits | None = None,
    max_bytes: int | None = None,
    max_files: int | None = None,
    max_total_bytes: int | None = None,
    max_ratio: int | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` for each file, ZIP archives expanded.

    *files* holds paths, ``(filename, bytes)`` pairs or ``(filename, path)``
    pairs (read from disk, shown as *filename*).  A ZIP (told by its magic
    bytes, whatever its name) yields its ``.xml`` members, named
    ``archive.zip/member.xml``; folders are skipped.  *limits* (or the
    ``max_*`` overrides of it) hold for all the files together.  Raises
    :class:`CfdiError` at the first problem: a member that is not ``.xml`` or
    is itself a ZIP (``zip_member``), a file or member over the file limit
    (``too_large``), a member expanding more than the ratio (``zip_ratio``),
    more files (``too_many_files``) or more bytes (``total_too_large``) than
    the import may hold, a damaged archive (``bad_zip``).
    """
    limits = _limits(
        limits,
        file_bytes=max_bytes,
        files=max_files,
        total_bytes=max_total_bytes,
        ratio=max_ratio,
    )
    for name, data in _entries(files, limits):
        if isinstance(data, CfdiError):
            raise data
        yield name, data


def parse_many(
    files: Iterable,
    *,
    limits: ImportLimits | None = None,
    max_bytes: int | None = None,
    max_files: int | None = None,
    max_total_bytes: int | None = None,
    max_ratio: int | None = None,
) -> tuple[list[Payslip], list[CfdiError]]:
    """Parse every file (ZIPs expanded); collect the errors instead of stopping.

    Returns ``(payslips, errors)`` in input order.  Non-payroll CFDIs are
    errors too (``not_payroll``): deciding what to do with them is up to the
    caller.  Reaching the import's file count or total size stops there.
    """
    limits = _limits(
        limits,
        file_bytes=max_bytes,
        files=max_files,
        total_bytes=max_total_bytes,
        ratio=max_ratio,
    )
    payslips: list[Payslip] = []
    errors: list[CfdiError] = []
    for name, data in _entries(files, limits):
        if isinstance(data, CfdiError):
            errors.append(data)
            continue
        try:
            payslips.append(parse_cfdi(data, name, max_bytes=limits.file_bytes))
        except CfdiError as exc:
            errors.append(exc)
    return payslips, errors
