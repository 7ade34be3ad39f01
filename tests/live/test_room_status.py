"""The live room's status as people read it: the page title says 未开始 / 直播中 / 已结束, My
teaching and My learning lead into the room while it is live, staff are not on the learners'
roster, times follow the site's time zone, and a waitlisted learner reads that the session ended."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from live import selectors
from live.models import LiveRoom, PresenceInterval
from live.presence import PresenceChanges, presence_flush
from tests.factories import EmployeeFactory, EnrolmentFactory, make_hq_admin
from tests.hub.sessions.helpers import live_session, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(db):
    return make_trainer()


@pytest.fixture
def session(trainer):
    session = live_session(trainer, mode="live_online")
    LiveRoom.objects.create(session=session)
    return session


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


@pytest.mark.parametrize(
    ("status", "word"), [("scheduled", "未开始"), ("live", "直播中"), ("ended", "已结束")]
)
def test_room_title_says_the_sessions_state(client_for, trainer, session, status, word):
    session.status = status
    session.save()
    title = _title(
        client_for(trainer, language="zh-hans").get(reverse("live:room", args=[session.pk]))
    )
    assert title.startswith(f"{word} · {session.title}")
    if status != "live":
        assert "直播中" not in title


def test_my_teaching_leads_into_the_live_room(client_for, trainer, session):
    body = client_for(trainer).get(reverse("portal:teaching")).content.decode()
    room = reverse("live:room", args=[session.pk])
    assert f'href="{room}" data-testid="join-live"' in body
    session.status = "scheduled"
    session.starts_at = timezone.now() + dt.timedelta(days=1)
    session.ends_at = session.starts_at + dt.timedelta(hours=1)
    session.save()
    body = client_for(trainer).get(reverse("portal:teaching")).content.decode()
    assert f'href="{room}" data-testid="open-live-room"' in body


def test_my_learning_leads_into_the_live_room_only_while_live(client_for, session):
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner)
    room = reverse("live:room", args=[session.pk])
    assert room in client_for(learner).get(reverse("portal:learning")).content.decode()
    session.status = "scheduled"
    session.save()
    assert room not in client_for(learner).get(reverse("portal:learning")).content.decode()


def test_waitlisted_learner_cannot_join_from_my_learning(client_for, session):
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner, status="waitlisted")
    body = client_for(learner).get(reverse("portal:learning")).content.decode()
    assert reverse("live:room", args=[session.pk]) not in body


def test_staff_are_not_on_the_learners_roster(trainer, session):
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner)
    hq = make_hq_admin()
    late = session.starts_at + dt.timedelta(minutes=30)
    for number, (person, at) in enumerate(
        [(trainer, late), (hq, late), (learner, session.starts_at)]
    ):
        PresenceInterval.objects.create(
            session=session,
            employee=person,
            connection=f"c{number}",
            joined_at=at,
            last_seen_at=at,
        )
    roster = selectors.roster(session, present={trainer.pk, hq.pk, learner.pk}, hands=[])
    assert [entry["id"] for entry in roster] == [learner.pk]
    assert roster[0]["late"] is False


def test_staff_joining_live_are_not_announced_as_roster_entries(trainer, session):
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner)
    late = timezone.now()
    changes = PresenceChanges(
        joins=[("t1", trainer.pk, late), ("l1", learner.pk, late)],
        people={trainer.pk: (trainer.name, ""), learner.pk: (learner.name, "")},
        staff={trainer.pk},
    )
    events, _written = presence_flush(session_id=session.pk, changes=changes)
    assert events[0].payload["present"] == 2  # staff count as online, not as the roster
    assert [entry["id"] for entry in events[0].staff_payload["joined"]] == [learner.pk]


def test_pages_carry_the_site_time_zone_for_the_live_clock(client_for, trainer, session):
    body = client_for(trainer).get(reverse("live:room", args=[session.pk])).content.decode()
    assert 'data-time-zone="Asia/Shanghai"' in body


def test_waitlisted_learner_reads_that_the_session_ended(client_for, session):
    learner = EmployeeFactory()
    EnrolmentFactory(session=session, learner=learner, status="waitlisted")
    detail = reverse("sessions:detail", args=[session.pk])
    assert (
        "你在候补名单中。" in client_for(learner, language="zh-hans").get(detail).content.decode()
    )
    session.status = "ended"
    session.save()
    body = client_for(learner, language="zh-hans").get(detail).content.decode()
    assert "课程已结束；候补期间没有空出名额，你未能参加。" in body
    assert "你在候补名单中。" not in body


def test_trainer_home_leads_into_the_live_room(client_for, trainer, session):
    body = client_for(trainer).get(reverse("home")).content.decode()
    assert f'href="{reverse("live:room", args=[session.pk])}" data-testid="join-live"' in body
