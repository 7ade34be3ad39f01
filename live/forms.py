"""Forms of the live room page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from live.models import LiveRoom


class RoomSettingsForm(forms.Form):
    """What the trainer sets for the room: how the video is shown and anonymous questions."""

    stream_kind = forms.ChoiceField(label=_("Video"), choices=LiveRoom.StreamKind.choices)
    allow_anonymous = forms.BooleanField(label=_("Allow anonymous questions"), required=False)
    reveal_anonymous_to_staff = forms.BooleanField(
        label=_("Trainers and HQ see who asked anonymous questions"), required=False
    )

    @classmethod
    def initial_for(cls, room: LiveRoom) -> dict:
        return {
            "stream_kind": room.stream_kind,
            "allow_anonymous": room.allow_anonymous,
            "reveal_anonymous_to_staff": room.reveal_anonymous_to_staff,
        }
