"""The content admin (/cms/) is Lectern's: branded titles and heading, a way back to Lectern,
no Gravatar, Chinese workflow names, Wagtail's default workflow off, training leads read."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import GroupApprovalTask, Task, Workflow, WorkflowPage

from hub.organisation.models import Role
from library.models import CourseIndexPage, CourseTemplateIndexPage, GuideIndexPage
from library.services import TASK_NAME, WORKFLOW_NAME, course_create_from_template, library_install
from tests.factories import EmployeeFactory, grant

pytestmark = pytest.mark.django_db


def test_admin_titles_and_heading_are_lecterns(client_for, hq_admin, library):
    body = client_for(hq_admin, language="zh-hans").get("/cms/").content.decode()
    assert "- 讲坛 内容管理</title>" in body
    assert "Wagtail</title>" not in body
    assert "讲坛 · 内容管理" in body
    assert "localhost" not in body


def test_admin_menu_leads_back_to_lectern(client_for, hq_admin, library):
    body = client_for(hq_admin, language="zh-hans").get("/cms/").content.decode()
    assert "back-to-lectern" in body
    assert "\\u8fd4\\u56de\\u8bb2\\u575b" in body or "返回讲坛" in body  # JSON sidebar props


def test_admin_login_page_is_branded(client):
    body = client.get("/cms/login/").content.decode()
    assert "登录讲坛内容管理" in body
    assert "Sign in to Wagtail" not in body


def test_avatar_does_not_come_from_gravatar(client_for, hq_admin, library):
    body = client_for(hq_admin).get("/cms/").content.decode()
    assert "gravatar" not in body


def test_approve_and_publish_reads_as_one_phrase():
    with translation.override("zh-hans"):
        assert gettext("%(label)s and Publish") % {"label": "批准"} == "批准并发布"


def test_workflow_and_task_names_are_chinese(library):
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    assert WORKFLOW_NAME == "总部审核"
    assert [task.name for task in workflow.tasks] == [TASK_NAME]
    assert not Workflow.objects.filter(name="HQ review").exists()


def test_install_renames_an_earlier_installs_english_names(db):
    library_install()
    Workflow.objects.filter(name=WORKFLOW_NAME).update(name="HQ review")
    GroupApprovalTask.objects.filter(name=TASK_NAME).update(name="HQ curator approval")
    library_install()
    assert list(Workflow.objects.filter(name__in=["HQ review", WORKFLOW_NAME])) == [
        Workflow.objects.get(name=WORKFLOW_NAME)
    ]
    assert GroupApprovalTask.objects.filter(name=TASK_NAME).count() == 1
    assert CourseIndexPage.objects.get().get_workflow().name == WORKFLOW_NAME


def test_wagtails_default_workflow_is_off_where_ours_applies(library):
    default = Workflow.objects.get(name="Moderators approval")
    assert not default.active
    assert not WorkflowPage.objects.filter(workflow=default).exists()
    assert not Task.objects.filter(name="Moderators approval", active=True).exists()
    # Templates and guides: HQ publishes them directly, no workflow is offered.
    assert CourseTemplateIndexPage.objects.get().get_workflow() is None
    assert GuideIndexPage.objects.get().get_workflow() is None
    assert CourseIndexPage.objects.get().get_workflow().name == WORKFLOW_NAME


def test_migration_renames_and_switches_wagtails_default_off(library):
    Workflow.objects.filter(name=WORKFLOW_NAME).update(name="HQ review")
    Task.objects.filter(name=TASK_NAME).update(name="HQ curator approval")
    default = Workflow.objects.get(name="Moderators approval")
    default.active = True
    default.save()
    root = CourseIndexPage.objects.get().get_root()
    WorkflowPage.objects.create(page=root, workflow=default)
    migration = importlib.import_module("library.migrations.0005_workflow_names_in_chinese")
    migration.forwards(apps, None)
    assert Workflow.objects.filter(name=WORKFLOW_NAME).exists()
    assert Task.objects.filter(name=TASK_NAME).exists()
    default.refresh_from_db()
    assert not default.active
    assert not WorkflowPage.objects.filter(workflow=default).exists()


def test_templates_offer_no_moderators_approval_in_the_editor(
    client_for, hq_admin, course_template
):
    body = client_for(hq_admin).get(f"/cms/pages/{course_template.pk}/edit/").content.decode()
    assert "Moderators approval" not in body
    assert "HQ review" not in body


def test_training_lead_reads_the_library_in_the_admin(client_for, trainer, course_template):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    client = client_for(lead, language="zh-hans")
    explorer = client.get("/cms/pages/")
    assert explorer.status_code == 302  # to the library home, the lead's explorable root
    listing = client.get(explorer["Location"])
    assert listing.status_code == 200
    assert "课程模板" in listing.content.decode()
    courses = client.get(f"/cms/pages/{CourseIndexPage.objects.get().pk}/").content.decode()
    assert course.title in courses
    # Reading only: no editing, no adding.
    assert client.get(f"/cms/pages/{course.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/cms/pages/add/library/casepage/{course.get_parent().pk}/").status_code in (
        302,
        403,
    )
