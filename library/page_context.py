"""What the library's section pages show, read through the selectors and the filter form:
registered with the page models (``context_provider``), which sit below both. Imported by
``LibraryConfig.ready``."""

from __future__ import annotations

from django.core.paginator import Paginator

from library.forms import CourseFilterForm
from library.models.pages import (
    CaseIndexPage,
    CourseIndexPage,
    CourseTemplateIndexPage,
    GuideIndexPage,
    LibraryIndexPage,
    context_provider,
)
from library.permissions import can_create_from_template, sees_derived_counts
from library.selectors import (
    case_browse,
    course_browse,
    guide_list,
    library_sections,
    template_list,
)

PAGE_SIZE = 12


def _other_params(request) -> str:
    """The query string without ``page``, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@context_provider(LibraryIndexPage)
def library_home(page, request) -> dict:
    return {"sections": library_sections(home=page, user=request.user)}


@context_provider(CourseTemplateIndexPage)
def course_templates(page, request) -> dict:
    return {
        "templates": template_list(),
        "can_create": can_create_from_template(request.user),
        "show_counts": sees_derived_counts(request.user),
    }


@context_provider(CourseIndexPage)
def courses(page, request) -> dict:
    form = CourseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = course_browse(
        category=filters.get("category", ""),
        audience=filters.get("audience", ""),
        business_area=filters.get("area", ""),
        branch_code=filters.get("branch", ""),
    )
    return {
        "form": form,
        "page_obj": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
        "params": _other_params(request),
    }


@context_provider(CaseIndexPage)
def cases(page, request) -> dict:
    tag = request.GET.get("tag", "")[:100]
    return {
        "tag": tag,
        "page_obj": Paginator(case_browse(tag=tag), PAGE_SIZE).get_page(request.GET.get("page")),
        "params": _other_params(request),
    }


@context_provider(GuideIndexPage)
def guides(page, request) -> dict:
    return {"guides": guide_list(section=page)}
