"""Demo data of recorded playback: the demo learner can watch a recording right away."""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from hub.models import Employee
from hub.sessions.models import Enrolment, Session
from live.models import RecordingSource

DEMO_LEARNER = "learner"
# The library's demo video (``library.video.demo``) is 12 seconds long.
DEMO_VIDEO_SECONDS = 12


def seed_recordings() -> Counter[str]:
    """Play the demo video as the recording of the demo learner's latest ended session (an
    online one with a recording link when there is one). Idempotent: once a recording source
    exists, adds nothing. Preconditions: the demo sessions are written (``seed_sessions``)."""
    created: Counter[str] = Counter()
    if RecordingSource.objects.exists():
        return created
    learner = Employee.objects.filter(user__username=DEMO_LEARNER).first()
    if learner is None:
        return created
    ended = (
        Enrolment.objects.filter(
            learner=learner,
            status=Enrolment.Status.ENROLLED,
            session__status=Session.Status.ENDED,
        )
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
    )
    enrolment = ended.exclude(session__recording_url="").first() or ended.first()
    if enrolment is None:
        return created
    from library.video.demo import seed_demo_video

    with transaction.atomic():
        RecordingSource.objects.create(
            session=enrolment.session,
            video=seed_demo_video(),
            duration_seconds=DEMO_VIDEO_SECONDS,
        )
    created["recordings"] += 1
    return created
