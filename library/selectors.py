"""Reads for the library pages: querysets with the joins their templates need, so a listing
costs the same number of queries for 5 courses as for 500."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction

from hub.organisation.models import Branch
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
from library.models.pages import CourseTag
from library.permissions import can_see_templates


def restricted_pages() -> QuerySet[Page]:
    """Pages inside a section that Wagtail's privacy setting restricts beyond "logged in" (to
    a password or to groups). Listings and the search leave them out, so that their titles and
    text reach no one the restriction shuts out; Wagtail still checks each visit by link."""
    private = Q(pk__in=[])
    restrictions = PageViewRestriction.objects.exclude(
        restriction_type=PageViewRestriction.LOGIN
    ).select_related("page")
    for restriction in restrictions:
        private |= Page.objects.descendant_of_q(restriction.page, inclusive=True)
    return Page.objects.filter(private)


def course_browse(
    *,
    category: str = "",
    audience: str = "",
    business_area: str = "",
    branch_code: str = "",
) -> QuerySet[CoursePage]:
    """Published courses matching every given filter; standard courses first, then newest."""
    courses = CoursePage.objects.live().exclude(pk__in=restricted_pages().values("pk"))
    if category:
        courses = courses.filter(category=category)
    if audience:
        courses = courses.filter(audience=audience)
    if business_area:
        courses = courses.filter(business_areas__name=business_area)
    if branch_code:
        courses = courses.filter(owning_branch__code=branch_code)
    return (
        courses.select_related("owning_branch", "author", "derived_from")
        .prefetch_related("tagged_items__tag")
        .order_by("-is_standard", "-first_published_at", "pk")
        .distinct()
    )


def case_browse(*, tag: str = "") -> QuerySet[CasePage]:
    cases = CasePage.objects.live().exclude(pk__in=restricted_pages().values("pk"))
    if tag:
        cases = cases.filter(tags__name=tag)
    return (
        cases.select_related("owning_branch", "author")
        .prefetch_related("tagged_items__tag")
        .order_by("-first_published_at", "pk")
        .distinct()
    )


def course_business_areas() -> list[str]:
    """Business-area tags used by at least one published course, for the filter."""
    return list(
        CourseTag.objects.filter(content_object__live=True)
        .values_list("tag__name", flat=True)
        .distinct()
        .order_by("tag__name")
    )


def course_branches() -> QuerySet[Branch]:
    """Branches owning at least one published course."""
    return Branch.objects.filter(
        pk__in=CoursePage.objects.live().values("owning_branch_id")
    ).order_by("-is_hq", "code")


def template_list() -> QuerySet[CourseTemplatePage]:
    """Published templates with ``n_courses``, how many courses derive from each (one query)."""
    return (
        CourseTemplatePage.objects.live()
        .annotate(n_courses=Count("derived_courses", distinct=True))
        .order_by("path")
    )


@dataclass(frozen=True)
class Section:
    page: Page
    title: str
    description: str
    count: int


def library_sections(*, home: LibraryIndexPage, user) -> list[Section]:
    """The library home's sections the user may open, with how many live pages each holds."""
    kinds = [
        (CourseIndexPage, _("Courses for every position, built from HQ templates.")),
        (CaseIndexPage, _("Real cases from our branches: scenario, analysis, resolution.")),
        (GuideIndexPage, _("How training is planned, delivered and evaluated here.")),
    ]
    if can_see_templates(user):
        kinds.insert(
            0,
            (
                CourseTemplateIndexPage,
                _("HQ's standard course templates: start a course from one."),
            ),
        )
    children = {type(page): page for page in home.get_children().live().specific()}
    sections = []
    for index_model, description in kinds:
        page = children.get(index_model)
        if page is not None:
            count = page.get_children().live().count()
            sections.append(Section(page, page.title, str(description), count))
    return sections


def guide_list(*, section: GuideIndexPage) -> QuerySet[GuidePage]:
    """The section's published guides, in the editors' order."""
    return (
        GuidePage.objects.live()
        .child_of(section)
        .exclude(pk__in=restricted_pages().values("pk"))
        .order_by("path")
    )


def templates_section_url() -> str:
    section = CourseTemplateIndexPage.objects.first()
    return section.url if section is not None and section.url else "/library/"
