"""The demo: recent ended online sessions play the library's demo video, a local file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from live.models import RecordingSource
from live.recordings.seeding import DEMO_VIDEO_SECONDS, MADE_UP_HOST, seed_recordings
from live.recordings.selectors import recording_media
from tests.factories import EmployeeFactory, UserFactory
from tests.hub.sessions.helpers import make_trainer
from tests.live.recordings.helpers import ended_recorded_session, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


def test_recent_ended_online_sessions_play_a_local_file_once():
    learner = EmployeeFactory(user=UserFactory(username="learner"))
    trainer = make_trainer()
    recorded = ended_recorded_session(trainer, recording_url=f"{MADE_UP_HOST}replay/1001")
    live = ended_recorded_session(trainer, mode="live_online", recording_url="")
    in_person = ended_recorded_session(trainer, mode="in_person", recording_url="")
    old = ended_recorded_session(trainer, recording_url="")
    old.starts_at -= dt.timedelta(days=200)
    old.ends_at -= dt.timedelta(days=200)
    old.save()
    mine = ended_recorded_session(trainer, created_by=trainer.user, recording_url="")
    for session in (recorded, live, in_person, old, mine):
        enrol(session, learner)

    assert seed_recordings() == {"recordings": 2}
    sources = RecordingSource.objects.select_related("video")
    assert {s.session_id for s in sources} == {recorded.pk, live.pk}
    recorded.refresh_from_db()
    assert recorded.recording_url == ""  # the made-up host is gone
    client = Client()
    client.force_login(learner.user)
    for source in sources:
        assert source.duration_seconds == DEMO_VIDEO_SECONDS
        assert Path(source.video.file.path).is_file()
        media = recording_media(source.session)
        assert media is not None and not media.external
        response = client.get(media.src)
        assert response.status_code == 200
        assert response["Content-Type"] == "video/webm"
        assert b"".join(response.streaming_content)[:4] == b"\x1a\x45\xdf\xa3"  # EBML (WebM)
    assert seed_recordings() == {}
    assert RecordingSource.objects.count() == 2


def test_without_sessions_nothing_is_written():
    assert seed_recordings() == {}
    assert not RecordingSource.objects.exists()
