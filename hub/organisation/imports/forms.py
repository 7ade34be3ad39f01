"""The upload form: refuses what the import cannot read before anything is stored."""

from __future__ import annotations

import zipfile

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from hub.organisation.imports.readers import ALLOWED_EXTENSIONS, XLSX_EXTENSIONS, file_extension

MSG_TOO_BIG = _("The file is %(size)s; the limit is %(limit)s.")
MSG_BAD_TYPE = _("Only .csv and .xlsx files can be imported (an .xls file: save it as .xlsx).")
MSG_NOT_XLSX = _("This is not a real .xlsx workbook. Open it in Excel and save it as .xlsx.")
MSG_NOT_CSV = _("This is not a CSV text file. Save it from Excel as CSV (UTF-8).")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("A .csv (UTF-8 or GBK) or .xlsx file of branches and/or employees."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.LECTERN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                MSG_TOO_BIG,
                code="too_big",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        extension = file_extension(upload.name)
        if extension not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(MSG_BAD_TYPE, code="bad_type")
        upload.seek(0)
        if extension in XLSX_EXTENSIONS:
            is_zip = zipfile.is_zipfile(upload)
            upload.seek(0)
            if not is_zip:
                raise forms.ValidationError(MSG_NOT_XLSX, code="not_xlsx")
        else:
            head = upload.read(4096)
            upload.seek(0)
            if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise forms.ValidationError(MSG_NOT_CSV, code="not_csv")
        return upload
