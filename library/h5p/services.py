"""Writes for H5P: install a package (or keep it for HQ approval), record a learner's xAPI result.

HQ's allow-list and approval queue are in ``approvals``; the storage quota in ``quota``.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent, Employee
from hub.organisation.permissions import can_author_content
from hub.organisation.services import audit_record
from library.h5p import storage
from library.h5p.models import (
    H5PAllowedLibrary,
    H5PContent,
    H5PLibrary,
    H5PPendingPackage,
    H5PResult,
    H5PVerb,
)
from library.h5p.quota import h5p_quota_check
from library.h5p.validation import (
    Dependency,
    ErrorCode,
    H5PError,
    H5PPackageError,
    LibraryInfo,
    PackageInfo,
    validate_package,
)

MSG_UPLOAD_NOT_ALLOWED = _("Only trainers and HQ may upload H5P content.")


@dataclass(frozen=True)
class LibraryPlan:
    """Which library versions the content plays with, which of them to install now, and which
    of those HQ has not approved yet (the upload then waits for an HQ admin)."""

    use: dict[tuple[str, int, int], H5PLibrary]
    install: dict[tuple[str, int, int], LibraryInfo]
    unapproved: dict[tuple[str, int, int], LibraryInfo]
    errors: list[H5PError]


def _key(dependency: Dependency) -> tuple[str, int, int]:
    return (dependency.machine_name, dependency.major, dependency.minor)


def _installed_dependencies(library: H5PLibrary) -> list[Dependency]:
    result = []
    for item in library.metadata.get("preloadedDependencies") or []:
        try:
            major, minor = int(item["majorVersion"]), int(item["minorVersion"])
            result.append(Dependency(item["machineName"], major, minor))
        except (KeyError, TypeError, ValueError):
            continue
    return result


def h5p_library_plan(package: PackageInfo) -> LibraryPlan:
    """Resolve the package's preloaded dependencies, transitively.

    A version already installed is reused (its files are never rewritten); one that is only in
    the package is installed, and is "unapproved" unless HQ allowed its name at that
    major.minor (any patch); one that is nowhere is missing. Libraries in the package that
    playback never loads (editor widgets) are ignored.
    """
    installed = {(lib.machine_name, lib.major, lib.minor): lib for lib in H5PLibrary.objects.all()}
    allowed = set(H5PAllowedLibrary.objects.values_list("machine_name", "major", "minor"))
    use: dict[tuple[str, int, int], H5PLibrary] = {}
    install: dict[tuple[str, int, int], LibraryInfo] = {}
    unapproved: dict[tuple[str, int, int], LibraryInfo] = {}
    errors: list[H5PError] = []
    queue: list[tuple[Dependency, str]] = [(dep, "h5p.json") for dep in package.dependencies]
    seen: set[tuple[str, int, int]] = set()
    while queue:
        dependency, required_by = queue.pop(0)
        key = _key(dependency)
        if key in seen:
            continue
        seen.add(key)
        label = f"{dependency.machine_name} {dependency.major}.{dependency.minor}"
        if key in installed:
            use[key] = installed[key]
            queue.extend(
                (dep, f"{dependency.folder}/library.json")
                for dep in _installed_dependencies(installed[key])
            )
        elif dependency.folder in package.libraries:
            library = package.libraries[dependency.folder]
            install[key] = library
            if key not in allowed:
                unapproved[key] = library
            queue.extend((dep, f"{library.folder}/library.json") for dep in library.dependencies)
        else:
            errors.append(H5PError(ErrorCode.LIBRARY_MISSING, required_by, {"library": label}))
    return LibraryPlan(use=use, install=install, unapproved=unapproved, errors=errors)


def h5p_content_create(
    *, package: IO[bytes], name: str, size: int, uploaded_by, title: str = ""
) -> H5PContent | H5PPendingPackage:
    """Validate an uploaded package and install it as a new ``H5PContent``, or, if it needs a
    library version HQ has not approved, keep it as an ``H5PPendingPackage`` for HQ admins.

    Preconditions: ``uploaded_by`` may use the CMS (trainers, HQ), or is ``None`` for system
    jobs (seed, ``manage.py``). Raises ``H5PPackageError`` with every broken rule (including
    an exceeded storage quota), and then stores nothing: no rows, no files. Writes, in one
    transaction, either: an ``H5PLibrary`` row and folder for each approved library version
    not yet installed (existing versions are shared, never rewritten), the content row with
    the libraries it plays with, and the content's folder (``h5p.json`` and ``content/``); or
    the pending row, its package file in private storage and an ``h5p.approval.requested``
    audit event (nothing installed, nothing playable).
    """
    if uploaded_by is not None and not can_author_content(uploaded_by):
        raise PermissionDenied(MSG_UPLOAD_NOT_ALLOWED)
    result = validate_package(package, name=name)
    if not result.is_valid:
        raise H5PPackageError(result.errors)
    try:
        return _content_create(
            package=package,
            info=result.package,
            name=name,
            size=size,
            uploaded_by=uploaded_by,
            title=title,
        )
    except IntegrityError:
        # Another upload installed the same library version first: this one now shares it.
        package.seek(0)
        return _content_create(
            package=package,
            info=result.package,
            name=name,
            size=size,
            uploaded_by=uploaded_by,
            title=title,
        )


def _content_create(
    *, package: IO[bytes], info: PackageInfo, name: str, size: int, uploaded_by, title: str
) -> H5PContent | H5PPendingPackage:
    written: list[Path] = []
    try:
        with transaction.atomic():
            plan = h5p_library_plan(info)
            if plan.errors:
                raise H5PPackageError(plan.errors)
            package.seek(0)
            with zipfile.ZipFile(package) as archive:
                if plan.unapproved:
                    h5p_quota_check(user=uploaded_by, adding=size, name=name)
                    return _pending_create(
                        package=package,
                        info=info,
                        plan=plan,
                        name=name,
                        size=size,
                        uploaded_by=uploaded_by,
                        title=title,
                        written=written,
                    )
                stored = content_bytes(archive)
                h5p_quota_check(user=uploaded_by, adding=stored, name=name)
                return h5p_package_install(
                    archive=archive,
                    info=info,
                    plan=plan,
                    name=name,
                    size=size,
                    stored=stored,
                    uploaded_by=uploaded_by,
                    title=title,
                    written=written,
                )
    except (zipfile.BadZipFile, zlib.error) as error:
        # A member whose data does not match its CRC or is not valid deflate: validation only
        # sniffs the first bytes, so this shows up while unpacking. A refusal, not a crash.
        storage.remove_paths(written)
        display = PurePosixPath(name).name or "package.h5p"
        raise H5PPackageError([H5PError(ErrorCode.NOT_ZIP, display)]) from error
    except BaseException:
        storage.remove_paths(written)
        raise


def content_bytes(archive: zipfile.ZipFile) -> int:
    """What a package's content takes on disk once unpacked (h5p.json and content/)."""
    return sum(
        item.file_size
        for item in archive.infolist()
        if not item.is_dir()
        and (item.filename == "h5p.json" or item.filename.startswith("content/"))
    )


def h5p_package_install(
    *,
    archive: zipfile.ZipFile,
    info: PackageInfo,
    plan: LibraryPlan,
    name: str,
    size: int,
    stored: int,
    uploaded_by,
    title: str,
    written: list[Path],
) -> H5PContent:
    """Install the plan's library versions and the content (in the caller's transaction).

    Preconditions: ``plan`` has no errors and every version it installs is approved; the
    caller removes the folders appended to ``written`` if the transaction fails.
    """
    names = [item.filename for item in archive.infolist() if not item.is_dir()]
    libraries = dict(plan.use)
    for key, library in plan.install.items():
        libraries[key] = H5PLibrary.objects.create(
            machine_name=library.machine_name,
            major=library.major,
            minor=library.minor,
            patch=library.patch,
            title=library.title[:255],
            runnable=library.runnable,
            metadata=library.metadata,
        )
        prefix = library.folder + "/"
        target = storage.library_dir(library.folder)
        written.append(target)
        storage.unpack(
            archive,
            [(n, n[len(prefix) :]) for n in names if n.startswith(prefix)],
            target,
        )
    main = libraries[_key(info.main_dependency)]
    content = H5PContent.objects.create(
        title=(title.strip() or info.title)[:255],
        main_library=main,
        language=info.language[:16],
        package_name=name[:255],
        package_size=size,
        stored_bytes=stored,
        h5p_json=info.h5p_json,
        uploaded_by=uploaded_by,
    )
    content.libraries.set(libraries.values())
    target = storage.content_dir(content.pk)
    written.append(target)
    members = [(n, n) for n in names if n.startswith("content/")]
    storage.unpack(archive, [*members, ("h5p.json", "h5p.json")], target)
    return content


def _pending_create(
    *,
    package: IO[bytes],
    info: PackageInfo,
    plan: LibraryPlan,
    name: str,
    size: int,
    uploaded_by,
    title: str,
    written: list[Path],
) -> H5PPendingPackage:
    pending = H5PPendingPackage.objects.create(
        title=(title.strip() or info.title)[:255],
        package_name=name[:255],
        package_size=size,
        libraries=[
            {
                "machine_name": library.machine_name,
                "major": library.major,
                "minor": library.minor,
                "patch": library.patch,
                "title": library.title[:255],
            }
            for library in plan.unapproved.values()
        ],
        uploaded_by=uploaded_by,
    )
    target = storage.pending_path(pending.pk)
    written.append(target)
    storage.save_package(package, target)
    audit_record(
        actor=uploaded_by,
        action=AuditEvent.Action.H5P_APPROVAL_REQUESTED,
        summary=f"{pending.title}: {', '.join(pending.library_labels)}",
        data={"pending": pending.pk, "libraries": pending.libraries},
    )
    return pending


# --- xAPI -----------------------------------------------------------------------------------


class XAPIError:
    NOT_OBJECT = "not_object"
    VERB = "verb_not_accepted"
    SUB_CONTENT = "sub_content"
    SCORE = "score_invalid"
    FLAGS = "flags_invalid"


XAPI_MESSAGES = {
    XAPIError.NOT_OBJECT: _("The statement must be a JSON object."),
    XAPIError.VERB: _("This xAPI verb is not recorded."),
    XAPIError.SUB_CONTENT: _("Statements about a part of the content are not recorded."),
    XAPIError.SCORE: _("The score must have numbers with 0 ≤ raw ≤ max and max > 0."),
    XAPIError.FLAGS: _("“completion” and “success” must be true or false."),
}
SUB_CONTENT_EXTENSION = "http://h5p.org/x-api/h5p-subContentId"
MAX_SCORE = Decimal("1000000")


@dataclass(frozen=True)
class ScoredStatement:
    verb: str
    raw: Decimal
    max: Decimal
    completion: bool | None
    success: bool | None

    @property
    def scaled(self) -> Decimal:
        return (self.raw / self.max).quantize(Decimal("0.0001"))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    number = Decimal(str(value))
    if number.copy_abs() > MAX_SCORE:
        return None  # out of range anyway; quantize() would raise InvalidOperation on 1e300
    return number.quantize(Decimal("0.01"))


def xapi_statement_parse(statement: Any) -> ScoredStatement:
    """Check an xAPI statement from the player; raises ``ValidationError`` with an
    ``XAPIError`` code. Only whole-content statements with an accepted verb and a sane score
    pass (scaled is recomputed here, never trusted)."""

    def fail(code: str) -> ValidationError:
        return ValidationError(XAPI_MESSAGES[code], code=code)

    if not isinstance(statement, dict):
        raise fail(XAPIError.NOT_OBJECT)
    verb = statement.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    verb_name = verb_id.rstrip("/").rsplit("/", 1)[-1] if isinstance(verb_id, str) else ""
    if verb_name not in H5PVerb.values:
        raise fail(XAPIError.VERB)
    target = statement.get("object")
    definition = target.get("definition") if isinstance(target, dict) else None
    extensions = definition.get("extensions") if isinstance(definition, dict) else None
    if isinstance(extensions, dict) and extensions.get(SUB_CONTENT_EXTENSION):
        raise fail(XAPIError.SUB_CONTENT)
    result = statement.get("result")
    score = result.get("score") if isinstance(result, dict) else None
    if not isinstance(score, dict):
        raise fail(XAPIError.SCORE)
    raw, maximum = _number(score.get("raw")), _number(score.get("max"))
    if raw is None or maximum is None or not (0 < maximum <= MAX_SCORE) or not 0 <= raw <= maximum:
        raise fail(XAPIError.SCORE)
    completion, success = result.get("completion"), result.get("success")
    if any(flag is not None and not isinstance(flag, bool) for flag in (completion, success)):
        raise fail(XAPIError.FLAGS)
    return ScoredStatement(verb_name, raw, maximum, completion, success)


def h5p_result_record(*, content: H5PContent, employee: Employee, statement: Any) -> H5PResult:
    """Store one scored statement of ``employee`` on ``content``.

    Preconditions: the caller authenticated ``employee`` (the xAPI endpoint: the logged-in
    learner, CSRF-checked). Raises ``ValidationError`` (``XAPIError`` codes) for a statement
    that is not recorded. Writes one ``H5PResult`` row; results are append-only.
    """
    parsed = xapi_statement_parse(statement)
    with transaction.atomic():
        return H5PResult.objects.create(
            content=content,
            employee=employee,
            verb=parsed.verb,
            score_raw=parsed.raw,
            score_max=parsed.max,
            score_scaled=parsed.scaled,
            completion=parsed.completion,
            success=parsed.success,
        )
