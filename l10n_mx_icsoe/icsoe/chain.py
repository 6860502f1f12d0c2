"""The filings of one company and period: what is in effect, and what may come next.

One state machine for every combination of Normal / Sin información and their
complementarias (Corrección, Sin efectos). The rules (domain notes §4, IMSS
guides as reported [S1]; the exact portal behaviour after a Sin efectos is [U]):

* An *original* (Normal or Sin información) opens a period. At most one
  original is in progress or in effect at a time: a second Normal while one
  stands is IMSS inconsistency 6.
* A complementaria always targets the filing **in effect** for the period (filed,
  not replaced or voided, not itself a Sin efectos): a Corrección of it, or a Sin
  efectos of it. Corrections chain: N -> C1 -> C2 ...; each filed Corrección
  replaces the one before and is then in effect.
* A filed Sin efectos voids its target and is never in effect itself: the period
  is left with nothing in effect, and then accepts a new original.
* Only one complementaria is in progress (draft or confirmed) at a time, and only
  filed complementarias count against the limit per period (4 as reported,
  configurable; 0 = no limit).

Everything here is plain data: the ORM passes the filings of the period in and
turns the refusal codes into translated messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ORIGINAL = ("normal", "no_info")
COMPLEMENTARY = ("correction", "void")
IN_PROGRESS = ("draft", "confirmed")
DONE = ("filed", "replaced", "voided")


@dataclass(frozen=True)
class Filing:
    id: int
    type: str  # normal, no_info, correction, void
    state: str  # draft, confirmed, filed, replaced, voided
    replaces: int | None = None


def is_effective(filing: Filing) -> bool:
    return filing.state == "filed" and filing.type != "void"


def effective(filings: Iterable[Filing]) -> Filing | None:
    """The filing that stands for the period, if any."""
    standing = [f for f in filings if is_effective(f)]
    return standing[0] if standing else None


def filed_complementary_count(
    filings: Iterable[Filing], exclude: int | None = None
) -> int:
    return sum(
        1
        for f in filings
        if f.type in COMPLEMENTARY and f.state in DONE and f.id != exclude
    )


def _others(filings: Iterable[Filing], exclude: int | None) -> list[Filing]:
    return [f for f in filings if f.id != exclude]


def new_original_refusal(
    filings: Iterable[Filing], exclude: int | None = None
) -> str | None:
    """Why a new Normal / Sin información cannot be started (or filed), or None.

    ``exclude`` is the filing being checked itself.
    """
    others = _others(filings, exclude)
    if effective(others):
        return "in_effect"
    if any(f.type in ORIGINAL and f.state in IN_PROGRESS for f in others):
        return "original_in_progress"
    if any(f.type in COMPLEMENTARY and f.state in IN_PROGRESS for f in others):
        return "complementary_in_progress"
    return None


def complementary_refusal(
    filings: Iterable[Filing],
    target_id: int,
    limit: int = 0,
    exclude: int | None = None,
) -> str | None:
    """Why a complementaria of ``target_id`` cannot be started (or filed), or None."""
    others = _others(filings, exclude)
    by_id = {f.id: f for f in others}
    target = by_id.get(target_id)
    if target is None:
        return "target_unknown"
    if target.type == "void":
        return "target_is_void"
    if target.state == "replaced":
        return "target_replaced"
    if target.state == "voided":
        return "target_voided"
    if target.state != "filed":
        return "target_not_filed"
    if any(f.type in COMPLEMENTARY and f.state in IN_PROGRESS for f in others):
        return "complementary_in_progress"
    if limit and filed_complementary_count(others) >= limit:
        return "limit_reached"
    return None


def next_steps(filings: Iterable[Filing], limit: int = 0) -> dict[str, bool]:
    """What the period accepts now: a new original, a Corrección / Sin efectos."""
    filings = list(filings)
    standing = effective(filings)
    can_complement = bool(
        standing and complementary_refusal(filings, standing.id, limit) is None
    )
    return {
        "new_original": new_original_refusal(filings) is None,
        "correction": can_complement,
        "void": can_complement,
    }
