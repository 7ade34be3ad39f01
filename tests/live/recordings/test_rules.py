"""Pure rules of recorded playback: merging played intervals, the report budget and completion."""

from __future__ import annotations

import pytest

from hub.sessions.rules import meets_completion
from live.recordings import rules


def test_overlapping_intervals_merge():
    assert rules.merge_intervals([(0, 5), (3, 8)]) == [(0, 8)]


def test_adjacent_intervals_join():
    assert rules.merge_intervals([(0, 5), (5, 9)]) == [(0, 9)]


def test_contained_interval_disappears():
    assert rules.merge_intervals([(0, 10), (2, 4)]) == [(0, 10)]


def test_unsorted_input_is_sorted_and_gaps_kept():
    assert rules.merge_intervals([(20, 25), (0, 5), (4, 6), (10, 11)]) == [
        (0, 6),
        (10, 11),
        (20, 25),
    ]


def test_duplicates_count_once():
    intervals = [(1, 3), (1, 3), (1, 3)]
    assert rules.merge_intervals(intervals) == [(1, 3)]
    assert rules.covered_seconds(intervals) == 2


def test_empty_and_zero_length_intervals_are_dropped():
    assert rules.merge_intervals([]) == []
    assert rules.merge_intervals([(4, 4), (6, 5)]) == []
    assert rules.covered_seconds([]) == 0


def test_covered_seconds_is_the_union_length():
    assert rules.covered_seconds([(0, 10), (5, 15), (20, 22)]) == 17


def test_subtract_returns_uncovered_pieces():
    merged = [(2, 4), (6, 8)]
    assert rules.subtract((0, 10), merged) == [(0, 2), (4, 6), (8, 10)]
    assert rules.subtract((2, 4), merged) == []
    assert rules.subtract((3, 7), merged) == [(4, 6)]
    assert rules.subtract((10, 12), merged) == [(10, 12)]


def test_budget_grows_with_the_clock_at_top_speed_and_is_capped():
    assert rules.report_budget(None) == rules.REPORT_SLACK
    assert rules.report_budget(-5) == rules.REPORT_SLACK
    assert rules.report_budget(10) == 10 * rules.MAX_SPEED + rules.REPORT_SLACK
    assert rules.report_budget(10_000) == rules.report_budget(rules.MAX_REPORT_GAP)


def test_clip_keeps_new_seconds_within_the_budget_from_the_start():
    assert rules.clip_to_budget([], [(0, 100)], 7) == [(0, 7)]


def test_clip_spends_the_budget_in_posted_order():
    assert rules.clip_to_budget([], [(50, 54), (0, 10)], 6) == [(50, 54), (0, 2)]


def test_clip_does_not_charge_seconds_already_stored():
    stored = [(0, 30)]
    assert rules.clip_to_budget(stored, [(0, 30)], 0) == []
    assert rules.clip_to_budget(stored, [(20, 40)], 5) == [(30, 35)]


def test_clip_counts_overlap_within_one_report_once():
    assert rules.clip_to_budget([], [(0, 4), (2, 6), (0, 6)], 100) == [(0, 4), (4, 6)]


@pytest.mark.parametrize(
    ("watched", "complete"), [(9.5, False), (9.59, False), (9.6, True), (12, True)]
)
def test_completion_uses_the_session_rule_in_tenths_of_a_second(watched, complete):
    assert (
        rules.is_complete(watched_seconds=watched, media_seconds=12, completion_percent=80)
        is complete
    )


def test_no_media_length_never_completes():
    assert not rules.is_complete(watched_seconds=5, media_seconds=0, completion_percent=80)


@pytest.mark.parametrize("percent", [1, 50, 80, 100])
@pytest.mark.parametrize("session_minutes", [1, 45, 60, 90])
def test_attendance_minutes_meet_the_rule_exactly_when_the_recording_does(percent, session_minutes):
    media = 12.0
    for tenths in range(0, 121):
        watched = tenths / 10
        complete = rules.is_complete(
            watched_seconds=watched, media_seconds=media, completion_percent=percent
        )
        minutes = rules.attendance_minutes(
            watched_seconds=watched,
            media_seconds=media,
            session_minutes=session_minutes,
            completed=complete,
            completion_percent=percent,
        )
        assert 0 <= minutes <= session_minutes
        assert (
            meets_completion(minutes=minutes, duration=session_minutes, completion_percent=percent)
            is complete
        ), (watched, minutes)


@pytest.mark.parametrize("percent", [1, 33, 50, 67, 80, 99, 100])
@pytest.mark.parametrize("session_minutes", [1, 7, 45, 60, 90])
def test_an_incomplete_recording_stops_one_minute_short_of_the_sessions_threshold(
    percent, session_minutes
):
    """The attendance minutes of an incomplete recording stay just below the sessions'
    completion threshold (``minutes_to_complete``), and one more minute would complete."""
    from hub.sessions.rules import minutes_to_complete

    minutes = rules.attendance_minutes(
        watched_seconds=100,
        media_seconds=100,
        session_minutes=session_minutes,
        completed=False,
        completion_percent=percent,
    )
    threshold = minutes_to_complete(duration=session_minutes, completion_percent=percent)
    assert minutes == threshold - 1
    assert not meets_completion(
        minutes=minutes, duration=session_minutes, completion_percent=percent
    )
    assert meets_completion(
        minutes=minutes + 1, duration=session_minutes, completion_percent=percent
    )
