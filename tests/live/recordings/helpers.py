"""Builders shared by the recorded-session tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from live.models import RecordingProgress, RecordingSource
from tests.factories import EnrolmentFactory, SessionFactory

RECORDING_URL = "https://video.example.com/replay.mp4"


def ended_recorded_session(trainer, *, minutes: int = 60, duration_seconds=None, **kwargs):
    """A recorded session that ended yesterday, with a recording link (and, when
    ``duration_seconds`` is given, a recording source with that length)."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    session = SessionFactory(
        trainers=[trainer],
        mode=kwargs.pop("mode", "recorded"),
        status="ended",
        location="",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        recording_url=kwargs.pop("recording_url", RECORDING_URL),
        **kwargs,
    )
    if duration_seconds is not None:
        RecordingSource.objects.create(session=session, duration_seconds=duration_seconds)
    return session


def enrol(session, learner, status: str = "enrolled"):
    return EnrolmentFactory(session=session, learner=learner, status=status)


def opened(session, learner, seconds_ago: float = 0) -> RecordingProgress:
    """The learner's progress row as if the player was opened ``seconds_ago``."""
    progress, _created = RecordingProgress.objects.get_or_create(session=session, learner=learner)
    progress.clock_at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    progress.save(update_fields=["clock_at"])
    return progress
