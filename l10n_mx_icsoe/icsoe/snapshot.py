"""Frozen XML snapshot of a confirmed ICSOE informativa.

The snapshot is the addon's own archival format (``schema/icsoe_snapshot_v1.xsd``,
namespace :data:`NAMESPACE`), NOT an IMSS format: IMSS has no XML format for
the ICSOE, its portal takes web forms plus a worker CSV per contract.  The
addon writes the snapshot when a filing is confirmed and keeps its SHA-256, so
the filed content can be shown and compared after the master data changed.

:func:`build_snapshot` is deterministic: the same input gives the same bytes
(attributes in schema order, contracts and workers in the order given).

Input values that are empty (``None``, ``False`` — an empty Odoo field — or a
blank string) are left out of the document.  For an optional attribute that is
the intended result; for a required one :func:`validate_snapshot` then reports
the missing attribute by name.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from lxml import etree

from .layouts import fmt_amount2

NAMESPACE = "urn:l10n_mx_icsoe:snapshot:1"
VERSION = "1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "icsoe_snapshot_v1.xsd"

#: ``filing_type`` of the Odoo model → ``tipo`` of the snapshot.
FILING_TYPES = {
    "normal": "Normal",
    "no_info": "SinInformacion",
    "correction": "Correccion",
    "void": "SinEfectos",
}
PERSON_TYPES = {"fisica": "Fisica", "moral": "Moral"}

_NS = f"{{{NAMESPACE}}}"
_SCHEMA_LOCK = threading.Lock()


# ------------------------------------------------------------ formatting


def _is_empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    return isinstance(value, str) and not value.strip()


def _fmt_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise ValueError(f"{value!r} is not a date")
    return value.isoformat()


def _fmt_utc(value: Any) -> str:
    """Format a datetime as ``YYYY-MM-DDTHH:MM:SSZ``; naive means UTC."""
    if not isinstance(value, datetime):
        raise ValueError(f"{value!r} is not a datetime")
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt_int(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    return str(int(value))


def _fmt_choice(value: Any, choices: Mapping[str, str], what: str) -> str:
    try:
        return choices[value]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown {what} {value!r} (expected one of {', '.join(choices)})"
        ) from None


def _set_attrs(
    element: etree._Element, pairs: Iterable[tuple[str, Any, Any]]
) -> etree._Element:
    """Set ``(name, value, formatter)`` attributes in order, skipping empty values."""
    for name, value, fmt in pairs:
        if not _is_empty(value):
            element.set(name, fmt(value))
    return element


# ------------------------------------------------------------ building


def _contract_element(parent: etree._Element, contract: Mapping[str, Any]) -> None:
    element = _set_attrs(
        etree.SubElement(parent, _NS + "Contrato"),
        [
            ("secuencia", contract.get("sequence"), _fmt_int),
            ("referencia", contract.get("reference"), str),
            ("objeto", contract.get("object"), str),
            ("servicio", contract.get("service_text"), str),
            ("fechaInicio", contract.get("date_start"), _fmt_date),
            ("fechaTermino", contract.get("date_end"), _fmt_date),
        ],
    )
    client = _set_attrs(
        etree.SubElement(element, _NS + "Contratante"),
        [
            ("rfc", contract.get("client_rfc"), str),
            ("nombre", contract.get("client_name"), str),
            (
                "tipoPersona",
                contract.get("client_person_type"),
                lambda v: _fmt_choice(v, PERSON_TYPES, "client_person_type"),
            ),
            ("correo", contract.get("client_email"), str),
            ("celular", contract.get("client_mobile"), str),
            ("telefono", contract.get("client_phone"), str),
        ],
    )
    address = contract.get("client_address") or {}
    if any(not _is_empty(value) for value in address.values()):
        _set_attrs(
            etree.SubElement(client, _NS + "Domicilio"),
            [
                ("calle", address.get("street"), str),
                ("numExt", address.get("number"), str),
                ("numInt", address.get("number2"), str),
                ("colonia", address.get("colony"), str),
                ("cp", address.get("zip"), str),
                ("municipio", address.get("city"), str),
                ("estado", address.get("state"), str),
            ],
        )
    workers = etree.SubElement(element, _NS + "Trabajadores")
    for worker in contract.get("workers") or ():
        _set_attrs(
            etree.SubElement(workers, _NS + "Trabajador"),
            [
                ("nss", worker.get("nss"), str),
                ("curp", worker.get("curp"), str),
                ("sbc", worker.get("sbc"), fmt_amount2),
                ("nombre", worker.get("name"), str),
            ],
        )


def build_snapshot(
    header: Mapping[str, Any], contracts: Iterable[Mapping[str, Any]]
) -> bytes:
    """Return the snapshot of a filing as pretty-printed UTF-8 XML bytes.

    *header* keys: ``name, company_rfc, company_name, year, period,
    filing_type`` (``'normal'``, ``'no_info'``, ``'correction'``, ``'void'``),
    ``date_start, date_end, deadline`` (dates), ``confirmed_at`` (datetime,
    naive UTC or aware) and optionally ``replaces_name``, ``replaces_folio``.

    Each contract: ``sequence, reference, object, service_text, date_start,
    date_end, client_rfc, client_name, client_person_type`` (``'fisica'`` or
    ``'moral'``), ``client_email, client_mobile, client_phone, client_address``
    (``None`` or a dict with ``street, number, number2, colony, zip, city,
    state``) and ``workers`` (dicts with ``nss, curp, sbc, name``; the SBC is
    written with 2 decimals, ROUND_HALF_UP).

    Raises ``ValueError`` for a value that cannot be written at all (unknown
    filing or person type, a non-date date, a non-numeric SBC); everything
    else is left to :func:`validate_snapshot`.
    """
    root = _set_attrs(
        etree.Element(_NS + "Informativa", nsmap={None: NAMESPACE}),
        [
            ("version", VERSION, str),
            ("nombre", header.get("name"), str),
            ("rfcContratista", header.get("company_rfc"), str),
            ("nombreContratista", header.get("company_name"), str),
            ("ejercicio", header.get("year"), _fmt_int),
            ("cuatrimestre", header.get("period"), _fmt_int),
            (
                "tipo",
                header.get("filing_type"),
                lambda v: _fmt_choice(v, FILING_TYPES, "filing_type"),
            ),
            ("periodoInicio", header.get("date_start"), _fmt_date),
            ("periodoFin", header.get("date_end"), _fmt_date),
            ("fechaLimite", header.get("deadline"), _fmt_date),
            ("confirmado", header.get("confirmed_at"), _fmt_utc),
            ("sustituyeA", header.get("replaces_name"), str),
            ("folioSustituido", header.get("replaces_folio"), str),
        ],
    )
    # Written a contract at a time (a filing may hold 200,000 workers): each
    # contract is built in a root of its own, serialised and dropped, giving
    # the same bytes as the whole tree pretty-printed at once.
    parts = [_contract_bytes(contract) for contract in contracts]
    if not parts:
        return etree.tostring(
            root, encoding="UTF-8", xml_declaration=True, pretty_print=True
        )
    etree.SubElement(root, _NS + "Marcador")
    head, tail = etree.tostring(
        root, encoding="UTF-8", xml_declaration=True, pretty_print=True
    ).split(b"  <Marcador/>\n")
    return b"".join([head, *parts, tail])


def _contract_bytes(contract: Mapping[str, Any]) -> bytes:
    """The ``Contrato`` element of ``contract`` as the whole document's
    pretty-printing writes it (two spaces in, one line per element)."""
    holder = etree.Element(_NS + "Informativa", nsmap={None: NAMESPACE})
    _contract_element(holder, contract)
    text = etree.tostring(holder, encoding="UTF-8", pretty_print=True)
    # drop the holder's own first and last lines
    return text[text.index(b"\n") + 1 : text.rindex(b"</")]


# ------------------------------------------------------------ validation


def safe_parser() -> etree.XMLParser:
    """Return a new XML parser that never resolves entities nor loads a DTD.

    lxml parsers must not be shared between threads, hence a new one per call.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
    )


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), safe_parser()))


def _messages(error_log: Iterable[Any]) -> list[str]:
    """Turn an lxml error log into unique messages, without libxml2's warnings.

    libxml2 also logs "Warning: No precomputed value available" (at error
    level) when an invalid value takes part in an ``xs:unique``; it only
    repeats the real error, so it is dropped.
    """
    entries = list(error_log)
    errors = [
        e
        for e in entries
        if e.level >= etree.ErrorLevels.ERROR and ": Warning: " not in e.message
    ] or entries
    messages = (f"line {e.line}: {e.message.replace(_NS, '')}" for e in errors)
    return list(dict.fromkeys(messages))


def validate_snapshot(xml: bytes) -> list[str]:
    """Validate snapshot bytes against the shipped XSD.

    Returns human-readable error strings, ``[]`` when the document is valid;
    the document is validated while it is parsed, so the errors are those of
    the first invalid element. It is parsed without resolving entities or
    loading DTDs, and a document with a DOCTYPE is refused: a snapshot never
    has one.
    """
    if not isinstance(xml, bytes | bytearray):
        raise TypeError(f"Expected bytes, got {type(xml).__name__}")
    # Validated while it is parsed, a contract at a time (a snapshot of
    # 200,000 workers is 24 MB): what was validated is dropped as it goes.
    schema = _schema()
    with _SCHEMA_LOCK:  # the schema's error log is shared state
        events = etree.iterparse(
            io.BytesIO(bytes(xml)),
            events=("start", "end"),
            schema=schema,
            resolve_entities=False,
            no_network=True,
            dtd_validation=False,
            load_dtd=False,
            huge_tree=False,
        )
        root = None
        try:
            for event, element in events:
                if root is None:
                    root = element
                    docinfo = element.getroottree().docinfo
                    if docinfo.doctype or docinfo.internalDTD is not None:
                        return ["A DOCTYPE declaration is not allowed in a snapshot."]
                elif event == "end" and element.getparent() is root:
                    element.clear()
                    while element.getprevious() is not None:
                        del root[0]
        except etree.XMLSyntaxError as exc:
            return _messages(exc.error_log) or [f"Not well-formed XML: {exc}"]
    if root is None:
        return ["The document is empty."]
    return []


def sha256_hex(data: bytes) -> str:
    """Return the lower-case hexadecimal SHA-256 digest of *data*."""
    return hashlib.sha256(data).hexdigest()


# Characters an XML 1.0 document cannot hold: C0 controls but tab, newline and
# carriage return; surrogates; U+FFFE and U+FFFF.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_unsafe_chars(text: Any) -> list[str]:
    """The characters of ``text`` that XML 1.0 cannot hold, as ``U+XXXX`` codes."""
    if not isinstance(text, str):
        return []
    return sorted({f"U+{ord(c):04X}" for c in _XML_UNSAFE.findall(text)})


def _as_bytes(content):
    return content.encode() if isinstance(content, str) else content or b""


def exports_manifest(files):
    """``sha256sum``-style manifest of [(name, content)], sorted by name."""
    return "".join(
        f"{hashlib.sha256(_as_bytes(content)).hexdigest()}  {name}\n"
        for name, content in sorted(files, key=lambda file: file[0])
    )


def exports_digest(files):
    """The SHA-256 that covers every export: the hash of their manifest."""
    return hashlib.sha256(exports_manifest(files).encode()).hexdigest()
