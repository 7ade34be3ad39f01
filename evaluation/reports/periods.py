"""Report periods: a calendar quarter (the default, ``2026Q3``) or a calendar year (``2026``).

``parse_period`` reads the ``?period=`` value; anything it does not understand (or a period
in the future) falls back to the current quarter, so a hand-edited URL never errors.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
QUARTERS_LISTED = 8
YEARS_LISTED = 2


@dataclass(frozen=True)
class Period:
    """The days ``start`` to ``end`` (both included) and the value naming it in URLs."""

    key: str
    start: dt.date
    end: dt.date

    @property
    def is_year(self) -> bool:
        return bool(_YEAR.match(self.key))

    @property
    def label(self) -> str:
        if self.is_year:
            return _("%(year)s (full year)") % {"year": self.start.year}
        quarter = (self.start.month - 1) // 3 + 1
        return _("%(year)s Q%(quarter)s") % {"year": self.start.year, "quarter": quarter}

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """``[start 00:00, end + 1 day 00:00)`` as aware local times (for ``starts_at``)."""
        first = timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))
        after = timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )
        return first, after


def quarter(year: int, number: int) -> Period:
    start = dt.date(year, 3 * number - 2, 1)
    end = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return Period(key=f"{year}Q{number}", start=start, end=end - dt.timedelta(days=1))


def year(value: int) -> Period:
    return Period(key=str(value), start=dt.date(value, 1, 1), end=dt.date(value, 12, 31))


def quarter_of(day: dt.date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def parse_period(value: str | None, *, today: dt.date | None = None) -> Period:
    """The period named by ``value`` (``YYYYQn`` or ``YYYY``); the current quarter when
    ``value`` is missing, malformed, before 2000 or after today."""
    today = today or timezone.localdate()
    value = (value or "").strip().upper()
    period = None
    if match := _QUARTER.match(value):
        period = quarter(int(match[1]), int(match[2]))
    elif match := _YEAR.match(value):
        period = year(int(match[1]))
    if period is None or period.start > today or period.start.year < 2000:
        return quarter_of(today)
    return period


def period_choices(*, today: dt.date | None = None) -> list[Period]:
    """The periods a report offers: the last eight quarters (current first), then the current
    and previous year."""
    today = today or timezone.localdate()
    current = quarter_of(today)
    choices = []
    y, q = current.start.year, (current.start.month - 1) // 3 + 1
    for _i in range(QUARTERS_LISTED):
        choices.append(quarter(y, q))
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    choices += [year(today.year - back) for back in range(YEARS_LISTED)]
    return choices
