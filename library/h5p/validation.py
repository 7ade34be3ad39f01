"""Validation of an uploaded ``.h5p`` package, before anything is extracted.

Pure: no database, no writes. The zip's directory is judged first (paths, symlinks, file
count, sizes, compression ratio, extensions); only when it passes are the small metadata
members (``h5p.json``, ``content/content.json``, ``library.json``, language files) read, and
the first bytes of images and media sniffed. Every error names the file and the rule, with a
stable code (``ErrorCode``) that tests and callers assert on.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# H5P core's default whitelist for content files, minus svg and swf (svg can carry script,
# swf is dead); libraries may also hold code, styles and svg (icon fonts, icons).
_CONTENT_EXTENSIONS = (
    "json png jpg jpeg gif bmp tif tiff eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav txt pdf "
    "rtf doc docx xls xlsx ppt pptx odt ods odp xml csv diff patch md textile vtt webvtt"
)
CONTENT_EXTENSIONS = frozenset(_CONTENT_EXTENSIONS.split(" "))
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css", "svg"}

# A machine name as H5P defines it; a library folder is <machineName>-<major>.<minor>.
MACHINE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")
LIBRARY_FOLDER = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)-(?P<major>\d+)\.(?P<minor>\d+)$")
LANGUAGE_FILE = re.compile(r"^language/[^/]+\.json$")
# Compression ratios are judged only for members at least this big: small JSON compresses
# very well without being a bomb.
RATIO_MIN_BYTES = 1024 * 1024


class ErrorCode:
    NOT_ZIP = "not_zip"
    TOO_MANY_FILES = "too_many_files"
    FILE_TOO_LARGE = "file_too_large"
    TOTAL_TOO_LARGE = "total_too_large"
    COMPRESSION_RATIO = "compression_ratio"
    PACKAGE_COMPRESSION_RATIO = "package_compression_ratio"
    UNSAFE_PATH = "unsafe_path"
    SYMLINK = "symlink"
    ENCRYPTED = "encrypted"
    DUPLICATE_ENTRY = "duplicate_entry"
    EXTENSION = "extension_not_allowed"
    SVG_IN_CONTENT = "svg_in_content"
    CONTENT_MISMATCH = "content_mismatch"
    H5P_JSON_MISSING = "h5p_json_missing"
    H5P_JSON_INVALID = "h5p_json_invalid"
    H5P_JSON_FIELD = "h5p_json_field"
    MAIN_LIBRARY_NOT_LISTED = "main_library_not_listed"
    CONTENT_JSON_MISSING = "content_json_missing"
    CONTENT_JSON_INVALID = "content_json_invalid"
    LIBRARY_FOLDER_NAME = "library_folder_name"
    LIBRARY_JSON_MISSING = "library_json_missing"
    LIBRARY_JSON_INVALID = "library_json_invalid"
    LIBRARY_JSON_FIELD = "library_json_field"
    LIBRARY_FOLDER_MISMATCH = "library_folder_mismatch"
    PRELOADED_FILE_MISSING = "preloaded_file_missing"
    LANGUAGE_FILE_INVALID = "language_file_invalid"
    CORE_API_UNSUPPORTED = "core_api_unsupported"
    # Raised at install time (they need the database): see services.
    LIBRARY_NOT_ALLOWED = "library_not_allowed"
    LIBRARY_MISSING = "library_missing"
    QUOTA_EXCEEDED = "quota_exceeded"


MESSAGES = {
    ErrorCode.NOT_ZIP: _("%(file)s: an H5P package must be a zip file, and this one is not."),
    ErrorCode.TOO_MANY_FILES: _(
        "%(file)s: the package holds %(count)s files; at most %(limit)s are allowed."
    ),
    ErrorCode.FILE_TOO_LARGE: _(
        "%(file)s: the file unpacks to %(size)s bytes; each file may have at most %(limit)s."
    ),
    ErrorCode.TOTAL_TOO_LARGE: _(
        "%(file)s: the package unpacks to %(size)s bytes; at most %(limit)s are allowed."
    ),
    ErrorCode.COMPRESSION_RATIO: _(
        "%(file)s: the file is compressed %(ratio)s times; more than %(limit)s times is refused "
        "as a zip bomb."
    ),
    ErrorCode.PACKAGE_COMPRESSION_RATIO: _(
        "%(file)s: the package is compressed %(ratio)s times as a whole; more than %(limit)s "
        "times is refused as a zip bomb."
    ),
    ErrorCode.UNSAFE_PATH: _(
        "%(file)s: paths in a package must be relative, without “..” or backslashes."
    ),
    ErrorCode.SYMLINK: _("%(file)s: symbolic links are not allowed in a package."),
    ErrorCode.ENCRYPTED: _("%(file)s: encrypted files are not allowed in a package."),
    ErrorCode.DUPLICATE_ENTRY: _("%(file)s: the package holds this file more than once."),
    ErrorCode.EXTENSION: _("%(file)s: files of type “%(extension)s” are not allowed %(where)s."),
    ErrorCode.SVG_IN_CONTENT: _(
        "%(file)s: SVG images are not allowed in content/ (they can carry scripts)."
    ),
    ErrorCode.CONTENT_MISMATCH: _(
        "%(file)s: the file's content is not a %(extension)s file, as its extension claims."
    ),
    ErrorCode.H5P_JSON_MISSING: _("%(file)s: every H5P package needs h5p.json at its root."),
    ErrorCode.H5P_JSON_INVALID: _("%(file)s: the file is not a valid JSON object."),
    ErrorCode.H5P_JSON_FIELD: _("%(file)s: the field “%(field)s” is missing or invalid."),
    ErrorCode.MAIN_LIBRARY_NOT_LISTED: _(
        "%(file)s: the main library “%(library)s” is not among the preloaded dependencies."
    ),
    ErrorCode.CONTENT_JSON_MISSING: _("%(file)s: every H5P package needs content/content.json."),
    ErrorCode.CONTENT_JSON_INVALID: _("%(file)s: the file is not a valid JSON object."),
    ErrorCode.LIBRARY_FOLDER_NAME: _(
        "%(file)s: a library folder must be named <machineName>-<major>.<minor>."
    ),
    ErrorCode.LIBRARY_JSON_MISSING: _("%(file)s: every library folder needs a library.json."),
    ErrorCode.LIBRARY_JSON_INVALID: _("%(file)s: the file is not a valid JSON object."),
    ErrorCode.LIBRARY_JSON_FIELD: _("%(file)s: the field “%(field)s” is missing or invalid."),
    ErrorCode.LIBRARY_FOLDER_MISMATCH: _(
        "%(file)s: the folder name does not match the library it describes (%(expected)s)."
    ),
    ErrorCode.PRELOADED_FILE_MISSING: _(
        "%(file)s: the preloaded file “%(path)s” that library.json names is not in the package."
    ),
    ErrorCode.LANGUAGE_FILE_INVALID: _("%(file)s: the language file is not valid JSON."),
    ErrorCode.CORE_API_UNSUPPORTED: _(
        "%(file)s: the library needs H5P core API %(required)s; this site supports %(supported)s."
    ),
    ErrorCode.LIBRARY_NOT_ALLOWED: _(
        "%(file)s: the library “%(library)s” is not installed and HQ has not allowed it."
    ),
    ErrorCode.LIBRARY_MISSING: _(
        "%(file)s: the library “%(library)s” is neither in the package nor installed."
    ),
    ErrorCode.QUOTA_EXCEEDED: _(
        "%(file)s: the upload needs %(adding)s, and your H5P uploads already use %(used)s of "
        "your %(limit)s quota. Delete content you no longer need, or ask HQ."
    ),
}


@dataclass(frozen=True)
class H5PError:
    """One broken rule: ``code`` (an ``ErrorCode``), the file it concerns, details."""

    code: str
    file: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The translated message, in the language active when it is read."""
        return str(MESSAGES[self.code]) % {"file": self.file, **self.params}

    def __str__(self) -> str:
        return self.message


class H5PPackageError(Exception):
    """The package broke one or more rules; nothing was stored."""

    def __init__(self, errors: list[H5PError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int
    max_compression_ratio: int
    core_api: tuple[int, int]

    @classmethod
    def from_settings(cls) -> Limits:
        major, minor = (int(part) for part in settings.H5P_CORE_API.split("."))
        return cls(
            max_files=settings.H5P_MAX_FILES,
            max_file_bytes=settings.H5P_MAX_FILE_BYTES,
            max_total_bytes=settings.H5P_MAX_TOTAL_BYTES,
            max_compression_ratio=settings.H5P_MAX_COMPRESSION_RATIO,
            core_api=(major, minor),
        )


@dataclass(frozen=True)
class Dependency:
    machine_name: str
    major: int
    minor: int

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"


@dataclass(frozen=True)
class LibraryInfo:
    folder: str
    machine_name: str
    title: str
    major: int
    minor: int
    patch: int
    runnable: bool
    preloaded_js: tuple[str, ...]
    preloaded_css: tuple[str, ...]
    dependencies: tuple[Dependency, ...]
    metadata: dict


@dataclass(frozen=True)
class PackageInfo:
    title: str
    main_library: str
    language: str
    dependencies: tuple[Dependency, ...]
    libraries: dict[str, LibraryInfo]  # by folder name
    h5p_json: dict

    @property
    def main_dependency(self) -> Dependency:
        return next(dep for dep in self.dependencies if dep.machine_name == self.main_library)


@dataclass
class ValidationResult:
    errors: list[H5PError]
    package: PackageInfo | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


# --- content sniffing ---------------------------------------------------------------------


def _is_mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _is_iso_media(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


SIGNATURES = {
    "png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "gif": lambda h: h[:6] in (b"GIF87a", b"GIF89a"),
    "bmp": lambda h: h.startswith(b"BM"),
    "tif": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    "tiff": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    "webm": lambda h: h.startswith(b"\x1a\x45\xdf\xa3"),
    "mp4": _is_iso_media,
    "m4a": _is_iso_media,
    "ogg": lambda h: h.startswith(b"OggS"),
    "mp3": _is_mp3,
    "wav": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE",
    "pdf": lambda h: h.startswith(b"%PDF-"),
}
SNIFF_BYTES = 16


# --- the validator --------------------------------------------------------------------------


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _is_unsafe(name: str) -> bool:
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in name.split("/"))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    # Any entry whose Unix mode says "link" is refused, whatever system wrote the zip.
    return stat.S_ISLNK(info.external_attr >> 16)


def _int_field(value: Any) -> int | None:
    """H5P writes versions as numbers or numeric strings; anything else is invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _dependencies(value: Any) -> tuple[Dependency, ...] | None:
    if not isinstance(value, list):
        return None
    result = []
    for item in value:
        if not isinstance(item, dict):
            return None
        name = item.get("machineName")
        major, minor = _int_field(item.get("majorVersion")), _int_field(item.get("minorVersion"))
        if not isinstance(name, str) or not MACHINE_NAME.match(name) or None in (major, minor):
            return None
        result.append(Dependency(name, major, minor))
    return tuple(result)


def _preloaded_paths(value: Any, suffix: str) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list):
        return None
    paths = []
    for item in value:
        path = item.get("path") if isinstance(item, dict) else None
        if not isinstance(path, str) or _is_unsafe(path) or not path.lower().endswith(suffix):
            return None
        paths.append(path)
    return tuple(paths)


class _Validator:
    def __init__(self, archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
        self.archive = archive
        self.name = name
        self.limits = limits
        self.errors: list[H5PError] = []
        self.files: dict[str, zipfile.ZipInfo] = {}

    def error(self, code: str, file: str, **params: Any) -> None:
        self.errors.append(H5PError(code, file, params))

    # 1. the directory alone: nothing is decompressed here
    def check_directory(self) -> bool:
        infos = self.archive.infolist()
        limits = self.limits
        members = [info for info in infos if not info.is_dir()]
        if len(members) > limits.max_files:
            self.error(
                ErrorCode.TOO_MANY_FILES, self.name, count=len(members), limit=limits.max_files
            )
            return False
        fatal = False
        total = compressed = 0
        bomb = False
        for info in infos:
            name = info.filename
            if _is_unsafe(name):
                self.error(ErrorCode.UNSAFE_PATH, name)
                fatal = True
                continue
            if _is_symlink(info):
                self.error(ErrorCode.SYMLINK, name)
                fatal = True
                continue
            if info.is_dir():
                continue
            if name in self.files:
                self.error(ErrorCode.DUPLICATE_ENTRY, name)
                fatal = True
                continue
            self.files[name] = info
            if info.flag_bits & 0x1:
                self.error(ErrorCode.ENCRYPTED, name)
                fatal = True
            total += info.file_size
            compressed += info.compress_size
            if info.file_size > limits.max_file_bytes:
                self.error(
                    ErrorCode.FILE_TOO_LARGE, name, size=info.file_size, limit=limits.max_file_bytes
                )
                fatal = True
            elif info.file_size >= RATIO_MIN_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    self.error(
                        ErrorCode.COMPRESSION_RATIO,
                        name,
                        ratio=int(ratio),
                        limit=limits.max_compression_ratio,
                    )
                    fatal = bomb = True
            self.check_extension(name)
        if total > limits.max_total_bytes:
            self.error(
                ErrorCode.TOTAL_TOO_LARGE, self.name, size=total, limit=limits.max_total_bytes
            )
            fatal = True
        # Many members just under RATIO_MIN_BYTES each pass the rule above: judge the sum too.
        ratio = total / max(compressed, 1)
        if not bomb and total >= RATIO_MIN_BYTES and ratio > limits.max_compression_ratio:
            self.error(
                ErrorCode.PACKAGE_COMPRESSION_RATIO,
                self.name,
                ratio=int(ratio),
                limit=limits.max_compression_ratio,
            )
            fatal = True
        return not fatal

    def check_extension(self, name: str) -> None:
        extension = _extension(name)
        top = name.split("/", 1)[0] if "/" in name else ""
        if top == "content":
            if extension == "svg":
                self.error(ErrorCode.SVG_IN_CONTENT, name)
            elif extension not in CONTENT_EXTENSIONS:
                self.error(ErrorCode.EXTENSION, name, extension=extension, where=_("in content"))
        elif top:
            if extension not in LIBRARY_EXTENSIONS:
                self.error(ErrorCode.EXTENSION, name, extension=extension, where=_("in a library"))
        elif name != "h5p.json" and extension not in CONTENT_EXTENSIONS:
            self.error(
                ErrorCode.EXTENSION, name, extension=extension, where=_("at the package root")
            )

    # 2. reading the small members
    def read_json(self, name: str, missing: str, invalid: str) -> Any:
        info = self.files.get(name)
        if info is None:
            if missing:
                self.error(missing, name)
            return None
        try:
            return json.loads(self.archive.read(info).decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
            self.error(invalid, name)
            return None

    def check_h5p_json(self) -> tuple[dict | None, tuple[Dependency, ...]]:
        data = self.read_json("h5p.json", ErrorCode.H5P_JSON_MISSING, ErrorCode.H5P_JSON_INVALID)
        if data is None:
            return None, ()
        if not isinstance(data, dict):
            self.error(ErrorCode.H5P_JSON_INVALID, "h5p.json")
            return None, ()
        ok = True
        for key in ("title", "mainLibrary", "language"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                self.error(ErrorCode.H5P_JSON_FIELD, "h5p.json", field=key)
                ok = False
        dependencies = _dependencies(data.get("preloadedDependencies"))
        if not dependencies:
            self.error(ErrorCode.H5P_JSON_FIELD, "h5p.json", field="preloadedDependencies")
            return None, ()
        main = data.get("mainLibrary")
        if ok and not any(dep.machine_name == main for dep in dependencies):
            self.error(ErrorCode.MAIN_LIBRARY_NOT_LISTED, "h5p.json", library=main)
            ok = False
        return (data if ok else None), dependencies

    def check_content_json(self) -> None:
        name = "content/content.json"
        data = self.read_json(name, ErrorCode.CONTENT_JSON_MISSING, ErrorCode.CONTENT_JSON_INVALID)
        if data is not None and not isinstance(data, dict):
            self.error(ErrorCode.CONTENT_JSON_INVALID, name)

    def library_folders(self) -> list[str]:
        folders = {name.split("/", 1)[0] for name in self.files if "/" in name}
        folders |= {
            info.filename.rstrip("/").split("/", 1)[0]
            for info in self.archive.infolist()
            if info.is_dir() and not _is_unsafe(info.filename)
        }
        folders.discard("content")
        return sorted(folders)

    def check_library(self, folder: str) -> LibraryInfo | None:
        match = LIBRARY_FOLDER.match(folder)
        if not match:
            self.error(ErrorCode.LIBRARY_FOLDER_NAME, folder + "/")
            return None
        name = f"{folder}/library.json"
        data = self.read_json(name, ErrorCode.LIBRARY_JSON_MISSING, ErrorCode.LIBRARY_JSON_INVALID)
        if data is None:
            return None
        if not isinstance(data, dict):
            self.error(ErrorCode.LIBRARY_JSON_INVALID, name)
            return None
        bad_fields = []
        title, machine_name = data.get("title"), data.get("machineName")
        if not isinstance(title, str) or not title.strip():
            bad_fields.append("title")
        if not isinstance(machine_name, str) or not MACHINE_NAME.match(machine_name):
            bad_fields.append("machineName")
        versions = {}
        for key in ("majorVersion", "minorVersion", "patchVersion"):
            versions[key] = _int_field(data.get(key))
            if versions[key] is None:
                bad_fields.append(key)
        runnable = data.get("runnable")
        if runnable not in (0, 1, True, False, "0", "1"):
            bad_fields.append("runnable")
        preloaded_js = _preloaded_paths(data.get("preloadedJs"), ".js")
        if preloaded_js is None:
            bad_fields.append("preloadedJs")
        preloaded_css = _preloaded_paths(data.get("preloadedCss"), ".css")
        if preloaded_css is None:
            bad_fields.append("preloadedCss")
        dependencies = _dependencies(data.get("preloadedDependencies", []))
        if dependencies is None:
            bad_fields.append("preloadedDependencies")
        core_api = data.get("coreApi")
        core_version = None
        if core_api is not None:
            core_version = (
                _int_field(core_api.get("majorVersion")) if isinstance(core_api, dict) else None,
                _int_field(core_api.get("minorVersion")) if isinstance(core_api, dict) else None,
            )
            if None in core_version:
                bad_fields.append("coreApi")
        for key in bad_fields:
            self.error(ErrorCode.LIBRARY_JSON_FIELD, name, field=key)
        if bad_fields:
            return None
        expected = f"{machine_name}-{versions['majorVersion']}.{versions['minorVersion']}"
        if expected != folder:
            self.error(ErrorCode.LIBRARY_FOLDER_MISMATCH, folder + "/", expected=expected)
            return None
        if core_version is not None and core_version > self.limits.core_api:
            self.error(
                ErrorCode.CORE_API_UNSUPPORTED,
                name,
                required="{}.{}".format(*core_version),
                supported="{}.{}".format(*self.limits.core_api),
            )
        for path in (*preloaded_js, *preloaded_css):
            if f"{folder}/{PurePosixPath(path).as_posix()}" not in self.files:
                self.error(ErrorCode.PRELOADED_FILE_MISSING, name, path=path)
        for member in self.files:
            relative = member[len(folder) + 1 :]
            if member.startswith(folder + "/") and LANGUAGE_FILE.match(relative):
                self.read_json(member, "", ErrorCode.LANGUAGE_FILE_INVALID)
        return LibraryInfo(
            folder=folder,
            machine_name=machine_name,
            title=title.strip(),
            major=versions["majorVersion"],
            minor=versions["minorVersion"],
            patch=versions["patchVersion"],
            runnable=runnable in (1, True, "1"),
            preloaded_js=preloaded_js,
            preloaded_css=preloaded_css,
            dependencies=dependencies,
            metadata=data,
        )

    def check_file_contents(self) -> None:
        for name, info in self.files.items():
            extension = _extension(name)
            matches = SIGNATURES.get(extension)
            if matches is None:
                continue
            with self.archive.open(info) as member:
                head = member.read(SNIFF_BYTES)
            if not matches(head):
                self.error(ErrorCode.CONTENT_MISMATCH, name, extension=extension.upper())

    def run(self) -> PackageInfo | None:
        if not self.check_directory():
            return None
        h5p_json, dependencies = self.check_h5p_json()
        self.check_content_json()
        libraries = {}
        for folder in self.library_folders():
            library = self.check_library(folder)
            if library is not None:
                libraries[folder] = library
        try:
            self.check_file_contents()
        except (zipfile.BadZipFile, OSError):
            self.error(ErrorCode.NOT_ZIP, self.name)
        if self.errors or h5p_json is None:
            return None
        return PackageInfo(
            title=h5p_json["title"].strip(),
            main_library=h5p_json["mainLibrary"],
            language=h5p_json["language"],
            dependencies=dependencies,
            libraries=libraries,
            h5p_json=h5p_json,
        )


def validate_package(
    source: IO[bytes] | str, *, name: str = "", limits: Limits | None = None
) -> ValidationResult:
    """Judge a package (a path or a binary file object); nothing is extracted or written."""
    limits = limits or Limits.from_settings()
    display = name or (source if isinstance(source, str) else getattr(source, "name", "")) or ""
    display = PurePosixPath(str(display)).name or "package.h5p"
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return ValidationResult([H5PError(ErrorCode.NOT_ZIP, display)])
    with archive:
        validator = _Validator(archive, display, limits)
        package = validator.run()
        return ValidationResult(validator.errors, package)


def error_codes(errors: Iterable[H5PError]) -> set[str]:
    return {error.code for error in errors}
