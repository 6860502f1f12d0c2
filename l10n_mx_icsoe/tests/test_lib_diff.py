"""Tests for the comparison of two filings' contracts (no Odoo needed)."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe import diff, identifiers

NSS_1 = identifiers.make_nss("1215901234")
NSS_2 = identifiers.make_nss("9291908443")
NSS_3 = identifiers.make_nss("0112345678")
NSS_4 = identifiers.make_nss("4512345670")
CURP_1 = identifiers.make_curp("PEGJ900101HDFRRN0")
CURP_2 = identifiers.make_curp("GODE561231MDFRRN0")
CURP_3 = identifiers.make_curp("LOMA850315HJCPRL0")

ADDRESS = {
    "street": "Reforma",
    "number": "222",
    "number2": None,
    "colony": "Juárez",
    "zip": "06600",
    "city": "Cuauhtémoc",
    "state": "Ciudad de México",
}


def _contract(contract_id, sequence, reference, workers, **values):
    contract = {
        "contract_id": contract_id,
        "sequence": sequence,
        "reference": reference,
        "object": f"Objeto {reference}",
        "service_text": "AR12345/2021 — Limpieza",
        "date_start": date(2025, 2, 1),
        "date_end": None,
        "client_rfc": identifiers.make_rfc("XYZ150607AB"),
        "client_name": "Cliente, S.A. de C.V.",
        "client_person_type": "moral",
        "client_email": "compras@cliente.example.mx",
        "client_mobile": "5512345678",
        "client_phone": None,
        "client_address": dict(ADDRESS),
        "workers": workers,
    }
    contract.update(values)
    return contract


def _worker(nss, curp, sbc, name):
    return {"nss": nss, "curp": curp, "sbc": sbc, "name": name}


OLD = [
    _contract(
        10,
        1,
        "CT-A",
        [
            _worker(NSS_1, CURP_1, 452.37, "Juan"),
            _worker(NSS_2, CURP_2, "315.00", "Eva"),
        ],
    ),
    _contract(11, 2, "CT-B", [_worker(NSS_3, CURP_3, 300, "Alma")]),
    _contract(12, 3, "CT-C", [_worker(NSS_1, CURP_1, 452.37, "Juan")]),
]

EMPTY = {key: [] for key in diff.RESULT_KEYS}


def test_identical_filings():
    result = diff.diff_filings(OLD, copy.deepcopy(OLD))
    assert result == EMPTY
    assert not diff.has_changes(result)
    assert diff.diff_filings([], []) == EMPTY


def test_contracts_added_and_removed():
    new = copy.deepcopy(OLD)
    del new[1]  # CT-B removed
    new.append(_contract(20, 5, "CT-E", [_worker(NSS_4, CURP_1, 100, "Ana")]))
    new.append(_contract(21, 4, "CT-D", [_worker(NSS_4, CURP_1, 100, "Ana")]))
    result = diff.diff_filings(OLD, new)
    assert result == dict(
        EMPTY, contracts_added=["CT-D", "CT-E"], contracts_removed=["CT-B"]
    )
    assert diff.has_changes(result)
    # Workers of added/removed contracts are not listed one by one.
    assert result["workers_added"] == result["workers_removed"] == []


def test_contracts_changed():
    new = copy.deepcopy(OLD)
    new[0]["object"] = "Objeto nuevo"
    new[0]["date_end"] = date(2025, 12, 31)
    new[0]["client_address"]["zip"] = "06700"
    new[2]["client_phone"] = "5550001111"
    new[2]["client_email"] = "otro@cliente.example.mx"
    result = diff.diff_filings(OLD, new)
    assert result == dict(
        EMPTY,
        contracts_changed=[
            ("CT-A", ["object", "date_end", "client_address"]),
            ("CT-C", ["client_email", "client_phone"]),
        ],
    )


def test_contract_matched_by_id_not_by_reference():
    new = copy.deepcopy(OLD)
    new[1]["reference"] = "CT-B2"  # renamed, same record
    new[2]["contract_id"] = 99  # same reference, another record
    result = diff.diff_filings(OLD, new)
    assert result["contracts_added"] == ["CT-C"]
    assert result["contracts_removed"] == ["CT-C"]
    assert result["contracts_changed"] == []


def test_empty_values_and_address_normalisation():
    old = copy.deepcopy(OLD)
    new = copy.deepcopy(OLD)
    old[0]["client_phone"] = False  # empty Odoo field
    new[0]["client_phone"] = ""
    old[1]["client_address"] = None
    new[1]["client_address"] = {"street": False, "zip": "  "}
    new[2]["client_name"] = " Cliente, S.A. de C.V. "
    new[2]["client_address"]["number2"] = ""
    assert diff.diff_filings(old, new) == EMPTY


def test_workers_added_removed_changed():
    new = copy.deepcopy(OLD)
    new[0]["workers"] = [
        _worker(NSS_4, CURP_3, 100, "Ana"),  # added
        _worker(NSS_2, CURP_2, Decimal("315.5"), "Eva María"),  # sbc and name
        # NSS_1 removed
    ]
    new[1]["workers"][0]["curp"] = CURP_1
    new[1]["workers"].append(_worker(NSS_1, CURP_1, 200, "Juan"))
    result = diff.diff_filings(OLD, new)
    assert result == dict(
        EMPTY,
        workers_added=[("CT-A", NSS_4), ("CT-B", NSS_1)],
        workers_removed=[("CT-A", NSS_1)],
        workers_changed=[
            ("CT-A", NSS_2, ["sbc", "name"]),
            ("CT-B", NSS_3, ["curp"]),
        ],
    )


def test_workers_sorted_by_nss_within_contract():
    old = [_contract(1, 1, "CT", [])]
    new = [
        _contract(
            1,
            1,
            "CT",
            [
                _worker(NSS_4, CURP_1, 1, "d"),
                _worker(NSS_1, CURP_1, 1, "a"),
                _worker(NSS_3, CURP_1, 1, "c"),
            ],
        )
    ]
    result = diff.diff_filings(old, new)
    assert result["workers_added"] == [
        ("CT", nss) for nss in sorted([NSS_4, NSS_1, NSS_3])
    ]
    assert diff.diff_filings(new, old)["workers_removed"] == result["workers_added"]


def test_sbc_compared_as_two_decimal_strings():
    new = copy.deepcopy(OLD)
    new[0]["workers"][0]["sbc"] = "452.370"
    new[0]["workers"][1]["sbc"] = Decimal("315")
    new[1]["workers"][0]["sbc"] = 300.004  # rounds to 300.00
    assert diff.diff_filings(OLD, new) == EMPTY
    new[1]["workers"][0]["sbc"] = 300.005  # rounds half up to 300.01
    assert diff.diff_filings(OLD, new)["workers_changed"] == [("CT-B", NSS_3, ["sbc"])]


def test_duplicate_nss_in_a_contract_is_not_lost():
    new = copy.deepcopy(OLD)
    new[1]["workers"].append(_worker(NSS_3, CURP_3, 300, "Alma"))
    result = diff.diff_filings(OLD, new)
    assert result == dict(EMPTY, workers_added=[("CT-B", NSS_3)])


def test_ordering_by_sequence_then_reference():
    old = [
        _contract(3, 2, "B", []),
        _contract(1, 10, "A", []),
        _contract(2, 2, "A", []),
    ]
    assert diff.diff_filings(old, [])["contracts_removed"] == ["A", "B", "A"]
    assert diff.diff_filings([], old)["contracts_added"] == ["A", "B", "A"]
    changed = [dict(c, object="x") for c in old]
    assert [
        ref for ref, _fields in diff.diff_filings(old, changed)["contracts_changed"]
    ] == ["A", "B", "A"]


def test_result_is_deterministic():
    new = copy.deepcopy(OLD)
    new.reverse()
    new[0]["workers"].reverse()
    new[1]["client_name"] = "Otro"
    first = diff.diff_filings(OLD, new)
    assert first == diff.diff_filings(list(reversed(OLD)), list(reversed(new)))
    assert list(first) == list(diff.RESULT_KEYS)


def test_bad_contract_ids():
    with pytest.raises(ValueError, match="twice"):
        diff.diff_filings(OLD + [copy.deepcopy(OLD[0])], OLD)
    with pytest.raises(ValueError, match="contract_id"):
        diff.diff_filings(OLD, [dict(OLD[0], contract_id=None)])
