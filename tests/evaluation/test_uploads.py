"""evaluation.uploads: the type comes from the bytes; the extension must agree; size is capped."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from evaluation import uploads
from evaluation.uploads import validate_submission_file
from tests.evaluation.helpers import JPEG_BYTES, PDF_BYTES, PNG_BYTES, office_bytes, upload


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("report.pdf", PDF_BYTES, uploads.PDF),
        ("总结.docx", office_bytes("word/document.xml"), uploads.DOCX),
        ("data.xlsx", office_bytes("xl/workbook.xml"), uploads.XLSX),
        ("slides.pptx", office_bytes("ppt/presentation.xml"), uploads.PPTX),
        ("photo.png", PNG_BYTES, uploads.PNG),
        ("photo.JPG", JPEG_BYTES, uploads.JPEG),
        ("photo.jpeg", JPEG_BYTES, uploads.JPEG),
        ("notes.txt", "学习心得, 倾听客户。\n第二行\tTab".encode(), uploads.TEXT),
        ("bom.txt", b"\xef\xbb\xbf" + "带 BOM 的文本".encode(), uploads.TEXT),
    ],
)
def test_accepted_kinds(name, content, kind):
    assert validate_submission_file(upload(name, content)) == kind


def refusal(name, content) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_submission_file(upload(name, content))
    return caught.value


def test_pdf_that_is_really_text_is_refused_naming_the_rule():
    error = refusal("report.pdf", b"just some text pretending to be a PDF")
    assert error.code == "extension_mismatch"
    with translation.override("en"):
        message = error.messages[0]
    assert "“.pdf”" in message
    assert "plain text" in message
    assert "extension must match the content" in message


def test_docx_named_pdf_is_refused():
    assert refusal("report.pdf", office_bytes()).code == "extension_mismatch"


def test_text_named_png_is_refused():
    assert refusal("photo.png", b"hello").code == "extension_mismatch"


def test_zip_without_content_types_is_not_an_office_file():
    error = refusal("fake.docx", office_bytes(content_types=False))
    assert error.code == "unknown_content"


def test_zip_with_content_types_but_wrong_part_is_refused():
    # An Excel workbook renamed .docx: sniffed as Excel, so the extension disagrees.
    assert refusal("fake.docx", office_bytes("xl/workbook.xml")).code == "extension_mismatch"


def test_zip_without_any_office_part_is_refused():
    assert refusal("fake.xlsx", office_bytes("other/thing.xml")).code == "unknown_content"


def test_binary_content_is_refused():
    assert refusal("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00").code == "unknown_content"


def test_text_in_gbk_is_not_utf8():
    assert refusal("notes.txt", "学习心得".encode("gbk")).code == "unknown_content"


def test_disallowed_extension_is_refused_before_sniffing():
    error = refusal("tool.exe", PDF_BYTES)
    assert error.code == "bad_extension"
    with translation.override("en"):
        assert "“.exe”" in error.messages[0]


def test_no_extension_is_refused():
    assert refusal("README", b"text").code == "bad_extension"


def test_empty_file_is_refused():
    assert refusal("empty.txt", b"").code == "empty"


def test_size_limit_from_the_setting(settings):
    settings.LECTERN_SUBMISSION_MAX_BYTES = 100
    assert validate_submission_file(upload("ok.txt", b"a" * 100)) == uploads.TEXT  # boundary
    error = refusal("big.txt", b"a" * 101)
    assert error.code == "too_big"
    with translation.override("en"):
        assert "at most 100" in error.messages[0]


def test_default_limit_is_20_mb(settings):
    del settings.LECTERN_SUBMISSION_MAX_BYTES
    assert uploads.max_bytes() == 20 * 1024 * 1024


def test_utf8_character_split_across_chunks_is_still_text(monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK", 4)
    content = "一二三四五六七八九十".encode()  # 3-byte characters cross every 4-byte chunk
    assert validate_submission_file(upload("cn.txt", content)) == uploads.TEXT


def test_zip_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_UNPACKED", 10)
    assert refusal("big.docx", office_bytes()).code == "unknown_content"
