"""The live room page (``live:room``) and its settings form (``live:room_settings``): who may
open it, what staff see that learners don't, the video the page embeds, and the start/end
controls that come back to the page."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.sessions.models import Session
from live.models import LiveRoom
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory, make_manager
from tests.hub.sessions.helpers import live_session, make_trainer

pytestmark = pytest.mark.django_db

STAFF_PANELS = 'data-testid="staff-panels"'
SETTINGS_FORM = 'data-testid="room-settings"'
HAND_BUTTON = 'data-testid="hand-button"'
POLL_FORM = 'data-testid="poll-form"'


@pytest.fixture
def trainer(db):
    return make_trainer()


@pytest.fixture
def session(trainer):
    return live_session(trainer, mode="live_online")


def _room(session) -> str:
    return reverse("live:room", args=[session.pk])


def _settings(session) -> str:
    return reverse("live:room_settings", args=[session.pk])


def _page(client_for, employee, session) -> str:
    response = client_for(employee).get(_room(session))
    assert response.status_code == 200
    return response.content.decode()


def _config(html: str) -> dict:
    match = re.search(r'<script id="live-config" type="application/json">(.*?)</script>', html)
    assert match, "the page carries its configuration for room.js"
    return json.loads(match.group(1))


# --- who may open the page -----------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(session):
    response = Client().get(_room(session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_session_is_404(client_for, trainer):
    assert client_for(trainer).get(reverse("live:room", args=[999999])).status_code == 404


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_learner_without_a_seat_is_refused(client_for, session, status):
    learner = EnrolmentFactory(session=session, status=status).learner
    assert client_for(learner).get(_room(session)).status_code == 403


def test_learner_not_enrolled_is_refused(client_for, session):
    assert client_for(EmployeeFactory()).get(_room(session)).status_code == 403


def test_branch_manager_who_does_not_run_it_is_refused(client_for, session):
    manager = make_manager(EmployeeFactory().branch)
    assert client_for(manager).get(_room(session)).status_code == 403


def test_enrolled_learner_gets_the_learner_page(client_for, session):
    learner = EnrolmentFactory(session=session).learner
    html = _page(client_for, learner, session)
    config = _config(html)
    assert config["staff"] is False
    assert config["role"] == "learner"
    assert config["socketPath"] == f"/ws/live/{session.pk}/"
    assert config["canRun"] is False
    assert HAND_BUTTON in html
    assert 'data-testid="ask-form"' in html
    for staff_only in (STAFF_PANELS, SETTINGS_FORM, POLL_FORM, 'data-testid="run-controls"'):
        assert staff_only not in html
    # the page's scripts, in the order they depend on each other
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts[-6:] == [
        reverse("javascript-catalog"),
        "/static/live/room_dom.js",
        "/static/live/live_client.js",
        "/static/live/room_qa.js",
        "/static/live/room_polls.js",
        "/static/live/room.js",
    ]


def test_trainer_gets_the_staff_controls(client_for, session, trainer):
    html = _page(client_for, trainer, session)
    config = _config(html)
    assert config["staff"] is True
    assert config["role"] == "trainer"
    assert config["canRun"] is True
    for staff_only in (STAFF_PANELS, SETTINGS_FORM, POLL_FORM):
        assert staff_only in html
    assert HAND_BUTTON not in html
    # the live session can be ended from here, coming back to this page
    end = reverse("sessions:transition", args=[session.pk, "end"])
    assert f'action="{end}"' in html
    assert f'name="next" value="{_room(session)}"' in html
    assert 'data-testid="room-start"' not in html


def test_hq_gets_the_staff_controls(client_for, session, hq_admin):
    html = _page(client_for, hq_admin, session)
    assert _config(html)["role"] == "hq"
    assert STAFF_PANELS in html
    assert SETTINGS_FORM in html


def test_scheduled_session_offers_start_and_says_it_has_not_started(client_for, trainer):
    session = SessionFactory(trainers=[trainer], mode="live_online")
    html = _page(client_for, trainer, session)
    assert 'data-testid="room-start"' in html
    assert f'action="{reverse("sessions:transition", args=[session.pk, "start"])}"' in html
    assert "The session has not started yet." in html


def test_ended_session_page_says_so(client_for, session):
    learner = EnrolmentFactory(session=session).learner
    Session.objects.filter(pk=session.pk).update(status="ended")
    html = _page(client_for, learner, session)
    assert "The session has ended." in html
    assert _config(html)["status"] == "ended"


# --- the video -------------------------------------------------------------------------------


def _set_stream(session, url: str, kind: str) -> None:
    Session.objects.filter(pk=session.pk).update(stream_url=url)
    LiveRoom.objects.update_or_create(session=session, defaults={"stream_kind": kind})


def test_hls_stream_plays_in_a_video_with_hls_js(client_for, session, trainer):
    _set_stream(session, "https://video.example.com/live/index.m3u8", "hls")
    html = _page(client_for, trainer, session)
    assert 'data-kind="hls"' in html
    assert re.search(
        r'<video id="live-video"[^>]*data-src="https://video.example.com/live/index.m3u8"', html
    )
    assert '<script src="/static/vendor/hls.js/hls.min.js">' in html
    assert "<iframe" not in html


def test_meeting_url_is_embedded_in_a_sandboxed_iframe(client_for, session, trainer):
    _set_stream(session, "https://meet.example.com/room/42", "iframe")
    html = _page(client_for, trainer, session)
    iframe = re.search(r"<iframe [^>]*>", html).group(0)
    assert 'src="https://meet.example.com/room/42"' in iframe
    assert "sandbox=" in iframe
    assert 'allow="camera; microphone; fullscreen' in iframe
    assert "hls.min.js" not in html


def test_no_video_shows_a_placeholder(client_for, session, trainer):
    _set_stream(session, "", "none")
    html = _page(client_for, trainer, session)
    assert 'data-testid="live-video-none"' in html
    assert "<video" not in html
    assert "<iframe" not in html


def test_session_title_is_escaped(client_for, session, trainer):
    Session.objects.filter(pk=session.pk).update(title="<script>alert(1)</script>培训")
    html = _page(client_for, trainer, session)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;培训" in html


# --- settings --------------------------------------------------------------------------------

GOOD_SETTINGS = {"stream_kind": "iframe", "allow_anonymous": "", "reveal_anonymous_to_staff": "on"}


def test_trainer_saves_the_room_settings(client_for, session, trainer):
    response = client_for(trainer).post(_settings(session), GOOD_SETTINGS)
    assert response.status_code == 302
    assert response["Location"] == _room(session)
    room = LiveRoom.objects.get(session=session)
    assert (room.stream_kind, room.allow_anonymous, room.reveal_anonymous_to_staff) == (
        "iframe",
        False,
        True,
    )
    # and the form shows what was saved
    html = _page(client_for, trainer, session)
    assert '<option value="iframe" selected>' in html
    assert re.search(r'name="allow_anonymous" id="id_allow_anonymous">', html)
    assert re.search(
        r'name="reveal_anonymous_to_staff" id="id_reveal_anonymous_to_staff" checked>', html
    )


def test_hq_may_save_the_room_settings(client_for, session, hq_admin):
    assert client_for(hq_admin).post(_settings(session), GOOD_SETTINGS).status_code == 302
    assert LiveRoom.objects.get(session=session).stream_kind == "iframe"


def test_learner_and_other_trainer_cannot_save_the_settings(client_for, session):
    learner = EnrolmentFactory(session=session).learner
    for employee in (learner, make_trainer()):
        assert client_for(employee).post(_settings(session), GOOD_SETTINGS).status_code == 403
    assert not LiveRoom.objects.filter(session=session, stream_kind="iframe").exists()


def test_settings_need_a_post(client_for, session, trainer):
    assert client_for(trainer).get(_settings(session)).status_code == 405


def test_unknown_video_kind_is_refused_and_nothing_stored(client_for, session, trainer):
    client = client_for(trainer)
    response = client.post(
        _settings(session), {**GOOD_SETTINGS, "stream_kind": "flash"}, follow=True
    )
    assert response.redirect_chain[-1][0] == _room(session)
    assert "Select a valid choice." in response.content.decode()
    assert not LiveRoom.objects.filter(session=session, stream_kind="flash").exists()
    assert not LiveRoom.objects.filter(session=session, allow_anonymous=False).exists()


# --- start and end from the page -------------------------------------------------------------


def test_trainer_ends_the_session_from_the_room_and_comes_back(client_for, session, trainer):
    response = client_for(trainer).post(
        reverse("sessions:transition", args=[session.pk, "end"]), {"next": _room(session)}
    )
    assert response.status_code == 302
    assert response["Location"] == _room(session)
    session.refresh_from_db()
    assert session.status == "ended"


def test_start_from_the_room_comes_back_to_it(client_for, trainer):
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    session = SessionFactory(
        trainers=[trainer],
        mode="live_online",
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
    )
    response = client_for(trainer).post(
        reverse("sessions:transition", args=[session.pk, "start"]), {"next": _room(session)}
    )
    assert response["Location"] == _room(session)
    session.refresh_from_db()
    assert session.status == "live"


def test_transition_ignores_a_foreign_next(client_for, session, trainer):
    response = client_for(trainer).post(
        reverse("sessions:transition", args=[session.pk, "end"]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("sessions:detail", args=[session.pk])


def test_learner_cannot_end_the_session_through_the_room_form(client_for, session):
    learner = EnrolmentFactory(session=session).learner
    client_for(learner).post(
        reverse("sessions:transition", args=[session.pk, "end"]), {"next": _room(session)}
    )
    session.refresh_from_db()
    assert session.status == "live"


# --- the way in from the session page --------------------------------------------------------


def _detail(client_for, employee, session) -> str:
    response = client_for(employee).get(reverse("sessions:detail", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_session_page_offers_join_live_to_enrolled_learner_and_trainer(
    client_for, session, trainer
):
    learner = EnrolmentFactory(session=session).learner
    for employee in (learner, trainer):
        html = _detail(client_for, employee, session)
        assert 'data-testid="join-live"' in html
        assert f'href="{_room(session)}"' in html


def test_session_page_has_no_join_live_for_outsiders_or_before_it_starts(client_for, trainer):
    session = SessionFactory(trainers=[trainer], mode="live_online")
    learner = EnrolmentFactory(session=session).learner
    assert 'data-testid="join-live"' not in _detail(client_for, learner, session)
    assert 'data-testid="open-live-room"' in _detail(client_for, trainer, session)
    Session.objects.filter(pk=session.pk).update(status="live")
    waitlisted = EnrolmentFactory(session=session, status="waitlisted").learner
    assert 'data-testid="join-live"' not in _detail(client_for, waitlisted, session)
    assert 'data-testid="join-live"' in _detail(client_for, learner, session)


def test_moderator_gets_the_staff_panels_but_cannot_run_polls_or_the_session(client_for, session):
    moderator = EmployeeFactory()
    LiveRoom.objects.create(session=session).moderators.add(moderator)
    html = _page(client_for, moderator, session)
    config = _config(html)
    assert (config["role"], config["staff"], config["canRun"]) == ("moderator", True, False)
    assert STAFF_PANELS in html
    for trainer_only in (SETTINGS_FORM, POLL_FORM, 'data-testid="run-controls"'):
        assert trainer_only not in html
    assert client_for(moderator).post(_settings(session), GOOD_SETTINGS).status_code == 403


def test_in_person_session_has_no_live_room(client_for, trainer):
    session = live_session(trainer, mode="in_person")
    learner = EnrolmentFactory(session=session).learner
    assert client_for(trainer).get(_room(session)).status_code == 404
    assert client_for(trainer).post(_settings(session), GOOD_SETTINGS).status_code == 404
    assert not LiveRoom.objects.filter(session=session).exists()
    for employee in (trainer, learner):
        html = _detail(client_for, employee, session)
        assert 'data-testid="join-live"' not in html
        assert "/live/sessions/" not in html


@pytest.mark.parametrize(("minutes_ahead", "allowed"), [(60 * 24, False), (10, True)])
def test_the_room_start_button_follows_session_start(client_for, trainer, minutes_ahead, allowed):
    """The room's Start is disabled with the service's own reason exactly when
    ``session_start`` would refuse."""
    from django.core.exceptions import ValidationError
    from django.utils.html import escape

    from hub.sessions import services as session_services

    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=minutes_ahead)
    session = SessionFactory(
        trainers=[trainer],
        mode="live_online",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    html = _page(client_for, trainer, session)
    assert ('data-testid="room-start" disabled' not in html) == allowed
    if allowed:
        assert session_services.session_start(session=session, actor=trainer.user).status == "live"
    else:
        with pytest.raises(ValidationError) as caught:
            session_services.session_start(session=session, actor=trainer.user)
        assert escape(caught.value.messages[0]) in html
