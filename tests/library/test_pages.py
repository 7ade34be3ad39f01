"""The library tree: install, page-type rules, who may open which page, admin permissions."""

import pytest
from wagtail.models import GroupPagePermission, Page, Site, WorkflowPage
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from hub.organisation.models import Role
from library.models import (
    CaseIndexPage,
    CasePage,
    CourseIndexPage,
    CoursePage,
    CourseTemplateIndexPage,
    CourseTemplatePage,
    GuideIndexPage,
    GuidePage,
    LibraryIndexPage,
)
from library.services import WORKFLOW_NAME, course_create_from_template, library_install
from tests.factories import EmployeeFactory, grant
from tests.library.conftest import make_trainer

pytestmark = pytest.mark.django_db


class TestTreeRules(WagtailPageTestCase):
    def test_home_sits_under_root_and_holds_the_four_sections(self):
        self.assertCanCreateAt(Page, LibraryIndexPage)
        self.assertAllowedSubpageTypes(
            LibraryIndexPage,
            {CourseTemplateIndexPage, CourseIndexPage, CaseIndexPage, GuideIndexPage},
        )

    def test_each_section_holds_only_its_own_kind(self):
        self.assertAllowedSubpageTypes(CourseTemplateIndexPage, {CourseTemplatePage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CaseIndexPage, {CasePage})
        self.assertAllowedSubpageTypes(GuideIndexPage, {GuidePage})
        self.assertCanNotCreateAt(CourseIndexPage, CourseTemplatePage)
        self.assertCanNotCreateAt(CourseTemplateIndexPage, CoursePage)
        self.assertCanNotCreateAt(CaseIndexPage, CoursePage)

    def test_leaves_take_no_children_and_sections_live_only_in_the_home(self):
        for leaf in (CoursePage, CourseTemplatePage, CasePage, GuidePage):
            self.assertAllowedSubpageTypes(leaf, set())
        self.assertAllowedParentPageTypes(CourseIndexPage, {LibraryIndexPage})
        self.assertCanNotCreateAt(Page, CourseIndexPage)
        self.assertCanNotCreateAt(LibraryIndexPage, CoursePage)


def test_install_builds_the_tree_points_the_site_and_is_idempotent():
    welcome = Site.objects.get(is_default_site=True).root_page
    home = library_install()
    counts = (
        Page.objects.count(),
        GroupPagePermission.objects.count(),
        WorkflowPage.objects.count(),
    )
    assert library_install().pk == home.pk
    assert (
        Page.objects.count(),
        GroupPagePermission.objects.count(),
        WorkflowPage.objects.count(),
    ) == counts
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert not Page.objects.filter(pk=welcome.pk).exists()
    assert [type(p) for p in home.get_children().specific()] == [
        CourseTemplateIndexPage,
        CourseIndexPage,
        CaseIndexPage,
        GuideIndexPage,
    ]
    assert home.url == "/library/"
    assert CourseIndexPage.objects.get().url == "/library/courses/"
    reviewed = set(
        WorkflowPage.objects.filter(workflow__name=WORKFLOW_NAME).values_list("page", flat=True)
    )
    assert reviewed == {CourseIndexPage.objects.get().pk, CaseIndexPage.objects.get().pk}


def test_anonymous_visitors_are_sent_to_login(client, library, case_page):
    for url in ("/library/", "/library/courses/", case_page.url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_learner_sees_library_but_not_templates(client_for, learner, course_template):
    client = client_for(learner)
    home = client.get("/library/")
    assert home.status_code == 200
    assert b'data-section="courses"' in home.content
    assert b'data-section="templates"' not in home.content
    assert client.get("/library/templates/").status_code == 404
    assert client.get(course_template.url).status_code == 404


def test_trainer_and_training_lead_see_templates(client_for, trainer, course_template):
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    for person in (trainer, lead):
        client = client_for(person)
        assert b'data-section="templates"' in client.get("/library/").content
        assert client.get("/library/templates/").status_code == 200
        assert client.get(course_template.url).status_code == 200


# --- admin permissions ---------------------------------------------------------------------


def test_trainer_edits_own_course_only_and_cannot_publish(trainer, other_trainer, course_template):
    mine = course_create_from_template(template=course_template, actor=trainer.user)
    theirs = course_create_from_template(template=course_template, actor=other_trainer.user)
    mine_perms = mine.permissions_for_user(trainer.user)
    assert mine_perms.can_edit()
    assert not mine_perms.can_publish()
    assert not theirs.permissions_for_user(trainer.user).can_edit()
    assert not course_template.permissions_for_user(trainer.user).can_edit()
    templates = CourseTemplateIndexPage.objects.get()
    assert not templates.permissions_for_user(trainer.user).can_add_subpage()
    assert CourseIndexPage.objects.get().permissions_for_user(trainer.user).can_add_subpage()
    assert CaseIndexPage.objects.get().permissions_for_user(trainer.user).can_add_subpage()
    assert not GuideIndexPage.objects.get().permissions_for_user(trainer.user).can_add_subpage()


def test_trainer_admin_edit_views(client_for, trainer, other_trainer, course_template):
    mine = course_create_from_template(template=course_template, actor=trainer.user)
    theirs = course_create_from_template(template=course_template, actor=other_trainer.user)
    client = client_for(trainer)
    assert client.get(f"/cms/pages/{mine.pk}/edit/").status_code == 200
    assert client.get(f"/cms/pages/{theirs.pk}/edit/").status_code in {302, 403}
    assert client.get(f"/cms/pages/{course_template.pk}/edit/").status_code in {302, 403}
    new_template = f"/cms/pages/add/library/coursetemplatepage/{course_template.get_parent().pk}/"
    assert client.get(new_template).status_code in {302, 403}


def test_trainer_publish_attempt_leaves_course_unpublished(client_for, trainer, course_template):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    client = client_for(trainer)
    data = nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "category": course.category,
            "audience": course.audience,
            "hours": "2",
            "body": streamfield([]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    response = client.post(f"/cms/pages/{course.pk}/edit/", data)
    assert response.status_code in {200, 302, 403}
    course.refresh_from_db()
    assert not course.live


def test_hq_admin_may_edit_and_publish_everything(hq_admin, course_template, trainer):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    for page in (course, course_template, GuideIndexPage.objects.get()):
        perms = page.permissions_for_user(hq_admin.user)
        assert perms.can_edit()
        assert perms.can_publish()


def test_learner_gets_no_admin(client_for, learner, library):
    assert not learner.user.has_perm("wagtailadmin.access_admin")
    response = client_for(learner).get("/cms/")
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert client_for(learner).get("/cms/pages/").status_code in {302, 403}


def test_trainer_reaches_admin(client_for, trainer, library):
    assert client_for(trainer).get("/cms/").status_code == 200


def test_another_branch_trainer_is_a_trainer_too(library, course_template):
    stranger = make_trainer()
    course = course_create_from_template(template=course_template, actor=stranger.user)
    assert course.owning_branch == stranger.branch


def test_admin_created_course_gets_author_and_branch(trainer, library):
    course = CoursePage(
        title="自建课程", category="in_service", audience="backbone", owner=trainer.user
    )
    CourseIndexPage.objects.get().add_child(instance=course)
    course.refresh_from_db()
    assert course.author == trainer
    assert course.owning_branch == trainer.branch


def test_start_menu_link_for_trainers_only(client_for, trainer, library):
    client = client_for(trainer)
    assert client.get("/library/start/")["Location"] == "/library/templates/"
    assert "/library/start/" in client.get("/cms/").content.decode()
    # A training lead uses the admin but does not build courses: no such menu entry.
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    admin_home = client_for(lead).get("/cms/")
    assert admin_home.status_code == 200
    assert "/library/start/" not in admin_home.content.decode()


def test_install_command_is_idempotent(db):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import translation

    out = StringIO()
    with translation.override("en"):
        call_command("library_install", stdout=out)
        call_command("library_install", stdout=out)
    assert out.getvalue().count("Library installed at /library/") == 2
    assert LibraryIndexPage.objects.count() == 1


def test_trainer_edits_own_case_only(trainer, other_trainer, library):
    index = CaseIndexPage.objects.get()
    cases = []
    for author in (trainer, other_trainer):
        case = CasePage(title=f"{author.name}的案例", scenario="<p>情境</p>", owner=author.user)
        index.add_child(instance=case)
        cases.append(case)
    mine, theirs = cases
    assert mine.author == trainer
    assert mine.permissions_for_user(trainer.user).can_edit()
    assert not mine.permissions_for_user(trainer.user).can_publish()
    assert not theirs.permissions_for_user(trainer.user).can_edit()
