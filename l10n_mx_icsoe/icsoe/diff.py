"""Compare the contracts and workers of two filings (e.g. a Corrección and its original).

Contracts are dicts in the shape taken by :func:`.snapshot.build_snapshot` plus
a stable key ``contract_id`` (the Odoo record id).  Contracts are matched by
``contract_id``; workers by ``nss`` within a matched contract.  Workers of an
added or removed contract are not listed one by one: the contract entry says
it all.

Values are compared after light normalisation: an empty value (``None``,
``False``, a blank string, an empty address) equals any other empty value,
strings are compared without surrounding whitespace, and SBCs as 2-decimal
strings (``452.4`` equals ``"452.40"``).

Result order is deterministic: contracts by (sequence, reference, contract
id), workers by NSS within their contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .layouts import fmt_amount2

CONTRACT_FIELDS = (
    "object",
    "service_text",
    "date_start",
    "date_end",
    "client_rfc",
    "client_name",
    "client_email",
    "client_mobile",
    "client_phone",
    "client_address",
)
WORKER_FIELDS = ("curp", "sbc", "name")
ADDRESS_FIELDS = ("street", "number", "number2", "colony", "zip", "city", "state")

RESULT_KEYS = (
    "contracts_added",
    "contracts_removed",
    "contracts_changed",
    "workers_added",
    "workers_removed",
    "workers_changed",
)


def _norm(value: Any) -> Any:
    if value is None or value is False:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _norm_address(value: Any) -> tuple | None:
    if not value:
        return None
    items = tuple(_norm(value.get(key)) for key in ADDRESS_FIELDS)
    return items if any(item is not None for item in items) else None


def _norm_sbc(value: Any) -> Any:
    value = _norm(value)
    if value is None:
        return None
    try:
        return fmt_amount2(value)
    except ValueError:
        return str(value)  # not a number: still comparable as text


def _contract_value(contract: Mapping[str, Any], field: str) -> Any:
    if field == "client_address":
        return _norm_address(contract.get(field))
    return _norm(contract.get(field))


def _worker_value(worker: Mapping[str, Any], field: str) -> Any:
    if field == "sbc":
        return _norm_sbc(worker.get(field))
    return _norm(worker.get(field))


def _sort_key(contract: Mapping[str, Any]) -> tuple:
    sequence = contract.get("sequence")
    has_sequence = isinstance(sequence, int) and not isinstance(sequence, bool)
    return (
        not has_sequence,
        sequence if has_sequence else 0,
        str(_norm(contract.get("reference")) or ""),
        str(contract.get("contract_id")),
    )


def _by_id(contracts: Iterable[Mapping[str, Any]], side: str) -> dict:
    result = {}
    for contract in contracts:
        key = contract.get("contract_id")
        if key is None or key is False:
            raise ValueError(f"A contract of the {side} filing has no contract_id")
        if key in result:
            raise ValueError(f"contract_id {key!r} appears twice in the {side} filing")
        result[key] = contract
    return result


def _workers_by_key(contract: Mapping[str, Any]) -> dict[tuple[str, int], Mapping]:
    """Key workers by ``(nss, occurrence)`` so that a duplicate NSS is not lost."""
    result = {}
    seen: dict[str, int] = {}
    for worker in contract.get("workers") or ():
        nss = str(_norm(worker.get("nss")) or "")
        seen[nss] = seen.get(nss, 0) + 1
        result[(nss, seen[nss])] = worker
    return result


def _ref(contract: Mapping[str, Any]) -> Any:
    return contract.get("reference")


def _diff_workers(ref: Any, old: Mapping, new: Mapping, result: dict) -> None:
    old_workers = _workers_by_key(old)
    new_workers = _workers_by_key(new)
    for key in sorted(old_workers.keys() | new_workers.keys()):
        nss = key[0]
        if key not in old_workers:
            result["workers_added"].append((ref, nss))
        elif key not in new_workers:
            result["workers_removed"].append((ref, nss))
        else:
            changed = [
                field
                for field in WORKER_FIELDS
                if _worker_value(old_workers[key], field)
                != _worker_value(new_workers[key], field)
            ]
            if changed:
                result["workers_changed"].append((ref, nss, changed))


def diff_filings(
    old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]
) -> dict[str, list]:
    """Return the differences between the contracts of two filings.

    Keys: ``contracts_added`` / ``contracts_removed`` (references),
    ``contracts_changed`` (``(reference, [fields])``), ``workers_added`` /
    ``workers_removed`` (``(reference, nss)``) and ``workers_changed``
    (``(reference, nss, [fields])``).  Fields are listed in the order of
    :data:`CONTRACT_FIELDS` and :data:`WORKER_FIELDS`; the reference of a
    matched contract is the new one.

    Raises ``ValueError`` when a contract has no ``contract_id`` or the same
    ``contract_id`` appears twice in one filing.
    """
    old_by_id = _by_id(old, "old")
    new_by_id = _by_id(new, "new")
    result: dict[str, list] = {key: [] for key in RESULT_KEYS}

    for contract in sorted(new_by_id.values(), key=_sort_key):
        if contract["contract_id"] not in old_by_id:
            result["contracts_added"].append(_ref(contract))
    for contract in sorted(old_by_id.values(), key=_sort_key):
        if contract["contract_id"] not in new_by_id:
            result["contracts_removed"].append(_ref(contract))

    for contract in sorted(new_by_id.values(), key=_sort_key):
        previous = old_by_id.get(contract["contract_id"])
        if previous is None:
            continue
        ref = _ref(contract)
        changed = [
            field
            for field in CONTRACT_FIELDS
            if _contract_value(previous, field) != _contract_value(contract, field)
        ]
        if changed:
            result["contracts_changed"].append((ref, changed))
        _diff_workers(ref, previous, contract, result)
    return result


def has_changes(result: Mapping[str, list]) -> bool:
    """Tell whether a :func:`diff_filings` result holds any difference."""
    return any(result.get(key) for key in RESULT_KEYS)
