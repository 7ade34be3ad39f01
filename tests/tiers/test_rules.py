"""tiers.rules: the nomination rule and the Outstanding Mentor boundary, without a database."""

import datetime as dt
from decimal import Decimal

import pytest

from tiers.rules import is_high_performer, is_outstanding_mentor, nomination_rule_met, quarter_start


@pytest.mark.parametrize(
    ("grade", "high"),
    [("A", True), ("B", True), ("C", False), ("D", False), ("", False), (None, False)],
)
def test_high_performer_is_a_or_b(grade, high):
    assert is_high_performer(grade) is high


@pytest.mark.parametrize(("count", "met"), [(0, False), (1, False), (2, True), (5, True)])
def test_the_rule_needs_two_high_performers(count, met):
    assert nomination_rule_met(count) is met


@pytest.mark.parametrize(
    ("hours", "rating", "mentees", "outstanding"),
    [
        ("40", "90", 2, True),  # exactly the thresholds qualify
        ("39.99", "90", 2, False),
        ("40", "89.99", 2, False),
        ("60", "95", 3, True),
        ("60", "95", 1, False),  # 2 to 3 mentees
        ("60", "95", 4, False),
        ("60", None, 2, False),  # nobody rated: not outstanding
    ],
)
def test_outstanding_mentor_boundary(hours, rating, mentees, outstanding):
    result = is_outstanding_mentor(
        confirmed_hours=Decimal(hours),
        mean_rating=None if rating is None else Decimal(rating),
        mentees=mentees,
    )
    assert result is outstanding


@pytest.mark.parametrize(
    ("day", "start"),
    [(dt.date(2026, 1, 1), dt.date(2026, 1, 1)), (dt.date(2026, 6, 30), dt.date(2026, 4, 1)),
     (dt.date(2026, 7, 1), dt.date(2026, 7, 1)), (dt.date(2026, 12, 31), dt.date(2026, 10, 1))],
)  # fmt: skip
def test_rating_period_is_the_calendar_quarter(day, start):
    assert quarter_start(day) == start
