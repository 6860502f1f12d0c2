"""Read payroll CFDI files (CFDI 3.3 / 4.0 with the Nómina 1.2 complement).

Only what an ICSOE filing needs is read: the issuer and receiver, the stamp's
UUID and, per ``nomina12:Nomina`` complement, the pay period, the worker's
CURP, NSS, SBC and SDI, the employer registration and the
``nomina12:SubContratacion`` nodes (client RFC and share of time).

The files come from users, so parsing is hardened:

* the size is checked before anything is parsed;
* a document with a DOCTYPE (DTD, entity declarations) is refused before it is
  parsed, so no entity is expanded and no external resource is read; the
  parser also runs with entity resolution, DTD loading and network access off;
* documents are read as UTF-8 (the only encoding Anexo 20 allows), so the
  DOCTYPE check on the raw bytes cannot be bypassed with another encoding;
* ZIP archives are expanded with limits on member count, member size and total
  uncompressed size, checked from the archive directory before reading and
  again on the bytes actually read; nested archives are refused.

Errors are :class:`CfdiError` with a stable ``code``; the Odoo layer maps codes
to translated messages, so the messages here are English fallbacks.  Nothing in
this module imports Odoo.
"""

from __future__ import annotations

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

#: Default limits.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000
MAX_ZIP_TOTAL_BYTES = 500 * 1024 * 1024

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
    "zip_too_large": "The ZIP archive has too many members or too much uncompressed data",
}

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
    exactly was wrong, in English.
    """

    def __init__(self, code: str, filename: str, detail: str | None = None):
        self.code = code
        self.filename = filename
        self.detail = detail
        message = f"{filename}: {ERROR_MESSAGES.get(code, code)}"
        super().__init__(f"{message}: {detail}." if detail else f"{message}.")

    def __reduce__(self):
        return (self.__class__, (self.code, self.filename, self.detail))


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
        raise CfdiError("too_large", filename, _size_detail(len(data), max_bytes))
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
    )


# ---------------------------------------------------------------- files and ZIPs


def _size_detail(size: int, limit: int) -> str:
    return f"{size:,} bytes; the limit is {limit:,} bytes"


def is_zip(data: bytes) -> bool:
    """Tell a ZIP archive by its first bytes."""
    return bytes(data[:4]) in _ZIP_MAGIC


def _expand_zip(
    name: str, source, max_bytes: int, max_members: int, max_total_bytes: int
) -> Iterator[tuple[str, bytes | CfdiError]]:
    """Yield ``(member label, bytes or CfdiError)`` for a ZIP archive."""
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    try:
        archive = zipfile.ZipFile(handle)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
    ) as exc:
        yield name, CfdiError("bad_zip", name, str(exc)[:200] or None)
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > max_members:
            detail = f"{len(infos):,} members; the limit is {max_members:,}"
            yield name, CfdiError("zip_too_large", name, detail)
            return
        declared = sum(info.file_size for info in infos if not info.is_dir())
        if declared > max_total_bytes:
            detail = (
                f"{declared:,} bytes uncompressed; the limit is {max_total_bytes:,}"
            )
            yield name, CfdiError("zip_too_large", name, detail)
            return
        total = 0
        for info in infos:
            member = info.filename
            if info.is_dir() or member.startswith("__MACOSX/"):
                continue  # folders and macOS resource forks
            label = f"{name}/{member}"
            lower = member.lower()
            if lower.endswith(".zip"):
                yield (
                    label,
                    CfdiError("zip_member", label, "nested ZIP archives are not read"),
                )
                continue
            if not lower.endswith(".xml"):
                yield label, CfdiError("zip_member", label, "not an .xml file")
                continue
            if info.file_size > max_bytes:
                yield (
                    label,
                    CfdiError(
                        "too_large", label, _size_detail(info.file_size, max_bytes)
                    ),
                )
                continue
            try:
                with archive.open(info) as member_file:
                    data = member_file.read(max_bytes + 1)
            except (
                zipfile.BadZipFile,
                RuntimeError,  # encrypted
                NotImplementedError,  # compression method
                OSError,
                EOFError,
                zlib.error,
            ) as exc:
                yield label, CfdiError("bad_zip", label, str(exc)[:200] or None)
                continue
            if len(data) > max_bytes:  # the directory lied about the size
                yield (
                    label,
                    CfdiError("too_large", label, f"more than {max_bytes:,} bytes"),
                )
                continue
            total += len(data)
            if total > max_total_bytes:
                detail = f"more than {max_total_bytes:,} bytes uncompressed"
                yield name, CfdiError("zip_too_large", name, detail)
                return
            if is_zip(data):
                yield (
                    label,
                    CfdiError("zip_member", label, "nested ZIP archives are not read"),
                )
                continue
            yield label, data


def _read_path(path: str, max_bytes: int) -> tuple[bool, bytes | CfdiError]:
    """Return ``(is_zip, bytes or error)``; a ZIP is not read into memory."""
    try:
        with open(path, "rb") as handle:
            if is_zip(handle.read(4)):
                return True, b""
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                return False, CfdiError(
                    "too_large", path, _size_detail(size, max_bytes)
                )
            handle.seek(0)
            return False, handle.read(max_bytes + 1)
    except OSError as exc:
        return False, CfdiError("unreadable", path, exc.strerror or str(exc))


def _entries(
    files: Iterable,
    max_bytes: int,
    max_members: int,
    max_total_bytes: int,
) -> Iterator[tuple[str, bytes | CfdiError]]:
    for item in files:
        if isinstance(item, (str, os.PathLike)):
            name = os.fspath(item)
            zipped, data = _read_path(name, max_bytes)
            source = name
        else:
            name, data = item
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"{name}: expected bytes, got {type(data).__name__}")
            data = bytes(data)
            zipped, source = is_zip(data), data
        if zipped:
            yield from _expand_zip(
                name, source, max_bytes, max_members, max_total_bytes
            )
        elif isinstance(data, CfdiError):
            yield name, data
        elif len(data) > max_bytes:
            yield name, CfdiError("too_large", name, _size_detail(len(data), max_bytes))
        else:
            yield name, data


def iter_files(
    files: Iterable,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_members: int = MAX_ZIP_MEMBERS,
    max_total_bytes: int = MAX_ZIP_TOTAL_BYTES,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` for each file, ZIP archives expanded.

    *files* holds ``(filename, bytes)`` pairs or paths.  A ZIP (told by its
    magic bytes, whatever its name) yields its ``.xml`` members, named
    ``archive.zip/member.xml``; folders are skipped.  Raises
    :class:`CfdiError` at the first problem: a member that is not ``.xml`` or
    is itself a ZIP (``zip_member``), a file or member over *max_bytes*
    (``too_large``), more than *max_members* members or *max_total_bytes*
    uncompressed (``zip_too_large``), a damaged archive (``bad_zip``).
    """
    for name, data in _entries(files, max_bytes, max_members, max_total_bytes):
        if isinstance(data, CfdiError):
            raise data
        yield name, data


def parse_many(
    files: Iterable,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_members: int = MAX_ZIP_MEMBERS,
    max_total_bytes: int = MAX_ZIP_TOTAL_BYTES,
) -> tuple[list[Payslip], list[CfdiError]]:
    """Parse every file (ZIPs expanded); collect the errors instead of stopping.

    Returns ``(payslips, errors)`` in input order.  Non-payroll CFDIs are
    errors too (``not_payroll``): deciding what to do with them is up to the
    caller.
    """
    payslips: list[Payslip] = []
    errors: list[CfdiError] = []
    for name, data in _entries(files, max_bytes, max_members, max_total_bytes):
        if isinstance(data, CfdiError):
            errors.append(data)
            continue
        try:
            payslips.append(parse_cfdi(data, name, max_bytes=max_bytes))
        except CfdiError as exc:
            errors.append(exc)
    return payslips, errors
