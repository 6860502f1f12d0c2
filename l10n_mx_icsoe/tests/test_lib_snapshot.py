"""Tests for the frozen XML snapshot of a filing (no Odoo needed)."""

import copy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from odoo.addons.l10n_mx_icsoe.icsoe import identifiers, snapshot

NS = {"s": snapshot.NAMESPACE}

RFC_COMPANY = identifiers.make_rfc("ABC010203X1")
RFC_MORAL = identifiers.make_rfc("XYZ150607AB")
RFC_FISICA = identifiers.make_rfc("PEGJ900101AB")
NSS_1 = identifiers.make_nss("1215901234")
NSS_2 = identifiers.make_nss("9291908443")
NSS_3 = identifiers.make_nss("0112345678")
CURP_1 = identifiers.make_curp("PEGJ900101HDFRRN0")
CURP_2 = identifiers.make_curp("GODE561231MDFRRN0")
CURP_3 = identifiers.make_curp("LOMA850315HJCPRL0")

HEADER = {
    "name": "ICSOE/2025/1/0001",
    "company_rfc": RFC_COMPANY,
    "company_name": "Servicios Ñandú & Asociados, S.A. de C.V.",
    "year": 2025,
    "period": 1,
    "filing_type": "normal",
    "date_start": date(2025, 1, 1),
    "date_end": date(2025, 4, 30),
    "deadline": date(2025, 5, 19),
    "confirmed_at": datetime(2025, 5, 2, 17, 3, 4, 987654),
}

CONTRACTS = [
    {
        "sequence": 1,
        "reference": "CT-0001",
        "object": "OC 4500123 Limpieza de oficinas <planta 2>",
        "service_text": "AR12345/2021 — Servicios de limpieza especializada",
        "date_start": date(2025, 2, 1),
        "date_end": date(2025, 12, 31),
        "client_rfc": RFC_MORAL,
        "client_name": "Cliente Industrial, S.A. de C.V.",
        "client_person_type": "moral",
        "client_email": "compras@cliente.example.mx",
        "client_mobile": "5512345678",
        "client_phone": "5550001111",
        "client_address": {
            "street": "Paseo de la Reforma",
            "number": "222",
            "number2": "Piso 3",
            "colony": "Juárez",
            "zip": "06600",
            "city": "Cuauhtémoc",
            "state": "Ciudad de México",
        },
        "workers": [
            {"nss": NSS_1, "curp": CURP_1, "sbc": 452.37, "name": "Juan Pérez"},
            {"nss": NSS_2, "curp": CURP_2, "sbc": Decimal("315.045"), "name": "Eva"},
        ],
    },
    {
        "sequence": 2,
        "reference": "CT-0002",
        "object": "Mantenimiento de jardines",
        "service_text": "AR12345/2021 — Jardinería",
        "date_start": date(2025, 3, 15),
        "date_end": None,
        "client_rfc": RFC_FISICA,
        "client_name": "José Pérez González",
        "client_person_type": "fisica",
        "client_email": "jose@example.mx",
        "client_mobile": "3312345678",
        "client_phone": None,
        "client_address": None,
        "workers": [
            {"nss": NSS_3, "curp": CURP_3, "sbc": "278.8", "name": "Alma López"},
        ],
    },
]

#: SHA-256 of ``build_snapshot(HEADER, CONTRACTS)``; it changes only when the
#: format changes (or lxml changes its serialisation), which is what it guards.
KNOWN_SHA256 = "20e076c1871855579e7aa833d16ea01a0692034fb96db2e6c2bb2e2c0e2369b7"


def _build(header=None, contracts=None):
    return snapshot.build_snapshot(
        HEADER if header is None else header,
        CONTRACTS if contracts is None else contracts,
    )


def _mutate(func):
    """Apply *func* to the root of the known snapshot and serialise it again."""
    root = etree.fromstring(_build())
    func(root)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _worker(root, index=0):
    return root.findall(".//s:Trabajador", NS)[index]


def _contracts_with(**worker_changes):
    contracts = copy.deepcopy(CONTRACTS)
    contracts[0]["workers"][0].update(worker_changes)
    return contracts


def _assert_invalid(xml, *needles):
    errors = snapshot.validate_snapshot(xml)
    assert errors, "the document should not validate"
    assert all(isinstance(error, str) and error for error in errors)
    text = "\n".join(errors)
    for needle in needles:
        assert needle in text, text
    return errors


# ---------------------------------------------------------------- building


def test_known_dataset_validates():
    xml = _build()
    assert snapshot.validate_snapshot(xml) == []
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    assert xml.endswith(b"</Informativa>\n")
    assert b"\n  <Contrato " in xml  # pretty-printed


def test_schema_file_is_shipped():
    path = snapshot.SCHEMA_PATH
    assert path.name == "icsoe_snapshot_v1.xsd"
    assert path.parent.name == "schema"
    text = path.read_text(encoding="utf-8")
    assert 'targetNamespace="urn:l10n_mx_icsoe:snapshot:1"' in text
    assert "NOT an IMSS format" in text


def test_content():
    root = etree.fromstring(_build())
    assert root.tag == "{urn:l10n_mx_icsoe:snapshot:1}Informativa"
    assert list(root.attrib.items()) == [
        ("version", "1"),
        ("nombre", "ICSOE/2025/1/0001"),
        ("rfcContratista", RFC_COMPANY),
        ("nombreContratista", "Servicios Ñandú & Asociados, S.A. de C.V."),
        ("ejercicio", "2025"),
        ("cuatrimestre", "1"),
        ("tipo", "Normal"),
        ("periodoInicio", "2025-01-01"),
        ("periodoFin", "2025-04-30"),
        ("fechaLimite", "2025-05-19"),
        ("confirmado", "2025-05-02T17:03:04Z"),
    ]
    first, second = root.findall("s:Contrato", NS)
    assert list(first.attrib) == [
        "secuencia",
        "referencia",
        "objeto",
        "servicio",
        "fechaInicio",
        "fechaTermino",
    ]
    assert first.get("servicio") == "AR12345/2021 — Servicios de limpieza especializada"
    assert first.get("objeto") == "OC 4500123 Limpieza de oficinas <planta 2>"
    assert "fechaTermino" not in second.attrib
    client = first.find("s:Contratante", NS)
    assert list(client.attrib.values()) == [
        RFC_MORAL,
        "Cliente Industrial, S.A. de C.V.",
        "Moral",
        "compras@cliente.example.mx",
        "5512345678",
        "5550001111",
    ]
    address = client.find("s:Domicilio", NS)
    assert address.get("numInt") == "Piso 3"
    assert address.get("cp") == "06600"
    client2 = second.find("s:Contratante", NS)
    assert client2.get("tipoPersona") == "Fisica"
    assert "telefono" not in client2.attrib
    assert client2.find("s:Domicilio", NS) is None
    workers = root.findall(".//s:Trabajador", NS)
    assert [w.get("sbc") for w in workers] == ["452.37", "315.05", "278.80"]
    assert [w.get("nss") for w in workers] == [NSS_1, NSS_2, NSS_3]
    assert list(workers[0].attrib) == ["nss", "curp", "sbc", "nombre"]


def test_deterministic_bytes():
    first = _build()
    again = snapshot.build_snapshot(copy.deepcopy(HEADER), copy.deepcopy(CONTRACTS))
    assert first == again
    assert snapshot.sha256_hex(first) == snapshot.sha256_hex(again)


def test_known_sha256():
    digest = snapshot.sha256_hex(_build())
    assert digest == KNOWN_SHA256
    assert snapshot.sha256_hex(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_confirmed_at_aware_and_naive_give_same_bytes():
    aware = dict(
        HEADER,
        confirmed_at=datetime(
            2025, 5, 2, 11, 3, 4, tzinfo=timezone(timedelta(hours=-6))
        ),
    )
    utc = dict(HEADER, confirmed_at=datetime(2025, 5, 2, 17, 3, 4, tzinfo=timezone.utc))
    assert _build(aware) == _build(utc) == _build()


@pytest.mark.parametrize(
    ("filing_type", "tipo"),
    [
        ("normal", "Normal"),
        ("no_info", "SinInformacion"),
        ("correction", "Correccion"),
        ("void", "SinEfectos"),
    ],
)
def test_filing_types(filing_type, tipo):
    xml = _build(dict(HEADER, filing_type=filing_type))
    assert etree.fromstring(xml).get("tipo") == tipo
    assert snapshot.validate_snapshot(xml) == []


def test_no_info_without_contracts_validates():
    xml = _build(dict(HEADER, filing_type="no_info"), [])
    assert snapshot.validate_snapshot(xml) == []
    root = etree.fromstring(xml)
    assert root.get("tipo") == "SinInformacion"
    assert len(root) == 0


def test_correction_with_replaced_filing():
    header = dict(
        HEADER,
        filing_type="correction",
        replaces_name="ICSOE/2025/1/0000",
        replaces_folio="N262253432",
    )
    xml = _build(header)
    assert snapshot.validate_snapshot(xml) == []
    root = etree.fromstring(xml)
    assert list(root.attrib)[-2:] == ["sustituyeA", "folioSustituido"]
    assert root.get("folioSustituido") == "N262253432"


def test_void_with_replaced_filing_and_no_contracts():
    header = dict(HEADER, filing_type="void", replaces_name="X", replaces_folio="")
    xml = _build(header, [])
    assert snapshot.validate_snapshot(xml) == []
    assert "folioSustituido" not in etree.fromstring(xml).attrib


def test_empty_values_are_omitted():
    contracts = copy.deepcopy(CONTRACTS)
    contracts[0]["client_phone"] = False  # an empty Odoo field
    contracts[0]["client_address"]["number2"] = ""
    contracts[1]["client_address"] = {"street": None, "zip": False}
    root = etree.fromstring(_build(contracts=contracts))
    client = root.find(".//s:Contratante", NS)
    assert "telefono" not in client.attrib
    assert "numInt" not in client.find("s:Domicilio", NS).attrib
    assert root.findall("s:Contrato", NS)[1].find(".//s:Domicilio", NS) is None


def test_unwritable_values_raise():
    with pytest.raises(ValueError, match="filing_type"):
        _build(dict(HEADER, filing_type="update"))
    with pytest.raises(ValueError, match="client_person_type"):
        contracts = copy.deepcopy(CONTRACTS)
        contracts[0]["client_person_type"] = "juridica"
        _build(contracts=contracts)
    with pytest.raises(ValueError):
        _build(dict(HEADER, deadline="2025-05-19"))
    with pytest.raises(ValueError):
        _build(dict(HEADER, confirmed_at=date(2025, 5, 2)))
    with pytest.raises(ValueError):
        _build(contracts=_contracts_with(sbc="abc"))


# ---------------------------------------------------------------- XSD rules


def test_reject_bad_nss():
    _assert_invalid(_build(contracts=_contracts_with(nss="1234567890")), "nss")
    _assert_invalid(_build(contracts=_contracts_with(nss="1234567890A")), "nss")


def test_reject_bad_curp():
    _assert_invalid(_build(contracts=_contracts_with(curp="PEGJ900101HDFRRN0")), "curp")
    _assert_invalid(
        _build(contracts=_contracts_with(curp="PBGJ900101HDFRRN09")), "curp"
    )


def test_reject_sbc_with_3_decimals():
    _assert_invalid(_mutate(lambda root: _worker(root).set("sbc", "452.371")), "sbc")
    _assert_invalid(_mutate(lambda root: _worker(root).set("sbc", "452.4")), "sbc")
    _assert_invalid(_mutate(lambda root: _worker(root).set("sbc", "1,452.40")), "sbc")


def test_reject_sbc_zero():
    _assert_invalid(_build(contracts=_contracts_with(sbc=0)), "sbc")
    _assert_invalid(_build(contracts=_contracts_with(sbc="0.004")), "sbc")
    _assert_invalid(_mutate(lambda root: _worker(root).set("sbc", "-1.00")), "sbc")


def test_reject_bad_tipo():
    _assert_invalid(_mutate(lambda root: root.set("tipo", "Actualizacion")), "tipo")


def test_reject_missing_contratante():
    def drop_client(root):
        contract = root.find("s:Contrato", NS)
        contract.remove(contract.find("s:Contratante", NS))

    _assert_invalid(_mutate(drop_client), "Contratante")


def test_reject_other_rules():
    cases = [
        (lambda root: root.set("version", "2"), "version"),
        (lambda root: root.set("cuatrimestre", "4"), "cuatrimestre"),
        (lambda root: root.set("ejercicio", "25"), "ejercicio"),
        (lambda root: root.set("confirmado", "2025-05-02T17:03:04"), "confirmado"),
        (lambda root: root.set("confirmado", "2025-05-02T11:03:04-06:00"), "confirm"),
        (lambda root: root.set("rfcContratista", "ABC0102031"), "rfcContratista"),
        (lambda root: root.set("fechaLimite", "19/05/2025"), "fechaLimite"),
        (lambda root: root.attrib.pop("nombre"), "nombre"),
        (
            lambda root: root.find(".//s:Domicilio", NS).set("cp", "6600"),
            "cp",
        ),
        (
            lambda root: root.find(".//s:Contratante", NS).set("correo", "x"),
            "correo",
        ),
        (
            lambda root: root.find(".//s:Contratante", NS).set("tipoPersona", "moral"),
            "tipoPersona",
        ),
        (
            lambda root: root.find("s:Contrato", NS).set("secuencia", "0"),
            "secuencia",
        ),
    ]
    for func, needle in cases:
        _assert_invalid(_mutate(func), needle)


def test_reject_missing_required_value_by_name():
    contracts = copy.deepcopy(CONTRACTS)
    contracts[0]["client_mobile"] = None
    contracts[1]["object"] = "   "
    _assert_invalid(_build(contracts=contracts), "celular", "objeto")


def test_reject_contract_without_workers():
    contracts = copy.deepcopy(CONTRACTS)
    contracts[1]["workers"] = []
    _assert_invalid(_build(contracts=contracts), "Trabajador")


def test_reject_duplicate_worker_and_sequence():
    contracts = copy.deepcopy(CONTRACTS)
    contracts[0]["workers"].append(dict(contracts[0]["workers"][0]))
    _assert_invalid(_build(contracts=contracts), "TrabajadorUnico")
    contracts = copy.deepcopy(CONTRACTS)
    contracts[1]["sequence"] = 1
    _assert_invalid(_build(contracts=contracts), "SecuenciaUnica")


def test_reject_wrong_namespace_and_garbage():
    xml = _build().replace(snapshot.NAMESPACE.encode(), b"urn:other")
    _assert_invalid(xml)
    _assert_invalid(b"")
    _assert_invalid(b"<Informativa")
    _assert_invalid(b"not xml at all")
    with pytest.raises(TypeError):
        snapshot.validate_snapshot(_build().decode())


# ---------------------------------------------------------------- hostile input

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Informativa [
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
<Informativa xmlns="urn:l10n_mx_icsoe:snapshot:1" nombre="&lol9;">&lol9;</Informativa>
"""


def _external_entity_doc(url):
    return (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE Informativa [<!ENTITY xxe SYSTEM "' + url.encode() + b'">]>\n'
        b'<Informativa xmlns="urn:l10n_mx_icsoe:snapshot:1">&xxe;</Informativa>\n'
    )


def test_billion_laughs_is_not_expanded():
    errors = _assert_invalid(BILLION_LAUGHS)
    assert "lollollol" not in "\n".join(errors)
    assert sum(len(error) for error in errors) < 10_000


def test_external_entity_etc_passwd_is_not_read():
    doc = _external_entity_doc("file:///etc/passwd")
    errors = _assert_invalid(doc)
    assert "root:" not in "\n".join(errors)
    root = etree.fromstring(doc, snapshot.safe_parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")
    assert isinstance(root[0], etree._Entity)  # left as an unresolved reference


def test_external_entity_file_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-7f3a9c", encoding="utf-8")
    doc = _external_entity_doc(secret.as_uri())
    errors = _assert_invalid(doc)
    assert "MARKER-7f3a9c" not in "\n".join(errors)
    root = etree.fromstring(doc, snapshot.safe_parser())
    assert root.text is None
    assert "MARKER" not in etree.tostring(root, encoding="unicode")


def test_doctype_refused_even_on_a_valid_document():
    xml = _build()
    head, body = xml.split(b"\n", 1)
    doc = head + b'\n<!DOCTYPE Informativa [<!ENTITY x "y">]>\n' + body
    _assert_invalid(doc, "DOCTYPE")
