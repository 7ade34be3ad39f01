"""Forms of the assignment pages; the rules themselves live in ``services`` and ``uploads``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import Assignment
from evaluation.services import MSG_EMPTY_SUBMISSION, MSG_SCORE_RANGE
from evaluation.uploads import ALLOWED_EXTENSIONS, validate_submission_file

TEXT_MAX_LENGTH = 20_000


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["title", "instructions", "due_at", "max_score", "allow_late"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 6}),
            "due_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, session=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if session is not None:
            self.instance.session = session

    def validate_unique(self) -> None:
        # The service validates the whole row (session included) when it writes.
        pass


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, PNG, JPEG or plain text; at most %(limit)s."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
    )

    def __init__(self, *args, limit_label: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"limit": limit_label}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_submission_file(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("text") or "").strip() and not cleaned.get("file"):
            raise forms.ValidationError(MSG_EMPTY_SUBMISSION, code="empty")
        return cleaned


class GradeForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score"), min_value=Decimal(0), max_digits=5, decimal_places=1
    )
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, max_score: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_score = max_score
        self.fields["score"].widget.attrs.update({"max": max_score, "step": "0.1"})
        self.fields["score"].help_text = _("From 0 to %(max)s.") % {"max": max_score}

    def clean_score(self):
        score = self.cleaned_data["score"]
        if score > self.max_score:
            raise forms.ValidationError(
                MSG_SCORE_RANGE, code="score_range", params={"max": self.max_score}
            )
        return score
