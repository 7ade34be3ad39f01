"""library.h5p.validation: every rule, with a crafted package each (allowed, refused, edge)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from library.h5p.models import H5PAllowedLibrary
from library.h5p.services import h5p_content_create
from library.h5p.validation import ErrorCode, Limits, error_codes, validate_package
from tests.library.h5p_packages import (
    JPEG,
    PNG,
    REAL_LIBRARIES,
    REAL_PACKAGE,
    allow,
    as_json,
    build,
    h5p_root_fixture,  # noqa: F401
    library_json,
)
from tests.library.h5p_packages import minimal_files as files

LIMITS = Limits(
    max_files=50,
    max_file_bytes=4 * 1024 * 1024,
    max_total_bytes=8 * 1024 * 1024,
    max_compression_ratio=100,
    core_api=(1, 24),
)
LIB = "H5P.Demo-1.0"


def check(package_files, limits=LIMITS, **kwargs):
    return validate_package(build(package_files, **kwargs), limits=limits)


def codes(package_files, **kwargs):
    return error_codes(check(package_files, **kwargs).errors)


def with_changes(**changes):
    result = files()
    for name, data in changes.items():
        name = name.replace("__", "/").replace("LIB", LIB)
        if data is None:
            result.pop(name)
        else:
            result[name] = data
    return result


def test_minimal_package_is_valid():
    result = check(files())
    assert result.errors == []
    assert result.package.title == "连带销售小测验"
    assert result.package.main_library == "H5P.Demo"
    assert list(result.package.libraries) == [LIB]


def test_real_package_is_valid():
    result = validate_package(str(REAL_PACKAGE))
    assert result.is_valid, [e.message for e in result.errors]
    assert result.package.title == "Hello World"
    assert result.package.main_library == "H5P.TrueFalse"


def test_not_a_zip():
    result = validate_package(io.BytesIO(b"PK\x03\x04 not really"), name="fake.h5p")
    assert error_codes(result.errors) == {ErrorCode.NOT_ZIP}
    assert "fake.h5p" in result.errors[0].message


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"h5p.json": None}, ErrorCode.H5P_JSON_MISSING),
        ({"h5p.json": b"{not json"}, ErrorCode.H5P_JSON_INVALID),
        ({"h5p.json": b"[1, 2]"}, ErrorCode.H5P_JSON_INVALID),
        ({"content__content.json": None}, ErrorCode.CONTENT_JSON_MISSING),
        ({"content__content.json": b"{broken"}, ErrorCode.CONTENT_JSON_INVALID),
        ({"LIB__library.json": None}, ErrorCode.LIBRARY_JSON_MISSING),
        ({"LIB__library.json": b"{,}"}, ErrorCode.LIBRARY_JSON_INVALID),
        ({"LIB__language__zh-hans.json": b"{oops"}, ErrorCode.LANGUAGE_FILE_INVALID),
        ({"LIB__scripts__demo.js": None}, ErrorCode.PRELOADED_FILE_MISSING),
        ({"LIB__styles__demo.css": None}, ErrorCode.PRELOADED_FILE_MISSING),
    ],
)
def test_metadata_rules(changes, code):
    result = check(with_changes(**changes))
    assert code in error_codes(result.errors)
    assert not result.is_valid


@pytest.mark.parametrize("field", ["title", "mainLibrary", "language", "preloadedDependencies"])
def test_h5p_json_required_fields(field):
    package = files()
    data = json.loads(package["h5p.json"])
    del data[field]
    package["h5p.json"] = as_json(data)
    result = check(package)
    assert ErrorCode.H5P_JSON_FIELD in error_codes(result.errors)
    assert any(error.params.get("field") == field for error in result.errors)


def test_main_library_must_be_a_preloaded_dependency():
    package = files()
    data = json.loads(package["h5p.json"])
    data["mainLibrary"] = "H5P.Other"
    package["h5p.json"] = as_json(data)
    assert ErrorCode.MAIN_LIBRARY_NOT_LISTED in codes(package)


@pytest.mark.parametrize(
    "field",
    ["title", "machineName", "majorVersion", "minorVersion", "patchVersion", "runnable"],
)
def test_library_json_required_fields(field):
    data = library_json()
    del data[field]
    result = check(files() | {f"{LIB}/library.json": as_json(data)})
    assert ErrorCode.LIBRARY_JSON_FIELD in error_codes(result.errors)
    assert any(error.params.get("field") == field for error in result.errors)


def test_preloaded_files_list_must_hold_paths():
    data = library_json(preloadedJs=[{"file": "x.js"}])
    assert ErrorCode.LIBRARY_JSON_FIELD in codes(files() | {f"{LIB}/library.json": as_json(data)})


def test_library_folder_name_must_carry_the_version():
    package = {name.replace(LIB, "H5P.Demo"): data for name, data in files().items()}
    assert ErrorCode.LIBRARY_FOLDER_NAME in codes(package)


def test_library_folder_must_match_library_json():
    data = library_json(minor=2)
    assert ErrorCode.LIBRARY_FOLDER_MISMATCH in codes(
        files() | {f"{LIB}/library.json": as_json(data)}
    )


@pytest.mark.parametrize(
    ("core_api", "valid"),
    [
        ({"majorVersion": 1, "minorVersion": 24}, True),
        ({"majorVersion": 1, "minorVersion": 25}, False),
        ({"majorVersion": 2, "minorVersion": 0}, False),
    ],
)
def test_core_api_version(core_api, valid):
    package = files() | {f"{LIB}/library.json": as_json(library_json(coreApi=core_api))}
    result = check(package)
    assert result.is_valid is valid
    if not valid:
        assert error_codes(result.errors) == {ErrorCode.CORE_API_UNSUPPORTED}


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("content/run.exe", b"MZ", ErrorCode.EXTENSION),
        ("content/page.html", b"<script>", ErrorCode.EXTENSION),
        ("content/script.js", b"alert(1)", ErrorCode.EXTENSION),
        ("content/noextension", b"x", ErrorCode.EXTENSION),
        ("content/logo.svg", b"<svg/>", ErrorCode.SVG_IN_CONTENT),
        ("content/movie.swf", b"FWS", ErrorCode.EXTENSION),
        (f"{LIB}/evil.php", b"<?php", ErrorCode.EXTENSION),
        ("readme.html", b"<html>", ErrorCode.EXTENSION),
    ],
)
def test_extension_whitelists_refuse(name, data, code):
    result = check(files() | {name: data})
    assert error_codes(result.errors) == {code}
    assert result.errors[0].file == name
    assert name in result.errors[0].message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (f"{LIB}/icons/star.svg", b"<svg/>"),  # svg is fine in a library
        (f"{LIB}/fonts/icons.woff2", b"wOF2"),
        ("content/notes.txt", b"hello"),
        ("content/subtitles.vtt", b"WEBVTT"),
        ("H5P_CONTENT_HERE.txt", b""),
    ],
)
def test_extension_whitelists_allow(name, data):
    assert check(files() | {name: data}).errors == []


@pytest.mark.parametrize(
    ("name", "data", "valid"),
    [
        ("content/images/photo.jpg", JPEG, True),
        ("content/images/photo.jpg", PNG, False),  # a PNG named .jpg
        ("content/images/photo.jpeg", b"<svg onload=alert(1)>", False),
        ("content/images/pic.png", JPEG, False),
        ("content/images/anim.gif", b"GIF89a" + b"\x00" * 8, True),
        ("content/images/anim.gif", b"GIF00a", False),
        ("content/audio/a.mp3", b"ID3\x03\x00", True),
        ("content/audio/a.wav", b"RIFF\x00\x00\x00\x00WAVE", True),
        ("content/audio/a.ogg", b"<html>", False),
        ("content/video/v.mp4", b"\x00\x00\x00\x18ftypmp42", True),
        ("content/video/v.mp4", b"\x00\x00\x00\x18moovmp42", False),
        ("content/video/v.webm", b"\x1a\x45\xdf\xa3\x01", True),
        ("content/doc.pdf", b"%PDF-1.7", True),
        ("content/doc.pdf", b"", False),
        (f"{LIB}/img/bg.png", b"not a png", False),
    ],
)
def test_contents_match_extension(name, data, valid):
    result = check(files() | {name: data})
    assert result.is_valid is valid
    if not valid:
        assert error_codes(result.errors) == {ErrorCode.CONTENT_MISMATCH}
        assert result.errors[0].file == name


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd.txt", "../escape.txt", "content/../../x.txt", "content\\win.txt", "C:/x.txt"],
)
def test_unsafe_paths(name):
    result = check(files() | {name: b"x"})
    assert ErrorCode.UNSAFE_PATH in error_codes(result.errors)
    assert result.package is None


def test_symlink_refused():
    result = check(files(), symlinks={"content/link.json": "/etc/passwd"})
    assert error_codes(result.errors) == {ErrorCode.SYMLINK}
    assert result.errors[0].file == "content/link.json"


def test_file_count_limit_boundary():
    package = files()  # 7 files
    exactly = Limits(**{**LIMITS.__dict__, "max_files": len(package)})
    assert check(package, limits=exactly).errors == []
    fewer = Limits(**{**LIMITS.__dict__, "max_files": len(package) - 1})
    assert error_codes(check(package, limits=fewer).errors) == {ErrorCode.TOO_MANY_FILES}


def test_file_size_limit_boundary():
    limit = 2000
    small = Limits(**{**LIMITS.__dict__, "max_file_bytes": limit})
    assert check(files() | {"content/a.txt": b"a" * limit}, limits=small).errors == []
    result = check(files() | {"content/a.txt": b"a" * (limit + 1)}, limits=small)
    assert error_codes(result.errors) == {ErrorCode.FILE_TOO_LARGE}
    assert result.errors[0].file == "content/a.txt"


def test_total_size_limit():
    tight = Limits(**{**LIMITS.__dict__, "max_total_bytes": 3000})
    package = files() | {"content/a.txt": b"a" * 1500, "content/b.txt": b"b" * 1500}
    assert ErrorCode.TOTAL_TOO_LARGE in error_codes(check(package, limits=tight).errors)


def test_compression_ratio_refused_from_directory():
    """A 3 MiB run of zeros compresses over 1000 times: refused before any member is read."""
    bomb = files() | {"content/zeros.txt": b"\x00" * (3 * 1024 * 1024)}
    result = check(bomb)
    assert error_codes(result.errors) == {ErrorCode.COMPRESSION_RATIO}
    varied = files() | {"content/noise.txt": bytes(range(256)) * (5 * 1024)}  # 1.25 MiB
    relaxed = Limits(**{**LIMITS.__dict__, "max_compression_ratio": 100_000})
    assert check(bomb, limits=relaxed).errors == []
    assert error_codes(check(varied).errors) <= {ErrorCode.COMPRESSION_RATIO}


def test_compression_ratio_of_the_whole_package():
    """Many members just under the per-member threshold (1 MiB) slip past the per-file rule;
    the ratio over the whole package catches them (a 218 KB package unpacking to 191 MB)."""
    just_under = b"\x00" * (1024 * 1024 - 1)
    bomb = files() | {f"content/zeros{n}.txt": just_under for n in range(7)}
    result = check(bomb)
    assert error_codes(result.errors) == {ErrorCode.PACKAGE_COMPRESSION_RATIO}
    assert result.errors[0].file == "test.h5p"
    with translation.override("en"):
        assert "the package is compressed" in result.errors[0].message
    relaxed = Limits(**{**LIMITS.__dict__, "max_compression_ratio": 100_000})
    assert check(bomb, limits=relaxed).errors == []
    # Small packages compress well without being bombs: judged only from 1 MiB unpacked.
    small = files() | {f"content/zeros{n}.txt": b"\x00" * 4096 for n in range(7)}
    assert check(small).errors == []


def test_limits_are_judged_before_reading_any_member(monkeypatch):
    package = build(files() | {"content/zeros.txt": b"\x00" * (3 * 1024 * 1024)})
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: read.append(a) or 1 / 0)
    result = validate_package(package, limits=LIMITS)
    assert error_codes(result.errors) == {ErrorCode.COMPRESSION_RATIO}
    assert read == []


def test_duplicate_entry_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files().items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning):
            archive.writestr("content/content.json", b"{}")
    buffer.seek(0)
    assert ErrorCode.DUPLICATE_ENTRY in error_codes(validate_package(buffer, limits=LIMITS).errors)


def test_messages_are_translated_and_name_file_and_rule():
    result = check(files() | {"content/logo.svg": b"<svg/>"})
    with translation.override("en"):
        assert result.errors[0].message == (
            "content/logo.svg: SVG images are not allowed in content/ (they can carry scripts)."
        )
    with translation.override("zh-hans"):
        assert "content/logo.svg" in result.errors[0].message


@pytest.mark.django_db
def test_h5p_check_command_ok(capsys):
    call_command("h5p_check", str(REAL_PACKAGE))
    assert "OK Hello World" in capsys.readouterr().out


@pytest.mark.django_db
def test_h5p_check_command_reports_the_allow_list_verdict(capsys, tmp_path, h5p_root):
    allow(*(name for name in REAL_LIBRARIES if name != "H5P.TrueFalse"))
    with translation.override("en"):
        call_command("h5p_check", str(REAL_PACKAGE))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("OK Hello World")
    assert "  H5P.TrueFalse 1.6.1: needs HQ approval" in lines
    assert next(line for line in lines if line.startswith("  H5P.Question 1.4.")).endswith(
        ": allowed"
    )
    assert len(lines) == 1 + len(REAL_LIBRARIES)  # editor widgets are not judged
    # A version already installed is reused whatever the allow-list says.
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=0)
    package = build(files())
    h5p_content_create(package=package, name="demo.h5p", size=1, uploaded_by=None)
    H5PAllowedLibrary.objects.filter(machine_name="H5P.Demo").delete()
    demo = tmp_path / "demo.h5p"
    demo.write_bytes(package.getvalue())
    with translation.override("en"):
        call_command("h5p_check", str(demo))
    assert capsys.readouterr().out.splitlines()[1:] == ["  H5P.Demo 1.0.3: already installed"]


@pytest.mark.django_db
def test_h5p_check_command_invalid_exits_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.h5p"
    bad.write_bytes(build(files() | {"content/logo.svg": b"<svg/>"}).getvalue())
    with pytest.raises(CommandError) as raised:
        call_command("h5p_check", str(REAL_PACKAGE), str(bad))
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert "OK Hello World" in out
    assert "[svg_in_content]" in out
