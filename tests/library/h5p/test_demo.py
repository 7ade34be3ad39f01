"""library.h5p.demo: our own content type (Lectern.QuickCheck), the demo package built from it
at seed time (valid under the full upload validation), and the idempotent seed."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied

from hub.organisation.models import Role
from library.h5p import storage
from library.h5p.demo import (
    DEMO_TITLE,
    LIBRARY_FOLDER,
    MACHINE_NAME,
    build_demo_package,
    seed_demo_h5p,
)
from library.h5p.models import H5PAllowedLibrary, H5PContent, H5PLibrary
from library.h5p.services import H5PPackageError, h5p_content_create
from library.h5p.validation import ErrorCode, error_codes, validate_package
from tests.factories import EmployeeFactory, grant
from tests.library.h5p_packages import REAL_LIBRARIES, h5p_root_fixture  # noqa: F401


def demo_archive() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(build_demo_package()))


def test_demo_package_passes_validation_with_zero_errors(settings):
    result = validate_package(io.BytesIO(build_demo_package()), name="demo.h5p")
    assert result.errors == []
    package = result.package
    assert package.title == DEMO_TITLE == "连带销售小测验"
    assert package.main_library == MACHINE_NAME
    assert package.language == "zh"
    assert list(package.libraries) == [LIBRARY_FOLDER]
    library = package.libraries[LIBRARY_FOLDER]
    assert library.runnable
    assert library.preloaded_js == ("quickcheck.js",)
    assert library.preloaded_css == ("quickcheck.css",)
    assert library.metadata["coreApi"] == {"majorVersion": 1, "minorVersion": 24}
    assert library.dependencies == ()


def test_demo_package_is_refused_by_a_core_older_than_it_needs(settings):
    """The boundary of coreApi: 1.24 is what it declares; a 1.23 host refuses it."""
    settings.H5P_CORE_API = "1.23"
    result = validate_package(io.BytesIO(build_demo_package()), name="demo.h5p")
    assert error_codes(result.errors) == {ErrorCode.CORE_API_UNSUPPORTED}


def test_demo_package_holds_only_our_code_and_is_deterministic():
    with demo_archive() as archive:
        names = sorted(archive.namelist())
        assert names == [
            "Lectern.QuickCheck-1.1/library.json",
            "Lectern.QuickCheck-1.1/quickcheck.css",
            "Lectern.QuickCheck-1.1/quickcheck.js",
            "Lectern.QuickCheck-1.1/semantics.json",
            "content/content.json",
            "h5p.json",
        ]
        assert not any(name.startswith(f"{lib}-") for lib in REAL_LIBRARIES for name in names)
        code = archive.read(f"{LIBRARY_FOLDER}/quickcheck.js").decode()
        css = archive.read(f"{LIBRARY_FOLDER}/quickcheck.css").decode()
    # No external resources, and the constructor H5P core looks up for the machineName.
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", code + css)
    assert "Lectern.QuickCheck = QuickCheck" in code
    assert "triggerXAPIScored" in code
    assert build_demo_package() == build_demo_package()


def test_demo_question_is_chinese_with_exactly_one_correct_answer():
    with demo_archive() as archive:
        content = json.loads(archive.read("content/content.json"))
        h5p = json.loads(archive.read("h5p.json"))
    assert "连带销售" in content["question"]
    assert 3 <= len(content["answers"]) <= 4
    assert [answer["correct"] for answer in content["answers"]].count(True) == 1
    assert all(re.search(r"[\u4e00-\u9fff]", answer["text"]) for answer in content["answers"])
    assert content["l10n"]["check"] == "检查答案"
    assert not re.search(r"<[a-z/]", json.dumps(content, ensure_ascii=False))  # plain text
    assert h5p["preloadedDependencies"] == [
        {"machineName": MACHINE_NAME, "majorVersion": 1, "minorVersion": 1}
    ]


def test_demo_content_follows_the_library_semantics():
    """semantics.json (what an H5P editor and H5P core's content filter read) describes exactly
    the fields content.json has and quickcheck.js reads, with the same English defaults."""
    with demo_archive() as archive:
        content = json.loads(archive.read("content/content.json"))
        semantics = json.loads(archive.read(f"{LIBRARY_FOLDER}/semantics.json"))
        code = archive.read(f"{LIBRARY_FOLDER}/quickcheck.js").decode()
    fields = {field["name"]: field for field in semantics}
    assert set(fields) == set(content)
    answer_fields = [f["name"] for f in fields["answers"]["field"]["fields"]]
    assert all(set(answer) == set(answer_fields) for answer in content["answers"])
    assert fields["answers"]["min"] <= len(content["answers"]) <= fields["answers"]["max"]
    texts = fields["l10n"]["fields"]
    assert {f["name"] for f in texts} == set(content["l10n"])
    for field in texts:
        assert f'{field["name"]}: "{field["default"]}"' in code


@pytest.mark.django_db
def test_seed_installs_the_demo_item_once(h5p_root, django_assert_max_num_queries):
    content = seed_demo_h5p()
    assert content.title == DEMO_TITLE
    assert content.language == "zh"
    assert content.uploaded_by is None
    assert content.main_library.machine_name == MACHINE_NAME
    assert content.main_library.folder == LIBRARY_FOLDER
    assert list(content.libraries.all()) == [content.main_library]
    assert H5PAllowedLibrary.objects.filter(machine_name=MACHINE_NAME).exists()
    assert (storage.library_dir(LIBRARY_FOLDER) / "quickcheck.js").is_file()
    assert (storage.content_dir(content.pk) / "content" / "content.json").is_file()
    assert (storage.content_dir(content.pk) / "h5p.json").is_file()

    # A second run finds it: one read, nothing new in the database or on disk.
    files = sorted(path for path in h5p_root.rglob("*"))
    with django_assert_max_num_queries(1):
        again = seed_demo_h5p()
    assert again.pk == content.pk
    assert H5PContent.objects.count() == 1
    assert H5PLibrary.objects.count() == 1
    assert H5PAllowedLibrary.objects.count() == 1
    assert sorted(path for path in h5p_root.rglob("*")) == files


@pytest.mark.django_db
def test_seed_keeps_an_existing_allow_list_entry(h5p_root):
    H5PAllowedLibrary.objects.create(machine_name=MACHINE_NAME, major=1, minor=1, note="HQ 已审核")
    seed_demo_h5p()
    assert list(H5PAllowedLibrary.objects.values_list("machine_name", "note")) == [
        (MACHINE_NAME, "HQ 已审核")
    ]


@pytest.mark.django_db
def test_seed_reuses_an_installed_quickcheck_library(h5p_root):
    """Another content already installed Lectern.QuickCheck 1.1: the demo shares that copy."""
    H5PAllowedLibrary.objects.create(machine_name=MACHINE_NAME, major=1, minor=1)
    data = build_demo_package()
    other = h5p_content_create(
        package=io.BytesIO(data), name="other.h5p", size=len(data), uploaded_by=None, title="别的题"
    )
    content = seed_demo_h5p()
    assert content.pk != other.pk
    assert content.main_library_id == other.main_library_id
    assert H5PLibrary.objects.count() == 1


@pytest.mark.django_db
def test_seed_by_a_trainer_records_the_uploader(h5p_root, branch):
    trainer = EmployeeFactory(branch=branch)
    grant(trainer, Role.TRAINER)
    content = seed_demo_h5p(uploaded_by=trainer.user)
    assert content.uploaded_by == trainer.user


@pytest.mark.django_db
def test_seed_by_a_learner_is_refused_and_stores_nothing(h5p_root, learner):
    with pytest.raises(PermissionDenied):
        seed_demo_h5p(uploaded_by=learner.user)
    assert not H5PContent.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert not H5PAllowedLibrary.objects.exists()
    assert not (h5p_root / "libraries" / LIBRARY_FOLDER).exists()


@pytest.mark.django_db
def test_seed_stores_nothing_when_the_package_breaks_a_rule(h5p_root, settings):
    settings.H5P_CORE_API = "1.23"
    with pytest.raises(H5PPackageError) as raised:
        seed_demo_h5p()
    assert error_codes(raised.value.errors) == {ErrorCode.CORE_API_UNSUPPORTED}
    assert not H5PContent.objects.exists()
    assert not H5PAllowedLibrary.objects.exists()
