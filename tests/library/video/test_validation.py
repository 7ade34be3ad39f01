"""library.video.validation and library.video.ranges: pure functions on bytes and headers."""

from pathlib import Path

import pytest

from library.video import ranges, validation
from library.video.ranges import ByteRange, Unsatisfiable, parse_range
from library.video.validation import MP4, WEBM, VideoRejected, sniff_video

DEMO = Path(__file__).resolve().parents[3] / "library" / "video" / "demo"

# The first 40 bytes of an MP4 written by ffmpeg/libx264 (ftyp isom, minor 0x200, compatible
# isom iso2 avc1 mp41, then a free box).
FFMPEG_MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free"
# An iPhone-style MP4 (major brand mp42).
PHONE_MP4_HEAD = b"\x00\x00\x00\x1cftypmp42\x00\x00\x00\x00mp42isomavc1\x00\x00\x00\x08free"
# The first 40 bytes of a WebM written by ffmpeg/libvpx (EBML header, DocType "webm").
FFMPEG_WEBM_HEAD = bytes.fromhex(
    "1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104428581021853806701"
)


def ebml_header(doctype: bytes) -> bytes:
    body = b"\x42\x86\x81\x01" + b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67"


class TestSniffVideo:
    def test_ffmpeg_mp4_is_mp4(self):
        sniffed = sniff_video(FFMPEG_MP4_HEAD)
        assert sniffed.content_type == MP4
        assert sniffed.detail == "isom"
        assert sniffed.extension == "mp4"

    def test_phone_mp4_is_mp4(self):
        assert sniff_video(PHONE_MP4_HEAD).content_type == MP4

    def test_ffmpeg_webm_is_webm(self):
        sniffed = sniff_video(FFMPEG_WEBM_HEAD)
        assert (sniffed.content_type, sniffed.detail, sniffed.extension) == (WEBM, "webm", "webm")

    def test_demo_webm_file_is_webm(self):
        head = (DEMO / "cross-selling-opening.webm").read_bytes()[: validation.SNIFF_BYTES]
        assert sniff_video(head).content_type == WEBM

    def test_minimal_webm_header_is_webm(self):
        assert sniff_video(ebml_header(b"webm")).content_type == WEBM

    def test_text_named_mp4_is_refused(self):
        with pytest.raises(VideoRejected) as refused:
            sniff_video(b"This is just a text file renamed to lesson.mp4\n")
        assert refused.value.message == validation.NOT_A_VIDEO

    def test_empty_head_is_refused(self):
        with pytest.raises(VideoRejected):
            sniff_video(b"")

    def test_matroska_doctype_is_refused(self):
        with pytest.raises(VideoRejected) as refused:
            sniff_video(ebml_header(b"matroska"))
        assert refused.value.message == validation.WEBM_WRONG_DOCTYPE
        assert refused.value.params == {"doctype": "matroska"}

    def test_ebml_without_doctype_is_refused(self):
        body = b"\x42\x86\x81\x01"
        with pytest.raises(VideoRejected) as refused:
            sniff_video(b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body)
        assert refused.value.message == validation.NOT_A_VIDEO

    def test_truncated_ebml_is_refused(self):
        with pytest.raises(VideoRejected):
            sniff_video(b"\x1a\x45\xdf\xa3\x9f\x42")

    def test_quicktime_brand_is_refused(self):
        head = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "
        with pytest.raises(VideoRejected) as refused:
            sniff_video(head)
        assert refused.value.message == validation.MP4_UNKNOWN_BRAND
        assert refused.value.params == {"brand": "qt"}

    def test_ftyp_box_too_small_is_refused(self):
        with pytest.raises(VideoRejected):
            sniff_video(b"\x00\x00\x00\x08ftypisom")

    def test_ftyp_not_at_offset_4_is_refused(self):
        with pytest.raises(VideoRejected):
            sniff_video(b"\x00\x00\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2")


class TestSizes:
    def test_at_the_limit_is_allowed(self):
        validation.check_video_size(1000, 1000)

    def test_one_byte_over_is_refused(self):
        with pytest.raises(VideoRejected) as refused:
            validation.check_video_size(1001, 1000)
        assert refused.value.message == validation.VIDEO_TOO_LARGE

    def test_empty_is_refused(self):
        with pytest.raises(VideoRejected) as refused:
            validation.check_video_size(0, 1000)
        assert refused.value.message == validation.VIDEO_EMPTY

    @pytest.mark.parametrize(
        ("size", "text"),
        [(512, "512 B"), (2048, "2.0 KB"), (500 * 1024 * 1024, "500.0 MB"), (3 << 30, "3.0 GB")],
    )
    def test_human_size(self, size, text):
        assert validation.human_size(size) == text


class TestWebVTT:
    def test_webvtt_in_utf8_is_accepted(self):
        text = validation.check_webvtt("WEBVTT\n\n00:00.000 --> 00:01.000\n你好\n".encode(), 100)
        assert "你好" in text

    def test_header_text_after_signature_and_bom_are_accepted(self):
        data = validation.UTF8_BOM + b"WEBVTT - Chinese\r\n\r\n"
        assert validation.check_webvtt(data, 100).startswith("WEBVTT")

    def test_srt_is_refused(self):
        with pytest.raises(VideoRejected) as refused:
            validation.check_webvtt(b"1\n00:00:00,000 --> 00:00:01,000\nHi\n", 100)
        assert refused.value.message == validation.SUBTITLES_NOT_WEBVTT

    def test_signature_glued_to_text_is_refused(self):
        with pytest.raises(VideoRejected):
            validation.check_webvtt(b"WEBVTTX\n", 100)

    def test_gbk_is_refused(self):
        with pytest.raises(VideoRejected) as refused:
            validation.check_webvtt("WEBVTT\n\n00:00.000 --> 00:01.000\n你好\n".encode("gbk"), 100)
        assert refused.value.message == validation.SUBTITLES_NOT_UTF8

    def test_size_limit_boundary(self):
        data = b"WEBVTT\n" + b"x" * 93
        assert len(data) == 100
        validation.check_webvtt(data, 100)
        with pytest.raises(VideoRejected) as refused:
            validation.check_webvtt(data + b"x", 100)
        assert refused.value.message == validation.SUBTITLES_TOO_LARGE

    def test_demo_subtitles_are_webvtt(self):
        data = (DEMO / "cross-selling-opening.zh-Hans.vtt").read_bytes()
        assert "推荐搭配" in validation.check_webvtt(data, 10_000)

    @pytest.mark.parametrize("tag", ["zh-Hans", "en", "zh-CN", "yue"])
    def test_language_tags(self, tag):
        validation.check_language_tag(tag)

    @pytest.mark.parametrize("tag", ["", "中文", "zh_Hans", "z", "zh-", "en\n", "zh-Hans\n"])
    def test_bad_language_tags(self, tag):
        with pytest.raises(VideoRejected):
            validation.check_language_tag(tag)


class TestParseRange:
    SIZE = 1000

    def test_no_header_means_whole_file(self):
        assert parse_range(None, self.SIZE) is None
        assert parse_range("", self.SIZE) is None

    def test_closed_range(self):
        assert parse_range("bytes=100-199", self.SIZE) == ByteRange(100, 199)

    def test_closed_range_clipped_to_the_end(self):
        assert parse_range("bytes=900-5000", self.SIZE) == ByteRange(900, 999)

    def test_open_range(self):
        assert parse_range("bytes=990-", self.SIZE) == ByteRange(990, 999)

    def test_last_byte(self):
        assert parse_range("bytes=999-999", self.SIZE) == ByteRange(999, 999)

    def test_suffix_range(self):
        assert parse_range("bytes=-10", self.SIZE) == ByteRange(990, 999)

    def test_suffix_longer_than_file_is_whole_file(self):
        assert parse_range("bytes=-5000", self.SIZE) == ByteRange(0, 999)

    @pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-1005", "bytes=-0"])
    def test_unsatisfiable(self, header):
        with pytest.raises(Unsatisfiable):
            parse_range(header, self.SIZE)

    @pytest.mark.parametrize(
        "header", ["items=0-1", "bytes=abc", "bytes=5-1", "bytes=-", "bytes", "bytes=0-1,5-9"]
    )
    def test_ignored_headers_mean_whole_file(self, header):
        assert parse_range(header, self.SIZE) is None

    def test_numbers_longer_than_int_accepts_are_capped_not_a_crash(self):
        # int() refuses strings of more than 4300 digits; such a header must not be a 500.
        huge = "9" * 5000
        assert parse_range(f"bytes=0-{huge}", self.SIZE) == ByteRange(0, 999)
        assert parse_range(f"bytes=-{huge}", self.SIZE) == ByteRange(0, 999)
        with pytest.raises(Unsatisfiable):
            parse_range(f"bytes={huge}-", self.SIZE)
        # Leading zeros do not make a small number huge.
        assert parse_range(f"bytes={'0' * 5000}5-9", self.SIZE) == ByteRange(5, 9)

    @pytest.mark.parametrize("header", ["bytes=\u0661-\u0669", "bytes=1-2\n", "bytes=1-\x0b2"])
    def test_only_ascii_digits_and_blanks_parse(self, header):
        assert parse_range(header, self.SIZE) is None

    def test_content_range(self):
        assert ByteRange(0, 9).content_range(1000) == "bytes 0-9/1000"
        assert ByteRange(0, 9).length == 10
        assert ranges.ByteRange(5, 5).length == 1
