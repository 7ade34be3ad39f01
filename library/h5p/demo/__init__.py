"""The demo H5P item: our own tiny content type and a package built from it at seed time.

The real-world package in the shared fixtures bundles third-party H5P libraries we may not
vendor, so the demo plays ``Lectern.QuickCheck`` instead: a single-choice question written
for Lectern (its files are in ``Lectern.QuickCheck/`` next to this module). The package is
built in memory and installed through ``h5p_content_create``, so it passes the same
validation as any upload.

``Lectern.QuickCheck`` is version 1.1, not 1.0: h5p-standalone 3.8 drops a minor version of
0 from the library string it hands H5P core ("Lectern.QuickCheck 1"), which then names the
library "…-1.undefined" in xAPI statements.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from django.db import transaction

from library.h5p.models import H5PAllowedLibrary, H5PContent
from library.h5p.services import h5p_content_create

MACHINE_NAME = "Lectern.QuickCheck"
MAJOR_VERSION = 1
MINOR_VERSION = 1
LIBRARY_FOLDER = f"{MACHINE_NAME}-{MAJOR_VERSION}.{MINOR_VERSION}"
LIBRARY_SOURCE = Path(__file__).resolve().parent / MACHINE_NAME
PACKAGE_NAME = "lectern-quickcheck-demo.h5p"

DEMO_TITLE = "连带销售小测验"
# The question, in content.json next to this module: content/content.json of the package.
CONTENT_SOURCE = Path(__file__).resolve().parent / "content.json"


def _json(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode()


def _h5p_json() -> dict:
    return {
        "title": DEMO_TITLE,
        "language": "zh",
        "mainLibrary": MACHINE_NAME,
        "embedTypes": ["div"],
        "license": "U",
        "defaultLanguage": "zh",
        "preloadedDependencies": [
            {
                "machineName": MACHINE_NAME,
                "majorVersion": MAJOR_VERSION,
                "minorVersion": MINOR_VERSION,
            }
        ],
    }


def build_demo_package() -> bytes:
    """The demo ``.h5p`` package, as bytes: h5p.json, the question, and our library.

    Deterministic: the same bytes on every call (fixed timestamps, sorted members).
    """
    files = {
        "h5p.json": _json(_h5p_json()),
        "content/content.json": CONTENT_SOURCE.read_bytes(),
    }
    for path in sorted(LIBRARY_SOURCE.rglob("*")):
        if path.is_file():
            relative = path.relative_to(LIBRARY_SOURCE).as_posix()
            files[f"{LIBRARY_FOLDER}/{relative}"] = path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def seed_demo_h5p(*, uploaded_by=None) -> H5PContent:
    """The demo H5P content, installed once.

    Idempotent: returns the existing content titled ``DEMO_TITLE`` if there is one. Otherwise
    adds ``Lectern.QuickCheck`` 1.1 to HQ's allow-list (if missing) and installs the package with
    ``h5p_content_create`` (full validation; files under ``H5P_ROOT``). ``uploaded_by``: a
    user who may use the CMS, or ``None`` (the seed).
    """
    existing = H5PContent.objects.filter(title=DEMO_TITLE).order_by("pk").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        H5PAllowedLibrary.objects.get_or_create(
            machine_name=MACHINE_NAME,
            major=MAJOR_VERSION,
            minor=MINOR_VERSION,
            defaults={"note": "Lectern 自带的演示题型"},
        )
        data = build_demo_package()
        return h5p_content_create(
            package=io.BytesIO(data),
            name=PACKAGE_NAME,
            size=len(data),
            uploaded_by=uploaded_by,
        )
