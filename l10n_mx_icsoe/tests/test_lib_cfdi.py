"""Tests for reading payroll CFDI (Nómina 1.2) files (no Odoo needed).

The CFDIs are built here, from the published structure: Anexo 20 CFDI 3.3 and
4.0 (``cfdi:Comprobante``, ``Emisor``, ``Receptor``, ``Conceptos``,
``Complemento``), the *Complemento de Nómina 1.2* and the *Timbre Fiscal
Digital 1.1*.  Files written by other CFDI tools are only read, when present,
from the shared fixtures folder (last test).
"""

import io
import os
import pickle
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from odoo.addons.l10n_mx_icsoe.icsoe import cfdi, identifiers

CFDI_NS = {"3.3": "http://www.sat.gob.mx/cfd/3", "4.0": "http://www.sat.gob.mx/cfd/4"}
CFDI_XSD = {
    "3.3": "http://www.sat.gob.mx/sitio_internet/cfd/3/cfdv33.xsd",
    "4.0": "http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd",
}
NOMINA_NS = "http://www.sat.gob.mx/nomina12"
NOMINA_XSD = "http://www.sat.gob.mx/sitio_internet/cfd/nomina/nomina12.xsd"
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
TFD_XSD = "http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

ISSUER_RFC = "EKU9003173C9"  # SAT test RFC
ISSUER_NAME = "ESCUELA KEMPER URGATE"
EMPLOYEE_RFC = identifiers.make_rfc("PEGJ900101AB")
EMPLOYEE_NAME = "JUAN PEREZ GARCIA"
EMPLOYEE_CURP = identifiers.make_curp("PEGJ900101HDFRRN0")
EMPLOYEE_NSS = identifiers.make_nss("1215901234")
CLIENT_A = identifiers.make_rfc("CLA150607AB")
CLIENT_B = identifiers.make_rfc("SER120315K7")
REGISTRO = "Y6012345104"
UUID = "5f3c1e2a-8b7d-4c9e-a1f0-2d6b8e4c7a91"  # stamped in lower case
SEAL = "ZmFrZSBzZWFs" * 20  # base64 placeholder for Sello / SelloSAT
MIB = cfdi.MIB


def nomina_spec(**changes):
    """One Nómina 1.2 complement; a ``None`` attribute is left out.

    ``changes`` merges dicts (``attrs``, ``emisor``, ``receptor``) and replaces
    the rest (``subcontracts``; ``emisor=None`` drops nomina12:Emisor).
    """
    spec = {
        "attrs": {
            "Version": "1.2",
            "TipoNomina": "O",
            "FechaPago": "2025-03-14",
            "FechaInicialPago": "2025-03-01",
            "FechaFinalPago": "2025-03-15",
            "NumDiasPagados": "15.000",
            "TotalPercepciones": "6785.55",
            "TotalDeducciones": "774.80",
            "TotalOtrosPagos": "0.00",
        },
        "emisor": {"RegistroPatronal": REGISTRO},
        "receptor": {
            "Curp": EMPLOYEE_CURP,
            "NumSeguridadSocial": EMPLOYEE_NSS,
            "FechaInicioRelLaboral": "2023-02-01",
            "Antigüedad": "P110W",
            "TipoContrato": "01",
            "Sindicalizado": "No",
            "TipoJornada": "01",
            "TipoRegimen": "02",
            "NumEmpleado": "0042",
            "Departamento": "Limpieza",
            "Puesto": "Auxiliar de limpieza",
            "RiesgoPuesto": "2",
            "PeriodicidadPago": "04",
            "SalarioBaseCotApor": "452.37",
            "SalarioDiarioIntegrado": "452.37",
            "ClaveEntFed": "CMX",
        },
        "subcontracts": [(CLIENT_A, "60.00"), (CLIENT_B, "40.00")],
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(spec[key], dict):
            spec[key].update(value)
        else:
            spec[key] = value
    return spec


def _set(element, attrs):
    for name, value in attrs.items():
        if value is not None:
            element.set(name, value)
    return element


def _add_nomina(complemento, spec, nomina_ns, declare_ns):
    q = f"{{{nomina_ns}}}"
    nsmap = {"nomina12": nomina_ns} if declare_ns else None
    nomina = etree.SubElement(complemento, q + "Nomina", nsmap=nsmap)
    if declare_ns:
        nomina.set(f"{{{XSI_NS}}}schemaLocation", f"{nomina_ns} {NOMINA_XSD}")
    _set(nomina, spec["attrs"])
    if spec["emisor"] is not None:
        _set(etree.SubElement(nomina, q + "Emisor"), spec["emisor"])
    receptor = _set(etree.SubElement(nomina, q + "Receptor"), spec["receptor"])
    for rfc, share in spec["subcontracts"]:
        _set(
            etree.SubElement(receptor, q + "SubContratacion"),
            {"RfcLabora": rfc, "PorcentajeTiempo": share},
        )
    percepciones = _set(
        etree.SubElement(nomina, q + "Percepciones"),
        {"TotalSueldos": "6785.55", "TotalGravado": "6785.55", "TotalExento": "0.00"},
    )
    _set(
        etree.SubElement(percepciones, q + "Percepcion"),
        {
            "TipoPercepcion": "001",
            "Clave": "001",
            "Concepto": "Sueldo",
            "ImporteGravado": "6785.55",
            "ImporteExento": "0.00",
        },
    )
    deducciones = _set(
        etree.SubElement(nomina, q + "Deducciones"),
        {"TotalOtrasDeducciones": "162.50", "TotalImpuestosRetenidos": "612.30"},
    )
    for tipo, clave, concepto, importe in (
        ("001", "052", "Cuota obrera IMSS", "162.50"),
        ("002", "045", "ISR", "612.30"),
    ):
        _set(
            etree.SubElement(deducciones, q + "Deduccion"),
            {
                "TipoDeduccion": tipo,
                "Clave": clave,
                "Concepto": concepto,
                "Importe": importe,
            },
        )
    otros = etree.SubElement(nomina, q + "OtrosPagos")
    otro = _set(
        etree.SubElement(otros, q + "OtroPago"),
        {
            "TipoOtroPago": "002",
            "Clave": "035",
            "Concepto": "Subsidio al empleo",
            "Importe": "0.00",
        },
    )
    _set(etree.SubElement(otro, q + "SubsidioAlEmpleo"), {"SubsidioCausado": "0.00"})


def build_cfdi(
    version="4.0",
    *,
    nominas=None,
    comprobante=None,
    emisor=None,
    receptor=None,
    uuid=UUID,
    cfdi_ns=None,
    nomina_ns=NOMINA_NS,
):
    """Return a payroll CFDI *version* ('3.3' or '4.0') as UTF-8 bytes."""
    ns = cfdi_ns or CFDI_NS[version]
    q = f"{{{ns}}}"
    nsmap = {"cfdi": ns, "xsi": XSI_NS}
    schema_location = f"{ns} {CFDI_XSD[version]}"
    if version == "4.0":  # declared on the root, as most 4.0 generators do
        nsmap["nomina12"] = nomina_ns
        schema_location += f" {nomina_ns} {NOMINA_XSD}"
    root = etree.Element(q + "Comprobante", nsmap=nsmap)
    root.set(f"{{{XSI_NS}}}schemaLocation", schema_location)
    attrs = {
        "Version": version,
        "Serie": "NOM",
        "Folio": "1024",
        "Fecha": "2025-03-14T18:05:12",
        "Sello": SEAL,
        "NoCertificado": "30001000000500003416",
        "Certificado": SEAL,
        "SubTotal": "6785.55",
        "Descuento": "774.80",
        "Moneda": "MXN",
        "Total": "6010.75",
        "TipoDeComprobante": "N",
        "MetodoPago": "PUE",
        "LugarExpedicion": "06600",
    }
    if version == "4.0":
        attrs["Exportacion"] = "01"
    else:
        attrs["FormaPago"] = "99"
    _set(root, {**attrs, **(comprobante or {})})
    _set(
        etree.SubElement(root, q + "Emisor"),
        {
            "Rfc": ISSUER_RFC,
            "Nombre": ISSUER_NAME,
            "RegimenFiscal": "601",
            **(emisor or {}),
        },
    )
    receptor_attrs = {"Rfc": EMPLOYEE_RFC, "Nombre": EMPLOYEE_NAME, "UsoCFDI": "CN01"}
    if version == "4.0":
        receptor_attrs.update(
            DomicilioFiscalReceptor="03100", RegimenFiscalReceptor="605"
        )
    else:
        receptor_attrs["UsoCFDI"] = "P01"
    _set(etree.SubElement(root, q + "Receptor"), {**receptor_attrs, **(receptor or {})})
    conceptos = etree.SubElement(root, q + "Conceptos")
    concepto = {
        "ClaveProdServ": "84111505",
        "Cantidad": "1",
        "ClaveUnidad": "ACT",
        "Descripcion": "Pago de nómina",
        "ValorUnitario": "6785.55",
        "Importe": "6785.55",
        "Descuento": "774.80",
    }
    if version == "4.0":
        concepto["ObjetoImp"] = "01"
    _set(etree.SubElement(conceptos, q + "Concepto"), concepto)
    complemento = etree.SubElement(root, q + "Complemento")
    for spec in nominas if nominas is not None else [nomina_spec()]:
        _add_nomina(complemento, spec, nomina_ns, declare_ns=version != "4.0")
    if uuid is not None:
        tfd = etree.SubElement(
            complemento, f"{{{TFD_NS}}}TimbreFiscalDigital", nsmap={"tfd": TFD_NS}
        )
        tfd.set(f"{{{XSI_NS}}}schemaLocation", f"{TFD_NS} {TFD_XSD}")
        _set(
            tfd,
            {
                "Version": "1.1",
                "UUID": uuid,
                "FechaTimbrado": "2025-03-14T18:06:40",
                "RfcProvCertif": "SPR190613I52",
                "SelloCFD": SEAL,
                "NoCertificadoSAT": "30001000000500003456",
                "SelloSAT": SEAL,
            },
        )
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def expected_nomina(**changes):
    values = {
        "payment_date": date(2025, 3, 14),
        "period_start": date(2025, 3, 1),
        "period_end": date(2025, 3, 15),
        "days_paid": Decimal("15.000"),
        "curp": EMPLOYEE_CURP,
        "nss": EMPLOYEE_NSS,
        "sbc": Decimal("452.37"),
        "sdi": Decimal("452.37"),
        "employee_number": "0042",
        "start_date": date(2023, 2, 1),
        "registro_patronal": REGISTRO,
        "subcontracts": ((CLIENT_A, Decimal("60.00")), (CLIENT_B, Decimal("40.00"))),
        "payroll_type": "O",
        "regime_type": "02",
    }
    values.update(changes)
    return cfdi.NominaData(**values)


def with_doctype(xml, doctype):
    """Insert *doctype* (bytes) after the XML declaration of *xml*."""
    declaration, rest = xml.split(b"?>", 1)
    return declaration + b"?>\n" + doctype + rest


def make_zip(members):
    """A ZIP of ``{name: bytes}``; a name ending in '/' is a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zeros_deflate(mib):
    """A raw deflate stream of *mib* MiB of zeros, built in milliseconds.

    One MiB is compressed once, ending on a full flush (no reference to what
    came before), and repeated: a stream of about 1 KiB per MiB.
    """
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = block.compress(bytes(cfdi.MIB)) + block.flush(zlib.Z_FULL_FLUSH)
    return one * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def forged_zip(name, stream, *, file_size, compress_size=None, crc=0):
    """A ZIP holding *stream* as one deflated member whose header says what we like.

    ``file_size`` (and ``compress_size``) are what the local header and the
    directory declare, whatever the stream really expands to.
    """
    encoded = name.encode()
    size = len(stream) if compress_size is None else compress_size
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, size, file_size,
        len(encoded), 0,
    )  # fmt: skip
    central = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, size, file_size,
        len(encoded), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    offset = len(local) + len(encoded) + len(stream)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(encoded), offset, 0
    )
    return local + encoded + stream + central + encoded + end


def padded_cfdi(kib, **kwargs):
    """A valid payroll CFDI grown to about *kib* KiB by a comment that does not
    compress (as real seals and certificates do not)."""
    padding = os.urandom(kib * 512).hex().encode()
    return build_cfdi(**kwargs) + b"<!-- " + padding + b" -->\n"


def assert_error(excinfo, code, filename):
    error = excinfo.value
    assert error.code == code, str(error)
    assert error.filename == filename
    assert str(error).startswith(f"{filename}: ")
    return error


@pytest.fixture
def parser_not_reached(monkeypatch):
    """Fail if the XML parser is even built: refusals must come before it."""

    def boom():
        raise AssertionError("the XML parser was reached")

    monkeypatch.setattr(cfdi, "_make_parser", boom)


# ---------------------------------------------------------------- good files


def test_builder_writes_the_published_structure():
    xml = build_cfdi("4.0")
    root = etree.fromstring(xml)
    assert root.tag == f"{{{CFDI_NS['4.0']}}}Comprobante"
    assert root.nsmap["nomina12"] == NOMINA_NS
    assert CFDI_XSD["4.0"] in root.get(f"{{{XSI_NS}}}schemaLocation")
    assert b"<cfdi:Conceptos>" in xml and b"<nomina12:SubContratacion " in xml
    assert b'xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital"' in xml
    assert f'UUID="{UUID}"'.encode() in xml
    assert b'PorcentajeTiempo="60.00"' in xml and b'PorcentajeTiempo="40.00"' in xml


def test_parse_cfdi_40():
    payslip = cfdi.parse_cfdi(build_cfdi("4.0"), "nomina-2025-03-2.xml")
    assert payslip == cfdi.Payslip(
        filename="nomina-2025-03-2.xml",
        version="4.0",
        uuid=UUID.upper(),
        issuer_rfc=ISSUER_RFC,
        issuer_name=ISSUER_NAME,
        receiver_rfc=EMPLOYEE_RFC,
        receiver_name=EMPLOYEE_NAME,
        date=date(2025, 3, 14),
        nominas=(expected_nomina(),),
    )
    nomina = payslip.nominas[0]
    assert sum(share for _rfc, share in nomina.subcontracts) == 100


def test_parse_cfdi_33():
    xml = build_cfdi("3.3")
    assert b'xmlns:nomina12="http://www.sat.gob.mx/nomina12"' in xml
    assert b"<nomina12:Nomina xmlns:nomina12=" in xml  # declared on the complement
    payslip = cfdi.parse_cfdi(xml, "nomina33.xml")
    assert payslip.version == "3.3"
    assert payslip.uuid == UUID.upper()
    assert payslip.issuer_rfc == ISSUER_RFC
    assert payslip.receiver_rfc == EMPLOYEE_RFC
    assert payslip.nominas == (expected_nomina(),)


def test_two_nomina_complements_are_both_kept():
    extraordinary = nomina_spec(
        attrs={
            "TipoNomina": "E",
            "FechaPago": "2025-03-15",
            "FechaInicialPago": "2025-03-15",
            "FechaFinalPago": "2025-03-15",
            "NumDiasPagados": "1.000",
        },
        emisor={"RegistroPatronal": None},
        receptor={
            "NumSeguridadSocial": None,
            "SalarioBaseCotApor": None,
            "SalarioDiarioIntegrado": None,
            "FechaInicioRelLaboral": None,
            "TipoRegimen": "13",
        },
        subcontracts=[],
    )
    xml = build_cfdi("3.3", nominas=[nomina_spec(), extraordinary])
    payslip = cfdi.parse_cfdi(xml, "two.xml")
    assert payslip.nominas == (
        expected_nomina(),
        expected_nomina(
            payroll_type="E",
            payment_date=date(2025, 3, 15),
            period_start=date(2025, 3, 15),
            period_end=date(2025, 3, 15),
            days_paid=Decimal("1.000"),
            nss=None,
            sbc=None,
            sdi=None,
            start_date=None,
            registro_patronal=None,
            subcontracts=(),
            regime_type="13",
        ),
    )


def test_utf8_bom_is_stripped():
    payslip = cfdi.parse_cfdi(b"\xef\xbb\xbf" + build_cfdi("3.3"), "bom.xml")
    assert payslip.uuid == UUID.upper()


def test_escaped_ampersand_in_rfcs():
    xml = build_cfdi(
        "3.3",
        emisor={"Rfc": "H&E951128469", "Nombre": "HERRERIA & ELECTRICOS"},
        nominas=[nomina_spec(subcontracts=[("A&B010101AB1", "100.00")])],
    )
    assert b'Rfc="H&amp;E951128469"' in xml and b'RfcLabora="A&amp;B010101AB1"' in xml
    payslip = cfdi.parse_cfdi(xml, "amp.xml")
    assert payslip.issuer_rfc == "H&E951128469"
    assert payslip.issuer_name == "HERRERIA & ELECTRICOS"
    assert payslip.nominas[0].subcontracts == (("A&B010101AB1", Decimal("100.00")),)


def test_identifiers_are_compacted_and_upper_cased():
    xml = build_cfdi(
        "4.0",
        emisor={"Rfc": " eku9003173c9"},
        receptor={"Rfc": "pegj900101ab8 "},
        nominas=[
            nomina_spec(
                emisor={"RegistroPatronal": "Y60-12345-10-4"},
                receptor={"Curp": EMPLOYEE_CURP.lower()},
                subcontracts=[(CLIENT_A.lower(), "100")],
            )
        ],
    )
    payslip = cfdi.parse_cfdi(xml, "case.xml")
    assert payslip.issuer_rfc == ISSUER_RFC
    assert payslip.receiver_rfc == EMPLOYEE_RFC
    nomina = payslip.nominas[0]
    assert nomina.curp == EMPLOYEE_CURP
    assert nomina.registro_patronal == REGISTRO
    assert nomina.subcontracts == ((CLIENT_A, Decimal("100")),)


def test_missing_optional_attributes_give_none():
    spec = nomina_spec(
        attrs={"TipoNomina": None},
        emisor=None,
        receptor={
            "NumSeguridadSocial": None,
            "SalarioBaseCotApor": None,
            "SalarioDiarioIntegrado": "",
            "FechaInicioRelLaboral": None,
            "TipoRegimen": None,
        },
        subcontracts=[],
    )
    xml = build_cfdi(
        "3.3",
        nominas=[spec],
        emisor={"Nombre": None},
        receptor={"Nombre": None},
        uuid=None,
    )
    payslip = cfdi.parse_cfdi(xml, "sparse.xml")
    assert payslip.uuid is None
    assert payslip.issuer_name is None and payslip.receiver_name is None
    assert payslip.nominas == (
        expected_nomina(
            nss=None,
            sbc=None,
            sdi=None,
            start_date=None,
            registro_patronal=None,
            subcontracts=(),
            payroll_type=None,
            regime_type=None,
        ),
    )


# ---------------------------------------------------------------- bad files


def test_malformed_xml():
    xml = build_cfdi("4.0").replace(b"</cfdi:Conceptos>", b"</cfdi:Concepto>", 1)
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "broken.xml")
    assert_error(excinfo, "malformed", "broken.xml")


@pytest.mark.parametrize("data", [b"", b"  \n", b"PDF-1.7 not xml", b"<a><b></a>"])
def test_empty_or_not_xml(data):
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(data, "junk.xml")
    assert_error(excinfo, "malformed", "junk.xml")


def test_wrong_root_namespace():
    xml = build_cfdi("4.0", cfdi_ns="http://www.sat.gob.mx/cfd/5")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "ns.xml")
    error = assert_error(excinfo, "not_cfdi", "ns.xml")
    assert "http://www.sat.gob.mx/cfd/5" in error.detail


def test_not_a_comprobante():
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(b'<?xml version="1.0"?><factura/>', "other.xml")
    assert_error(excinfo, "not_cfdi", "other.xml")


def test_nomina_in_wrong_namespace():
    xml = build_cfdi("4.0", nomina_ns="http://www.sat.gob.mx/nomina")  # Nómina 1.1
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "nomina11.xml")
    error = assert_error(excinfo, "no_nomina", "nomina11.xml")
    assert "1.1" in error.detail


def test_payroll_type_without_nomina():
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(build_cfdi("4.0", nominas=[], uuid=None), "empty.xml")
    assert_error(excinfo, "no_nomina", "empty.xml")


@pytest.mark.parametrize(
    ("version", "changes", "nomina_changes"),
    [
        ("3.3", {"Version": "3.2"}, {}),
        ("4.0", {"Version": "3.3"}, {}),
        ("4.0", {}, {"attrs": {"Version": "1.1"}}),
    ],
)
def test_unsupported_versions(version, changes, nomina_changes):
    xml = build_cfdi(
        version, comprobante=changes, nominas=[nomina_spec(**nomina_changes)]
    )
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "version.xml")
    assert_error(excinfo, "bad_version", "version.xml")


@pytest.mark.parametrize("tipo", ["I", "E", "P", "T"])
def test_non_payroll_cfdi(tipo):
    xml = build_cfdi("4.0", comprobante={"TipoDeComprobante": tipo})
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "factura.xml")
    error = assert_error(excinfo, "not_payroll", "factura.xml")
    assert f'TipoDeComprobante="{tipo}"' in str(error)


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (
            {"nominas": [nomina_spec(attrs={"FechaFinalPago": None})]},
            "nomina12:Nomina/@FechaFinalPago",
        ),
        (
            {"nominas": [nomina_spec(attrs={"NumDiasPagados": ""})]},
            "nomina12:Nomina/@NumDiasPagados",
        ),
        (
            {"nominas": [nomina_spec(receptor={"Curp": None})]},
            "nomina12:Nomina/nomina12:Receptor/@Curp",
        ),
        (
            {"nominas": [nomina_spec(receptor={"NumEmpleado": None})]},
            "nomina12:Nomina/nomina12:Receptor/@NumEmpleado",
        ),
        (
            {"nominas": [nomina_spec(subcontracts=[(None, "60.00")])]},
            "nomina12:Receptor/nomina12:SubContratacion/@RfcLabora",
        ),
        (
            {"nominas": [nomina_spec(subcontracts=[(CLIENT_A, None)])]},
            "nomina12:SubContratacion/@PorcentajeTiempo",
        ),
        (
            {"nominas": [nomina_spec(), nomina_spec(attrs={"FechaPago": None})]},
            "nomina12:Nomina[2]/@FechaPago",
        ),
        ({"emisor": {"Rfc": None}}, "cfdi:Emisor/@Rfc"),
        ({"receptor": {"Rfc": " - "}}, "cfdi:Receptor/@Rfc"),
        ({"comprobante": {"Fecha": None}}, "cfdi:Comprobante/@Fecha"),
    ],
)
def test_missing_required_attribute(build, path):
    xml = build_cfdi("4.0", **build)
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "missing.xml")
    error = assert_error(excinfo, "missing_attribute", "missing.xml")
    assert path in error.detail and path in str(error)


def test_missing_required_element():
    xml = build_cfdi("4.0").replace(b"<cfdi:Emisor ", b"<cfdi:Emisora ")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "noemisor.xml")
    error = assert_error(excinfo, "missing_element", "noemisor.xml")
    assert error.detail == "cfdi:Emisor"


@pytest.mark.parametrize(
    ("spec", "attribute"),
    [
        (nomina_spec(attrs={"FechaFinalPago": "2025-02-30"}), "FechaFinalPago"),
        (nomina_spec(receptor={"SalarioBaseCotApor": "452,37"}), "SalarioBaseCotApor"),
        (
            nomina_spec(receptor={"SalarioDiarioIntegrado": "NaN"}),
            "SalarioDiarioIntegrado",
        ),
        (nomina_spec(subcontracts=[(CLIENT_A, "sesenta")]), "PorcentajeTiempo"),
    ],
)
def test_unreadable_values(spec, attribute):
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(build_cfdi("4.0", nominas=[spec]), "values.xml")
    error = assert_error(excinfo, "bad_value", "values.xml")
    assert f"@{attribute}=" in error.detail


BILLION_LAUGHS = b"""<!DOCTYPE cfdi:Comprobante [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def test_billion_laughs_is_refused_before_parsing(parser_not_reached):
    xml = with_doctype(build_cfdi("4.0"), BILLION_LAUGHS)
    xml = xml.replace(ISSUER_NAME.encode(), b"&lol9;")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "laughs.xml")
    error = assert_error(excinfo, "dtd", "laughs.xml")
    assert "lollol" not in str(error)


def _xxe(xml, url):
    doctype = f'<!DOCTYPE cfdi:Comprobante [<!ENTITY xxe SYSTEM "{url}">]>\n'.encode()
    xml = with_doctype(xml, doctype)
    return xml.replace(b"<cfdi:Conceptos>", b"<cfdi:Conceptos>&xxe;", 1)


def test_external_entity_is_refused_and_not_read(tmp_path, parser_not_reached):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    for url in ("file:///etc/passwd", secret.as_uri()):
        with pytest.raises(cfdi.CfdiError) as excinfo:
            cfdi.parse_cfdi(_xxe(build_cfdi("4.0"), url), "xxe.xml")
        error = assert_error(excinfo, "dtd", "xxe.xml")
        assert "root:" not in str(error) and "TOP-SECRET" not in str(error)


def test_doctype_in_another_encoding_is_refused(parser_not_reached):
    xml = _xxe(build_cfdi("4.0"), "file:///etc/passwd")
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    utf16 = xml.replace(b"'UTF-8'", b"'UTF-16'", 1).decode().encode("utf-16")
    latin = xml.replace(b"'UTF-8'", b"'ISO-8859-1'", 1)
    for data in (utf16, latin):
        with pytest.raises(cfdi.CfdiError) as excinfo:
            cfdi.parse_cfdi(data, "encoded.xml")
        assert_error(excinfo, "encoding", "encoded.xml")


def test_the_parser_itself_never_reads_external_entities(tmp_path):
    # Defence in depth: even past the DOCTYPE check, the parser reads nothing.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    xml = _xxe(build_cfdi("4.0"), secret.as_uri())
    root = etree.fromstring(xml, cfdi._make_parser())
    assert b"TOP-SECRET" not in etree.tostring(root)


def test_oversized_file_is_refused_before_parsing(parser_not_reached):
    xml = build_cfdi("4.0")
    padded = xml + b"<!--" + b"x" * cfdi.MAX_FILE_BYTES + b"-->"
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(padded, "huge.xml")
    assert_error(excinfo, "too_large", "huge.xml")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.parse_cfdi(xml, "small-limit.xml", max_bytes=len(xml) - 1)
    assert_error(excinfo, "too_large", "small-limit.xml")


def test_error_is_picklable_and_names_the_file():
    error = cfdi.CfdiError("missing_attribute", "a/b.xml", "cfdi:Emisor/@Rfc")
    assert str(error) == (
        "a/b.xml: A required attribute is missing or empty: cfdi:Emisor/@Rfc."
    )
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.code, clone.filename, clone.detail, str(clone)) == (
        error.code,
        error.filename,
        error.detail,
        str(error),
    )


# ---------------------------------------------------------------- ZIPs and batches


def test_zip_is_expanded():
    first, second = build_cfdi("4.0"), build_cfdi("3.3", uuid=UUID.replace("5f", "6a"))
    archive = make_zip(
        {
            "2025/": b"",
            "2025/marzo-1.xml": first,
            "2025/MARZO-2.XML": second,
            "__MACOSX/2025/._marzo-1.xml": b"\x00\x05\x16\x07",
        }
    )
    files = list(cfdi.iter_files([("nominas.bin", archive), ("solo.xml", first)]))
    assert files == [
        ("nominas.bin/2025/marzo-1.xml", first),
        ("nominas.bin/2025/MARZO-2.XML", second),
        ("solo.xml", first),
    ]


def test_zip_with_a_non_xml_member():
    archive = make_zip({"a.xml": build_cfdi("4.0"), "recibo.pdf": b"%PDF-1.7"})
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("pagos.zip", archive)]))
    error = assert_error(excinfo, "zip_member", "pagos.zip/recibo.pdf")
    assert "recibo.pdf" in str(error)


def test_zip_member_over_the_limit_is_refused_before_reading(monkeypatch):
    archive = make_zip({"bomb.xml": b"\x00" * (cfdi.MAX_FILE_BYTES + 1)})
    assert len(archive) < 10_000

    def no_read(*args, **kwargs):
        raise AssertionError("the member was read")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_read)
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("bomb.zip", archive)]))
    assert_error(excinfo, "too_large", "bomb.zip/bomb.xml")


def test_zip_total_and_member_count_limits():
    archive = make_zip({f"{n}.xml": b"<a/>" * 250 for n in range(3)})  # 3 × 1000 bytes
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("many.zip", archive)], max_total_bytes=2500))
    error = assert_error(excinfo, "total_too_large", "many.zip")
    assert error.limit == 2500
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("many.zip", archive)], max_files=2))
    error = assert_error(excinfo, "too_many_files", "many.zip")
    assert "3 files" in error.detail
    assert error.limit == 2
    assert len(list(cfdi.iter_files([("many.zip", archive)], max_files=3))) == 3


def test_limits_hold_for_the_whole_import():
    """Three archives each under the limits, together over them: refused."""
    archives = [
        (f"lote-{n}.zip", make_zip({f"{n}-{m}.xml": b"<a/>" * 250 for m in range(2)}))
        for n in range(3)
    ]  # 3 archives × 2 members × 1000 bytes
    assert len(list(cfdi.iter_files(archives, max_total_bytes=6000))) == 6
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files(archives, max_total_bytes=5000))
    error = assert_error(excinfo, "total_too_large", "lote-2.zip")
    assert "4,000 before it" in error.detail
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files(archives, max_files=5))
    assert_error(excinfo, "too_many_files", "lote-2.zip")
    # plain files count as well, before the archives and after them
    files = [("a.xml", b"<a/>" * 250), *archives, ("z.xml", b"<a/>" * 250)]
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files(files, max_total_bytes=7500))
    assert_error(excinfo, "total_too_large", "z.xml")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files(files, max_files=6))
    assert_error(excinfo, "too_many_files", "lote-2.zip")
    # parse_many stops at an import-wide limit: nothing after it is read
    _payslips, errors = cfdi.parse_many(files, max_files=6)
    assert [e.code for e in errors][-1] == "too_many_files"
    assert not any(e.filename == "z.xml" for e in errors)


def test_limits_are_positive_integers():
    assert cfdi.ImportLimits().total_bytes == cfdi.MAX_IMPORT_BYTES
    for bad in (0, -1, 1.5, None, True):
        with pytest.raises(ValueError):
            cfdi.ImportLimits(files=bad)


def test_zip_bomb_is_refused_from_the_directory():
    """1 GiB of zeros in a 1 MiB archive: refused without reading a byte of it."""
    bomb = forged_zip("nomina.xml", zeros_deflate(1024), file_size=1 << 30)
    assert len(bomb) < 2 * cfdi.MIB

    def no_read(*args, **kwargs):
        raise AssertionError("the member was read")

    started = time.perf_counter()
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("bomb.zip", bomb)]))
    error = assert_error(excinfo, "too_large", "bomb.zip/nomina.xml")
    assert error.limit == cfdi.MAX_FILE_BYTES
    # with room for 2 GiB files, the ratio stops it, still from the directory
    limits = cfdi.ImportLimits(file_bytes=2 << 30, total_bytes=4 << 30)
    original = zipfile.ZipFile.open
    zipfile.ZipFile.open = no_read
    try:
        with pytest.raises(cfdi.CfdiError) as excinfo:
            list(cfdi.iter_files([("bomb.zip", bomb)], limits=limits))
    finally:
        zipfile.ZipFile.open = original
    error = assert_error(excinfo, "zip_ratio", "bomb.zip/nomina.xml")
    assert error.limit == cfdi.MAX_ZIP_RATIO
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("compress_size", [None, 50 * 1024 * 1024])
def test_zip_bomb_with_a_lying_header_is_stopped_while_streaming(compress_size):
    """The header declares 8 MiB (and, second case, 50 MiB of compressed data):
    the member is stopped by the ratio actually seen, long before 8 MiB."""
    bomb = forged_zip(
        "nomina.xml",
        zeros_deflate(1024),
        file_size=8 * cfdi.MIB,
        compress_size=compress_size,
    )
    limits = cfdi.ImportLimits(file_bytes=8 * cfdi.MIB)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(cfdi.CfdiError) as excinfo:
            list(cfdi.iter_files([("bomb.zip", bomb)], limits=limits))
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = assert_error(excinfo, "zip_ratio", "bomb.zip/nomina.xml")
    assert "compressed bytes" in error.detail
    assert elapsed < 0.5
    assert peak < 2 * cfdi.MIB + len(bomb), peak


def test_member_over_the_file_limit_is_stopped_while_streaming():
    """A header declaring 1 KiB does not let more than the limit be held."""
    data = os.urandom(600 * 1024)  # does not compress: the ratio is no help
    member = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = member.compress(data) + member.flush()
    archive = forged_zip("n.xml", stream, file_size=len(data), crc=zlib.crc32(data))
    assert list(cfdi.iter_files([("ok.zip", archive)])) == [("ok.zip/n.xml", data)]
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("lie.zip", archive)], max_bytes=500 * 1024))
    assert_error(excinfo, "too_large", "lie.zip/n.xml")  # from the directory
    liar = forged_zip("n.xml", stream, file_size=1024)
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("lie.zip", liar)], max_bytes=500 * 1024))
    # zipfile stops at the declared size and then finds the CRC wrong
    assert_error(excinfo, "bad_zip", "lie.zip/n.xml")


def test_file_on_disk_is_measured_before_it_is_read(tmp_path):
    """A 256 MiB file (sparse: it takes no disk) is refused without being read."""
    huge = tmp_path / "enorme.xml"
    with open(huge, "wb") as handle:
        handle.truncate(256 * cfdi.MIB)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(cfdi.CfdiError) as excinfo:
            list(cfdi.iter_files([("enorme.xml", huge)]))
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = assert_error(excinfo, "too_large", "enorme.xml")
    assert "268,435,456 bytes" in error.detail
    assert elapsed < 0.5
    assert peak < cfdi.MIB
    # the total of the import counts the files on disk too
    small = tmp_path / "a.xml"
    small.write_bytes(b" " * 5000)
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([small, small], max_total_bytes=8000))
    assert_error(excinfo, "total_too_large", str(small))


def test_nested_zip_is_refused():
    inner = make_zip({"a.xml": build_cfdi("4.0")})
    for member in ("inner.zip", "disguised.xml"):
        archive = make_zip({member: inner})
        with pytest.raises(cfdi.CfdiError) as excinfo:
            list(cfdi.iter_files([("outer.zip", archive)]))
        error = assert_error(excinfo, "zip_member", f"outer.zip/{member}")
        assert "nested" in error.detail


def test_damaged_zip():
    archive = make_zip({"a.xml": build_cfdi("4.0")})
    with pytest.raises(cfdi.CfdiError) as excinfo:
        list(cfdi.iter_files([("cut.zip", archive[: len(archive) // 2])]))
    assert_error(excinfo, "bad_zip", "cut.zip")


# ---------------------------------------------------------------- uploads read a batch at a time


def _upload_files():
    """A plain file, a ZIP of 7 (a folder and a resource fork apart), another of 3."""
    members = {f"lote/{n}.xml": b"<a>%d</a>" % n * 50 for n in range(7)}
    return [
        ("suelto.xml", b"<b/>" * 100),
        ("uno.zip", make_zip({"lote/": b"", **members, "__MACOSX/._x.xml": b"\0"})),
        ("dos.zip", make_zip({f"{n}.xml": b"<c/>" * 200 for n in range(3)})),
    ]


def _read_all(upload, count, position=None):
    entries, position = [], position or cfdi.UploadPosition()
    while not upload.at_end(position):
        batch, position = upload.read_batch(position, count)
        assert len(batch) <= count
        entries += batch
    return entries, position


def test_upload_reads_in_batches_what_iter_files_reads():
    files = _upload_files()
    expected = list(cfdi.iter_files(files))
    with cfdi.Upload(files) as upload:
        survey = upload.survey()
        assert survey == cfdi.UploadSurvey(
            files=11, bytes=sum(len(data) for _name, data in expected)
        )
        for count in (1, 3, 4, 100):
            assert _read_all(upload, count)[0] == expected


def test_upload_resumes_from_a_position_in_another_reader():
    """The position is plain data: another process resumes from it."""
    files = _upload_files()
    with cfdi.Upload(files) as first:
        head, position = first.read_batch(cfdi.UploadPosition(), 5)
    saved = position.as_list()
    assert saved == [1, 4, position.bytes, 5]
    with cfdi.Upload(files) as second:
        rest, end = _read_all(second, 2, cfdi.UploadPosition.from_list(saved))
    assert head + rest == list(cfdi.iter_files(files))
    assert end.taken == 11


def test_upload_reads_from_disk_and_closes_its_archives(tmp_path):
    path = tmp_path / "nominas.zip"
    path.write_bytes(_upload_files()[1][1])
    upload = cfdi.Upload([("nominas.zip", path)])
    batch, _position = upload.read_batch(cfdi.UploadPosition(), 2)
    assert [name for name, _data in batch] == [
        "nominas.zip/lote/0.xml",
        "nominas.zip/lote/1.xml",
    ]
    assert upload._zips  # kept open for the next batch
    upload.close()
    assert not upload._zips


def test_upload_survey_checks_the_import_limits_before_reading():
    files = _upload_files()
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.Upload(files, cfdi.ImportLimits(files=10)).survey()
    assert_error(excinfo, "too_many_files", "dos.zip")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.Upload(files, cfdi.ImportLimits(total_bytes=3000)).survey()
    assert_error(excinfo, "total_too_large", "uno.zip")
    with pytest.raises(cfdi.CfdiError) as excinfo:
        cfdi.Upload([("roto.zip", b"PK\x03\x04 not a zip")]).survey()
    assert_error(excinfo, "bad_zip", "roto.zip")


def test_upload_reports_each_refused_member_in_its_place():
    bomb = forged_zip("bomba.xml", zeros_deflate(8), file_size=1 << 30)
    archive = make_zip({"a.xml": b"<a/>", "recibo.pdf": b"%PDF", "z.xml": b"<z/>"})
    with cfdi.Upload([("pagos.zip", archive), ("bomba.zip", bomb)]) as upload:
        entries, _position = _read_all(upload, 10)
    assert [(name, getattr(data, "code", data)) for name, data in entries] == [
        ("pagos.zip/a.xml", b"<a/>"),
        ("pagos.zip/recibo.pdf", "zip_member"),
        ("pagos.zip/z.xml", b"<z/>"),
        ("bomba.zip/bomba.xml", "too_large"),
    ]


def test_upload_stops_where_the_total_is_reached_while_reading(tmp_path):
    """A file that grew on disk after the survey: the import's total, reached
    while it is read, ends the batch there."""
    grown, after = tmp_path / "grown.xml", tmp_path / "after.xml"
    grown.write_bytes(b"<a/>" * 100)
    after.write_bytes(b"<b/>")
    limits = cfdi.ImportLimits(total_bytes=1000)
    with cfdi.Upload([grown, after], limits) as upload:
        assert upload.survey() == cfdi.UploadSurvey(files=2, bytes=404)
        grown.write_bytes(b"<a/>" * 300)
        entries, position = upload.read_batch(cfdi.UploadPosition(), 10)
    assert [(name, data.code) for name, data in entries] == [
        (str(grown), "total_too_large")
    ]
    assert position.file == 1  # "after.xml" not read


def test_upload_batch_memory_does_not_grow_with_the_archive():
    """Reading a batch holds the batch: a ZIP five times larger costs the same
    (its directory, read once when the archive is opened, apart)."""

    def peak(count):
        archive = make_zip(
            {f"{n:06d}.xml": b"<n>%06d</n>" % n * 40 for n in range(count)}
        )
        with cfdi.Upload([("z.zip", archive)]) as upload:
            _batch, position = upload.read_batch(cfdi.UploadPosition(), 200)
            tracemalloc.start()
            try:
                upload.read_batch(position, 200)
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    small, large = peak(2000), peak(10000)
    assert small < 2 * MIB
    assert large < small * 1.3 + 64 * 1024


def test_parse_many_collects_every_error():
    good_40, good_33 = build_cfdi("4.0"), build_cfdi("3.3")
    invoice = build_cfdi("4.0", comprobante={"TipoDeComprobante": "I"})
    archive = make_zip(
        {"ok.xml": good_33, "bad.xml": b"<cfdi:Comprobante", "x.txt": b"hi"}
    )
    payslips, errors = cfdi.parse_many(
        [("a.xml", good_40), ("lote.zip", archive), ("factura.xml", invoice)]
    )
    assert [p.filename for p in payslips] == ["a.xml", "lote.zip/ok.xml"]
    assert [(e.code, e.filename) for e in errors] == [
        ("malformed", "lote.zip/bad.xml"),
        ("zip_member", "lote.zip/x.txt"),
        ("not_payroll", "factura.xml"),
    ]


def test_paths_are_read_from_disk(tmp_path):
    (tmp_path / "a.xml").write_bytes(build_cfdi("4.0"))
    (tmp_path / "b.zip").write_bytes(make_zip({"b.xml": build_cfdi("3.3")}))
    (tmp_path / "big.xml").write_bytes(b" " * 101)
    paths = [
        tmp_path / "a.xml",
        str(tmp_path / "b.zip"),
        tmp_path / "big.xml",
        tmp_path,
        tmp_path / "gone.xml",
    ]
    payslips, errors = cfdi.parse_many(paths, max_bytes=100_000)
    assert [p.filename for p in payslips] == [
        str(tmp_path / "a.xml"),
        str(tmp_path / "b.zip") + "/b.xml",
    ]
    assert [(e.code, e.filename) for e in errors] == [
        ("malformed", str(tmp_path / "big.xml")),  # only blanks
        ("unreadable", str(tmp_path)),  # a folder
        ("unreadable", str(tmp_path / "gone.xml")),
    ]
    _payslips, errors = cfdi.parse_many([tmp_path / "big.xml"], max_bytes=100)
    assert [(e.code, e.filename) for e in errors] == [
        ("too_large", str(tmp_path / "big.xml"))
    ]


# ---------------------------------------------------------------- shared samples


def _shared_samples():
    """The shared samples folder: $ICSOE_SHARED_FIXTURES, ../shared or /work/shared."""
    root = os.environ.get("ICSOE_SHARED_FIXTURES")
    if root:
        bases = [Path(root)]
    else:
        here = Path(__file__).resolve()  # <repo>/l10n_mx_icsoe/tests/this file
        bases = [Path("/work/shared")]
        if len(here.parents) > 3:
            bases.insert(0, here.parents[3] / "shared")
    for base in bases:
        for candidate in (
            base / "fixtures" / "cfdi" / "samples",
            base / "cfdi" / "samples",
            base / "samples",
        ):
            if candidate.is_dir():
                return candidate
    return None


SHARED_SAMPLES = _shared_samples()


@pytest.mark.skipif(SHARED_SAMPLES is None, reason="shared CFDI fixtures not available")
def test_files_written_by_other_tools():
    """Every payroll CFDI among the samples parses; the others say why not."""
    samples = sorted(SHARED_SAMPLES.glob("*.xml"))
    assert samples
    payslips, errors = cfdi.parse_many(samples)
    parsed = {Path(p.filename).name: p for p in payslips}
    refused = {Path(e.filename).name: e for e in errors}
    assert len(parsed) + len(refused) == len(samples)
    for path in samples:
        raw = path.read_bytes()
        tipo = re.search(rb'TipoDeComprobante="([^"]*)"', raw).group(1).decode()
        if tipo != "N":
            error = refused[path.name]
            assert error.code == "not_payroll"
            assert f'TipoDeComprobante="{tipo}"' in str(error)
            continue
        assert path.name in parsed, str(refused.get(path.name))
        payslip = parsed[path.name]
        assert payslip.version in ("3.3", "4.0")
        assert len(payslip.nominas) == len(re.findall(rb"<(?:\w+:)?Nomina[\s>]", raw))
        stamped = re.search(rb'TimbreFiscalDigital\s[^>]*?\bUUID="([^"]*)"', raw)
        assert payslip.uuid == (stamped.group(1).decode().upper() if stamped else None)
        for nomina in payslip.nominas:
            assert nomina.curp and nomina.employee_number
            assert nomina.days_paid > 0
            for rfc, share in nomina.subcontracts:
                assert rfc == rfc.strip().upper() and share > 0
    # What the samples are known for (SOURCES.md), when they are there.
    features = {
        "bom": any(
            (SHARED_SAMPLES / name).read_bytes().startswith(b"\xef\xbb\xbf")
            for name in parsed
        ),
        "two_nominas": any(len(p.nominas) == 2 for p in payslips),
        "ampersand": any("&" in p.issuer_rfc for p in payslips),
        "subcontracts": any(n.subcontracts for p in payslips for n in p.nominas),
        "no_sbc": any(n.sbc is None for p in payslips for n in p.nominas),
    }
    assert all(features.values()), features
    # The same files in one ZIP give the same result.
    zipped_payslips, zipped_errors = cfdi.parse_many(
        [("samples.zip", make_zip({p.name: p.read_bytes() for p in samples}))]
    )
    assert len(zipped_payslips) == len(payslips)
    assert [e.code for e in zipped_errors] == [e.code for e in errors]
