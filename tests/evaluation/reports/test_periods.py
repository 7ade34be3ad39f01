"""Report periods: quarters, years, and what a bad ?period= falls back to."""

import datetime as dt

import pytest

from evaluation.reports.periods import parse_period, period_choices, quarter

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_parse_period(value, start, end):
    period = parse_period(value, today=TODAY)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("value", [None, "", "2026Q5", "2027Q1", "2027", "1999", "x", "2026-01"])
def test_anything_else_is_the_current_quarter(value):
    assert parse_period(value, today=TODAY) == quarter(2026, 4)


def test_bounds_cover_the_last_day():
    first, after = parse_period("2026Q1", today=TODAY).bounds()
    assert first.date() == dt.date(2026, 1, 1) and after.date() == dt.date(2026, 4, 1)


def test_choices_are_eight_quarters_then_two_years():
    keys = [p.key for p in period_choices(today=dt.date(2026, 2, 1))]
    assert keys == [
        "2026Q1", "2025Q4", "2025Q3", "2025Q2", "2025Q1", "2024Q4", "2024Q3", "2024Q2",
        "2026", "2025",
    ]  # fmt: skip
