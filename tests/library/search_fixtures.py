"""Library pages for the search tests: a minimal tree under the default site's root page."""

from __future__ import annotations

import itertools

import pytest
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

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
from tests.factories import EmployeeFactory, grant

_slugs = itertools.count(1)


def _slug(prefix: str) -> str:
    return f"{prefix}-{next(_slugs)}"


class Library:
    """The section pages, and helpers that publish pages under them."""

    def __init__(self) -> None:
        site_root = Site.objects.get(is_default_site=True).root_page
        self.home = site_root.add_child(instance=LibraryIndexPage(title="培训资源库", slug="lib"))
        self.templates = self.home.add_child(
            instance=CourseTemplateIndexPage(title="课程模板", slug="templates")
        )
        self.courses = self.home.add_child(instance=CourseIndexPage(title="课程", slug="courses"))
        self.cases = self.home.add_child(instance=CaseIndexPage(title="案例库", slug="cases"))
        self.guides = self.home.add_child(
            instance=GuideIndexPage(title="培训流程指南", slug="guides")
        )

    @staticmethod
    def _add(parent: Page, page: Page, *, publish: bool) -> Page:
        page.live = False
        parent.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page

    def course(self, title: str, *, summary: str = "", body=(), publish: bool = True):
        page = CoursePage(
            title=title,
            slug=_slug("course"),
            summary=summary,
            category="in_service",
            audience="backbone",
            body=list(body),
        )
        return self._add(self.courses, page, publish=publish)

    def template(self, title: str, *, summary: str = "", body=(), publish: bool = True):
        page = CourseTemplatePage(
            title=title,
            slug=_slug("template"),
            summary=summary,
            category="onboarding",
            audience="new_hire",
            body=list(body),
        )
        return self._add(self.templates, page, publish=publish)

    def case(self, title: str, *, scenario: str = "<p>情景</p>", analysis: str = "", **kw):
        page = CasePage(
            title=title,
            slug=_slug("case"),
            scenario=scenario,
            analysis=analysis,
            resolution=kw.pop("resolution", ""),
        )
        return self._add(self.cases, page, publish=kw.pop("publish", True))

    def guide(self, title: str, *, summary: str = "", paragraphs=(), publish: bool = True):
        body = [("paragraph", RichText(html)) for html in paragraphs]
        page = GuidePage(title=title, slug=_slug("guide"), summary=summary, body=body)
        return self._add(self.guides, page, publish=publish)


def module(title: str, *descriptions: str):
    """A course-body module block with one lecture activity per description."""
    return (
        "module",
        {
            "title": title,
            "duration_minutes": 30,
            "activities": [{"kind": "lecture", "description": d} for d in descriptions],
        },
    )


def trainer_notes(text: str):
    return ("trainer_notes", {"notes": text})


@pytest.fixture
def library(db) -> Library:
    return Library()


@pytest.fixture
def trainer(db, branch):
    employee = EmployeeFactory(branch=branch)
    grant(employee, Role.TRAINER)
    return employee


@pytest.fixture
def training_lead(db):
    employee = EmployeeFactory()
    grant(employee, Role.TRAINING_LEAD)
    return employee
