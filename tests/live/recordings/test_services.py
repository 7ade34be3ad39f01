"""Recorded playback services: progress reports (clipped to the clock, idempotent, completion
and attendance by the sessions' rule, refusals storing nothing) and recording questions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hub.sessions.models import Attendance, Notification, SessionSettings
from live.models import Question, RecordingProgress
from live.recordings import rules, services
from tests.factories import EmployeeFactory, make_hq_admin, make_manager
from tests.hub.sessions.helpers import live_session, make_trainer
from tests.live.recordings.helpers import ended_recorded_session, enrol, opened

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trainer():
    return make_trainer()


@pytest.fixture
def session(trainer):
    return ended_recorded_session(trainer, duration_seconds=12)


@pytest.fixture
def learner(session):
    person = EmployeeFactory()
    enrol(session, person)
    return person


def report(session, learner, intervals, *, position=0, speed=1, duration=12, now=None):
    return services.recording_progress_report(
        session=session,
        learner=learner,
        intervals=intervals,
        position=position,
        speed=speed,
        duration=duration,
        now=now,
    )


# --- progress ------------------------------------------------------------------------------


def test_open_creates_the_row_and_starts_the_clock(session, learner):
    progress = services.recording_progress_open(session=session, learner=learner)
    assert progress.clock_at is not None
    assert abs((timezone.now() - progress.clock_at).total_seconds()) < 5
    assert RecordingProgress.objects.filter(session=session, learner=learner).count() == 1


def test_reopening_soon_after_a_report_keeps_the_clock_running(session, learner):
    earlier = opened(session, learner, seconds_ago=8).clock_at
    progress = services.recording_progress_open(session=session, learner=learner)
    assert progress.clock_at == earlier
    # The reloaded page's beacon still gets the 8 s it played (at 2x: the whole 12 s).
    assert report(session, learner, [[0, 12]]).progress.watched_seconds == 12


def test_reopening_after_a_long_pause_restarts_the_clock(session, learner):
    opened(session, learner, seconds_ago=rules.MAX_REPORT_GAP + 60)
    progress = services.recording_progress_open(session=session, learner=learner)
    assert abs((timezone.now() - progress.clock_at).total_seconds()) < 5
    assert report(session, learner, [[0, 12]]).progress.watched_seconds == pytest.approx(
        rules.REPORT_SLACK, abs=0.2
    )


def test_played_intervals_are_merged_and_counted(session, learner):
    opened(session, learner, seconds_ago=60)
    result = report(session, learner, [[0, 3], [2, 5], [8, 9]], position=9, speed=1.5)
    progress = result.progress
    assert progress.intervals == [[0, 5], [8, 9]]
    assert progress.watched_seconds == 6
    assert progress.last_position == 9
    assert float(progress.speed) == 1.5
    assert progress.media_seconds == 12
    assert result.added_seconds == 6
    assert not progress.completed


def test_seeking_ahead_is_clipped_to_the_wall_clock(session, learner):
    opened(session, learner, seconds_ago=2)
    result = report(session, learner, [[0, 12]], position=12)
    budget = rules.report_budget(2)
    assert result.progress.watched_seconds == pytest.approx(budget, abs=0.2)
    assert result.refused_seconds == pytest.approx(12 - budget, abs=0.2)
    assert not result.progress.completed


def test_a_report_without_an_opened_player_gets_only_the_slack(session, learner):
    result = report(session, learner, [[0, 12]])
    assert result.progress.watched_seconds == rules.REPORT_SLACK


def test_a_long_gap_does_not_buy_the_whole_recording(trainer):
    session = ended_recorded_session(trainer, duration_seconds=3600)
    learner = EmployeeFactory()
    enrol(session, learner)
    opened(session, learner, seconds_ago=86_400)
    result = report(session, learner, [[0, 3600]], duration=3600)
    assert result.progress.watched_seconds == rules.report_budget(rules.MAX_REPORT_GAP)


def test_reposting_the_same_intervals_never_adds_time(session, learner):
    opened(session, learner, seconds_ago=60)
    first = report(session, learner, [[0, 5]])
    again = report(session, learner, [[0, 5]], now=timezone.now() + dt.timedelta(seconds=30))
    assert first.progress.watched_seconds == again.progress.watched_seconds == 5
    assert again.added_seconds == 0
    assert again.progress.intervals == [[0, 5]]


def test_completion_follows_the_completion_rule(session, learner):
    SessionSettings.objects.update_or_create(pk=1, defaults={"completion_percent": 80})
    opened(session, learner, seconds_ago=60)
    assert not report(session, learner, [[0, 9.5]]).progress.completed
    now = timezone.now() + dt.timedelta(seconds=10)
    progress = report(session, learner, [[9.5, 9.6]], now=now).progress
    assert progress.completed and progress.completed_at == now


def test_a_lower_completion_share_completes_earlier(session, learner):
    SessionSettings.objects.update_or_create(pk=1, defaults={"completion_percent": 50})
    opened(session, learner, seconds_ago=60)
    assert report(session, learner, [[0, 6]]).progress.completed


def test_attendance_follows_the_recording(session, learner):
    SessionSettings.objects.update_or_create(pk=1, defaults={"completion_percent": 80})
    opened(session, learner, seconds_ago=60)
    report(session, learner, [[0, 6]])
    attendance = Attendance.objects.get(enrolment__learner=learner, enrolment__session=session)
    assert (attendance.minutes_present, attendance.status, attendance.completed) == (
        30,
        Attendance.Status.PARTIAL,
        False,
    )
    report(session, learner, [[6, 12]], now=timezone.now() + dt.timedelta(seconds=30))
    attendance.refresh_from_db()
    assert (attendance.minutes_present, attendance.completed) == (60, True)
    assert attendance.status == Attendance.Status.PRESENT


def test_a_scheduled_session_tracks_progress_but_no_attendance(trainer):
    session = ended_recorded_session(trainer, duration_seconds=12)
    session.status = "scheduled"
    session.save(update_fields=["status"])
    learner = EmployeeFactory()
    enrol(session, learner)
    opened(session, learner, seconds_ago=60)
    assert report(session, learner, [[0, 12]]).progress.completed
    assert not Attendance.objects.filter(enrolment__learner=learner).exists()


def test_a_live_session_with_a_recording_link_records_attendance(trainer):
    session = live_session(trainer, minutes=60, recording_url="https://video.example.com/a.mp4")
    learner = EmployeeFactory()
    enrol(session, learner)
    opened(session, learner, seconds_ago=60)
    # No server length: the player's first reported length is kept.
    report(session, learner, [[0, 30]], duration=60)
    progress = report(
        session, learner, [[30, 50]], duration=5, now=timezone.now() + dt.timedelta(seconds=20)
    ).progress
    assert progress.media_seconds == 60
    assert Attendance.objects.get(enrolment__learner=learner).minutes_present == 50


@pytest.mark.parametrize(
    ("intervals", "extra"),
    [
        ([[5, 3]], {}),
        ([[-1, 3]], {}),
        ([[0, 13]], {}),
        ([[0, float("nan")]], {}),
        ([[0, float("inf")]], {}),
        ([["0", "3"]], {}),
        ([[True, 3]], {}),
        ([[0, 1, 2]], {}),
        ("0-3", {}),
        ([[i, i + 0.1] for i in range(services.MAX_INTERVALS + 1)], {}),
        ([[0, 3]], {"speed": 3}),
        ([[0, 3]], {"speed": 0.6}),
        ([[0, 3]], {"position": 20}),
        ([[0, 3]], {"position": -1}),
        ([[0, 3]], {"position": float("nan")}),
    ],
)
def test_bad_reports_are_refused_and_store_nothing(session, learner, intervals, extra):
    with pytest.raises(ValidationError):
        report(session, learner, intervals, **extra)
    assert not RecordingProgress.objects.filter(learner=learner).exists()
    assert not Attendance.objects.filter(enrolment__learner=learner).exists()


def test_a_refused_report_leaves_stored_progress_alone(session, learner):
    opened(session, learner, seconds_ago=60)
    before = report(session, learner, [[0, 4]], position=4, speed=1.25).progress
    with pytest.raises(ValidationError):
        report(session, learner, [[4, 8], [9, 7]], position=8, speed=2)
    after = RecordingProgress.objects.get(pk=before.pk)
    assert (after.intervals, after.watched_seconds, after.last_position, float(after.speed)) == (
        [[0, 4]],
        4,
        4,
        1.25,
    )


def test_an_unknown_length_must_be_reported_sanely(trainer):
    session = ended_recorded_session(trainer)
    learner = EmployeeFactory()
    enrol(session, learner)
    for duration in (None, 0, -5, float("nan"), services.MAX_MEDIA_SECONDS + 1):
        with pytest.raises(ValidationError):
            report(session, learner, [], duration=duration)
    assert not RecordingProgress.objects.exists()


def test_only_enrolled_learners_report(session, learner, trainer):
    waitlisted = EmployeeFactory()
    enrol(session, waitlisted, status="waitlisted")
    for person in (EmployeeFactory(), waitlisted, trainer, make_hq_admin()):
        with pytest.raises(PermissionDenied):
            report(session, person, [[0, 1]])
    assert not RecordingProgress.objects.exists()


def test_a_session_without_recording_refuses(trainer):
    session = ended_recorded_session(trainer, recording_url="")
    learner = EmployeeFactory()
    enrol(session, learner)
    with pytest.raises(ValidationError):
        services.recording_progress_open(session=session, learner=learner)
    assert not RecordingProgress.objects.exists()


def test_source_is_set_by_trainers_of_ended_sessions_only(session, trainer):
    source = services.recording_source_set(session=session, actor=trainer.user, duration_seconds=90)
    assert source.duration_seconds == 90
    with pytest.raises(PermissionDenied):
        services.recording_source_set(
            session=session, actor=EmployeeFactory().user, duration_seconds=5
        )
    source.refresh_from_db()
    assert source.duration_seconds == 90


# --- questions -----------------------------------------------------------------------------


def ask(session, learner, text="第三步怎么说?", position=42.7, client_id=""):
    return services.recording_question_ask(
        session=session, learner=learner, text=text, position_seconds=position, client_id=client_id
    )


def test_a_learner_asks_at_a_position(session, learner):
    question = ask(session, learner, text="  为什么要先问预算? ")
    assert (question.origin, question.position_seconds, question.text) == (
        Question.Origin.RECORDING,
        42,
        "为什么要先问预算?",
    )
    assert question.author == learner and not question.answered


@pytest.mark.parametrize("text", ["", "   ", "问" * (services.QUESTION_MAX + 1)])
def test_empty_or_long_questions_are_refused(session, learner, text):
    with pytest.raises(ValidationError):
        ask(session, learner, text=text)
    assert not Question.objects.exists()


def test_a_question_of_exactly_the_limit_is_accepted(session, learner):
    assert len(ask(session, learner, text="问" * services.QUESTION_MAX).text) == 500


def test_questions_are_rate_limited(session, learner):
    for n in range(services.QUESTIONS_PER_MINUTE):
        ask(session, learner, text=f"问题 {n}")
    with pytest.raises(ValidationError):
        ask(session, learner, text="one too many")
    assert Question.objects.filter(author=learner).count() == services.QUESTIONS_PER_MINUTE


def test_a_retried_ask_is_stored_once(session, learner):
    first = ask(session, learner, client_id="abc")
    assert ask(session, learner, client_id="abc") == first
    assert Question.objects.count() == 1


def test_others_cannot_ask(session, trainer):
    for person in (EmployeeFactory(), trainer):
        with pytest.raises(PermissionDenied):
            ask(session, person)
    assert not Question.objects.exists()


def test_the_trainer_answers_and_the_learner_is_notified(
    session, learner, trainer, django_capture_on_commit_callbacks
):
    learner.user.email = "learner@example.com"
    learner.user.save(update_fields=["email"])
    question = ask(session, learner)
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.recording_question_answer(
            question=question, actor=trainer.user, answer="先了解需求再推荐。"
        )
    assert answered.answered and answered.answer == "先了解需求再推荐。"
    assert answered.answered_by == trainer and answered.answered_at is not None
    notification = Notification.objects.get(recipient=learner)
    assert notification.kind == Notification.Kind.RECORDING_ANSWER
    assert notification.session == session and "第三步怎么说" in notification.body
    assert [m.to for m in mail.outbox] == [["learner@example.com"]]
    assert "第三步怎么说" in mail.outbox[0].body


def test_editing_an_answer_does_not_notify_again(session, learner, trainer):
    question = ask(session, learner)
    services.recording_question_answer(question=question, actor=trainer.user, answer="一")
    services.recording_question_answer(question=question, actor=trainer.user, answer="二")
    question.refresh_from_db()
    assert question.answer == "二"
    assert Notification.objects.filter(recipient=learner).count() == 1


def test_hq_may_answer(session, learner):
    question = ask(session, learner)
    services.recording_question_answer(question=question, actor=make_hq_admin().user, answer="好")
    assert Notification.objects.filter(recipient=learner).count() == 1


def test_learners_and_managers_cannot_answer(session, learner):
    question = ask(session, learner)
    other = EmployeeFactory()
    enrol(session, other)
    for actor in (learner, other, make_manager(learner.branch)):
        with pytest.raises(PermissionDenied):
            services.recording_question_answer(question=question, actor=actor.user, answer="x")
    question.refresh_from_db()
    assert not question.answered and question.answer == ""
    assert not Notification.objects.exists()


def test_empty_answers_and_live_questions_are_refused(session, learner, trainer):
    question = ask(session, learner)
    with pytest.raises(ValidationError):
        services.recording_question_answer(question=question, actor=trainer.user, answer="  ")
    live = Question.objects.create(session=session, author=learner, text="live")
    with pytest.raises(ValidationError):
        services.recording_question_answer(question=live, actor=trainer.user, answer="ok")
    assert not Notification.objects.exists()
