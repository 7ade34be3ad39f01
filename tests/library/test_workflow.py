"""The "HQ review" workflow: a trainer submits, an HQ curator approves (publishes, standard)
or rejects with a comment (stays a draft); revisions can be reverted."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from library.models import CaseIndexPage, CourseIndexPage, CoursePage, CourseTemplateIndexPage
from library.services import WORKFLOW_NAME, course_create_from_template

pytestmark = pytest.mark.django_db


def submit_in_admin(client, course, title=None):
    """What the trainer's "Submit to HQ review" button posts."""
    data = nested_form_data(
        {
            "title": title or course.title,
            "slug": course.slug,
            "summary": course.summary,
            "category": course.category,
            "audience": course.audience,
            "hours": str(course.hours),
            "business_areas": ", ".join(course.business_areas.names()),
            "body": streamfield([]),
            "comments": inline_formset([]),
            "action-submit": "submit",
        }
    )
    return client.post(f"/cms/pages/{course.pk}/edit/", data)


@pytest.fixture
def submitted(client_for, trainer, course_template):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    response = submit_in_admin(client_for(trainer), course, title="华东·客户异议处理")
    assert response.status_code == 302
    return CoursePage.objects.get(pk=course.pk)


def act(client, course, action, comment):
    state = TaskState.objects.get(
        workflow_state__object_id=str(course.pk), status=TaskState.STATUS_IN_PROGRESS
    )
    url = reverse("wagtailadmin_pages:workflow_action", args=[course.pk, action, state.pk])
    return client.post(url, {"comment": comment})


def test_trainer_submission_starts_hq_review(submitted):
    workflow_state = WorkflowState.objects.get(object_id=str(submitted.pk))
    assert workflow_state.workflow.name == WORKFLOW_NAME
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not submitted.live
    assert submitted.latest_revision.content["title"] == "华东·客户异议处理"
    # The editor shows provenance read-only; saving it keeps it.
    assert submitted.latest_revision.content["derived_from"] == submitted.derived_from_id
    assert submitted.derived_from_id is not None
    assert submitted.latest_revision.content["author"] == submitted.author_id


def test_hq_approval_publishes_and_marks_standard(client_for, hq_admin, submitted):
    response = act(client_for(hq_admin), submitted, "approve", "内容完整，可以作为标准课程")
    assert response.status_code in {200, 302}
    course = CoursePage.objects.get(pk=submitted.pk)
    assert course.live
    assert course.is_standard
    assert course.title == "华东·客户异议处理"
    state = TaskState.objects.get(workflow_state__object_id=str(course.pk))
    assert state.status == TaskState.STATUS_APPROVED
    assert state.comment == "内容完整，可以作为标准课程"
    # "standard" belongs to the page: a later revision keeps it.
    course.title = "华东·客户异议处理（第二版）"
    course.save_revision(user=hq_admin.user).publish()
    assert CoursePage.objects.get(pk=course.pk).is_standard


def test_hq_rejection_keeps_course_a_draft_with_the_comment(client_for, hq_admin, submitted):
    act(client_for(hq_admin), submitted, "reject", "缺少考核标准，请补充后再提交")
    course = CoursePage.objects.get(pk=submitted.pk)
    assert not course.live
    assert not course.is_standard
    state = TaskState.objects.get(workflow_state__object_id=str(course.pk))
    assert state.status == TaskState.STATUS_REJECTED
    assert state.comment == "缺少考核标准，请补充后再提交"
    assert (
        WorkflowState.objects.get(object_id=str(course.pk)).status
        == WorkflowState.STATUS_NEEDS_CHANGES
    )


def test_trainer_cannot_approve_own_course(client_for, trainer, submitted):
    act(client_for(trainer), submitted, "approve", "我自己批准")
    course = CoursePage.objects.get(pk=submitted.pk)
    assert not course.live
    assert TaskState.objects.get(workflow_state__object_id=str(course.pk)).status == (
        TaskState.STATUS_IN_PROGRESS
    )


def test_case_pages_go_through_hq_review_but_templates_do_not(library):
    assert CaseIndexPage.objects.get().get_workflow().name == WORKFLOW_NAME
    assert CourseIndexPage.objects.get().get_workflow().name == WORKFLOW_NAME
    template_workflow = CourseTemplateIndexPage.objects.get().get_workflow()
    assert template_workflow is None or template_workflow.name != WORKFLOW_NAME


def test_revisions_can_be_reverted(trainer, course_template, client_for):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    first = course.latest_revision
    course.title = "改过的标题"
    course.save_revision(user=trainer.user)
    assert course.revisions.count() == 2
    # Wagtail's revert = open the old revision and save it as the newest one.
    restored = first.as_object()
    restored.save_revision(user=trainer.user)
    latest = CoursePage.objects.get(pk=course.pk).latest_revision
    assert latest.content["title"] == course_template.title
    assert course.revisions.count() == 3
    client = client_for(trainer)
    compare = reverse("wagtailadmin_pages:revisions_compare", args=[course.pk, first.pk, latest.pk])
    assert client.get(compare).status_code == 200
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[course.pk, first.pk])
    assert client.get(revert).status_code == 200
