"""Writes of recorded playback: the recording's source, learners' progress reports, and
questions left on a recording with their answers.

Progress is what the browser really played: the server merges the reported intervals with
those stored, never counts seconds it has already counted, and never adds more new seconds
than the wall-clock time since the previous report allows at the highest speed, so seeking
ahead does not count. Completion and the attendance record follow the sessions' rule."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import Employee
from hub.organisation.permissions import employee_for
from hub.sessions import rules as session_rules
from hub.sessions.models import Enrolment, Notification, Session, SessionSettings
from hub.sessions.services import attendance_record_minutes
from live.models import Question, RecordingProgress, RecordingSource
from live.recordings import rules, selectors

MSG_NOT_LEARNER = _("Only learners enrolled in this session can do this.")
MSG_NO_RECORDING = _("This session has no recording.")
MSG_NOT_ALLOWED = _("You may not change this recording.")
MSG_ENDED_ONLY = _("A recording can be attached once the session has ended.")
MSG_BAD_REPORT = _("The playback report is not valid.")
MSG_BAD_INTERVAL = _("A played interval is not valid.")
MSG_TOO_MANY_INTERVALS = _("Too many played intervals in one report.")
MSG_BAD_SPEED = _("Unknown playback speed.")
MSG_BAD_DURATION = _("The length of the recording is not valid.")
MSG_BAD_POSITION = _("The playback position is not valid.")
MSG_QUESTION_EMPTY = _("Write your question first.")
MSG_QUESTION_LONG = _("A question can be at most %(limit)s characters.")
MSG_QUESTION_RATE = _("You are asking too fast: wait a minute and try again.")
MSG_NOT_RECORDING_QUESTION = _("This is not a question on a recording.")
MSG_ANSWER_EMPTY = _("Write the answer first.")
MSG_ANSWER_LONG = _("An answer can be at most %(limit)s characters.")

MAX_INTERVALS = 50
# Reported positions may run a little past the length the server knows (rounding).
END_TOLERANCE = 0.5
MAX_MEDIA_SECONDS = 12 * 3600
QUESTION_MAX = 500
ANSWER_MAX = 2000
QUESTIONS_PER_MINUTE = 5


# --- source --------------------------------------------------------------------------------


def recording_source_set(
    *, session: Session, actor, video=None, duration_seconds: int | None = None
) -> RecordingSource:
    """Play an ended session's recording from a library video (its trainers or HQ), with the
    media length the server then trusts for every learner's progress."""
    if not session_rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if session.status != Session.Status.ENDED:
        raise ValidationError(MSG_ENDED_ONLY)
    if duration_seconds is not None and not 0 < duration_seconds <= MAX_MEDIA_SECONDS:
        raise ValidationError(MSG_BAD_DURATION)
    with transaction.atomic():
        source, _created = RecordingSource.objects.update_or_create(
            session=session, defaults={"video": video, "duration_seconds": duration_seconds}
        )
    return source


# --- progress ------------------------------------------------------------------------------


def _enrolment(session: Session, learner: Employee) -> Enrolment:
    enrolment = Enrolment.objects.filter(
        session=session, learner=learner, status=Enrolment.Status.ENROLLED
    ).first()
    if enrolment is None:
        raise PermissionDenied(MSG_NOT_LEARNER)
    return enrolment


def _watchable(session: Session) -> None:
    if session.status == Session.Status.CANCELLED or selectors.recording_media(session) is None:
        raise ValidationError(MSG_NO_RECORDING)


def recording_progress_open(*, session: Session, learner: Employee) -> RecordingProgress:
    """An enrolled learner opens the player: their progress row (made on first visit). The
    wall clock of the next report starts now, unless a report came in lately: then it runs
    on, so the page-hide report of a page being reloaded (which reaches the server after the
    new page's request) still has the time it played in."""
    _enrolment(session, learner)
    _watchable(session)
    now = timezone.now()
    with transaction.atomic():
        progress, _created = RecordingProgress.objects.get_or_create(
            session=session, learner=learner
        )
        recent = progress.clock_at is not None and (
            0 <= (now - progress.clock_at).total_seconds() <= rules.MAX_REPORT_GAP
        )
        if not recent:
            progress.clock_at = now
            progress.save(update_fields=["clock_at", "updated_at"])
    return progress


def _number(value, message) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(message)
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(message)
    return number


def _clean_intervals(raw, media_seconds: float) -> list[rules.Interval]:
    if not isinstance(raw, list):
        raise ValidationError(MSG_BAD_REPORT)
    if len(raw) > MAX_INTERVALS:
        raise ValidationError(MSG_TOO_MANY_INTERVALS)
    intervals = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValidationError(MSG_BAD_INTERVAL)
        start, end = (_number(v, MSG_BAD_INTERVAL) for v in pair)
        if not 0 <= start < end <= media_seconds + END_TOLERANCE:
            raise ValidationError(MSG_BAD_INTERVAL)
        end = min(end, media_seconds)
        if start < end:
            intervals.append((round(start, 3), round(end, 3)))
    return intervals


def _clean_speed(raw) -> Decimal:
    speed = _number(raw, MSG_BAD_SPEED)
    if speed not in rules.SPEEDS:
        raise ValidationError(MSG_BAD_SPEED)
    return Decimal(str(speed)).quantize(Decimal("0.01"))


def _media_seconds(progress: RecordingProgress, session: Session, reported) -> float:
    """The server's length wins; else the learner's first reported length is kept."""
    source = RecordingSource.objects.filter(session=session).first()
    if source is not None and source.duration_seconds:
        return float(source.duration_seconds)
    if progress.media_seconds:
        return progress.media_seconds
    length = _number(reported, MSG_BAD_DURATION)
    if not 0 < length <= MAX_MEDIA_SECONDS:
        raise ValidationError(MSG_BAD_DURATION)
    return round(length, 3)


@dataclass(frozen=True)
class ProgressReport:
    progress: RecordingProgress
    # New media seconds this report added, and those it refused as more than the clock allows.
    added_seconds: float
    refused_seconds: float


def recording_progress_report(
    *,
    session: Session,
    learner: Employee,
    intervals,
    position,
    speed,
    duration=None,
    now=None,
) -> ProgressReport:
    """Store what an enrolled learner's player played since its previous report.

    ``intervals`` are ``[start, end]`` pairs of media seconds, ``position`` the current media
    second, ``speed`` one of ``rules.SPEEDS``, ``duration`` the player's media length (used
    only while the server knows none). Anything malformed is refused whole and nothing is
    stored. New seconds beyond ``rules.report_budget`` of the time since the previous report
    are dropped. Writes the merged intervals, watched total, position, speed and completion
    (sticky); for a live or ended session also the attendance minutes through
    ``attendance_record_minutes``, so the attendance record meets the rule with the recording.
    """
    now = now or timezone.now()
    enrolment = _enrolment(session, learner)
    _watchable(session)
    settings = SessionSettings.load()
    with transaction.atomic():
        progress = RecordingProgress.objects.select_for_update().filter(
            session=session, learner=learner
        ).first() or RecordingProgress(session=session, learner=learner)
        media = _media_seconds(progress, session, duration)
        posted = _clean_intervals(intervals, media)
        place = _number(position, MSG_BAD_POSITION)
        if not 0 <= place <= media + END_TOLERANCE:
            raise ValidationError(MSG_BAD_POSITION)
        new_speed = _clean_speed(speed)

        stored = [(s, e) for s, e in progress.intervals]
        elapsed = (now - progress.clock_at).total_seconds() if progress.clock_at else None
        accepted = rules.clip_to_budget(stored, posted, rules.report_budget(elapsed))
        merged = rules.merge_intervals([*stored, *accepted])
        wanted = rules.covered_seconds([*stored, *posted])
        watched = rules.covered_seconds(merged)
        added = watched - progress.watched_seconds

        progress.intervals = [[round(s, 3), round(e, 3)] for s, e in merged]
        progress.watched_seconds = round(watched, 3)
        progress.media_seconds = media
        progress.last_position = round(min(place, media), 3)
        progress.speed = new_speed
        progress.clock_at = now
        newly_complete = not progress.completed and rules.is_complete(
            watched_seconds=watched,
            media_seconds=media,
            completion_percent=settings.completion_percent,
        )
        if newly_complete:
            progress.completed, progress.completed_at = True, now
        progress.save()
        if (added > 0 or newly_complete) and session.status in {
            Session.Status.LIVE,
            Session.Status.ENDED,
        }:
            attendance_record_minutes(
                enrolment=enrolment,
                minutes=rules.attendance_minutes(
                    watched_seconds=watched,
                    media_seconds=media,
                    session_minutes=session.attendance_minutes,
                    completed=progress.completed,
                    completion_percent=settings.completion_percent,
                ),
            )
    return ProgressReport(
        progress=progress,
        added_seconds=round(max(added, 0.0), 3),
        refused_seconds=round(max(wanted - watched, 0.0), 3),
    )


# --- questions -----------------------------------------------------------------------------


def _rate_key(learner: Employee, now) -> str:
    return f"lectern:recording-questions:{learner.pk}:{int(now.timestamp()) // 60}"


def recording_question_ask(
    *,
    session: Session,
    learner: Employee,
    text: str,
    position_seconds,
    client_id: str = "",
) -> Question:
    """An enrolled learner leaves a question at a second of the recording. At most
    ``QUESTIONS_PER_MINUTE`` a minute; a retried ask with the same ``client_id`` is stored
    once. The session's trainers answer it later (``recording_question_answer``)."""
    _enrolment(session, learner)
    _watchable(session)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": MSG_QUESTION_EMPTY})
    if len(text) > QUESTION_MAX:
        raise ValidationError({"text": MSG_QUESTION_LONG % {"limit": QUESTION_MAX}})
    position = _number(position_seconds, MSG_BAD_POSITION)
    if not 0 <= position <= MAX_MEDIA_SECONDS:
        raise ValidationError(MSG_BAD_POSITION)
    client_id = (client_id or "")[:64]
    if client_id:
        existing = Question.objects.filter(
            session=session, author=learner, client_id=client_id
        ).first()
        if existing is not None:
            return existing
    now = timezone.now()
    key = _rate_key(learner, now)
    if cache.get(key, 0) >= QUESTIONS_PER_MINUTE:
        raise ValidationError(MSG_QUESTION_RATE)
    with transaction.atomic():
        question = Question.objects.create(
            session=session,
            author=learner,
            text=text,
            origin=Question.Origin.RECORDING,
            position_seconds=int(position),
            client_id=client_id,
            created_at=now,
        )
    cache.add(key, 0, timeout=120)
    cache.incr(key)
    return question


def recording_question_answer(*, question: Question, actor, answer: str) -> Question:
    """A trainer of the session (or HQ) answers a question left on its recording. The first
    answer notifies the learner (in the app, and by e-mail after commit); a later edit of the
    answer does not notify again."""
    session = question.session
    if not session_rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if question.origin != Question.Origin.RECORDING:
        raise ValidationError(MSG_NOT_RECORDING_QUESTION)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": MSG_ANSWER_EMPTY})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": MSG_ANSWER_LONG % {"limit": ANSWER_MAX}})
    with transaction.atomic():
        locked = Question.objects.select_for_update().select_related("author").get(pk=question.pk)
        first = not locked.answered
        locked.answer = answer
        locked.answered = True
        locked.answered_by = employee_for(actor)
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered", "answered_by", "answered_at"])
        if first:
            _notify_answer(locked, session)
    return locked


def _notify_answer(question: Question, session: Session) -> Notification:
    """The asker's in-app notification, mailed after commit (like ``hub.sessions``')."""
    notification = Notification.objects.create(
        recipient=question.author,
        kind=Notification.Kind.RECORDING_ANSWER,
        session=session,
        title=session.title,
        body=question.text[:200],
    )

    def enqueue() -> None:
        from hub.sessions.tasks import notification_emails_send

        notification_emails_send.enqueue([notification.pk])

    transaction.on_commit(enqueue)
    return notification
