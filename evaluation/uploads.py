"""Which files a learner may submit: the type is sniffed from the content (magic bytes), never
trusted from the name or the browser, and the name's extension must agree with it.

Accepted: PDF, Word/Excel/PowerPoint (.docx/.xlsx/.pptx: a zip holding ``[Content_Types].xml``
and the matching main part), PNG, JPEG and plain UTF-8 text. Size is capped by the setting
``LECTERN_SUBMISSION_MAX_BYTES``. Every refusal names the rule it broke.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Office files are zips: refuse one that would unpack to far more than any real document.
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_MEMBERS = 5000

MSG_EMPTY = _("The file is empty.")
MSG_TOO_BIG = _("The file is %(size)s; files may be at most %(limit)s.")
MSG_BAD_EXTENSION = _(
    "Files ending in “%(extension)s” cannot be submitted. Allowed: PDF, Word (.docx), "
    "Excel (.xlsx), PowerPoint (.pptx), PNG, JPEG and plain text (.txt)."
)
MSG_UNKNOWN_CONTENT = _(
    "The content of this file is not a PDF, Word, Excel or PowerPoint document, PNG or JPEG "
    "image, or UTF-8 text, whatever its name says. Save it in one of those formats."
)
MSG_EXTENSION_MISMATCH = _(
    "The file name ends in “%(extension)s” but its content is %(kind)s: the extension must "
    "match the content. Rename it or save it in the right format."
)


@dataclass(frozen=True)
class FileKind:
    key: str
    label: object  # lazy translated string
    content_type: str
    extensions: frozenset[str]


PDF = FileKind("pdf", _("a PDF document"), "application/pdf", frozenset({".pdf"}))
DOCX = FileKind(
    "docx",
    _("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    frozenset({".docx"}),
)
XLSX = FileKind(
    "xlsx",
    _("an Excel workbook"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    frozenset({".xlsx"}),
)
PPTX = FileKind(
    "pptx",
    _("a PowerPoint presentation"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    frozenset({".pptx"}),
)
PNG = FileKind("png", _("a PNG image"), "image/png", frozenset({".png"}))
JPEG = FileKind("jpeg", _("a JPEG image"), "image/jpeg", frozenset({".jpg", ".jpeg"}))
TEXT = FileKind("text", _("plain text"), "text/plain; charset=utf-8", frozenset({".txt", ".md"}))

KINDS = (PDF, DOCX, XLSX, PPTX, PNG, JPEG, TEXT)
ALLOWED_EXTENSIONS = frozenset().union(*(kind.extensions for kind in KINDS))
# The main part each Office format must hold, besides [Content_Types].xml.
OFFICE_PARTS = (
    (DOCX, "word/document.xml"),
    (XLSX, "xl/workbook.xml"),
    (PPTX, "ppt/presentation.xml"),
)
CHUNK = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "LECTERN_SUBMISSION_MAX_BYTES", DEFAULT_MAX_BYTES))


def file_extension(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def _sniff_office(upload: UploadedFile) -> FileKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                return None
            if sum(member.file_size for member in members) > ZIP_MAX_UNPACKED:
                return None
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in OFFICE_PARTS:
        if part in names:
            return kind
    return None


def _is_utf8_text(upload: UploadedFile) -> bool:
    """Valid UTF-8 all the way through (a BOM is fine) with no NUL or other binary controls."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    upload.seek(0)
    try:
        for chunk in upload.chunks(CHUNK):
            text = decoder.decode(chunk)
            if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def sniff(upload: UploadedFile) -> FileKind | None:
    """The file's real type from its bytes, or ``None`` if it is none of the accepted kinds."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office(upload)
    if _is_utf8_text(upload):
        return TEXT
    return None


def validate_submission_file(upload: UploadedFile) -> FileKind:
    """The accepted kind of ``upload``, or ``ValidationError`` naming the rule it broke
    (codes: ``empty``, ``too_big``, ``bad_extension``, ``unknown_content``,
    ``extension_mismatch``). Reads the file, stores nothing."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            MSG_TOO_BIG,
            code="too_big",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if not upload.size:
        raise ValidationError(MSG_EMPTY, code="empty")
    extension = file_extension(upload.name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            MSG_BAD_EXTENSION, code="bad_extension", params={"extension": extension or "—"}
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(MSG_UNKNOWN_CONTENT, code="unknown_content")
    if extension not in kind.extensions:
        raise ValidationError(
            MSG_EXTENSION_MISMATCH,
            code="extension_mismatch",
            params={"extension": extension, "kind": kind.label},
        )
    return kind
