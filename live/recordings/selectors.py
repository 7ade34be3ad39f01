"""Reads of recorded playback: what plays, who may watch, progress and questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from hub.organisation.models import Employee
from hub.organisation.permissions import access_for
from hub.sessions import rules as session_rules
from hub.sessions.models import Enrolment, Session
from live.models import Question, RecordingProgress, RecordingSource

# Who opens the player: an enrolled learner (tracked) or a trainer/HQ (answers questions).
LEARNER = "learner"
STAFF = "staff"


@dataclass(frozen=True)
class RecordingMedia:
    """What the player plays: a library video's stream or the session's recording link."""

    src: str
    content_type: str
    duration_seconds: int | None
    external: bool


def recording_source(session: Session) -> RecordingSource | None:
    return RecordingSource.objects.filter(session=session).first()


def recording_media(session: Session) -> RecordingMedia | None:
    source = (
        RecordingSource.objects.select_related("video")
        .only("session_id", "duration_seconds", "video__id", "video__content_type")
        .filter(session=session)
        .first()
    )
    if source is not None and source.video is not None:
        return RecordingMedia(
            src=source.video.stream_url,
            content_type=source.video.content_type,
            duration_seconds=source.duration_seconds,
            external=False,
        )
    if session.recording_url:
        return RecordingMedia(
            src=session.recording_url,
            content_type="",
            duration_seconds=source.duration_seconds if source else None,
            external=True,
        )
    return None


def player_role(user, session: Session) -> str | None:
    """``LEARNER`` for an enrolled learner, ``STAFF`` for its trainers and HQ (the training
    lead reads; answering is ``can_run_session``), else None (branch managers see the progress
    report, not the player)."""
    if access_for(user).is_hq or session_rules.is_session_trainer(user, session):
        return STAFF
    employee_id = access_for(user).employee_id
    if (
        employee_id is not None
        and Enrolment.objects.filter(
            session=session, learner_id=employee_id, status=Enrolment.Status.ENROLLED
        ).exists()
    ):
        return LEARNER
    return None


def remembered_speed(*, learner: Employee, session: Session) -> str:
    """The speed this learner last used here, else on any recording ("" when never)."""
    rows = RecordingProgress.objects.filter(learner=learner, speed__isnull=False)
    here = rows.filter(session=session).values_list("speed", flat=True).first()
    speed = (
        here
        if here is not None
        else rows.order_by("-updated_at").values_list("speed", flat=True).first()
    )
    return "" if speed is None else f"{float(speed):g}"


def my_recording_questions(*, session: Session, learner: Employee) -> QuerySet[Question]:
    return Question.objects.filter(
        session=session, author=learner, origin=Question.Origin.RECORDING
    ).order_by("-created_at", "-pk")


def recording_questions(*, session: Session) -> QuerySet[Question]:
    """Every question on the recording, unanswered first, for its trainers and HQ."""
    return (
        Question.objects.filter(session=session, origin=Question.Origin.RECORDING)
        .select_related("author__branch", "answered_by")
        .order_by("answered", "created_at", "pk")
    )


@dataclass(frozen=True)
class ProgressRow:
    learner: Employee
    progress: RecordingProgress | None


def can_see_report(user, session: Session) -> bool:
    """Trainers of the session, HQ, and managers of its branch (see ``can_see_roster``)."""
    return session_rules.can_see_roster(user, session)


def progress_report(*, user, session: Session) -> list[ProgressRow]:
    """Enrolled learners and their progress; a manager who does not teach the session sees
    only the people of their branches."""
    enrolments = (
        session.enrolments.filter(status=Enrolment.Status.ENROLLED)
        .select_related("learner__branch")
        .visible_to(user)
    )
    learners = [e.learner for e in enrolments.order_by("learner__employee_no", "pk")]
    by_learner = {
        p.learner_id: p
        for p in RecordingProgress.objects.filter(
            session=session, learner_id__in=[e.pk for e in learners]
        )
    }
    return [ProgressRow(learner=e, progress=by_learner.get(e.pk)) for e in learners]
