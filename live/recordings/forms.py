"""Forms of recorded playback."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from library.video.models import Video
from live.recordings.services import MAX_MEDIA_SECONDS


class RecordingSourceForm(forms.Form):
    video = forms.ModelChoiceField(
        label=_("Library video"), queryset=Video.objects.order_by("-created", "-pk")
    )
    duration_seconds = forms.IntegerField(
        label=_("Length (seconds)"),
        min_value=1,
        max_value=MAX_MEDIA_SECONDS,
        required=False,
        help_text=_(
            "Watch progress is measured against this length; left empty, each learner's "
            "player reports it."
        ),
    )
