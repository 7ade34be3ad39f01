"""The Wagtail admin form for videos: the same checks as ``services.video_create`` run in
``clean()``, so a refused upload comes back as form errors and nothing is stored."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from library.video import services

FILE_FIXED_HELP = _("The video file cannot be replaced: upload a new recording as a new video.")


@dataclass(frozen=True)
class _StoredFile:
    name: str
    url: str

    def __str__(self) -> str:
        return self.name


class PrivateFileInput(forms.ClearableFileInput):
    """A file input for files in private storage: "Currently: <name>" links to the view that
    serves the file (the storage has no URL of its own)."""

    def __init__(self, *args, url_for: Callable[[object], str], **kwargs):
        super().__init__(*args, **kwargs)
        self.url_for = url_for

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "name", "") and getattr(value, "instance", None))

    def format_value(self, value):
        if self.is_initial(value):
            return _StoredFile(os.path.basename(value.name), self.url_for(value.instance))
        return None


class VideoAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "file" in self.fields:
            self.fields["file"].disabled = True
            self.fields["file"].required = False
            self.fields["file"].help_text = FILE_FIXED_HELP

    def new_subtitles(self) -> UploadedFile | bool | None:
        """A new subtitle upload, ``False`` when cleared, ``None`` when unchanged."""
        subtitles = self.cleaned_data.get("subtitles")
        if subtitles is False or isinstance(subtitles, UploadedFile):
            return subtitles
        return None

    def clean(self):
        cleaned = super().clean()
        file = cleaned.get("file")
        if not self.instance.pk and isinstance(file, UploadedFile):
            try:
                services.video_file_check(file)
            except ValidationError as error:
                self.add_error(None, error)
        subtitles = self.new_subtitles()
        has_subtitles = bool(subtitles) or (subtitles is None and bool(self.instance.subtitles))
        if subtitles:
            try:
                services.subtitles_file_check(subtitles)
            except ValidationError as error:
                self.add_error(None, error)
        language = cleaned.get("subtitle_language", "")
        if has_subtitles:
            if not language:
                self.add_error("subtitle_language", services.MSG_LANGUAGE_REQUIRED)
            else:
                try:
                    services.subtitle_language_check(language)
                except ValidationError as error:
                    self.add_error(None, error)
        return cleaned
