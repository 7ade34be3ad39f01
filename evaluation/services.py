"""Writes of online assignments: one entry point per change, each checking who may make it."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.models import (
    MSG_MAX_BELOW_GRADES as MSG_MAX_BELOW_GRADES,  # enforced in Assignment.clean
)
from evaluation.models import Assignment, Grade, Submission
from evaluation.permissions import can_manage_assignments
from evaluation.uploads import file_extension, validate_submission_file
from hub.organisation.permissions import access_for, employee_for
from hub.sessions.models import Enrolment, Session

MSG_NOT_TRAINER = _("Only the session's trainers or HQ may manage its assignments.")
MSG_SESSION_CANCELLED = _("The session is cancelled: it takes no assignments or submissions.")
MSG_NOT_ENROLLED = _("Only learners enrolled in the session may submit.")
MSG_DEADLINE_PASSED = _("The due date has passed and this assignment does not accept late work.")
MSG_EMPTY_SUBMISSION = _("Write an answer or attach a file.")
MSG_NOT_GRADER = _("Only the session's trainers or HQ may grade.")
MSG_NOT_LATEST = _("A newer version was submitted: grade the latest version.")
MSG_SCORE_RANGE = _("The score must be between 0 and %(max)s.")

SCORE_STEP = Decimal("0.1")
ASSIGNMENT_FIELDS = ("title", "instructions", "due_at", "max_score", "allow_late")


def assignment_create(
    *,
    session: Session,
    actor,
    title: str,
    instructions: str,
    due_at: dt.datetime,
    max_score: int = 100,
    allow_late: bool = False,
) -> Assignment:
    """Attach an assignment to ``session``.

    Preconditions: ``actor`` is one of the session's trainers or HQ (else PermissionDenied);
    the session is not cancelled. Writes one ``Assignment`` (validated: title unique in the
    session, max score 1..1000).
    """
    if not can_manage_assignments(actor, session):
        raise PermissionDenied(MSG_NOT_TRAINER)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(MSG_SESSION_CANCELLED, code="session_cancelled")
    assignment = Assignment(
        session=session,
        title=title,
        instructions=instructions,
        due_at=due_at,
        max_score=max_score,
        allow_late=allow_late,
        created_by=employee_for(actor),
    )
    with transaction.atomic():
        assignment.full_clean()
        assignment.save()
    return assignment


def assignment_update(*, assignment: Assignment, actor, **changes) -> Assignment:
    """Change an assignment's title, instructions, due date, maximum score or late policy.

    Preconditions: as ``assignment_create``. Existing submissions keep their late flag (it
    records the rule at the time of submitting); the maximum cannot drop below a given score.
    """
    if not can_manage_assignments(actor, assignment.session):
        raise PermissionDenied(MSG_NOT_TRAINER)
    unknown = set(changes) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise TypeError(f"assignment_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()  # Assignment.clean refuses a maximum below a given score.
        locked.save()
    return locked


def submission_create(
    *,
    assignment: Assignment,
    actor,
    text: str = "",
    upload: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Store a new version of the actor's work on ``assignment``; it becomes the current one.

    Preconditions: ``actor`` is enrolled (status *enrolled*) in the session (else
    PermissionDenied); the session is not cancelled; the answer has text or a file; until the
    due date anyone enrolled may (re)submit, after it only if ``allow_late``, and the version
    is flagged late. The file is validated (``uploads``) before anything is written; the row
    and the file are written together: if the transaction rolls back the file is deleted.
    Locks the learner's enrolment row so two submits cannot take the same version number.
    """
    now = now or timezone.now()
    learner_id = access_for(actor).employee_id
    session = assignment.session
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(MSG_SESSION_CANCELLED, code="session_cancelled")
    text = (text or "").strip()
    if not text and upload is None:
        raise ValidationError(MSG_EMPTY_SUBMISSION, code="empty")
    kind = validate_submission_file(upload) if upload is not None else None
    is_late = not assignment.is_open(now)
    if is_late and not assignment.allow_late:
        raise ValidationError(MSG_DEADLINE_PASSED, code="deadline_passed")
    storage_name = ""
    submission = Submission(
        assignment=assignment,
        learner_id=learner_id,
        text=text,
        submitted_at=now,
        is_late=is_late,
    )
    try:
        with transaction.atomic():
            enrolment = (
                Enrolment.objects.select_for_update()
                .filter(session=session, learner_id=learner_id, status=Enrolment.Status.ENROLLED)
                .first()
                if learner_id is not None
                else None
            )
            if enrolment is None:
                raise PermissionDenied(MSG_NOT_ENROLLED)
            previous = (
                Submission.objects.filter(assignment=assignment, learner_id=learner_id)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            Submission.objects.filter(
                assignment=assignment, learner_id=learner_id, is_current=True
            ).update(is_current=False)
            submission.version = (previous or 0) + 1
            if upload is not None and kind is not None:
                # validate_submission_file made sure the extension matches the content.
                extension = file_extension(upload.name)
                submission.original_filename = (upload.name or "")[-255:]
                submission.content_type = kind.content_type
                submission.size = upload.size or 0
                upload.seek(0)
                submission.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
                storage_name = submission.file.name
            submission.full_clean()
            submission.save()
    except BaseException:
        if storage_name:
            submission.file.storage.delete(storage_name)
        raise
    return submission


def submission_grade(
    *, submission: Submission, actor, score: Decimal | int | str, feedback: str = ""
) -> Grade:
    """Grade the learner's latest version of their work (or regrade it).

    Preconditions: ``actor`` is one of the session's trainers or HQ (else PermissionDenied);
    ``submission`` is the current version (else ValidationError ``not_latest``); 0 ≤ score ≤
    the assignment's maximum. Writes (creates or replaces) the one ``Grade`` of this
    assignment and learner, pointing at the graded version.
    """
    assignment = submission.assignment
    if not can_manage_assignments(actor, assignment.session):
        raise PermissionDenied(MSG_NOT_GRADER)
    try:
        score = Decimal(str(score))
    except ArithmeticError as exc:
        raise ValidationError(
            MSG_SCORE_RANGE, code="score_range", params={"max": assignment.max_score}
        ) from exc
    if not score.is_finite() or not (0 <= score <= assignment.max_score):
        raise ValidationError(
            MSG_SCORE_RANGE, code="score_range", params={"max": assignment.max_score}
        )
    score = score.quantize(SCORE_STEP, rounding=ROUND_HALF_UP)
    grader = employee_for(actor)
    with transaction.atomic():
        current = (
            Submission.objects.select_for_update()
            .filter(assignment=assignment, learner_id=submission.learner_id, is_current=True)
            .first()
        )
        if current is None or current.pk != submission.pk:
            raise ValidationError(MSG_NOT_LATEST, code="not_latest")
        grade, _created = Grade.objects.update_or_create(
            assignment=assignment,
            learner_id=submission.learner_id,
            defaults={
                "submission": submission,
                "score": score,
                "feedback": (feedback or "").strip(),
                "graded_by": grader,
                "graded_at": timezone.now(),
            },
        )
    return grade
