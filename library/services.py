"""Writes to the library: installing the page tree and its permissions, starting a course from
a template, and marking a course standard when HQ approves it."""

from __future__ import annotations

import copy
import uuid

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.log_actions import log
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from hub.organisation.models import Employee, Role
from hub.organisation.services import role_group
from library.models import (
    CaseIndexPage,
    CourseIndexPage,
    CoursePage,
    CourseTemplateIndexPage,
    CourseTemplatePage,
    GuideIndexPage,
    LibraryIndexPage,
)
from library.permissions import can_create_from_template

MSG_CANNOT_CREATE = _("Only trainers and HQ curators can start a course from a template.")
MSG_NOT_INSTALLED = _("The library is not installed yet.")
MSG_TEMPLATE_NOT_LIVE = _("Only a published template can start a course.")

# Workflow and task names are data shown as they are in Wagtail's admin: stored in the default
# language (Chinese). library_install renames the English names of earlier installs.
WORKFLOW_NAME = "总部审核"
TASK_NAME = "总部课程负责人审批"
LEGACY_WORKFLOW_NAMES = ("HQ review",)
LEGACY_TASK_NAMES = ("HQ curator approval",)
# Wagtail's own default workflow (migration wagtailcore 0048) on the root page: its approvers
# are the "Moderators" group, which no Lectern role joins. Off once ours is installed.
WAGTAIL_DEFAULT_WORKFLOW_NAMES = ("Moderators approval",)
HOME_TITLE = "课程资源库"
HOME_INTRO = "<p>总部统一维护的标准课程资源库：讲师从模板开发课程，经总部审核后成为标准课程。</p>"
SECTIONS = [
    (
        CourseTemplateIndexPage,
        "templates",
        "课程模板",
        "<p>总部发布的标准课程模板。选择一个模板，一键生成课程草稿，再按本分部情况修改。</p>",
    ),
    (CourseIndexPage, "courses", "课程", "<p>各分部讲师基于总部模板开发的课程。</p>"),
    (CaseIndexPage, "cases", "案例库", "<p>来自门店一线的真实案例：情境、分析与解决。</p>"),
    (
        GuideIndexPage,
        "guides",
        "培训流程指南",
        "<p>培训计划、课程开发和培训实施的标准流程。</p>",
    ),
]
# Wagtail "add" lets a trainer create pages and edit only those they own; no publish.
TRAINER_PAGE_PERMISSIONS = ("add",)
HQ_PAGE_PERMISSIONS = ("add", "change", "publish")
TRAINER_DOCUMENT_PERMISSIONS = ("add_document", "choose_document")
HQ_DOCUMENT_PERMISSIONS = ("add_document", "change_document", "choose_document")


def _page_permission(action: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page")


@transaction.atomic
def library_install() -> LibraryIndexPage:
    """Create (or complete) the library tree and its rules; safe to call any number of times.

    Writes, where missing: the library home under Wagtail's root with its four sections; the
    default Site pointing at the home (Wagtail's empty welcome page is deleted); page
    permissions — trainers may add (and so edit their own) pages under Courses and the Case
    library, HQ curators add/change/publish the whole library — and document permissions; the
    "HQ review" workflow (总部审核: one group approval task for HQ curators) on Courses and Case
    library, renaming an earlier install's English names; Wagtail's default "Moderators
    approval" workflow is deactivated (templates and guides are published by HQ directly).
    """
    # Transactional tests flush Wagtail's root page and its default locale (data migrations).
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = LibraryIndexPage.objects.first()
    if home is None:
        home = root.add_child(
            instance=LibraryIndexPage(title=HOME_TITLE, slug="library", intro=HOME_INTRO)
        )
    sections = {}
    for model, slug, title, intro in SECTIONS:
        section = model.objects.child_of(home).first()
        if section is None:
            section = home.add_child(instance=model(title=title, slug=slug, intro=intro))
        sections[model] = section

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    else:
        if not site.site_name:  # Wagtail's default site: the admin would say "localhost"
            site.site_name = settings.WAGTAIL_SITE_NAME
            site.save(update_fields=["site_name"])
        if site.root_page_id != home.pk:
            previous = site.root_page
            site.root_page = home
            site.save()
            if previous.specific_class is Page and previous.is_leaf() and previous.depth == 2:
                previous.delete()  # Wagtail's "Welcome to your new Wagtail site!"

    trainers = role_group(Role.TRAINER)
    hq = role_group(Role.HQ_ADMIN)
    editable = [sections[CourseIndexPage], sections[CaseIndexPage]]
    for section in editable:
        for action in TRAINER_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=trainers, page=section, permission=_page_permission(action)
            )
    for action in HQ_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=hq, page=home, permission=_page_permission(action)
        )
    collection = Collection.get_first_root_node()
    if collection is not None:
        for group, codenames in (
            (trainers, TRAINER_DOCUMENT_PERMISSIONS),
            (hq, HQ_DOCUMENT_PERMISSIONS),
        ):
            for permission in Permission.objects.filter(
                content_type__app_label="wagtaildocs", codename__in=codenames
            ):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )

    if not GroupApprovalTask.objects.filter(name=TASK_NAME).exists():
        GroupApprovalTask.objects.filter(name__in=LEGACY_TASK_NAMES).update(name=TASK_NAME)
    if not Workflow.objects.filter(name=WORKFLOW_NAME).exists():
        Workflow.objects.filter(name__in=LEGACY_WORKFLOW_NAMES).update(name=WORKFLOW_NAME)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(hq)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for section in editable:
        WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
    for default in Workflow.objects.filter(name__in=WAGTAIL_DEFAULT_WORKFLOW_NAMES, active=True):
        default.deactivate()
        for default_task in default.tasks.filter(active=True):
            default_task.deactivate()
    return home


def review_workflow() -> Workflow:
    return Workflow.objects.get(name=WORKFLOW_NAME)


def _free_slug(parent: Page, base: str) -> str:
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    number = 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _copied_stream(raw_data) -> list[dict]:
    """The template's blocks, deep-copied, each top-level block with a fresh id."""
    blocks = copy.deepcopy(list(raw_data))
    for block in blocks:
        block["id"] = str(uuid.uuid4())
    return blocks


def course_create_from_template(
    *, template: CourseTemplatePage, actor, title: str = ""
) -> CoursePage:
    """Start a draft course from ``template`` for ``actor`` (a trainer or an HQ curator).

    Writes one unpublished CoursePage under Courses whose body is a copy of every block of the
    template, with its summary, category, audience, hours and business areas; records
    ``derived_from``, ``author`` (the actor's employee record), ``owning_branch`` (theirs) and
    Wagtail's ``owner`` (so a trainer may go on editing it), saves the first revision and logs
    Wagtail's "create" action. Raises PermissionDenied for anyone else, and for a template
    that is not published (a draft or withdrawn template is not HQ's standard). Locks the
    Courses section while it picks a free slug, so two concurrent starts never collide.
    """
    if not can_create_from_template(actor):
        raise PermissionDenied(MSG_CANNOT_CREATE)
    if not template.live:
        raise PermissionDenied(MSG_TEMPLATE_NOT_LIVE)
    employee = Employee.objects.select_related("branch").filter(user_id=actor.pk).first()
    with transaction.atomic():
        courses = CourseIndexPage.objects.select_for_update().order_by("pk").first()
        if courses is None:
            raise PermissionDenied(MSG_NOT_INSTALLED)
        course = CoursePage(
            title=title or template.title,
            slug=_free_slug(courses, template.slug),
            summary=template.summary,
            category=template.category,
            audience=template.audience,
            hours=template.hours,
            body=_copied_stream(template.body.raw_data),
            derived_from=template,
            author=employee,
            owning_branch=employee.branch if employee else None,
            owner=actor,
            live=False,
        )
        course.business_areas.add(*template.business_areas.names())
        courses.add_child(instance=course)
        course.save_revision(user=actor, log_action=False)
        log(instance=course, action="wagtail.create", user=actor, content_changed=True)
    return course


def course_mark_standard(*, course_id: int) -> None:
    """Mark a course standard (HQ approved it). ``is_standard`` is kept across revisions."""
    CoursePage.objects.filter(pk=course_id).update(is_standard=True)
