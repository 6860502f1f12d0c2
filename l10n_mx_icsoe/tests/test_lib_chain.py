"""The filing chain of one company and period (no Odoo needed)."""

import pytest

from odoo.addons.l10n_mx_icsoe.icsoe import chain
from odoo.addons.l10n_mx_icsoe.icsoe.chain import Filing as F


def test_nothing_filed_accepts_a_new_original():
    assert chain.next_steps([]) == {
        "new_original": True,
        "correction": False,
        "void": False,
    }


def test_original_in_progress_blocks_a_second_one():
    filings = [F(1, "normal", "draft")]
    assert chain.new_original_refusal(filings) == "original_in_progress"
    assert chain.new_original_refusal(filings, exclude=1) is None


@pytest.mark.parametrize(
    ("filings", "effective", "steps"),
    [
        # Normal filed: it stands; Corrección or Sin efectos of it
        ([F(1, "normal", "filed")], 1, (False, True)),
        # Sin información filed, then corrected with contracts
        (
            [F(1, "no_info", "replaced"), F(2, "correction", "filed", 1)],
            2,
            (False, True),
        ),
        # N -> C1 -> C2
        (
            [
                F(1, "normal", "replaced"),
                F(2, "correction", "replaced", 1),
                F(3, "correction", "filed", 2),
            ],
            3,
            (False, True),
        ),
        # Sin efectos of the original: nothing stands, a new Normal may follow
        ([F(1, "normal", "voided"), F(2, "void", "filed", 1)], None, (True, False)),
        # Sin efectos of a Corrección: the replaced original does not block
        (
            [
                F(1, "normal", "replaced"),
                F(2, "correction", "voided", 1),
                F(3, "void", "filed", 2),
            ],
            None,
            (True, False),
        ),
        # ... and the new Normal then stands
        (
            [
                F(1, "normal", "voided"),
                F(2, "void", "filed", 1),
                F(3, "normal", "filed"),
            ],
            3,
            (False, True),
        ),
    ],
)
def test_what_stands_and_what_may_follow(filings, effective, steps):
    standing = chain.effective(filings)
    assert (standing and standing.id) == effective
    result = chain.next_steps(filings)
    assert (result["new_original"], result["correction"]) == steps


@pytest.mark.parametrize(
    ("filings", "target", "code"),
    [
        ([F(1, "normal", "confirmed")], 1, "target_not_filed"),
        (
            [F(1, "normal", "replaced"), F(2, "correction", "filed", 1)],
            1,
            "target_replaced",
        ),
        ([F(1, "normal", "voided"), F(2, "void", "filed", 1)], 1, "target_voided"),
        ([F(1, "normal", "voided"), F(2, "void", "filed", 1)], 2, "target_is_void"),
        (
            [F(1, "normal", "filed"), F(2, "void", "draft", 1)],
            1,
            "complementary_in_progress",
        ),
        ([F(1, "normal", "filed")], 9, "target_unknown"),
    ],
)
def test_complementary_refusals(filings, target, code):
    assert chain.complementary_refusal(filings, target) == code


def test_only_filed_complementarias_count_against_the_limit():
    filings = [
        F(1, "normal", "replaced"),
        F(2, "correction", "filed", 1),
        F(3, "correction", "draft", 2),
    ]
    assert chain.filed_complementary_count(filings) == 1
    # the draft being checked is left out of its own count and of "in progress"
    assert chain.complementary_refusal(filings, 2, limit=2, exclude=3) is None
    assert (
        chain.complementary_refusal(filings, 2, limit=1, exclude=3) == "limit_reached"
    )
    assert chain.complementary_refusal(filings, 2, limit=0, exclude=3) is None
