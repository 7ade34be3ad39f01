"""Filters of the learner-facing library pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import PositionCategory
from library.models.pages import CourseCategory
from library.selectors import course_branches, course_business_areas


class CourseFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All course categories"))]
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("All audiences"))]
    )
    area = forms.ChoiceField(
        label=_("Business area"), required=False, choices=[("", _("All business areas"))]
    )
    branch = forms.ChoiceField(label=_("Branch"), required=False, choices=[("", _("All branches"))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("All course categories")),
            *CourseCategory.choices,
        ]
        self.fields["audience"].choices = [("", _("All audiences")), *PositionCategory.choices]
        self.fields["area"].choices = [
            ("", _("All business areas")),
            *((name, name) for name in course_business_areas()),
        ]
        self.fields["branch"].choices = [
            ("", _("All branches")),
            *((b.code, b.name) for b in course_branches()),
        ]
