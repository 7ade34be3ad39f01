from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation.models import Branch, PositionCategory
from hub.sessions.models import Session


def _course_model():
    """The library's course model, through ``TrainingNeed.course``: needs (a lower layer)
    never import the library."""
    return TrainingNeed._meta.get_field("course").related_model


def _course_category_choices() -> list:
    category = _course_model()._meta.get_field("category")
    return [("", _("All course categories")), *category.choices]


class DateInput(forms.DateInput):
    input_type = "date"


class NeedForm(forms.ModelForm):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())

    class Meta:
        model = TrainingNeed
        fields = [
            "branch",
            "title",
            "problem",
            "audience",
            "metric_name",
            "metric_before",
            "metric_target",
            "unit",
            "higher_is_better",
            "urgency",
            "due_date",
        ]
        widgets = {"due_date": DateInput(), "problem": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches if branches is not None else Branch.objects.none()
        if branches is not None and len(branches) == 1:
            self.fields["branch"].initial = branches[0]


class SessionChoiceField(forms.ModelChoiceField):
    """Sessions named by title, start and branch: titles alone repeat."""

    def label_from_instance(self, obj: Session) -> str:
        where = obj.branch.name if obj.branch_id else _("Company-wide")
        start = timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M")
        return f"{obj.title} · {start} · {where}"


class NeedFilterForm(forms.Form):
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *TrainingNeed.Status.choices],
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *TrainingNeed.Urgency.choices],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("All branches"))] + [
            (b.code, b.name) for b in branches
        ]


class CourseLinkForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = _course_model().objects.live().order_by("title")


class SessionLinkForm(forms.Form):
    session = SessionChoiceField(label=_("Session"), queryset=Session.objects.none())

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"].queryset = sessions


class EvaluateForm(forms.Form):
    metric_after = forms.DecimalField(
        label=_("Value after training"), max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class PlanForm(forms.ModelForm):
    target_categories = forms.MultipleChoiceField(
        label=_("Target position categories"),
        choices=PositionCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    target_branches = forms.ModelMultipleChoiceField(
        label=_("Target branches"),
        queryset=Branch.objects.none(),
        required=False,
        help_text=_("None chosen: the plan's branch, or every branch for an HQ-wide plan."),
    )

    class Meta:
        model = TrainingPlan
        fields = [
            "title",
            "scope",
            "branch",
            "period_start",
            "period_end",
            "objectives",
            "target_categories",
            "target_branches",
            "targeted_learners",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, branches=None, hq: bool = False, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        branches = branches if branches is not None else Branch.objects.none()
        self.fields["branch"].queryset = branches
        self.fields["target_branches"].queryset = branches
        if not hq:
            self.fields["scope"].choices = [
                (TrainingPlan.Scope.BRANCH, TrainingPlan.Scope.BRANCH.label)
            ]
        if editing:
            del self.fields["scope"]
            del self.fields["branch"]
        elif not hq and len(branches) == 1:
            self.fields["branch"].initial = branches[0]  # a manager's only branch

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == TrainingPlan.Scope.BRANCH and not data.get("branch"):
            self.add_error("branch", _("Choose the plan's branch."))
        if scope == TrainingPlan.Scope.HQ:
            data["branch"] = None
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data

    def _post_clean(self):
        # The service validates the model; the form only checks its own fields.
        pass


class PlanLinkForm(forms.Form):
    need = forms.ModelChoiceField(
        label=_("Need"), queryset=TrainingNeed.objects.none(), required=False
    )
    session = SessionChoiceField(
        label=_("Session"), queryset=Session.objects.none(), required=False
    )

    def __init__(self, *args, needs=None, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if needs is not None:
            self.fields["need"].queryset = needs
        if sessions is not None:
            self.fields["session"].queryset = sessions


class OverviewFilterForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("All branches"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    category = forms.ChoiceField(
        label=_("Course category"),
        required=False,
        choices=_course_category_choices,
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        required=False,
        choices=[("", _("All modes")), *Session.Mode.choices],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data
