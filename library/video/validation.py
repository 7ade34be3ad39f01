"""Pure checks of uploaded video and subtitle bytes: the type comes from the content, never from
the file name. No Django models here, so the rules are tested on plain bytes.

- MP4 (ISO base media file): the first box is ``ftyp`` (its type at offset 4) with a major
  brand we know to be MP4 video.
- WebM: an EBML header (``1A 45 DF A3``) whose DocType element says ``webm`` (Matroska and
  other EBML documents are refused).
- WebVTT: UTF-8 text (an optional BOM) whose first line is ``WEBVTT``, alone or followed by a
  space or a tab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Enough of the head of a file to hold the ftyp box or the EBML header.
SNIFF_BYTES = 4096

MP4 = "video/mp4"
WEBM = "video/webm"
EXTENSIONS = {MP4: "mp4", WEBM: "webm"}

# ISO/IEC 14496-12 and -14 brands written by common encoders (ffmpeg, phones, cameras, DASH).
# QuickTime ("qt  "), 3GPP and audio-only ("M4A ") files are not MP4 video for browsers.
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"iso7",
        b"iso8",
        b"iso9",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"M4VP",
        b"dash",
        b"mmp4",
        b"MSNV",
        b"XAVC",
    }
)

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOCTYPE_ID = b"\x42\x82"

WEBVTT_SIGNATURE = "WEBVTT"
UTF8_BOM = b"\xef\xbb\xbf"
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")  # used with fullmatch

# Messages that tests assert on.
NOT_A_VIDEO = _(
    "This file is not an MP4 or WebM video (its content was checked, not its name): "
    "upload an MP4 (H.264) or WebM file."
)
MP4_UNKNOWN_BRAND = _(
    "This MP4 file has the brand “%(brand)s”, which is not a known MP4 video brand: "
    "convert it to a standard MP4 (H.264) or WebM."
)
WEBM_WRONG_DOCTYPE = _(
    "This EBML file is a “%(doctype)s” document, not WebM: convert it to WebM or MP4."
)
VIDEO_TOO_LARGE = _("The video is %(size)s; the largest allowed is %(limit)s.")
VIDEO_EMPTY = _("The video file is empty.")
SUBTITLES_TOO_LARGE = _("The subtitle file is %(size)s; the largest allowed is %(limit)s.")
SUBTITLES_NOT_UTF8 = _("The subtitle file is not UTF-8 text: save it as UTF-8 and upload again.")
SUBTITLES_NOT_WEBVTT = _(
    "The subtitle file is not WebVTT: its first line must be “WEBVTT” (SRT and other formats "
    "are not supported)."
)
LANGUAGE_INVALID = _("Enter a language tag such as “zh-Hans” or “en”.")


class VideoRejected(ValueError):
    """The bytes are not an acceptable video or subtitle file; ``message`` says why."""

    def __init__(self, message: str, params: dict | None = None):
        self.message = message
        self.params = params or {}
        super().__init__(str(message) % self.params if self.params else str(message))


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    detail: str  # the MP4 major brand or the WebM DocType

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff_video(head: bytes) -> Sniffed:
    """The video type of a file from its first bytes (``SNIFF_BYTES`` are plenty).

    Raises ``VideoRejected`` for anything that is neither MP4 nor WebM.
    """
    if head.startswith(EBML_MAGIC):
        doctype = ebml_doctype(head)
        if doctype == "webm":
            return Sniffed(WEBM, doctype)
        if doctype is None:
            raise VideoRejected(NOT_A_VIDEO)
        raise VideoRejected(WEBM_WRONG_DOCTYPE, {"doctype": doctype})
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        brand = head[8:12]
        # A box of size 1 carries a 64-bit size; otherwise an ftyp holds at least the major
        # brand and the minor version (16 bytes).
        if box_size != 1 and box_size < 16:
            raise VideoRejected(NOT_A_VIDEO)
        if brand in MP4_BRANDS:
            return Sniffed(MP4, brand.decode("ascii"))
        raise VideoRejected(MP4_UNKNOWN_BRAND, {"brand": brand.decode("latin-1").strip() or "?"})
    raise VideoRejected(NOT_A_VIDEO)


def _read_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer at ``pos``: (value, next position), None if truncated.

    Element IDs keep their length marker bit (``keep_marker``); sizes drop it.
    """
    if pos >= len(data):
        return None
    first = data[pos]
    if first == 0:
        return None  # longer than 8 bytes: not valid EBML
    length = 1
    mask = 0x80
    while not first & mask:
        mask >>= 1
        length += 1
    if pos + length > len(data):
        return None
    value = first if keep_marker else first & (mask - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, pos + length


def ebml_doctype(head: bytes) -> str | None:
    """The DocType string of the EBML header at the start of ``head``, None if absent."""
    parsed = _read_vint(head, len(EBML_MAGIC), keep_marker=False)
    if parsed is None:
        return None
    header_size, pos = parsed
    end = min(len(head), pos + header_size)
    doctype_id = int.from_bytes(EBML_DOCTYPE_ID, "big")
    while pos < end:
        element = _read_vint(head, pos, keep_marker=True)
        if element is None:
            return None
        element_id, pos = element
        size = _read_vint(head, pos, keep_marker=False)
        if size is None:
            return None
        element_size, pos = size
        if element_id == doctype_id:
            raw = head[pos : pos + element_size].rstrip(b"\x00")
            return raw.decode("ascii", errors="replace")
        pos += element_size
    return None


def check_video_size(size: int, limit: int) -> None:
    if size <= 0:
        raise VideoRejected(VIDEO_EMPTY)
    if size > limit:
        raise VideoRejected(VIDEO_TOO_LARGE, {"size": human_size(size), "limit": human_size(limit)})


def check_webvtt(data: bytes, limit: int) -> str:
    """The subtitle text when ``data`` is WebVTT in UTF-8 of at most ``limit`` bytes."""
    check_subtitles_size(len(data), limit)
    data = data.removeprefix(UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise VideoRejected(SUBTITLES_NOT_UTF8) from error
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if first_line != WEBVTT_SIGNATURE and not first_line.startswith(
        (WEBVTT_SIGNATURE + " ", WEBVTT_SIGNATURE + "\t")
    ):
        raise VideoRejected(SUBTITLES_NOT_WEBVTT)
    return text


def check_subtitles_size(size: int, limit: int) -> None:
    if size > limit:
        raise VideoRejected(
            SUBTITLES_TOO_LARGE, {"size": human_size(size), "limit": human_size(limit)}
        )


def check_language_tag(tag: str) -> None:
    if not LANGUAGE_TAG.fullmatch(tag):
        raise VideoRejected(LANGUAGE_INVALID)


def human_size(size: int) -> str:
    """``524288000`` → ``500.0 MB`` (binary multiples, as file managers show them)."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
