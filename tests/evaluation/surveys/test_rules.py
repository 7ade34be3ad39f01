"""The satisfaction formula on hand-worked numbers (docs/evaluation.md)."""

from decimal import Decimal

import pytest

from evaluation.surveys.rules import normalise, satisfaction_score

R5, R10 = "rating_5", "rating_10"


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (R5, 1, "0"),
        (R5, 2, "25"),
        (R5, 3, "50"),
        (R5, 4, "75"),
        (R5, 5, "100"),
        (R10, 0, "0"),
        (R10, 7, "70"),
        (R10, 10, "100"),
    ],
)
def test_normalise(kind, value, expected):
    assert normalise(kind, value) == Decimal(expected)


@pytest.mark.parametrize(("kind", "value"), [(R5, 0), (R5, 6), (R10, -1), (R10, 11)])
def test_out_of_range_is_refused(kind, value):
    with pytest.raises(ValueError):
        normalise(kind, value)


def test_all_max_is_100():
    assert satisfaction_score([(R5, 5, 1), (R5, 5, 2), (R10, 10, 1)]) == Decimal("100.00")


def test_all_min_is_0():
    assert satisfaction_score([(R5, 1, 1), (R5, 1, 2), (R10, 0, 1)]) == Decimal("0.00")


def test_mixed_weights_worked_example():
    # content 4 → 75 (w1), delivery 5 → 100 (w2), usefulness 3 → 50 (w1), NPS 8 → 80 (w1)
    # (75 + 200 + 50 + 80) / 5 = 405 / 5 = 81
    ratings = [(R5, 4, 1), (R5, 5, 2), (R5, 3, 1), (R10, 8, 1)]
    assert satisfaction_score(ratings) == Decimal("81.00")


def test_skipped_optional_rating_renormalises_the_weights():
    # NPS skipped: (75 + 200 + 50) / 4 = 81.25, not 325 / 5 = 65
    ratings = [(R5, 4, 1), (R5, 5, 2), (R5, 3, 1), (R10, None, 1)]
    assert satisfaction_score(ratings) == Decimal("81.25")


def test_rounds_half_up_to_two_decimals():
    # (25 + 50 + 50) / 3 = 41.666… → 41.67
    assert satisfaction_score([(R5, 2, 1), (R5, 3, 1), (R5, 3, 1)]) == Decimal("41.67")
    # 75 * 1 + 0 * 7 = 75 / 8 = 9.375 → 9.38
    assert satisfaction_score([(R5, 4, 1), (R5, 1, 7)]) == Decimal("9.38")
    # 25 / 8 = 3.125 → 3.13 (banker's rounding would give 3.12)
    assert satisfaction_score([(R5, 2, 1), (R5, 1, 7)]) == Decimal("3.13")


def test_nothing_answered_is_none():
    assert satisfaction_score([(R5, None, 1), (R10, None, 1)]) is None
    assert satisfaction_score([]) is None


def test_fractional_weights():
    # 100 * 0.5 + 0 * 1.5 = 50 / 2 = 25
    assert satisfaction_score([(R5, 5, Decimal("0.5")), (R10, 0, Decimal("1.5"))]) == Decimal(
        "25.00"
    )
