"""Assignment pages: the flow through HTTP, and every forbidden access is a 403 or 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import Assignment, Grade, Submission
from tests.evaluation.helpers import (
    PDF_BYTES,
    docx_upload,
    enrol,
    make_assignment,
    make_session,
    make_trainer,
    upload,
)
from tests.factories import BranchFactory, EmployeeFactory, make_manager

pytestmark = pytest.mark.django_db


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def assignment(session):
    return make_assignment(session, title="案例分析", instructions="分析客户的核心需求。")


@pytest.fixture
def classmate(session, branch):
    person = EmployeeFactory(branch=branch)
    enrol(session, person)
    return person


@pytest.fixture
def submission(assignment, enrolled):
    return services.submission_create(
        assignment=assignment, actor=enrolled.user, text="我的答案", upload=docx_upload("总结.docx")
    )


# --- creating ---------------------------------------------------------------------------


def test_trainer_creates_an_assignment_through_the_form(client_for, session, trainer):
    client = client_for(trainer)
    url = reverse("evaluation:assignment_create", args=[session.pk])
    assert client.get(url).status_code == 200
    due = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "title": "课后作业",
            "instructions": "写总结",
            "due_at": due,
            "max_score": 20,
            "allow_late": "on",
        },
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evaluation:assignment", args=[assignment.pk])
    assert (assignment.max_score, assignment.allow_late, assignment.created_by) == (
        20,
        True,
        trainer,
    )
    listing = client.get(reverse("evaluation:session_assignments", args=[session.pk]))
    assert "课后作业" in listing.content.decode()


def test_duplicate_title_shows_an_error(client_for, session, trainer, assignment):
    due = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(trainer).post(
        reverse("evaluation:assignment_create", args=[session.pk]),
        {"title": assignment.title, "instructions": "x", "due_at": due, "max_score": 10},
    )
    assert response.status_code == 200
    assert Assignment.objects.count() == 1


def test_enrolled_learner_may_not_create(client_for, session, enrolled):
    url = reverse("evaluation:assignment_create", args=[session.pk])
    assert client_for(enrolled).get(url).status_code == 403
    assert client_for(enrolled).post(url, {"title": "x"}).status_code == 403


def test_outsiders_get_404_on_create(client_for, session):
    url = reverse("evaluation:assignment_create", args=[session.pk])
    for person in (EmployeeFactory(), make_trainer()):
        assert client_for(person).get(url).status_code == 404


def test_trainer_edits_and_learner_may_not(client_for, assignment, trainer, enrolled):
    url = reverse("evaluation:assignment_edit", args=[assignment.pk])
    assert client_for(enrolled).get(url).status_code == 403
    due = (timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(trainer).post(
        url, {"title": "改名", "instructions": "新说明", "due_at": due, "max_score": 50}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.title, assignment.max_score) == ("改名", 50)


# --- submitting -------------------------------------------------------------------------


def test_learner_submits_and_resubmits_through_the_page(client_for, assignment, enrolled):
    client = client_for(enrolled)
    url = reverse("evaluation:submit", args=[assignment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "第一版"}).status_code == 302
    response = client.post(url, {"text": "第二版"}, follow=True)
    assert "Version 2 submitted." in response.content.decode()
    page = client.get(reverse("evaluation:assignment", args=[assignment.pk])).content.decode()
    assert "分析客户的核心需求" in page
    assert page.count('data-testid="submission-history"') == 1
    assert [s.version for s in Submission.objects.filter(learner=enrolled)] == [2, 1]


def test_a_bad_file_is_refused_with_the_rule_and_nothing_stored(
    client_for, assignment, enrolled, private_media
):
    response = client_for(enrolled).post(
        reverse("evaluation:submit", args=[assignment.pk]),
        {"text": "见附件", "file": upload("report.pdf", b"plain words, not a PDF")},
    )
    assert response.status_code == 400
    assert "the extension must match the content" in response.content.decode()
    assert not Submission.objects.exists()
    assert stored_files(private_media) == []


def test_an_oversize_file_is_refused_and_nothing_stored(
    client_for, assignment, enrolled, private_media, settings
):
    settings.LECTERN_SUBMISSION_MAX_BYTES = 10
    response = client_for(enrolled).post(
        reverse("evaluation:submit", args=[assignment.pk]),
        {"file": upload("report.pdf", PDF_BYTES)},
    )
    assert response.status_code == 400
    assert "files may be at most 10" in response.content.decode()
    assert not Submission.objects.exists()
    assert stored_files(private_media) == []


def test_docx_is_accepted_and_the_owner_downloads_it(client_for, assignment, enrolled):
    client = client_for(enrolled)
    response = client.post(
        reverse("evaluation:submit", args=[assignment.pk]), {"file": docx_upload("总结.docx")}
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    download = client.get(reverse("evaluation:submission_file", args=[submission.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == docx_upload().read()
    assert download["Content-Type"].endswith("wordprocessingml.document")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_files_are_not_under_media(submission, settings, private_media):
    assert str(settings.MEDIA_ROOT) not in submission.file.path
    assert submission.file.path.startswith(str(private_media))


def test_after_the_deadline_the_page_refuses(client_for, session, enrolled):
    closed = make_assignment(session, due_in=-dt.timedelta(hours=1))
    response = client_for(enrolled).post(
        reverse("evaluation:submit", args=[closed.pk]), {"text": "太晚了"}
    )
    assert response.status_code == 400
    assert "submissions are closed" in response.content.decode()
    assert not Submission.objects.exists()


def test_late_submission_is_flagged_on_the_page(client_for, session, enrolled):
    late_ok = make_assignment(session, due_in=-dt.timedelta(hours=1), allow_late=True)
    response = client_for(enrolled).post(
        reverse("evaluation:submit", args=[late_ok.pk]), {"text": "迟交"}, follow=True
    )
    assert "it is marked late" in response.content.decode()
    assert Submission.objects.get().is_late


def test_not_enrolled_learner_cannot_submit(client_for, assignment, session, learner):
    # Not enrolled at all: the assignment does not exist for them.
    url = reverse("evaluation:submit", args=[assignment.pk])
    assert client_for(learner).post(url, {"text": "x"}).status_code == 404
    # Waitlisted: same.
    waiting = EmployeeFactory()
    enrol(session, waiting, "waitlisted")
    assert client_for(waiting).post(url, {"text": "x"}).status_code == 404
    # A trainer sees the assignment but may not submit.
    trainer = session.trainers.get()
    assert client_for(trainer).post(url, {"text": "x"}).status_code == 403
    assert not Submission.objects.exists()


# --- scoping: who sees which submission -------------------------------------------------


def test_another_learner_cannot_see_my_submission_file_or_grade(
    client_for, submission, classmate, trainer
):
    services.submission_grade(submission=submission, actor=trainer.user, score=90, feedback="好")
    client = client_for(classmate)
    for name in ("submission", "submission_file", "grade"):
        url = reverse(f"evaluation:{name}", args=[submission.pk])
        assert client.get(url).status_code == 404, name
    assert (
        client.post(reverse("evaluation:grade", args=[submission.pk]), {"score": 1}).status_code
        == 404
    )
    # On the assignment page the classmate sees only their own (empty) work.
    page = client.get(reverse("evaluation:assignment", args=[submission.assignment_id]))
    assert page.status_code == 200
    assert "我的答案" not in page.content.decode()
    assert 'data-testid="grade"' not in page.content.decode()
    assert Grade.objects.get().score == 90


def test_learner_cannot_list_all_submissions(client_for, submission, classmate, enrolled):
    url = reverse("evaluation:submissions", args=[submission.assignment_id])
    assert client_for(classmate).get(url).status_code == 403
    assert client_for(enrolled).get(url).status_code == 403


def test_outsiders_get_404_everywhere(client_for, submission):
    assignment_id = submission.assignment_id
    other_branch_manager = make_manager(BranchFactory())
    for person in (EmployeeFactory(), make_trainer(), other_branch_manager):
        client = client_for(person)
        for url in (
            reverse("evaluation:assignment", args=[assignment_id]),
            reverse("evaluation:submit", args=[assignment_id]),
            reverse("evaluation:submissions", args=[assignment_id]),
            reverse("evaluation:session_assignments", args=[submission.assignment.session_id]),
            reverse("evaluation:submission", args=[submission.pk]),
            reverse("evaluation:submission_file", args=[submission.pk]),
            reverse("evaluation:grade", args=[submission.pk]),
        ):
            assert client.get(url).status_code == 404, (person, url)


def test_anonymous_is_sent_to_login(client, submission):
    response = client.get(reverse("evaluation:submission_file", args=[submission.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_session_trainer_sees_all_and_grades(client_for, submission, classmate, trainer):
    services.submission_create(
        assignment=submission.assignment, actor=classmate.user, text="同学的答案"
    )
    client = client_for(trainer)
    roster = client.get(reverse("evaluation:submissions", args=[submission.assignment_id]))
    assert roster.status_code == 200
    content = roster.content.decode()
    assert submission.learner.name in content and classmate.name in content
    assert (
        client.get(reverse("evaluation:submission_file", args=[submission.pk])).status_code == 200
    )
    grade_url = reverse("evaluation:grade", args=[submission.pk])
    assert client.get(grade_url).status_code == 200
    response = client.post(grade_url, {"score": "88.5", "feedback": "结构清晰、数据充分。"})
    assert response.status_code == 302
    assert Grade.objects.get().score == 88.5


def test_grade_out_of_range_is_refused_on_the_page(client_for, submission, trainer):
    response = client_for(trainer).post(
        reverse("evaluation:grade", args=[submission.pk]), {"score": "101"}
    )
    assert response.status_code == 400
    assert "between 0 and 100" in response.content.decode()
    assert not Grade.objects.exists()


def test_grading_an_older_version_is_refused_on_the_page(client_for, submission, enrolled, trainer):
    services.submission_create(assignment=submission.assignment, actor=enrolled.user, text="v2")
    response = client_for(trainer).post(
        reverse("evaluation:grade", args=[submission.pk]), {"score": "50"}
    )
    assert response.status_code == 400
    assert "grade the latest version" in response.content.decode()


def test_hq_sees_and_grades(client_for, submission, hq_admin):
    client = client_for(hq_admin)
    assert (
        client.get(reverse("evaluation:submissions", args=[submission.assignment_id])).status_code
        == 200
    )
    assert (
        client.get(reverse("evaluation:submission_file", args=[submission.pk])).status_code == 200
    )
    assert (
        client.post(reverse("evaluation:grade", args=[submission.pk]), {"score": "70"}).status_code
        == 302
    )
    grade = Grade.objects.get(submission=submission)
    assert grade.score == 70
    assert grade.learner_id == submission.learner_id


def test_branch_manager_reads_their_learners_work_but_cannot_grade(
    client_for, submission, manager, session
):
    outsider = EmployeeFactory(branch=BranchFactory())
    enrol(session, outsider)
    services.submission_create(
        assignment=submission.assignment, actor=outsider.user, text="外分部答案"
    )
    other_submission = Submission.objects.get(learner=outsider)
    client = client_for(manager)
    roster = client.get(reverse("evaluation:submissions", args=[submission.assignment_id]))
    assert roster.status_code == 200
    content = roster.content.decode()
    assert submission.learner.name in content
    assert outsider.name not in content
    assert "Read only" in content
    assert reverse("evaluation:grade", args=[submission.pk]) not in content
    assert client.get(reverse("evaluation:submission", args=[submission.pk])).status_code == 200
    assert (
        client.get(reverse("evaluation:submission_file", args=[submission.pk])).status_code == 200
    )
    assert client.get(reverse("evaluation:grade", args=[submission.pk])).status_code == 403
    assert (
        client.post(reverse("evaluation:grade", args=[submission.pk]), {"score": "1"}).status_code
        == 403
    )
    # The learner of another branch stays hidden.
    assert (
        client.get(reverse("evaluation:submission", args=[other_submission.pk])).status_code == 404
    )
    assert (
        client.get(reverse("evaluation:submission_file", args=[other_submission.pk])).status_code
        == 404
    )


# --- the learner sees the grade ---------------------------------------------------------


def test_learner_sees_grade_and_feedback(client_for, submission, enrolled, trainer):
    services.submission_grade(
        submission=submission, actor=trainer.user, score=92, feedback="结构清晰、数据充分。"
    )
    client = client_for(enrolled)
    page = client.get(reverse("evaluation:assignment", args=[submission.assignment_id]))
    content = page.content.decode()
    assert "92" in content and "结构清晰、数据充分。" in content
    mine = client.get(reverse("evaluation:mine")).content.decode()
    assert submission.assignment.title in mine and "92" in mine
    detail = client.get(reverse("evaluation:submission", args=[submission.pk])).content.decode()
    assert "结构清晰、数据充分。" in detail


def test_my_assignments_lists_due_work_and_trainer_queue(client_for, assignment, enrolled, trainer):
    learner_page = client_for(enrolled).get(reverse("evaluation:mine")).content.decode()
    assert assignment.title in learner_page
    assert "Submissions to grade" not in learner_page
    services.submission_create(assignment=assignment, actor=enrolled.user, text="答")
    trainer_page = client_for(trainer).get(reverse("evaluation:mine")).content.decode()
    assert "Submissions to grade" in trainer_page
    assert enrolled.name in trainer_page


def test_pages_render_in_chinese_by_default(client_for, submission, trainer):
    page = client_for(trainer, language=None).get(
        reverse("evaluation:submissions", args=[submission.assignment_id])
    )
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()


def test_session_assignment_list_for_enrolled_learner_and_trainer(
    client_for, assignment, enrolled, trainer
):
    url = reverse("evaluation:session_assignments", args=[assignment.session_id])
    learner_page = client_for(enrolled).get(url)
    assert learner_page.status_code == 200
    assert assignment.title in learner_page.content.decode()
    assert reverse("evaluation:assignment_create", args=[assignment.session_id]) not in (
        learner_page.content.decode()
    )
    trainer_page = client_for(trainer).get(url).content.decode()
    assert reverse("evaluation:assignment_create", args=[assignment.session_id]) in trainer_page


def test_my_assignments_page_queries_stay_flat(client_for, learner, django_assert_max_num_queries):
    trainer = make_trainer()
    client = client_for(learner)

    def add(count):
        for _ in range(count):
            session = make_session(trainers=[trainer])
            enrol(session, learner)
            assignment = make_assignment(session)
            graded = make_assignment(session)
            services.submission_create(assignment=assignment, actor=learner.user, text="答")
            s = services.submission_create(assignment=graded, actor=learner.user, text="答")
            services.submission_grade(submission=s, actor=trainer.user, score=70)

    add(1)
    client.get(reverse("evaluation:mine"))  # warm the session and access caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("evaluation:mine")).status_code == 200
    add(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("evaluation:mine"))
    assert page.content.decode().count("70 / 100") == 7
