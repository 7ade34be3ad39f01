"""Where H5P files live on disk, and the two safe operations on them: unpack a validated
member to its place, and find a file to serve without ever leaving its folder."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings

from library.h5p.validation import _is_unsafe


def h5p_root() -> Path:
    """Read on every use, so tests (and daphne in browser tests) can move it."""
    if settings.H5P_ROOT:
        return Path(settings.H5P_ROOT)
    return Path(settings.PRIVATE_MEDIA_ROOT) / "h5p"


def library_dir(folder: str) -> Path:
    return h5p_root() / "libraries" / folder


def content_dir(content_id: int) -> Path:
    return h5p_root() / "content" / str(content_id)


def pending_path(pending_id: int) -> Path:
    """Where an upload awaiting HQ approval keeps its package (never served to learners)."""
    return h5p_root() / "pending" / f"{pending_id}.h5p"


def save_package(package: IO[bytes], target: Path) -> None:
    """Copy the whole package to ``target`` (through a temporary sibling, then one rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    package.seek(0)
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with open(handle, "wb") as sink:
            shutil.copyfileobj(package, sink)
        Path(staging).rename(target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def remove_paths(paths: Iterable[Path]) -> None:
    """Remove what a failed upload wrote: folders and files."""
    for path in paths:
        if path.is_dir():
            remove_tree(path)
        else:
            path.unlink(missing_ok=True)


def unpack(archive: zipfile.ZipFile, members: Iterable[tuple[str, str]], target: Path) -> None:
    """Unpack ``(member name, relative destination)`` pairs into ``target``, atomically.

    The files are written to a temporary sibling folder first, then moved into place in one
    rename, so a failure leaves nothing half-written. An existing ``target`` is replaced.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for member, relative in members:
            if _is_unsafe(relative):  # validated already; a second lock on the door
                raise ValueError(relative)
            destination = (staging / relative).resolve()
            if not destination.is_relative_to(staging.resolve()):
                raise ValueError(relative)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, destination.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def safe_file(base: Path, relative: str) -> Path | None:
    """The regular file ``relative`` under ``base``, or None if it is absent or escapes."""
    if _is_unsafe(relative):
        return None
    base = base.resolve()
    candidate = (base / relative).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate
