"""Upload of a ``.h5p`` package: validated in full before anything is stored."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from library.h5p.models import H5PContent, H5PPendingPackage
from library.h5p.services import H5PPackageError, h5p_content_create

MSG_TOO_BIG = _("The package is %(size)s; at most %(limit)s may be uploaded.")
MSG_EXTENSION = _("Choose a .h5p file.")
MSG_PENDING = _(
    "“%(title)s” needs library versions HQ has not approved yet (%(libraries)s). It was stored "
    "and waits for an HQ admin's approval; it cannot be played until then, and you will be "
    "notified of the decision."
)


def pending_message(pending: H5PPendingPackage) -> str:
    return str(MSG_PENDING) % {
        "title": pending.title,
        "libraries": ", ".join(pending.library_labels),
    }


class PackageFieldMixin:
    """Checks the upload and installs it through ``h5p_content_create`` in ``clean``, so a
    rejected package shows every broken rule as a form error and stores nothing."""

    def clean_package(self):
        package = self.cleaned_data["package"]
        if not package.name.lower().endswith(".h5p"):
            raise forms.ValidationError(MSG_EXTENSION, code="extension")
        if package.size > settings.H5P_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                MSG_TOO_BIG,
                code="too_big",
                params={
                    "size": filesizeformat(package.size),
                    "limit": filesizeformat(settings.H5P_MAX_UPLOAD_BYTES),
                },
            )
        return package

    def install(self, user) -> H5PContent | H5PPendingPackage | None:
        package = self.cleaned_data["package"]
        try:
            return h5p_content_create(
                package=package,
                name=package.name,
                size=package.size,
                uploaded_by=user,
                title=self.cleaned_data.get("title") or "",
            )
        except H5PPackageError as exc:
            for error in exc.errors:
                self.add_error("package", forms.ValidationError(error.message, code=error.code))
            return None


class H5PUploadForm(PackageFieldMixin, forms.Form):
    package = forms.FileField(
        label=_("H5P package (.h5p)"),
        help_text=_("Checked in full before anything is stored."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=255, required=False, help_text=_("Empty: the package's.")
    )


class H5PContentAdminForm(PackageFieldMixin, WagtailAdminModelForm):
    """The Wagtail snippet's create form: the package installs when the form validates."""

    package = forms.FileField(label=_("H5P package (.h5p)"))
    pending: H5PPendingPackage | None = None

    class Meta:
        model = H5PContent
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # editing: only the title; a new package is a new content
            del self.fields["package"]
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Empty: the package's.")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("package") and not self.instance.pk:
            result = self.install(self.for_user)
            if isinstance(result, H5PPendingPackage):
                self.pending = result  # the create view reports it; no content was made
            elif result is not None:
                self.instance = result
        return cleaned

    def save(self, commit=True):
        if "package" in self.fields:
            # Installed in clean(); the snippet view only logs the creation.
            return self.instance
        if not self.cleaned_data.get("title"):
            self.instance.title = H5PContent.objects.get(pk=self.instance.pk).title
        return super().save(commit=commit)
