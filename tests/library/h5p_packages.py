"""Crafted H5P packages for the tests (built in memory) and the shared real one."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

FIXTURE = "shared/fixtures/h5p/truefalse-hello-world.h5p"


def _real_package() -> Path:
    """The shared real package (in a folder above the checkout), or LECTERN_H5P_FIXTURE."""
    if os.environ.get("LECTERN_H5P_FIXTURE"):
        return Path(os.environ["LECTERN_H5P_FIXTURE"])
    for folder in Path(__file__).resolve().parents:
        if (folder / FIXTURE).is_file():
            return folder / FIXTURE
    return Path("/work") / FIXTURE


REAL_PACKAGE = _real_package()
REAL_LIBRARIES = [
    "H5P.TrueFalse",
    "H5P.Question",
    "H5P.JoubelUI",
    "H5P.Transition",
    "H5P.FontIcons",
    "FontAwesome",
    "Drop",
    "Tether",
]
# Each at the major.minor the real package ships (what HQ's allow-list approves).
REAL_LIBRARY_VERSIONS = {
    "H5P.TrueFalse": (1, 6),
    "H5P.Question": (1, 4),
    "H5P.JoubelUI": (1, 3),
    "H5P.Transition": (1, 0),
    "H5P.FontIcons": (1, 0),
    "FontAwesome": (4, 5),
    "Drop": (1, 0),
    "Tether": (1, 0),
}


def allow(*names: str) -> None:
    """Put libraries on HQ's allow-list: the real package's versions, else 1.0."""
    from library.h5p.models import H5PAllowedLibrary

    for name in names:
        major, minor = REAL_LIBRARY_VERSIONS.get(name, (1, 0))
        H5PAllowedLibrary.objects.create(machine_name=name, major=major, minor=minor)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def as_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def library_json(name="H5P.Demo", major=1, minor=0, **extra) -> dict:
    data = {
        "title": "演示题型",
        "machineName": name,
        "majorVersion": major,
        "minorVersion": minor,
        "patchVersion": 3,
        "runnable": 1,
        "preloadedJs": [{"path": "scripts/demo.js"}],
        "preloadedCss": [{"path": "styles/demo.css"}],
    }
    data.update(extra)
    return data


def minimal_files(title="连带销售小测验", library="H5P.Demo") -> dict[str, bytes]:
    """A small valid package: one runnable library, one image in content/."""
    folder = f"{library}-1.0"
    return {
        "h5p.json": as_json(
            {
                "title": title,
                "language": "zh-hans",
                "mainLibrary": library,
                "preloadedDependencies": [
                    {"machineName": library, "majorVersion": "1", "minorVersion": "0"}
                ],
            }
        ),
        "content/content.json": as_json({"question": "<p>顾客买了西装, 要不要推荐衬衫?</p>"}),
        "content/images/shirt.png": PNG,
        f"{folder}/library.json": as_json(library_json(library)),
        f"{folder}/scripts/demo.js": b"H5P.Demo = function () {};\n",
        f"{folder}/styles/demo.css": b".h5p-demo { color: #333; }\n",
        f"{folder}/language/zh-hans.json": as_json({"semantics": []}),
    }


def build(files: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
    buffer.seek(0)
    buffer.name = "test.h5p"
    return buffer


@pytest.fixture(name="h5p_root")
def h5p_root_fixture(settings, tmp_path):
    """H5P files of the test go to a temporary folder (import this fixture)."""
    settings.H5P_ROOT = str(tmp_path / "h5p")
    return tmp_path / "h5p"
