"""evaluation.services: who may create, submit and grade, deadlines, versions, stored files."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from evaluation import services
from evaluation.models import Assignment, Grade, Submission
from hub.sessions.models import Enrolment, Session
from tests.evaluation.helpers import (
    PDF_BYTES,
    docx_upload,
    enrol,
    make_assignment,
    make_session,
    make_trainer,
    upload,
)
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def create(session, actor, **kwargs):
    fields = {
        "title": "案例分析",
        "instructions": "分析客户需求。",
        "due_at": timezone.now() + dt.timedelta(days=7),
        "max_score": 100,
    }
    fields.update(kwargs)
    return services.assignment_create(session=session, actor=actor.user, **fields)


# --- assignment_create / assignment_update ----------------------------------------------


def test_session_trainer_creates_an_assignment(session, trainer):
    assignment = create(session, trainer, allow_late=True)
    assert assignment.session == session
    assert assignment.created_by == trainer
    assert assignment.allow_late


def test_hq_creates_an_assignment(session, hq_admin):
    assert create(session, hq_admin).created_by == hq_admin


def test_trainer_of_another_session_may_not_create(session):
    other = make_trainer()
    with pytest.raises(PermissionDenied):
        create(session, other)
    assert not Assignment.objects.exists()


@pytest.mark.usefixtures("enrolled")
def test_learner_and_manager_may_not_create(session, learner, manager):
    for actor in (learner, manager):
        with pytest.raises(PermissionDenied):
            create(session, actor)


def test_cancelled_session_takes_no_assignment(trainer):
    session = make_session(trainers=[trainer], status=Session.Status.CANCELLED)
    with pytest.raises(ValidationError) as caught:
        create(session, trainer)
    assert caught.value.code == "session_cancelled"


@pytest.mark.parametrize(("max_score", "ok"), [(0, False), (1, True), (1000, True), (1001, False)])
def test_max_score_range(session, trainer, max_score, ok):
    if ok:
        assert create(session, trainer, max_score=max_score).max_score == max_score
    else:
        with pytest.raises(ValidationError):
            create(session, trainer, max_score=max_score)


def test_title_is_unique_within_a_session(session, trainer):
    create(session, trainer)
    with pytest.raises(ValidationError):
        create(session, trainer)


def test_update_by_trainer_and_refused_to_others(session, trainer, learner):
    assignment = create(session, trainer)
    new_due = timezone.now() + dt.timedelta(days=10)
    updated = services.assignment_update(
        assignment=assignment, actor=trainer.user, due_at=new_due, allow_late=True
    )
    assert updated.due_at == new_due and updated.allow_late
    with pytest.raises(PermissionDenied):
        services.assignment_update(assignment=assignment, actor=learner.user, title="x")


def test_max_score_cannot_drop_below_a_given_score(session, trainer, enrolled):
    assignment = create(session, trainer)
    submission = services.submission_create(assignment=assignment, actor=enrolled.user, text="答")
    services.submission_grade(submission=submission, actor=trainer.user, score=80)
    with pytest.raises(ValidationError):
        services.assignment_update(assignment=assignment, actor=trainer.user, max_score=50)
    assert (
        services.assignment_update(
            assignment=assignment, actor=trainer.user, max_score=80
        ).max_score
        == 80
    )


# --- submission_create ------------------------------------------------------------------


def test_enrolled_learner_submits_text(session, enrolled):
    assignment = make_assignment(session)
    submission = services.submission_create(assignment=assignment, actor=enrolled.user, text="答案")
    assert (submission.version, submission.is_current, submission.is_late) == (1, True, False)
    assert submission.learner == enrolled


def test_resubmission_keeps_history_and_latest_is_current(session, enrolled):
    assignment = make_assignment(session)
    for text in ("第一版", "第二版", "第三版"):
        services.submission_create(assignment=assignment, actor=enrolled.user, text=text)
    rows = list(
        Submission.objects.filter(assignment=assignment)
        .order_by("version")
        .values_list("version", "text", "is_current")
    )
    assert rows == [(1, "第一版", False), (2, "第二版", False), (3, "第三版", True)]


@pytest.mark.parametrize("status", [Enrolment.Status.WAITLISTED, Enrolment.Status.CANCELLED, None])
def test_only_enrolled_learners_submit(session, learner, status):
    if status:
        enrol(session, learner, status)
    assignment = make_assignment(session)
    with pytest.raises(PermissionDenied):
        services.submission_create(assignment=assignment, actor=learner.user, text="答")
    assert not Submission.objects.exists()


def test_trainer_cannot_submit(session, trainer):
    assignment = make_assignment(session)
    with pytest.raises(PermissionDenied):
        services.submission_create(assignment=assignment, actor=trainer.user, text="答")


def test_empty_submission_is_refused(session, enrolled):
    with pytest.raises(ValidationError) as caught:
        services.submission_create(assignment=make_assignment(session), actor=enrolled.user)
    assert caught.value.code == "empty"


def test_submission_at_the_due_instant_is_on_time(session, enrolled):
    assignment = make_assignment(session)
    submission = services.submission_create(
        assignment=assignment, actor=enrolled.user, text="答", now=assignment.due_at
    )
    assert not submission.is_late


def test_after_the_due_date_submission_is_refused(session, enrolled):
    assignment = make_assignment(session, due_in=-dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as caught:
        services.submission_create(assignment=assignment, actor=enrolled.user, text="答")
    assert caught.value.code == "deadline_passed"
    assert not Submission.objects.exists()


def test_resubmission_after_the_due_date_is_refused(session, enrolled):
    assignment = make_assignment(session)
    services.submission_create(assignment=assignment, actor=enrolled.user, text="v1")
    with pytest.raises(ValidationError):
        services.submission_create(
            assignment=assignment,
            actor=enrolled.user,
            text="v2",
            now=assignment.due_at + dt.timedelta(seconds=1),
        )
    assert Submission.objects.get().version == 1


def test_allow_late_accepts_and_flags_late(session, enrolled):
    assignment = make_assignment(session, due_in=-dt.timedelta(days=1), allow_late=True)
    submission = services.submission_create(assignment=assignment, actor=enrolled.user, text="迟交")
    assert submission.is_late


def test_cancelled_session_takes_no_submission(trainer, learner):
    session = make_session(trainers=[trainer], status=Session.Status.CANCELLED)
    enrol(session, learner)
    with pytest.raises(ValidationError):
        services.submission_create(
            assignment=make_assignment(session), actor=learner.user, text="答"
        )


def test_file_is_stored_privately_with_its_metadata(session, enrolled, private_media):
    assignment = make_assignment(session)
    submission = services.submission_create(
        assignment=assignment, actor=enrolled.user, upload=docx_upload("学习总结.docx")
    )
    assert submission.original_filename == "学习总结.docx"
    assert submission.content_type.endswith("wordprocessingml.document")
    assert submission.size == docx_upload().size
    assert submission.file.name.endswith(".docx")
    assert "学习总结" not in submission.file.name  # stored under a generated name
    (stored,) = stored_files(private_media)
    assert stored.read_bytes()[:2] == b"PK"


def test_bad_file_stores_nothing(session, enrolled, private_media):
    assignment = make_assignment(session)
    with pytest.raises(ValidationError) as caught:
        services.submission_create(
            assignment=assignment,
            actor=enrolled.user,
            text="附件见下",
            upload=upload("report.pdf", b"not really a pdf"),
        )
    assert caught.value.code == "extension_mismatch"
    assert not Submission.objects.exists()
    assert stored_files(private_media) == []


def test_oversize_file_stores_nothing(session, enrolled, private_media, settings):
    settings.LECTERN_SUBMISSION_MAX_BYTES = len(PDF_BYTES) - 1
    with pytest.raises(ValidationError) as caught:
        services.submission_create(
            assignment=make_assignment(session),
            actor=enrolled.user,
            upload=upload("report.pdf", PDF_BYTES),
        )
    assert caught.value.code == "too_big"
    assert not Submission.objects.exists()
    assert stored_files(private_media) == []


def test_stored_file_is_deleted_when_the_transaction_rolls_back(
    session, enrolled, private_media, monkeypatch
):
    def fail(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Submission, "save", fail)
    with pytest.raises(RuntimeError):
        services.submission_create(
            assignment=make_assignment(session), actor=enrolled.user, upload=docx_upload()
        )
    assert not Submission.objects.exists()
    assert stored_files(private_media) == []


def test_not_enrolled_with_a_file_stores_nothing(session, learner, private_media):
    with pytest.raises(PermissionDenied):
        services.submission_create(
            assignment=make_assignment(session), actor=learner.user, upload=docx_upload()
        )
    assert stored_files(private_media) == []


# --- submission_grade -------------------------------------------------------------------


@pytest.fixture
def submission(session, enrolled):
    assignment = make_assignment(session, max_score=10)
    return services.submission_create(assignment=assignment, actor=enrolled.user, text="答")


@pytest.mark.parametrize("score", [0, 10, "9.5"])
def test_trainer_grades_within_range(submission, trainer, score):
    grade = services.submission_grade(
        submission=submission, actor=trainer.user, score=score, feedback=" 很好 "
    )
    assert grade.score == Decimal(str(score))
    assert grade.feedback == "很好"
    assert grade.graded_by == trainer
    assert grade.submission == submission


@pytest.mark.parametrize("score", [-1, "10.1", 11, "NaN", "abc"])
def test_score_outside_range_is_refused(submission, trainer, score):
    with pytest.raises(ValidationError) as caught:
        services.submission_grade(submission=submission, actor=trainer.user, score=score)
    assert caught.value.code == "score_range"
    assert not Grade.objects.exists()


def test_hq_may_grade(submission, hq_admin):
    assert services.submission_grade(submission=submission, actor=hq_admin.user, score=5)


def test_others_may_not_grade(submission, manager, learner):
    other_trainer = make_trainer()
    for actor in (other_trainer, manager, learner, EmployeeFactory()):
        with pytest.raises(PermissionDenied):
            services.submission_grade(submission=submission, actor=actor.user, score=5)
    assert not Grade.objects.exists()


def test_only_the_latest_version_is_graded(submission, trainer, enrolled):
    newer = services.submission_create(
        assignment=submission.assignment, actor=enrolled.user, text="第二版"
    )
    with pytest.raises(ValidationError) as caught:
        services.submission_grade(submission=submission, actor=trainer.user, score=5)
    assert caught.value.code == "not_latest"
    grade = services.submission_grade(submission=newer, actor=trainer.user, score=7)
    assert grade.submission == newer


def test_regrade_replaces_the_one_grade(submission, trainer, enrolled):
    services.submission_grade(submission=submission, actor=trainer.user, score=5)
    newer = services.submission_create(
        assignment=submission.assignment, actor=enrolled.user, text="改进版"
    )
    services.submission_grade(submission=newer, actor=trainer.user, score=9, feedback="进步明显")
    grade = Grade.objects.get()
    assert (grade.score, grade.submission, grade.feedback) == (9, newer, "进步明显")
