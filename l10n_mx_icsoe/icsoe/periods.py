"""ICSOE four-month periods ("cuatrimestres") and their filing deadlines.

Domain spec §3.1: period 1 is January–April, 2 May–August, 3 September–December.
The informativa is filed on days 1–17 of the month after the period (May,
September, January of the next year); when the 17th is a Saturday, Sunday or an
official non-working day the deadline moves to the next business day.  The
official IMSS non-working-day calendar was not checked [U], so holidays are
passed in as data; :func:`mexican_statutory_holidays` gives the statutory ones.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

PERIODS = (1, 2, 3)

_FIRST_MONTH = {1: 1, 2: 5, 3: 9}
_LAST_DAY = {1: (4, 30), 2: (8, 31), 3: (12, 31)}
DEADLINE_DAY = 17


def _check(year: int, period: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"Invalid year: {year!r}")
    if isinstance(period, bool) or period not in PERIODS:
        raise ValueError(f"Invalid period: {period!r} (expected 1, 2 or 3)")


def period_dates(year: int, period: int) -> tuple[date, date]:
    """Return the first and last day of the period."""
    _check(year, period)
    month, day = _LAST_DAY[period]
    return date(year, _FIRST_MONTH[period], 1), date(year, month, day)


def period_of(day: date) -> tuple[int, int]:
    """Return ``(year, period)`` of the period that contains *day*."""
    return day.year, (day.month - 1) // 4 + 1


def window_start(year: int, period: int) -> date:
    """Return the first day of the filing window (1 May, 1 Sep, 1 Jan of year+1)."""
    _check(year, period)
    if period == 3:
        return date(year + 1, 1, 1)
    return date(year, _FIRST_MONTH[period + 1], 1)


def nominal_deadline(year: int, period: int) -> date:
    """Return the 17th of the filing month, before any business-day roll."""
    return window_start(year, period).replace(day=DEADLINE_DAY)


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def mexican_statutory_holidays(year: int) -> list[tuple[date, str]]:
    """Return the mandatory rest days of Ley Federal del Trabajo art. 74, sorted.

    Election days (fr. IX) are not predictable and are not included.  The
    presidential handover day is 1 October every six years from 2024 (before
    the 2024 reform it was 1 December: 2018, 2012, …).
    """
    holidays = [
        (date(year, 1, 1), "New Year's Day"),
        (_nth_monday(year, 2, 1), "Constitution Day"),
        (_nth_monday(year, 3, 3), "Benito Juárez's Birthday"),
        (date(year, 5, 1), "Labour Day"),
        (date(year, 9, 16), "Independence Day"),
        (_nth_monday(year, 11, 3), "Revolution Day"),
        (date(year, 12, 25), "Christmas Day"),
    ]
    if (year - 2024) % 6 == 0:
        handover = date(year, 10, 1) if year >= 2024 else date(year, 12, 1)
        holidays.append((handover, "Transmission of the Federal Executive Power"))
    return sorted(holidays)


def next_business_day(day: date, holidays: Collection[date] = ()) -> date:
    """Return *day* if it is a business day, else the next one.

    Saturdays, Sundays and the dates in *holidays* are not business days.
    """
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def legal_deadline(
    year: int, period: int, holidays: Collection[date] | None = None
) -> date:
    """Return the last day to file the period's informativa on time.

    *holidays* defaults to :func:`mexican_statutory_holidays` of the filing year.
    """
    deadline = nominal_deadline(year, period)
    if holidays is None:
        holidays = {day for day, _name in mexican_statutory_holidays(deadline.year)}
    return next_business_day(deadline, holidays)
