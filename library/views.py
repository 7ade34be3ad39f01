"""Library actions that are not Wagtail pages. Thin: rules live in ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from library import services
from library.models import CourseTemplatePage
from library.permissions import can_create_from_template
from library.selectors import templates_section_url


@login_required
@require_POST
def course_from_template(request: HttpRequest, template_id: int) -> HttpResponse:
    """One POST: a new draft course copied from the template, then Wagtail's editor."""
    if not can_create_from_template(request.user):
        raise PermissionDenied(services.MSG_CANNOT_CREATE)
    template = get_object_or_404(CourseTemplatePage.objects.live(), pk=template_id)
    course = services.course_create_from_template(template=template, actor=request.user)
    messages.success(
        request,
        _(
            "Draft course “%(title)s” created from the template. "
            "Adapt it, then submit it for HQ review."
        )
        % {"title": course.title},
    )
    return redirect(reverse("wagtailadmin_pages:edit", args=[course.pk]))


@login_required
def templates_redirect(request: HttpRequest) -> HttpResponse:
    """A stable URL for "the course templates" (the admin menu links here)."""
    return redirect(templates_section_url())
