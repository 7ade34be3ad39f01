"""The demo: the demo learner's latest ended session plays the library's demo video."""

from __future__ import annotations

import datetime as dt

import pytest

from live.models import RecordingSource
from live.recordings.seeding import DEMO_VIDEO_SECONDS, seed_recordings
from tests.factories import EmployeeFactory, UserFactory
from tests.hub.sessions_helpers import make_trainer
from tests.live.recording_helpers import ended_recorded_session, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_learner_gets_a_recording_once():
    learner = EmployeeFactory(user=UserFactory(username="learner"))
    trainer = make_trainer()
    older = ended_recorded_session(trainer)
    older.starts_at -= dt.timedelta(days=3)
    older.ends_at -= dt.timedelta(days=3)
    older.save()
    latest = ended_recorded_session(trainer)
    no_link = ended_recorded_session(trainer, recording_url="")
    for session in (older, latest, no_link):
        enrol(session, learner)

    assert seed_recordings() == {"recordings": 1}
    source = RecordingSource.objects.select_related("video").get()
    assert source.session == latest
    assert source.duration_seconds == DEMO_VIDEO_SECONDS
    assert source.video is not None and source.video.file.name.endswith(".webm")
    assert seed_recordings() == {}
    assert RecordingSource.objects.count() == 1


def test_without_the_demo_learner_nothing_is_written():
    assert seed_recordings() == {}
    assert not RecordingSource.objects.exists()
