"""Recorded-session pages: who may open the player, post progress, ask and answer; the
progress report's scope; links from the session pages; escaping; CSRF for the beacon form."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hub.sessions.models import Notification
from library.video.models import Video
from live.models import Question, RecordingProgress, RecordingSource
from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager
from tests.hub.sessions.helpers import make_trainer
from tests.live.recordings.helpers import ended_recorded_session, enrol, opened

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def trainer():
    return make_trainer()


@pytest.fixture
def session(trainer, branch):
    return ended_recorded_session(trainer, duration_seconds=12, branch=branch)


@pytest.fixture
def learner(session, branch):
    person = EmployeeFactory(branch=branch)
    enrol(session, person)
    return person


def player(session):
    return reverse("live:recording", args=[session.pk])


def progress_url(session):
    return reverse("live:recording_progress", args=[session.pk])


def post_progress(client, session, **payload):
    body = {"intervals": [[0, 2]], "position": 2, "speed": 1, "duration": 12, **payload}
    return client.post(progress_url(session), {"payload": json.dumps(body)})


# --- player --------------------------------------------------------------------------------


def test_the_learner_gets_the_player_resumed_at_the_last_position(client_for, session, learner):
    video = Video.objects.create(title="回放", file="video/x.webm", content_type="video/webm")
    RecordingSource.objects.filter(session=session).update(video=video)
    RecordingProgress.objects.create(
        session=session, learner=learner, last_position=7.25, speed="1.50"
    )
    response = client_for(learner).get(player(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-src="{video.stream_url}"' in html and 'data-type="video/webm"' in html
    assert 'data-position="7.25"' in html and 'data-speed="1.5"' in html
    assert 'data-track="1"' in html
    for speed in ("0.5", "0.75", "1", "1.25", "1.5", "2"):
        assert f'data-speed="{speed}"' in html
    assert RecordingProgress.objects.get(learner=learner).clock_at is not None


def test_the_speed_used_on_another_recording_is_the_default(client_for, session, learner, trainer):
    other = ended_recorded_session(trainer, duration_seconds=30)
    RecordingProgress.objects.create(session=other, learner=learner, speed="2.00")
    html = client_for(learner).get(player(session)).content.decode()
    assert 'data-speed="2"' in html


def test_a_recording_link_without_a_video_plays_the_link(client_for, session, learner):
    html = client_for(learner).get(player(session)).content.decode()
    assert f'data-src="{session.recording_url}"' in html
    assert "Open the recording link" in html
    # The player says so when the source fails instead of spinning (static/live/player.js).
    assert 'id="player-error"' in html and "data-msg-load-failed=" in html


def test_another_learner_of_the_branch_is_refused(client_for, session, learner, branch):
    stranger = EmployeeFactory(branch=branch)
    client = client_for(stranger)
    assert client.get(player(session)).status_code == 403
    assert post_progress(client, session).status_code == 403
    assert not RecordingProgress.objects.filter(learner=stranger).exists()


def test_a_learner_of_another_branch_gets_404(client_for, session):
    outsider = EmployeeFactory(branch=BranchFactory())
    assert client_for(outsider).get(player(session)).status_code == 404
    assert post_progress(client_for(outsider), session).status_code == 404


def test_waitlisted_and_cancelled_enrolments_are_refused(client_for, session, branch):
    for status in ("waitlisted", "cancelled"):
        person = EmployeeFactory(branch=branch)
        enrol(session, person, status=status)
        assert client_for(person).get(player(session)).status_code == 403
    assert not RecordingProgress.objects.exists()


def test_no_recording_is_404(client_for, trainer, branch):
    session = ended_recorded_session(trainer, recording_url="", branch=branch)
    person = EmployeeFactory(branch=branch)
    enrol(session, person)
    assert client_for(person).get(player(session)).status_code == 404


def test_a_manager_sees_the_report_not_the_player(client_for, session, learner, branch):
    manager = make_manager(branch)
    assert client_for(manager).get(player(session)).status_code == 403
    report = client_for(manager).get(reverse("live:recording_report", args=[session.pk]))
    assert report.status_code == 200
    assert learner.name in report.content.decode()


def test_a_manager_of_a_company_wide_session_sees_only_their_people(client_for, trainer):
    session = ended_recorded_session(trainer, duration_seconds=12)
    mine, theirs = BranchFactory(), BranchFactory()
    my_learner = EmployeeFactory(branch=mine, name="本店学员")
    other_learner = EmployeeFactory(branch=theirs, name="外店学员")
    enrol(session, my_learner)
    enrol(session, other_learner)
    opened(session, my_learner)
    RecordingProgress.objects.filter(learner=my_learner).update(watched_seconds=6, media_seconds=12)
    html = (
        client_for(make_manager(mine))
        .get(reverse("live:recording_report", args=[session.pk]))
        .content.decode()
    )
    assert "本店学员" in html and "50%" in html
    assert "外店学员" not in html
    staff = client_for(trainer).get(reverse("live:recording_report", args=[session.pk]))
    assert "外店学员" in staff.content.decode()


def test_learners_cannot_see_the_report(client_for, session, learner):
    url = reverse("live:recording_report", args=[session.pk])
    assert client_for(learner).get(url).status_code == 403


# --- progress ------------------------------------------------------------------------------


def test_progress_is_stored_and_returned(client_for, session, learner):
    client = client_for(learner)
    client.get(player(session))
    opened(session, learner, seconds_ago=30)
    response = post_progress(client, session, intervals=[[0, 4], [3, 6]], position=6, speed=2)
    assert response.status_code == 200
    data = response.json()
    assert data["watched_seconds"] == 6 and data["watched_percent"] == 50
    assert data["speed"] == 2 and data["position"] == 6 and not data["completed"]
    progress = RecordingProgress.objects.get(learner=learner)
    assert progress.intervals == [[0, 6]]


@pytest.mark.parametrize("payload", ["", "not json", "[1, 2]", json.dumps({"intervals": "x"})])
def test_bad_progress_bodies_are_400_and_store_nothing(client_for, session, learner, payload):
    response = client_for(learner).post(progress_url(session), {"payload": payload})
    assert response.status_code == 400
    assert "error" in response.json()
    assert not RecordingProgress.objects.exists()


def test_an_oversized_report_is_refused_unread(client_for, session, learner):
    response = client_for(learner).post(progress_url(session), {"payload": "x" * 20_000})
    assert response.status_code == 413
    assert not RecordingProgress.objects.exists()


def test_progress_needs_post(client_for, session, learner):
    assert client_for(learner).get(progress_url(session)).status_code == 405


def test_the_beacon_form_passes_csrf_with_the_token_in_the_body(session, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner.user)
    page = client.get(player(session))
    token = page.context["csrf_token"]
    body = {"payload": json.dumps({"intervals": [], "position": 7, "speed": 1, "duration": 12})}
    assert client.post(progress_url(session), body).status_code == 403
    # opening the player made the row; the refused beacon moved nothing
    assert RecordingProgress.objects.get(session=session, learner=learner).last_position == 0
    ok = client.post(progress_url(session), {**body, "csrfmiddlewaretoken": str(token)})
    assert ok.status_code == 200
    progress = RecordingProgress.objects.get(session=session, learner=learner)
    assert progress.last_position == 7


# --- questions and answers ------------------------------------------------------------------


def ask(client, session, text="第二步怎么开口?", position="31.8", json_reply=True):
    headers = {"Accept": "application/json"} if json_reply else {}
    return client.post(
        reverse("live:recording_questions", args=[session.pk]),
        {"text": text, "position": position},
        headers=headers,
    )


def test_a_learner_asks_and_sees_the_question_escaped(client_for, session, learner):
    client = client_for(learner)
    response = ask(client, session, text="<script>alert(1)</script> 怎么办?")
    assert response.status_code == 201
    assert response.json()["position"] == 31
    question = Question.objects.get()
    assert question.origin == "recording" and question.author == learner
    html = client.get(player(session)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 怎么办?" in html
    assert "<script>alert(1)" not in html


def test_a_plain_form_ask_redirects_back(client_for, session, learner):
    response = ask(client_for(learner), session, json_reply=False)
    assert response.status_code == 302
    assert response["Location"] == player(session) + "#questions"
    assert Question.objects.count() == 1


def test_a_bad_ask_is_400_and_stores_nothing(client_for, session, learner):
    client = client_for(learner)
    assert ask(client, session, text="").status_code == 400
    assert ask(client, session, text="x" * 501).status_code == 400
    assert ask(client, session, position="nan").status_code == 400
    assert not Question.objects.exists()


def test_the_sixth_question_in_a_minute_is_refused(client_for, session, learner):
    client = client_for(learner)
    for n in range(5):
        assert ask(client, session, text=f"问题{n}").status_code == 201
    response = ask(client, session, text="问题6")
    assert response.status_code == 400 and "too fast" in response.json()["error"]
    assert Question.objects.count() == 5


def test_others_cannot_ask(client_for, session, learner, branch, trainer):
    assert ask(client_for(EmployeeFactory(branch=branch)), session).status_code == 403
    assert ask(client_for(trainer), session).status_code == 403
    assert not Question.objects.exists()


def test_a_learner_sees_only_their_own_questions(client_for, session, learner, branch):
    other = EmployeeFactory(branch=branch)
    enrol(session, other)
    ask(client_for(other), session, text="别人的问题")
    ask(client_for(learner), session, text="我的问题")
    html = client_for(learner).get(player(session)).content.decode()
    assert "我的问题" in html and "别人的问题" not in html


def test_the_trainer_sees_all_questions_and_answers_one(client_for, session, learner, trainer):
    ask(client_for(learner), session, text="预算怎么问?")
    question = Question.objects.get()
    client = client_for(trainer)
    html = client.get(player(session)).content.decode()
    assert "预算怎么问?" in html and learner.name in html
    assert 'data-track="0"' in html
    url = reverse("live:recording_answer", args=[question.pk])
    response = client.post(url, {"answer": "先问使用场景。"})
    assert response.status_code == 302
    assert response["Location"] == player(session) + f"#q-{question.pk}"
    question.refresh_from_db()
    assert question.answer == "先问使用场景。" and question.answered_by == trainer
    notification = Notification.objects.get(recipient=learner)
    assert notification.kind == "recording_answer"
    notifications = client_for(learner).get(reverse("sessions:notifications")).content.decode()
    assert "Your question on a recording was answered" in notifications
    assert "预算怎么问?" in notifications
    learner_html = client_for(learner).get(player(session)).content.decode()
    assert "先问使用场景。" in learner_html


def test_a_learner_cannot_answer(client_for, session, learner, branch):
    ask(client_for(learner), session)
    question = Question.objects.get()
    other = EmployeeFactory(branch=branch)
    enrol(session, other)
    for person in (learner, other, make_manager(branch)):
        response = client_for(person).post(
            reverse("live:recording_answer", args=[question.pk]), {"answer": "我来答"}
        )
        assert response.status_code == 403
    question.refresh_from_db()
    assert not question.answered and not Notification.objects.exists()


def test_answering_an_invisible_or_live_question_is_404(client_for, session, learner, trainer):
    live = Question.objects.create(session=session, author=learner, text="live")
    url = reverse("live:recording_answer", args=[live.pk])
    assert client_for(trainer).post(url, {"answer": "x"}).status_code == 404
    ask(client_for(learner), session)
    question = Question.objects.get(origin="recording")
    outsider_trainer = make_trainer(branch=BranchFactory())
    url = reverse("live:recording_answer", args=[question.pk])
    assert client_for(outsider_trainer).post(url, {"answer": "x"}).status_code == 404
    hq = client_for(make_hq_admin()).post(url, {"answer": "好"})
    assert hq.status_code == 302


# --- links ---------------------------------------------------------------------------------


def test_session_pages_link_to_the_player(client_for, session, learner):
    client = client_for(learner)
    detail = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert f'href="{player(session)}"' in detail
    learning = client.get(reverse("portal:learning")).content.decode()
    assert f'href="{player(session)}"' in learning


def test_a_video_only_recording_is_linked_from_the_detail_page(client_for, trainer, branch):
    session = ended_recorded_session(trainer, recording_url="", branch=branch)
    video = Video.objects.create(title="回放", file="video/x.webm", content_type="video/webm")
    RecordingSource.objects.create(session=session, video=video, duration_seconds=12)
    person = EmployeeFactory(branch=branch)
    enrol(session, person)
    detail = client_for(person).get(reverse("sessions:detail", args=[session.pk]))
    assert f'href="{player(session)}"' in detail.content.decode()


# --- source --------------------------------------------------------------------------------


def test_the_trainer_plays_a_library_video_as_the_recording(client_for, session, trainer):
    video = Video.objects.create(title="回放视频", file="video/x.webm", content_type="video/webm")
    url = reverse("live:recording_source", args=[session.pk])
    client = client_for(trainer)
    assert "回放视频" in client.get(url).content.decode()
    response = client.post(url, {"video": video.pk, "duration_seconds": "95"})
    assert response.status_code == 302 and response["Location"] == player(session)
    source = RecordingSource.objects.get(session=session)
    assert (source.video, source.duration_seconds) == (video, 95)
    detail = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    assert f'href="{url}"' in detail


def test_learners_and_managers_cannot_choose_the_video(client_for, session, learner, branch):
    video = Video.objects.create(title="回放", file="video/x.webm", content_type="video/webm")
    url = reverse("live:recording_source", args=[session.pk])
    for person in (learner, make_manager(branch)):
        client = client_for(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"video": video.pk}).status_code == 403
    assert RecordingSource.objects.get(session=session).video is None


def test_a_video_cannot_play_for_a_session_that_has_not_ended(client_for, trainer, branch):
    session = ended_recorded_session(trainer, branch=branch)
    session.status = "live"
    session.save(update_fields=["status"])
    video = Video.objects.create(title="回放", file="video/x.webm", content_type="video/webm")
    url = reverse("live:recording_source", args=[session.pk])
    response = client_for(trainer).post(url, {"video": video.pk})
    assert response.status_code == 200
    assert "once the session has ended" in response.content.decode()
    assert not RecordingSource.objects.filter(session=session).exists()
