"""Forms of the session pages; validation of rules stays in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import Branch, Employee, PositionCategory, Role
from hub.sessions.models import Attendance, Session, SessionSettings


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def live_courses():
    """Live library courses. The course model is the one ``Session.course`` points at, so
    sessions (a lower layer) never import the library."""
    course_model = Session._meta.get_field("course").related_model
    return course_model.objects.live().order_by("title")


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=None, required=False, empty_label=_("(no course)")
    )
    trainers = forms.ModelMultipleChoiceField(label=_("Trainers"), queryset=None)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.order_by("-is_hq", "code"),
        required=False,
        empty_label=_("Company-wide"),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Session.Mode.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeLocalInput())
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    stream_url = forms.URLField(label=_("Stream URL"), required=False, assume_scheme="https")
    audience = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=PositionCategory.choices,
        required=False,
        help_text=_("Position categories that may enrol themselves; none selected = everyone."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = live_courses()
        self.fields["trainers"].queryset = (
            Employee.objects.filter(role_grants__role=Role.TRAINER)
            .select_related("branch")
            .distinct()
            .order_by("name_pinyin")
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        return data

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        return {
            "title": session.title,
            "course": session.course_id,
            "trainers": list(session.trainers.all()),
            "branch": session.branch_id,
            "mode": session.mode,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "capacity": session.capacity,
            "location": session.location,
            "stream_url": session.stream_url,
            "audience": session.audience_list,
            "description": session.description,
        }


class CancelSessionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RecordingForm(forms.Form):
    url = forms.URLField(label=_("Recording URL"), assume_scheme="https")


class AssignForm(forms.Form):
    employee_nos = forms.CharField(
        label=_("Employee numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces, commas or new lines."),
    )
    rule_branch = forms.ModelChoiceField(
        label=_("Or everyone of branch"), queryset=Branch.objects.none(), required=False
    )
    rule_category = forms.ChoiceField(
        label=_("with position category"),
        choices=[("", _("(any)")), *PositionCategory.choices],
        required=False,
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is not None:
            self.fields["rule_branch"].queryset = branches

    def employee_numbers(self) -> list[str]:
        raw = self.cleaned_data.get("employee_nos", "")
        return [n for n in raw.replace(",", " ").replace("\uff0c", " ").split() if n]

    def clean(self):
        data = super().clean()
        if not self.employee_numbers() and not data.get("rule_branch"):
            raise forms.ValidationError(_("Give employee numbers or choose a branch."))
        return data


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Attendance.Status.choices)
    minutes = forms.IntegerField(label=_("Minutes present"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SessionSettingsForm(forms.ModelForm):
    class Meta:
        model = SessionSettings
        fields = [
            "completion_percent",
            "late_after_minutes",
            "cancel_deadline_hours",
            "checkin_code_minutes",
            "early_start_minutes",
            "end_not_before_start",
        ]


class SessionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("(all)")), *Session.Status.choices], required=False
    )
    mode = forms.ChoiceField(
        label=_("Mode"), choices=[("", _("(all)")), *Session.Mode.choices], required=False
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False, empty_label=_("(all)")
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is None or not branches.exists():
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches
