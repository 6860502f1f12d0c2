"""REPSE registrations over time: validity on a date, renewal chains, periods owed.

Rules (domain notes §3.3):

* A registration is valid for **3 years** from its registration date [S2]; its
  renewal is requested in the **3 months before expiry** [S2] and, once granted,
  is a new registration with its own number and service folios [S1]. The addon
  records it as a registration that *renews* the previous one.
* A cancelled registration is valid up to (not including) its cancellation date.
* Whether a registration whose renewal was requested in time stays valid after
  its expiry while the STPS decides is **not confirmed** [U]. ``pending_counts``
  makes that a choice (company setting, documented): when true, it stays valid
  until the renewal is granted (the renewing registration's date), or open-ended
  while nothing is recorded.
* A contract is valid when a registration of its service's chain (the
  registration and those it renews, back to the first) was valid on the
  contract's **start date**, whatever has happened since: a period can be filed
  late after the registration expired.
* Every cuatrimestre in which at least one registration was valid at some point
  is owed (Normal or Sin información).

Plain data only; the ORM loads the company's registrations in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from . import periods

VALIDITY = relativedelta(years=3)
RENEWAL_WINDOW = relativedelta(months=3)
# Contracts started before the reform entered into force are reported only from
# 24 April 2021 (IMSS FAQ [P]); a contract that *started* before never is.
REFORM_START = date(2021, 4, 24)


def expiry_of(registration_date: date) -> date:
    return registration_date + VALIDITY


def renewal_opens(registration_date: date) -> date:
    return expiry_of(registration_date) - RENEWAL_WINDOW


@dataclass(frozen=True)
class Registration:
    id: int
    name: str
    registration_date: date
    cancel_date: date | None = None
    renewal_requested: date | None = None
    renews: int | None = None

    @property
    def expiry_date(self) -> date:
        return expiry_of(self.registration_date)

    @property
    def renewal_in_time(self) -> bool:
        """The renewal was requested inside the 3-month window before expiry."""
        return bool(
            self.renewal_requested
            and renewal_opens(self.registration_date)
            <= self.renewal_requested
            < self.expiry_date
        )


class Chain:
    """The registrations of one company."""

    def __init__(self, registrations: Iterable[Registration], pending_counts: bool):
        self.by_id = {r.id: r for r in registrations}
        self.pending_counts = pending_counts
        self._successor = {}
        for reg in sorted(self.by_id.values(), key=lambda r: r.registration_date):
            if reg.renews is not None:
                self._successor.setdefault(reg.renews, reg)

    def successor(self, reg: Registration) -> Registration | None:
        return self._successor.get(reg.id)

    def valid_until(self, reg: Registration) -> date | None:
        """First day on which ``reg`` is no longer valid (None: open-ended)."""
        end: date | None = reg.expiry_date
        if self.pending_counts and reg.renewal_in_time:
            successor = self.successor(reg)
            end = (
                max(reg.expiry_date, successor.registration_date) if successor else None
            )
        if reg.cancel_date:
            end = reg.cancel_date if end is None else min(end, reg.cancel_date)
        return end

    def is_valid_on(self, reg: Registration, day: date) -> bool:
        end = self.valid_until(reg)
        return reg.registration_date <= day and (end is None or day < end)

    def relies_on_pending(self, reg: Registration, day: date) -> bool:
        """``reg`` covers ``day`` only because its renewal is pending (the [U] choice)."""
        return self.is_valid_on(reg, day) and day >= reg.expiry_date

    def lineage(self, reg_id: int) -> list[Registration]:
        """The registration and those it renews, newest first."""
        found, seen = [], set()
        reg = self.by_id.get(reg_id)
        while reg is not None and reg.id not in seen:
            seen.add(reg.id)
            found.append(reg)
            reg = self.by_id.get(reg.renews) if reg.renews is not None else None
        return found

    def valid_for(self, reg_id: int, day: date) -> Registration | None:
        """The registration of ``reg_id``'s chain valid on ``day``, if any."""
        for reg in self.lineage(reg_id):
            if self.is_valid_on(reg, day):
                return reg
        return None

    def intervals(self, today: date) -> list[tuple[date, date]]:
        """Validity intervals ``[start, end)``; open ends are cut at ``today + 1``."""
        result = []
        for reg in self.by_id.values():
            end = self.valid_until(reg) or today + timedelta(days=1)
            if end > reg.registration_date:
                result.append((reg.registration_date, end))
        return sorted(result)

    def owed_periods(
        self, today: date, since: date | None = None
    ) -> list[tuple[int, int]]:
        """Cuatrimestres owed whose filing window has opened by ``today``.

        A period is owed when a registration was valid on at least one of its
        days (and the period ends on or after ``since``, when given).
        """
        intervals = self.intervals(today)
        if not intervals:
            return []
        owed = []
        year, period = periods.period_of(max(intervals[0][0], REFORM_START))
        while True:
            start, end = periods.period_dates(year, period)
            if periods.window_start(year, period) > today:
                break
            if (since is None or end >= since) and any(
                a <= end and start < b for a, b in intervals
            ):
                owed.append((year, period))
            year, period = (year, period + 1) if period < 3 else (year + 1, 1)
        return owed
