"""Demo data of recorded playback: every recent ended online session of the demo plays a
local file, the library's demo video, so no recording points at a host that does not exist."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone

from hub.sessions.models import Session
from live.models import RecordingSource

# The library's demo video (``library.video.demo``) is 12 seconds long.
DEMO_VIDEO_SECONDS = 12
# Sessions of the demo's last quarter (``hub.seeding.sessions.HISTORY_DAYS``) get a recording;
# the large scale's benchmark history does not.
RECENT_DAYS = 92
# Earlier seeds gave recorded sessions links to this made-up host: the player spun forever.
MADE_UP_HOST = "https://video.lectern.example.cn/"


def seed_recordings() -> Counter[str]:
    """Give each seeded (no ``created_by``) online or recorded session that ended in the last
    ``RECENT_DAYS`` and has no recording yet a ``RecordingSource`` playing the demo video, and
    clear recording links to ``MADE_UP_HOST`` left by earlier seeds. Idempotent: a second run
    adds nothing. Preconditions: the demo sessions are written (``seed_sessions``)."""
    created: Counter[str] = Counter()
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    ended = (
        Session.objects.filter(
            created_by__isnull=True, status=Session.Status.ENDED, starts_at__gte=since
        )
        .exclude(mode=Session.Mode.IN_PERSON)
        .filter(recording_source__isnull=True)
    )
    session_ids = list(ended.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        Session.objects.filter(recording_url__startswith=MADE_UP_HOST).update(recording_url="")
        if not session_ids:
            return created
        from library.video.demo import seed_demo_video

        video = seed_demo_video()
        sources = RecordingSource.objects.bulk_create(
            RecordingSource(session_id=pk, video=video, duration_seconds=DEMO_VIDEO_SECONDS)
            for pk in session_ids
        )
    created["recordings"] += len(sources)
    return created
