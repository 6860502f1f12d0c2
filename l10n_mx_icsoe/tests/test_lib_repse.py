"""REPSE registrations over time (no Odoo needed)."""

from datetime import date

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe.repse import Chain, Registration

R1 = Registration(1, "R1", date(2021, 6, 1))  # expires 2024-06-01
R2 = Registration(2, "R2", date(2024, 6, 1), renews=1)  # expires 2027-06-01
R3 = Registration(3, "R3", date(2027, 6, 1), renews=2)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 5, 31), None),
        (date(2021, 6, 1), 1),
        (date(2024, 5, 31), 1),
        (date(2024, 6, 1), 2),
        (date(2029, 1, 1), 3),
        (date(2030, 6, 1), None),
    ],
)
def test_chain_valid_on_a_date(day, expected):
    found = Chain([R1, R2, R3], pending_counts=True).valid_for(3, day)
    assert (found and found.id) == expected


def test_a_registration_does_not_reach_forward_in_its_chain():
    # a contract still on R1's service started in 2025: R1 alone does not cover it
    assert Chain([R1, R2], True).valid_for(1, date(2025, 1, 1)) is None


def test_cancellation_ends_validity_from_its_date():
    reg = Registration(1, "R", date(2024, 3, 1), cancel_date=date(2025, 2, 1))
    chain = Chain([reg], True)
    assert chain.is_valid_on(reg, date(2025, 1, 31))
    assert not chain.is_valid_on(reg, date(2025, 2, 1))


def test_pending_renewal_is_a_choice():
    in_time = Registration(
        1, "R", date(2023, 1, 10), renewal_requested=date(2025, 12, 1)
    )
    late = Registration(2, "L", date(2023, 1, 10), renewal_requested=date(2026, 2, 1))
    after_expiry = date(2026, 3, 1)
    assert in_time.renewal_in_time and not late.renewal_in_time
    assert Chain([in_time], True).is_valid_on(in_time, after_expiry)
    assert Chain([in_time], True).relies_on_pending(in_time, after_expiry)
    assert not Chain([in_time], False).is_valid_on(in_time, after_expiry)
    assert not Chain([late], True).is_valid_on(late, after_expiry)
    # once the renewal is recorded, the old one ends where the new one starts
    renewed = Registration(3, "N", date(2026, 4, 1), renews=1)
    chain = Chain([in_time, renewed], True)
    assert chain.valid_until(in_time) == date(2026, 4, 1)


def test_owed_periods_follow_validity():
    reg = Registration(1, "R", date(2024, 3, 1), cancel_date=date(2025, 1, 15))
    owed = Chain([reg], True).owed_periods(date(2026, 6, 1))
    assert owed == [(2024, 1), (2024, 2), (2024, 3), (2025, 1)]
    assert Chain([reg], True).owed_periods(date(2024, 8, 31)) == [(2024, 1)]
    since = Chain([reg], True).owed_periods(date(2026, 6, 1), since=date(2024, 5, 1))
    assert since == [(2024, 2), (2024, 3), (2025, 1)]


def test_periods_before_the_reform_are_not_owed():
    reg = Registration(1, "R", date(2021, 1, 4))
    assert Chain([reg], True).owed_periods(date(2021, 9, 2))[0] == (2021, 1)
