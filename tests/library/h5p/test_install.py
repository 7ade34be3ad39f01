"""library.h5p.services.h5p_content_create: install once per library version, the allow-list,
and a rejected upload that stores nothing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied

from hub.organisation.models import AuditEvent, Role
from library.h5p import storage
from library.h5p.models import H5PAllowedLibrary, H5PContent, H5PLibrary, H5PPendingPackage
from library.h5p.services import H5PPackageError, h5p_content_create
from library.h5p.validation import ErrorCode, error_codes
from tests.factories import EmployeeFactory, grant
from tests.library.h5p_packages import (
    REAL_LIBRARIES,
    REAL_PACKAGE,
    allow,
    as_json,
    build,
    h5p_root_fixture,  # noqa: F401
    library_json,
    minimal_files,
)

pytestmark = pytest.mark.django_db


def install(package, user=None, name="test.h5p"):
    return h5p_content_create(
        package=package, name=name, size=len(package.getvalue()), uploaded_by=user
    )


def all_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def trainer(branch):
    employee = EmployeeFactory(branch=branch)
    grant(employee, Role.TRAINER)
    return employee


def test_real_package_installs(h5p_root):
    allow(*REAL_LIBRARIES)
    with REAL_PACKAGE.open("rb") as package:
        content = h5p_content_create(
            package=package,
            name=REAL_PACKAGE.name,
            size=REAL_PACKAGE.stat().st_size,
            uploaded_by=None,
        )
    assert content.title == "Hello World"
    assert content.main_library.machine_name == "H5P.TrueFalse"
    assert (content.main_library.major, content.main_library.minor, content.main_library.patch) == (
        1,
        6,
        1,
    )
    # Editor widgets are not needed to play: not installed, so HQ need not allow them.
    assert sorted(lib.machine_name for lib in content.libraries.all()) == sorted(REAL_LIBRARIES)
    assert (storage.content_dir(content.pk) / "content" / "content.json").is_file()
    assert (storage.content_dir(content.pk) / "h5p.json").is_file()
    assert (storage.library_dir("H5P.TrueFalse-1.6") / "scripts" / "h5p-true-false.js").is_file()
    assert not storage.library_dir("H5PEditor.RadioGroup-1.1").exists()


def test_two_contents_share_one_library_copy(h5p_root, trainer):
    allow("H5P.Demo")
    first = install(build(minimal_files("第一题")), trainer.user)
    library_file = storage.library_dir("H5P.Demo-1.0") / "scripts" / "demo.js"
    stamp = library_file.stat().st_mtime_ns
    second = install(build(minimal_files("第二题")), trainer.user)
    assert H5PLibrary.objects.count() == 1
    assert first.main_library_id == second.main_library_id
    assert library_file.stat().st_mtime_ns == stamp  # never rewritten
    assert sorted(p.name for p in (h5p_root / "libraries").iterdir()) == ["H5P.Demo-1.0"]
    assert storage.content_dir(first.pk) != storage.content_dir(second.pk)
    assert second.uploaded_by == trainer.user


def demo_version(minor=0, patch=3, title="连带销售小测验"):
    """The minimal package with H5P.Demo at 1.<minor>.<patch>."""
    files = minimal_files(title)
    folder = f"H5P.Demo-1.{minor}"
    moved = {name.replace("H5P.Demo-1.0", folder): data for name, data in files.items()}
    moved[f"{folder}/library.json"] = as_json(library_json(minor=minor, patchVersion=patch))
    moved[f"{folder}/scripts/demo.js"] = f"/* 1.{minor}.{patch} */".encode()
    h5p = json.loads(moved["h5p.json"])
    h5p["preloadedDependencies"][0]["minorVersion"] = minor
    moved["h5p.json"] = as_json(h5p)
    return moved


def test_new_library_version_waits_for_hq_approval(h5p_root, trainer):
    """HQ allowed H5P.Demo 1.0: a package bringing 1.1 (any code) is not installed."""
    allow("H5P.Demo")
    install(build(demo_version(0)), trainer.user)
    pending = install(build(demo_version(1)), trainer.user)
    assert isinstance(pending, H5PPendingPackage)
    assert pending.library_labels == ["H5P.Demo 1.1.3"]
    assert [str(lib) for lib in H5PLibrary.objects.all()] == ["H5P.Demo 1.0.3"]
    assert H5PContent.objects.count() == 1
    assert not storage.library_dir("H5P.Demo-1.1").exists()
    assert storage.pending_path(pending.pk).is_file()
    event = AuditEvent.objects.get(action=AuditEvent.Action.H5P_APPROVAL_REQUESTED)
    assert event.actor == trainer.user and "H5P.Demo 1.1.3" in event.summary


def test_approved_new_version_is_a_separate_copy(h5p_root):
    allow("H5P.Demo")
    H5PAllowedLibrary.objects.create(machine_name="H5P.Demo", major=1, minor=1)
    install(build(demo_version(0)))
    install(build(demo_version(1)))
    assert sorted(str(lib) for lib in H5PLibrary.objects.all()) == [
        "H5P.Demo 1.0.3",
        "H5P.Demo 1.1.3",
    ]
    assert not H5PPendingPackage.objects.exists()


def test_patch_release_of_an_approved_version_installs_without_approval(h5p_root):
    allow("H5P.Demo")  # 1.0
    content = install(build(demo_version(0, patch=7)))
    assert isinstance(content, H5PContent)
    assert str(content.main_library) == "H5P.Demo 1.0.7"
    assert not H5PPendingPackage.objects.exists()


def test_unapproved_library_waits_and_installs_nothing(h5p_root):
    pending = install(build(minimal_files()))
    assert isinstance(pending, H5PPendingPackage)
    assert pending.libraries == [
        {"machine_name": "H5P.Demo", "major": 1, "minor": 0, "patch": 3, "title": "演示题型"}
    ]
    assert not H5PContent.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert all_files(h5p_root) == [f"pending/{pending.pk}.h5p"]


def test_package_broken_and_unapproved_is_refused_not_queued(h5p_root):
    with pytest.raises(H5PPackageError) as raised:
        install(build(minimal_files() | {"content/images/fake.jpg": b"GIF89a"}))
    assert error_codes(raised.value.errors) == {ErrorCode.CONTENT_MISMATCH}
    assert not H5PPendingPackage.objects.exists()
    assert not h5p_root.exists() or all_files(h5p_root) == []


def test_disallowed_library_is_usable_once_installed(h5p_root):
    allow("H5P.Demo")
    install(build(minimal_files("第一题")))
    H5PAllowedLibrary.objects.all().delete()
    second = install(build(minimal_files("第二题")))  # reuses the installed version
    assert second.main_library.folder == "H5P.Demo-1.0"
    assert H5PLibrary.objects.count() == 1


def test_package_without_its_library_needs_it_installed(h5p_root):
    files = {k: v for k, v in minimal_files().items() if not k.startswith("H5P.Demo-1.0/")}
    with pytest.raises(H5PPackageError) as raised:
        install(build(files))
    assert error_codes(raised.value.errors) == {ErrorCode.LIBRARY_MISSING}
    assert raised.value.errors[0].file == "h5p.json"
    allow("H5P.Demo")
    install(build(minimal_files()))
    assert install(build(files)).main_library.folder == "H5P.Demo-1.0"


def test_invalid_package_stores_nothing(h5p_root):
    allow("H5P.Demo")
    with pytest.raises(H5PPackageError) as raised:
        install(build(minimal_files() | {"content/images/fake.jpg": b"GIF89a"}))
    assert error_codes(raised.value.errors) == {ErrorCode.CONTENT_MISMATCH}
    assert not H5PContent.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert not h5p_root.exists() or all_files(h5p_root) == []


def test_corrupt_member_data_is_refused_not_a_crash(h5p_root):
    """The directory is sound and the sniffed heads match, but a member's data fails its CRC:
    found only while unpacking, and refused like any other bad package."""
    allow("H5P.Demo")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in minimal_files().items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    assert data.count(b"= function ()") == 1
    corrupt = io.BytesIO(data.replace(b"= function ()", b"= funcTion ()"))
    with pytest.raises(H5PPackageError) as raised:
        install(corrupt, name="broken.h5p")
    assert error_codes(raised.value.errors) == {ErrorCode.NOT_ZIP}
    assert raised.value.errors[0].file == "broken.h5p"
    assert not H5PContent.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert all_files(h5p_root) == []


def test_failure_while_writing_rolls_back_rows_and_files(h5p_root, monkeypatch):
    allow("H5P.Demo")
    real_unpack = storage.unpack

    def unpack_then_fail(archive, members, target):
        real_unpack(archive, members, target)
        if "content" in target.parts:
            raise OSError("disk full")

    monkeypatch.setattr(storage, "unpack", unpack_then_fail)
    with pytest.raises(OSError):
        install(build(minimal_files()))
    assert not H5PContent.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert all_files(h5p_root) == []


def test_learner_may_not_upload(h5p_root, learner):
    allow("H5P.Demo")
    with pytest.raises(PermissionDenied):
        install(build(minimal_files()), learner.user)
    assert not H5PContent.objects.exists()


def test_deleting_content_removes_its_files_but_keeps_libraries(
    h5p_root, django_capture_on_commit_callbacks
):
    allow("H5P.Demo")
    content = install(build(minimal_files()))
    folder = storage.content_dir(content.pk)
    with django_capture_on_commit_callbacks(execute=True):
        content.delete()
    assert not folder.exists()
    assert storage.library_dir("H5P.Demo-1.0").is_dir()
