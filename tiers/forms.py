"""Forms of the nomination and mentoring pages; the services enforce the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import Employee


def grades_label(employee: Employee) -> str:
    """ "A B B C": the last grades, newest first (from the ``recent_grades`` prefetch)."""
    grades = [g.grade or f"{g.score}" for g in getattr(employee, "recent_grades", [])]
    return " ".join(grades) if grades else "—"


class CandidateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        title = f" · {obj.job_title}" if obj.job_title else ""
        return f"{obj.name} ({obj.employee_no}){title} · {grades_label(obj)}"


class NominationForm(forms.Form):
    nominee = CandidateChoiceField(
        label=_("Employee"),
        queryset=Employee.objects.none(),
        help_text=_("Employees of your branch; their last four grades, newest first."),
    )
    reason = forms.CharField(
        label=_("Why this person?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("What they are good at and what they could teach."),
    )

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = candidates


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class EmployeeNumberField(forms.CharField):
    """An employee number, resolved to current staff (a select of 20,000 people would not do)."""

    def clean(self, value):
        value = super().clean(value).strip()
        employee = Employee.objects.current().filter(employee_no=value).first()
        if employee is None:
            raise forms.ValidationError(_("No current employee has this number."))
        return employee


class PairingForm(forms.Form):
    mentor = EmployeeNumberField(label=_("Mentor's employee number"), max_length=32)
    mentee = EmployeeNumberField(label=_("Mentee's employee number"), max_length=32)


class MentoringLogForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.01"),
        max_value=Decimal(24),
        max_digits=4,
        decimal_places=2,
        initial=Decimal("1.5"),
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)


class MentorRatingForm(forms.Form):
    score = forms.IntegerField(
        label=_("Score (0-100)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ProgrammeLimitForm(forms.Form):
    """The mentor programme's rules; a rule left blank stays as it is."""

    mentee_limit = forms.IntegerField(label=_("Mentees per mentor"), min_value=1, max_value=20)
    outstanding_min_hours = forms.DecimalField(
        label=_("Outstanding Mentor: confirmed hours a year"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        required=False,
    )
    outstanding_min_rating = forms.DecimalField(
        label=_("Outstanding Mentor: mean mentee rating"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    outstanding_min_mentees = forms.IntegerField(
        label=_("Outstanding Mentor: fewest mentees in the year"),
        min_value=1,
        max_value=20,
        required=False,
    )
    outstanding_max_mentees = forms.IntegerField(
        label=_("Outstanding Mentor: most mentees in the year"),
        min_value=1,
        max_value=20,
        required=False,
    )

    @classmethod
    def initial_for(cls, settings) -> dict:
        return {name: getattr(settings, name) for name in cls.base_fields}
