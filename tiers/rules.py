"""Pure rules of the programme: no database, so each boundary is tested directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# Branch manager accountability: nominees a year whose latest grade is A or B.
NOMINATION_RULE_MINIMUM = 2
HIGH_GRADES = frozenset({"A", "B"})
RECENT_GRADES_SHOWN = 4


def is_high_performer(latest_grade: str | None) -> bool:
    """A or B as the latest grade: what the nomination rule counts."""
    return latest_grade in HIGH_GRADES


def nomination_rule_met(high_performers: int, minimum: int = NOMINATION_RULE_MINIMUM) -> bool:
    return high_performers >= minimum


def is_outstanding_mentor(
    *,
    confirmed_hours: Decimal,
    mean_rating: Decimal | None,
    mentees: int,
    min_hours: Decimal = Decimal(40),
    min_rating: Decimal = Decimal(90),
    min_mentees: int = 2,
    max_mentees: int = 3,
) -> bool:
    """Outstanding Mentor for a calendar year: ≥ 40 confirmed hours, mean mentee rating ≥ 90,
    2 to 3 mentees (defaults; exactly 40 h and exactly 90 qualify). No rating: not outstanding."""
    if mean_rating is None:
        return False
    return (
        confirmed_hours >= min_hours
        and mean_rating >= min_rating
        and min_mentees <= mentees <= max_mentees
    )


def quarter_start(day: dt.date) -> dt.date:
    """First day of the calendar quarter holding ``day``: the default rating period."""
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
