"""Tests for ICSOE periods and filing deadlines (no Odoo needed)."""

from datetime import date, datetime

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe import periods


def _holidays(*years):
    return {
        day for year in years for day, _name in periods.mexican_statutory_holidays(year)
    }


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (1, date(2025, 1, 1), date(2025, 4, 30)),
        (2, date(2025, 5, 1), date(2025, 8, 31)),
        (3, date(2025, 9, 1), date(2025, 12, 31)),
    ],
)
def test_period_dates(period, start, end):
    assert periods.period_dates(2025, period) == (start, end)


@pytest.mark.parametrize(
    ("year", "period"), [(2025, 0), (2025, 4), (2025, True), ("2025", 1), (2025.0, 1)]
)
def test_period_dates_bad_input(year, period):
    with pytest.raises(ValueError):
        periods.period_dates(year, period)
    with pytest.raises(ValueError):
        periods.legal_deadline(year, period, ())


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 1), (2025, 1)),
        (date(2025, 4, 30), (2025, 1)),
        (date(2025, 5, 1), (2025, 2)),
        (date(2025, 8, 31), (2025, 2)),
        (date(2025, 9, 1), (2025, 3)),
        (date(2025, 12, 31), (2025, 3)),
        (datetime(2026, 6, 15, 23, 59), (2026, 2)),
    ],
)
def test_period_of(day, expected):
    assert periods.period_of(day) == expected


def test_period_of_round_trip():
    for year in (2024, 2025):
        for period in periods.PERIODS:
            start, end = periods.period_dates(year, period)
            assert periods.period_of(start) == periods.period_of(end) == (year, period)


def test_window_start_and_nominal_deadline():
    assert periods.window_start(2025, 1) == date(2025, 5, 1)
    assert periods.window_start(2025, 2) == date(2025, 9, 1)
    assert periods.window_start(2025, 3) == date(2026, 1, 1)
    assert periods.nominal_deadline(2025, 1) == date(2025, 5, 17)
    assert periods.nominal_deadline(2025, 2) == date(2025, 9, 17)
    assert periods.nominal_deadline(2025, 3) == date(2026, 1, 17)


def test_statutory_holidays_2025():
    assert periods.mexican_statutory_holidays(2025) == [
        (date(2025, 1, 1), "New Year's Day"),
        (date(2025, 2, 3), "Constitution Day"),
        (date(2025, 3, 17), "Benito Juárez's Birthday"),
        (date(2025, 5, 1), "Labour Day"),
        (date(2025, 9, 16), "Independence Day"),
        (date(2025, 11, 17), "Revolution Day"),
        (date(2025, 12, 25), "Christmas Day"),
    ]


def test_statutory_holidays_mondays():
    assert date(2026, 2, 2) in _holidays(2026)  # 1 Feb 2026 is a Sunday
    assert date(2026, 3, 16) in _holidays(2026)
    assert date(2026, 11, 16) in _holidays(2026)
    assert date(2027, 2, 1) in _holidays(2027)  # 1 Feb 2027 is a Monday
    assert date(2027, 3, 15) in _holidays(2027)
    assert date(2027, 11, 15) in _holidays(2027)
    for year in range(2020, 2035):
        for day, _name in periods.mexican_statutory_holidays(year):
            assert day.year == year
            if day.month in (2, 3, 11):
                assert day.weekday() == 0


def test_statutory_holidays_presidential_handover():
    assert date(2024, 10, 1) in _holidays(2024)
    assert date(2030, 10, 1) in _holidays(2030)
    assert date(2018, 12, 1) in _holidays(2018)  # before the 2024 change
    for year in (2025, 2026, 2027, 2028, 2029):
        assert len(periods.mexican_statutory_holidays(year)) == 7
    assert len(periods.mexican_statutory_holidays(2030)) == 8


def test_next_business_day():
    assert periods.next_business_day(date(2025, 9, 17), ()) == date(2025, 9, 17)
    assert periods.next_business_day(date(2025, 5, 17), ()) == date(2025, 5, 19)
    assert periods.next_business_day(date(2025, 5, 18), ()) == date(2025, 5, 19)
    # Tuesday 16 Sep 2025 is Independence Day.
    holidays = _holidays(2025)
    assert periods.next_business_day(date(2025, 9, 16), holidays) == date(2025, 9, 17)
    # Friday 31 Oct 2025 + 1 Nov weekend + a Monday holiday + a Tuesday holiday.
    extra = {date(2025, 11, 3), date(2025, 11, 4)}
    assert periods.next_business_day(date(2025, 11, 1), extra) == date(2025, 11, 5)


DEADLINES = [
    (2025, 1, date(2025, 5, 19)),  # Sat 17 -> Mon 19
    (2025, 2, date(2025, 9, 17)),  # Wed
    (2025, 3, date(2026, 1, 19)),  # Sat 17 -> Mon 19
    (2026, 1, date(2026, 5, 18)),  # Sun 17 -> Mon 18
    (2026, 2, date(2026, 9, 17)),  # Thu
    (2026, 3, date(2027, 1, 18)),  # Sun 17 -> Mon 18
    (2027, 1, date(2027, 5, 17)),  # Mon
    (2027, 2, date(2027, 9, 17)),  # Fri
    (2027, 3, date(2028, 1, 17)),  # Mon
    (2028, 1, date(2028, 5, 17)),  # Wed
    (2028, 2, date(2028, 9, 18)),  # Sun 17 -> Mon 18
]


@pytest.mark.parametrize(("year", "period", "expected"), DEADLINES)
def test_legal_deadline_table(year, period, expected):
    statutory = _holidays(year, year + 1)
    assert periods.legal_deadline(year, period, statutory) == expected
    assert periods.legal_deadline(year, period) == expected  # default holidays
    assert periods.legal_deadline(year, period, ()) == expected  # weekends only
    assert expected.weekday() < 5


def test_legal_deadline_holiday_on_the_17th_rolls_on():
    # Monday 17 May 2027 declared non-working: Tuesday 18.
    assert periods.legal_deadline(2027, 1, {date(2027, 5, 17)}) == date(2027, 5, 18)
    # Two non-working days in a row: Wednesday 19.
    holidays = {date(2027, 5, 17), date(2027, 5, 18)}
    assert periods.legal_deadline(2027, 1, holidays) == date(2027, 5, 19)
    # Friday 17 Sep 2027 non-working: the weekend is skipped too, Monday 20.
    holidays = _holidays(2027) | {date(2027, 9, 17)}
    assert periods.legal_deadline(2027, 2, holidays) == date(2027, 9, 20)
    # A holiday on the Monday after a weekend 17th: Sat 17 Jan 2026 -> Tue 20.
    assert periods.legal_deadline(2025, 3, {date(2026, 1, 19)}) == date(2026, 1, 20)
