"""Pure rules of outcome metrics: lift, net lift, periods and the before/after windows.

PRODUCT.md ("Exact definitions"): "Lift L (%) for a session with a linked outcome metric =
(after - before) / before x 100; for a lower-is-better metric (before - after) / before x 100."
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

DEFAULT_WINDOW_DAYS = 90  # before: the 90 days before the session; after: the 90 days after
SMALL_SAMPLE = 3  # fewer comparison units than this → the net lift is flagged
RETENTION_DAYS = 90
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")

REASON_NO_METRIC = _("The session has no linked outcome metric.")
REASON_NO_BEFORE = _("No value of the metric in the window before the session.")
REASON_NO_AFTER = _("No value of the metric in the window after the session (not measured yet).")
REASON_ZERO_BEFORE = _("The value before is 0: a lift relative to 0 is undefined.")
REASON_NO_COMPARISON = _("No comparable untrained branch has values in both windows.")
# A stored lift keeps the reason's code and says it in the reader's language.
REASONS = {
    "no_metric": REASON_NO_METRIC,
    "no_before": REASON_NO_BEFORE,
    "no_after": REASON_NO_AFTER,
    "zero_before": REASON_ZERO_BEFORE,
    "no_comparison": REASON_NO_COMPARISON,
}


def lift_percent(
    before: Decimal | None, after: Decimal | None, *, higher_is_better: bool
) -> Decimal | None:
    """Lift in percent, positive = better, as PRODUCT.md defines it.

    Higher is better: (after - before) / before x 100; lower is better:
    (before - after) / before x 100. ``None`` when a value is missing or before = 0 (a change
    relative to nothing has no percentage; the report says so instead of showing ∞).
    """
    if before is None or after is None:
        return None
    before, after = Decimal(before), Decimal(after)
    if before == 0:
        return None
    change = (after - before) if higher_is_better else (before - after)
    return change / before * HUNDRED


def round_percent(value: Decimal | None) -> Decimal | None:
    """One decimal, half up, for display and storage (12.345 → 12.3, 12.35 → 12.4)."""
    return None if value is None else Decimal(value).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values if v is not None]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Windows:
    """The before and after windows around a session day.

    A monthly or quarterly value counts in the *before* window when its period ends in the
    ``days`` before the session day (``[day - days, day)``), in the *after* window when its
    period starts in the ``days`` after it (``(day, day + days]``). A period that contains
    the session day counts in neither: it mixes before and after.
    """

    day: dt.date
    days: int = DEFAULT_WINDOW_DAYS

    @property
    def before_start(self) -> dt.date:
        return self.day - dt.timedelta(days=self.days)

    @property
    def after_end(self) -> dt.date:
        return self.day + dt.timedelta(days=self.days)


@dataclass
class LiftFigure:
    """A lift and what it was computed from (percent values, positive = better).

    For one session: ``before``/``after`` are the metric's mean values in the two windows at
    the session's branch, ``lift`` the plain lift. ``comparison_lift`` is the mean change of
    the comparison branches over the same windows, ``net_lift`` = lift - comparison_lift
    (difference in differences), ``comparison_units`` its sample size, ``small_sample`` true
    below ``SMALL_SAMPLE`` units. For a trainer: ``lift`` is the mean over ``sessions``
    measured sessions. ``lift is None`` means unknown; ``reason`` says why (``reason_code``:
    its key in ``REASONS``). ``as_of``: when a stored figure (``SessionLift``) was computed;
    None for a figure computed now. It is not compared: a snapshot equals the live figure.
    """

    lift: Decimal | None
    before: Decimal | None = None
    after: Decimal | None = None
    metric_code: str = ""
    higher_is_better: bool = True
    windows: Windows | None = None
    branch_id: int | None = None
    comparison_lift: Decimal | None = None
    net_lift: Decimal | None = None
    comparison_units: int = 0
    small_sample: bool = True
    sessions: int = 0
    session_ids: list[int] = field(default_factory=list)
    reason: str = ""
    reason_code: str = ""
    as_of: dt.datetime | None = field(default=None, compare=False)

    @property
    def measured(self) -> bool:
        return self.lift is not None

    @property
    def lift_display(self) -> Decimal | None:
        return round_percent(self.lift)

    @property
    def net_lift_display(self) -> Decimal | None:
        return round_percent(self.net_lift)


def net_lift(
    lift: Decimal | None, comparison_lifts: list[Decimal | None]
) -> tuple[Decimal | None, Decimal | None, int, bool]:
    """Difference in differences: the plain lift minus the mean change of the comparison units
    over the same windows (each computed like a lift, direction-aware; units without a change,
    e.g. before = 0, are left out). Returns (net, comparison mean, units, small-sample flag)."""
    measured = [value for value in comparison_lifts if value is not None]
    comparison = mean(measured)
    units = len(measured)
    net = None if lift is None or comparison is None else lift - comparison
    return net, comparison, units, units < SMALL_SAMPLE


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    return month_end(quarter_start(day).replace(month=quarter_start(day).month + 2))


def retained(hire_date: dt.date, leave_date: dt.date | None, *, as_of: dt.date) -> bool | None:
    """PRODUCT.md "Retention" for one hire: ``None`` while the 90 days have not passed
    (as_of - hire_date < 90), else whether they were still employed on day 90 after hiring
    (a leave date is the first day no longer employed, as in ``left_by``: leaving on day 90
    means not retained, on day 91 retained)."""
    day_90 = hire_date + dt.timedelta(days=RETENTION_DAYS)
    if day_90 > as_of:
        return None
    return leave_date is None or leave_date > day_90
