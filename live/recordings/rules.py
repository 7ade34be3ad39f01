"""Pure rules of recorded playback: merging played intervals (``live.intervals``), the
wall-clock budget that keeps seeking ahead from counting, and completion by the sessions'
completion rule.

Intervals are ``(start, end)`` pairs of media seconds with ``start < end``."""

from __future__ import annotations

import math
from collections.abc import Iterable

from hub.sessions.rules import meets_completion, minutes_to_complete
from live.intervals import merge_intervals

Interval = tuple[float, float]

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
MAX_SPEED = max(SPEEDS)
# Wall-clock seconds one report may cover at most (the player reports every ~10 s; a tab in
# the background may be throttled to about once a minute), and the slack for clock jitter.
MAX_REPORT_GAP = 120.0
REPORT_SLACK = 3.0
# Completion is decided in tenths of a second, so a 12-second video is judged fairly.
UNITS_PER_SECOND = 10


def covered_seconds(intervals: Iterable[Interval]) -> float:
    """Seconds covered by the union of ``intervals``."""
    return sum(end - start for start, end in merge_intervals(intervals))


def subtract(interval: Interval, merged: list[Interval]) -> list[Interval]:
    """The parts of ``interval`` that ``merged`` (sorted, disjoint) does not cover."""
    start, end = interval
    pieces: list[Interval] = []
    for m_start, m_end in merged:
        if m_end <= start:
            continue
        if m_start >= end:
            break
        if m_start > start:
            pieces.append((start, m_start))
        start = max(start, m_end)
        if start >= end:
            return pieces
    if start < end:
        pieces.append((start, end))
    return pieces


def report_budget(elapsed_seconds: float | None) -> float:
    """Media seconds a report may add: the wall-clock time since the previous report (at most
    ``MAX_REPORT_GAP``) played at the highest speed, plus slack. No clock: only the slack."""
    elapsed = min(max(elapsed_seconds or 0.0, 0.0), MAX_REPORT_GAP)
    return elapsed * MAX_SPEED + REPORT_SLACK


def clip_to_budget(
    stored: Iterable[Interval], posted: Iterable[Interval], budget: float
) -> list[Interval]:
    """The new playback a report may add. Seconds already stored are free (a repeated report
    adds nothing and costs nothing); new seconds are taken in the posted order, each interval
    from its start, until ``budget`` is spent. What is beyond the budget is dropped."""
    covered = merge_intervals(stored)
    accepted: list[Interval] = []
    left = max(budget, 0.0)
    for interval in posted:
        for start, end in subtract(interval, covered):
            if left <= 0:
                return accepted
            take = min(end - start, left)
            accepted.append((start, start + take))
            left -= take
            covered = merge_intervals([*covered, (start, start + take)])
    return accepted


def is_complete(*, watched_seconds: float, media_seconds: float, completion_percent: int) -> bool:
    """The sessions' completion rule applied to the recording: watched at least
    ``completion_percent`` of the media (compared in tenths of a second)."""
    return meets_completion(
        minutes=math.floor(watched_seconds * UNITS_PER_SECOND),
        duration=math.ceil(media_seconds * UNITS_PER_SECOND),
        completion_percent=completion_percent,
    )


def attendance_minutes(
    *,
    watched_seconds: float,
    media_seconds: float,
    session_minutes: int,
    completed: bool,
    completion_percent: int,
) -> int:
    """The watched share of the recording as minutes of the session, so the attendance record
    reaches completion exactly when the recording does: rounded up when the recording is
    complete, otherwise rounded down and kept below the completion threshold."""
    if media_seconds <= 0 or session_minutes <= 0:
        return 0
    share = min(watched_seconds / media_seconds, 1.0) * session_minutes
    if completed:
        return min(session_minutes, math.ceil(share))
    below_threshold = (
        minutes_to_complete(duration=session_minutes, completion_percent=completion_percent) - 1
    )
    return max(0, min(math.floor(share), below_threshold))
