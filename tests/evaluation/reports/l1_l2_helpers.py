"""Data for the session and course report tests: a role world, courses with H5P activities,
graded work and H5P results, survey responses with answers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils import timezone
from wagtail.models import Page

from evaluation.models import Grade, Submission
from evaluation.surveys import services as survey_services
from hub.organisation.models import Role
from library.h5p.models import H5PContent, H5PLibrary, H5PResult
from library.models import CourseIndexPage, CoursePage, LibraryIndexPage
from tests.evaluation.helpers import make_session, make_trainer
from tests.evaluation.surveys.helpers import answers_for, completer
from tests.factories import BranchFactory, EmployeeFactory, grant, make_hq_admin, make_manager


def course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is not None:
        return index
    root = Page.get_first_root_node()
    library = root.add_child(instance=LibraryIndexPage(title="资料库", slug="lib-reports"))
    return library.add_child(instance=CourseIndexPage(title="课程", slug="courses-reports"))


def make_course(title="连带销售", *, h5p=()) -> CoursePage:
    body = json.dumps(
        [{"type": "h5p", "value": {"content": c.pk, "caption": ""}} for c in h5p]
        + [{"type": "objectives", "value": {"items": ["能处理价格异议"]}}]
    )
    course = CoursePage(
        title=title,
        slug=f"course-{CoursePage.objects.count() + 1}",
        category="specialised",
        audience="backbone",
        hours=2,
        body=body,
    )
    return course_index().add_child(instance=course)


def h5p_content(title="产品知识测验") -> H5PContent:
    library, _ = H5PLibrary.objects.get_or_create(
        machine_name="H5P.MultiChoice",
        major=1,
        minor=16,
        defaults={"patch": 0, "title": "Multiple Choice", "runnable": True},
    )
    return H5PContent.objects.create(
        title=title, main_library=library, package_name="quiz.h5p", package_size=1
    )


def h5p_result(content, learner, raw, maximum, *, at: dt.datetime) -> H5PResult:
    result = H5PResult.objects.create(
        content=content,
        employee=learner,
        verb="answered",
        score_raw=Decimal(raw),
        score_max=Decimal(maximum),
        score_scaled=(Decimal(raw) / Decimal(maximum)).quantize(Decimal("0.0001")),
    )
    H5PResult.objects.filter(pk=result.pk).update(created=at)  # auto_now_add: set afterwards
    return result


def grade(assignment, learner, score) -> Grade:
    submission = Submission.objects.create(
        assignment=assignment, learner=learner, version=1, text="总结"
    )
    return Grade.objects.create(
        assignment=assignment, learner=learner, submission=submission, score=Decimal(str(score))
    )


def answer(survey, learner=None, **by_kind):
    """A completer of the survey's session answers it (through the service)."""
    learner = completer(survey.session, learner)
    return survey_services.response_submit(
        survey=survey, learner=learner, answers=answers_for(survey, **by_kind)
    )


def role_world(*, course=None):
    """Branch A: session SA (trainer_a, a learner), its manager; branch B: session SB
    (trainer_b) and its manager; HQ: an admin and the training lead."""
    a, b = BranchFactory(), BranchFactory()
    trainer_a, trainer_b = make_trainer(branch=a), make_trainer(branch=b)
    sa = make_session(trainers=[trainer_a], branch=a)
    sb = make_session(trainers=[trainer_b], branch=b)
    if course is not None:
        sa.course = course
        sa.save(update_fields=["course"])
    learner = completer(sa, EmployeeFactory(branch=a))
    hq = make_hq_admin()
    lead = EmployeeFactory(branch=hq.branch)
    grant(lead, Role.TRAINING_LEAD)
    people = {
        "learner": learner,
        "trainer_a": trainer_a,
        "trainer_b": trainer_b,
        "manager_a": make_manager(a),
        "manager_b": make_manager(b),
        "lead": lead,
        "hq": hq,
    }
    return {"people": people, "sa": sa, "sb": sb, "a": a, "b": b}


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)
