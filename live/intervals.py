"""Unions of time intervals, the one merge both live presence (datetimes: online minutes) and
recorded playback (media seconds: what was watched) count with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def merge_intervals(intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Sorted, disjoint ``(start, end)`` intervals covering the same span as ``intervals``:
    overlaps (two tabs, a replayed passage) count once, touching intervals join, empty and
    backwards ones are dropped. Works for any ordered values (datetimes, seconds)."""
    merged: list[list[T]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]
