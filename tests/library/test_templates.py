"""Create a course from a template: every block copied, metadata preset, provenance recorded."""

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import Revision

from library.models import CourseIndexPage, CoursePage, CourseTemplatePage
from library.services import (
    MSG_CANNOT_CREATE,
    MSG_TEMPLATE_NOT_LIVE,
    course_create_from_template,
)
from tests.factories import EmployeeFactory
from tests.library.conftest import make_trainer

pytestmark = pytest.mark.django_db


def without_ids(value):
    """Stream data with the block ids dropped (ids are per stream, values must match)."""
    if isinstance(value, dict):
        return {key: without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    return value


def stream_shape(page):
    return [
        (block.block_type, without_ids(block.block.get_prep_value(block.value)))
        for block in page.body
    ]


def test_course_copies_every_block_metadata_and_provenance(trainer, course_template):
    course = course_create_from_template(template=course_template, actor=trainer.user)
    course = CoursePage.objects.get(pk=course.pk)
    assert stream_shape(course) == stream_shape(course_template)
    assert [b.block_type for b in course.body] == [
        "objectives",
        "module",
        "case_reference",
        "document",
        "assessment",
        "trainer_notes",
    ]
    new_ids = {block["id"] for block in course.body.raw_data}
    old_ids = {block["id"] for block in course_template.body.raw_data}
    assert not new_ids & old_ids
    assert (course.title, course.summary, course.category, course.audience, course.hours) == (
        course_template.title,
        course_template.summary,
        course_template.category,
        course_template.audience,
        course_template.hours,
    )
    assert sorted(course.business_areas.names()) == ["门店", "零售"]
    assert course.derived_from_id == course_template.pk
    assert course.author == trainer
    assert course.owning_branch == trainer.branch
    assert course.owner == trainer.user
    assert not course.live
    assert not course.is_standard
    assert course.get_parent().specific_class is CourseIndexPage
    assert Revision.page_revisions.filter(object_id=str(course.pk)).count() == 1
    assert course.latest_revision.user == trainer.user
    # The template is untouched.
    assert stream_shape(CourseTemplatePage.objects.get(pk=course_template.pk)) == stream_shape(
        course_template
    )


def test_each_course_gets_its_own_slug(trainer, other_trainer, course_template):
    first = course_create_from_template(template=course_template, actor=trainer.user)
    second = course_create_from_template(template=course_template, actor=other_trainer.user)
    assert first.slug != second.slug
    assert first.slug.startswith(course_template.slug)


def test_learner_cannot_create_from_template(learner, course_template):
    with pytest.raises(PermissionDenied, match=str(MSG_CANNOT_CREATE)):
        course_create_from_template(template=course_template, actor=learner.user)
    assert not CoursePage.objects.exists()


def test_hq_admin_may_create_from_template(hq_admin, course_template):
    course = course_create_from_template(template=course_template, actor=hq_admin.user)
    assert course.author == hq_admin


def test_one_post_creates_a_draft_and_opens_the_editor(client_for, trainer, course_template):
    client = client_for(trainer)
    response = client.post(f"/library/create-from-template/{course_template.pk}/")
    course = CoursePage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cms/pages/{course.pk}/edit/"
    assert client.get(response["Location"]).status_code == 200
    assert course.derived_from_id == course_template.pk and not course.live


def test_post_only_and_learners_refused(client_for, learner, trainer, course_template):
    url = f"/library/create-from-template/{course_template.pk}/"
    assert client_for(trainer).get(url).status_code == 405
    assert client_for(learner).post(url).status_code == 403
    assert not CoursePage.objects.exists()


def test_unpublished_template_cannot_be_used(client_for, trainer, course_template):
    course_template.unpublish()
    response = client_for(trainer).post(f"/library/create-from-template/{course_template.pk}/")
    assert response.status_code == 404
    assert not CoursePage.objects.exists()


def test_the_service_refuses_an_unpublished_template(trainer, course_template):
    """Not only the view: a command or the seed calling the service is refused too."""
    course_template.unpublish()
    with pytest.raises(PermissionDenied, match=str(MSG_TEMPLATE_NOT_LIVE)):
        course_create_from_template(template=course_template, actor=trainer.user)
    assert not CoursePage.objects.exists()


def test_slugs_stay_free_when_a_numbered_one_is_taken(trainer, course_template):
    first = course_create_from_template(template=course_template, actor=trainer.user)
    second = course_create_from_template(template=course_template, actor=trainer.user)
    first.delete()
    third = course_create_from_template(template=course_template, actor=trainer.user)
    assert (second.slug, third.slug) == (
        f"{course_template.slug}-2",
        f"{course_template.slug}-1",
    )


def test_template_list_shows_button_and_counts_for_hq(
    client_for, trainer, hq_admin, course_template
):
    for _ in range(3):
        course_create_from_template(template=course_template, actor=make_trainer().user)
    trainer_page = client_for(trainer).get("/library/templates/")
    assert "Use this template" in trainer_page.content.decode()
    assert b"data-derived" not in trainer_page.content
    hq_page = client_for(hq_admin).get("/library/templates/").content.decode()
    assert 'data-derived="3"' in hq_page
    assert "3 courses derived from it" in hq_page


def test_learner_never_sees_the_button(client_for, course_template):
    learner = EmployeeFactory()
    assert client_for(learner).get("/library/templates/").status_code == 404


def test_template_list_counts_in_one_query(trainer, course_template, django_assert_num_queries):
    from library.selectors import template_list

    course_create_from_template(template=course_template, actor=trainer.user)
    with django_assert_num_queries(1):
        counts = {t.pk: t.n_courses for t in template_list()}
    assert counts == {course_template.pk: 1}
