from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.organisation.imports.forms import ImportUploadForm


class MetricUploadForm(ImportUploadForm):
    """The HR import's upload checks (size, extension, real CSV/XLSX), for metric values."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A .csv (UTF-8 or GBK) or .xlsx file of outcome metric values."
        )


class MetricValueForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=4)
