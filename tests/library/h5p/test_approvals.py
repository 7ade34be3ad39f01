"""HQ's approval of H5P library versions: the queue (approve, reject, who may), the allow-list
admin (HQ admins only, audited), each trainer's storage quota, and the allow-list migration."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.organisation.models import AuditEvent, Role
from hub.sessions.models import Notification
from library.h5p import storage
from library.h5p.approvals import h5p_pending_approve, h5p_pending_reject
from library.h5p.models import H5PAllowedLibrary, H5PContent, H5PLibrary, H5PPendingPackage
from library.h5p.quota import h5p_storage_used
from library.h5p.services import H5PPackageError, h5p_content_create
from library.h5p.validation import ErrorCode, error_codes
from tests.factories import EmployeeFactory, grant
from tests.library.h5p_packages import (
    allow,
    build,
    h5p_root_fixture,  # noqa: F401
    minimal_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(branch):
    employee = EmployeeFactory(branch=branch)
    grant(employee, Role.TRAINER)
    return employee


@pytest.fixture
def training_lead(branch):
    employee = EmployeeFactory(branch=branch)
    grant(employee, Role.TRAINING_LEAD)
    return employee


def install(files, user, title=""):
    package = build(files)
    return h5p_content_create(
        package=package,
        name="quiz.h5p",
        size=len(package.getvalue()),
        uploaded_by=user,
        title=title,
    )


def upload(client, files, name="quiz.h5p"):
    package = SimpleUploadedFile(name, build(files).getvalue(), "application/zip")
    return client.post(reverse("library:h5p:upload"), {"package": package, "title": ""})


# --- the queue ------------------------------------------------------------------------------


def test_upload_page_says_the_package_waits_and_lists_it(h5p_root, trainer, client_for):
    client = client_for(trainer, language="en")
    response = upload(client, minimal_files())
    assert response.status_code == 302
    assert response["Location"] == reverse("library:h5p:upload")
    pending = H5PPendingPackage.objects.get()
    assert pending.uploaded_by == trainer.user
    assert not H5PContent.objects.exists() and not H5PLibrary.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "waits for an HQ admin&#x27;s approval" in html
    assert "H5P.Demo 1.0.3" in html
    assert 'data-testid="h5p-pending"' in html


def test_hq_admin_approves_installs_and_allows_the_versions(
    h5p_root, trainer, hq_admin, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    trainer.user.email = "trainer@example.com"
    trainer.user.save()
    pending = install(minimal_files(), trainer.user, title="待审核的题")
    client = client_for(hq_admin, language="en")
    assert (
        reverse("library:h5p:approvals")
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    page = client.get(reverse("library:h5p:approvals")).content.decode()
    assert "待审核的题" in page and "H5P.Demo 1.0.3" in page
    package = client.get(reverse("library:h5p:approval_package", args=[pending.pk]))
    assert b"".join(package.streaming_content) == storage.pending_path(pending.pk).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("library:h5p:approval_approve", args=[pending.pk]))
    assert response.status_code == 302
    content = H5PContent.objects.get()
    assert (content.title, content.uploaded_by) == ("待审核的题", trainer.user)
    assert str(content.main_library) == "H5P.Demo 1.0.3"
    assert storage.library_dir("H5P.Demo-1.0").is_dir()
    assert (storage.content_dir(content.pk) / "h5p.json").is_file()
    assert list(H5PAllowedLibrary.objects.values_list("machine_name", "major", "minor")) == [
        ("H5P.Demo", 1, 0)
    ]
    assert not H5PPendingPackage.objects.exists()
    assert not storage.pending_path(pending.pk).exists()
    actions = set(AuditEvent.objects.filter(actor=hq_admin.user).values_list("action", flat=True))
    assert actions == {
        AuditEvent.Action.H5P_LIBRARY_ALLOWED,
        AuditEvent.Action.H5P_UPLOAD_APPROVED,
    }
    notification = Notification.objects.get(recipient=trainer)
    assert notification.kind == Notification.Kind.H5P_APPROVED
    assert "H5P.Demo 1.0.3" in notification.body
    assert len(mailoutbox) == 1 and "待审核的题" in mailoutbox[0].subject


def test_hq_admin_rejects_and_the_package_is_deleted(
    h5p_root, trainer, hq_admin, client_for, django_capture_on_commit_callbacks
):
    pending = install(minimal_files(), trainer.user)
    path = storage.pending_path(pending.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(hq_admin).post(
            reverse("library:h5p:approval_reject", args=[pending.pk]), {"reason": "代码未审核"}
        )
    assert response.status_code == 302
    assert not H5PPendingPackage.objects.exists() and not path.exists()
    assert not H5PContent.objects.exists() and not H5PAllowedLibrary.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.H5P_UPLOAD_REJECTED)
    assert event.actor == hq_admin.user and event.data["reason"] == "代码未审核"
    notification = Notification.objects.get(recipient=trainer)
    assert notification.kind == Notification.Kind.H5P_REJECTED
    assert "代码未审核" in notification.body


@pytest.mark.parametrize("who", ["trainer", "training_lead"])
def test_only_hq_admins_decide(h5p_root, trainer, training_lead, client_for, who):
    pending = install(minimal_files(), trainer.user)
    person = {"trainer": trainer, "training_lead": training_lead}[who]
    client = client_for(person)
    assert reverse("library:h5p:approvals") not in client.get("/cms/").content.decode()
    assert client.get(reverse("library:h5p:approvals")).status_code == 403
    assert client.get(reverse("library:h5p:approval_package", args=[pending.pk])).status_code == 403
    for name in ("approval_approve", "approval_reject"):
        assert client.post(reverse(f"library:h5p:{name}", args=[pending.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        h5p_pending_approve(pending=pending, actor=person.user)
    with pytest.raises(PermissionDenied):
        h5p_pending_reject(pending=pending, actor=person.user)
    assert H5PPendingPackage.objects.filter(pk=pending.pk).exists()
    assert not H5PContent.objects.exists() and not H5PAllowedLibrary.objects.exists()
    assert not AuditEvent.objects.exclude(action=AuditEvent.Action.H5P_APPROVAL_REQUESTED).exists()


def test_approval_that_no_longer_passes_keeps_the_upload_pending(
    h5p_root, trainer, hq_admin, settings
):
    pending = install(minimal_files(), trainer.user)
    settings.H5P_MAX_FILES = 2  # a limit tightened since the upload
    with pytest.raises(H5PPackageError) as raised:
        h5p_pending_approve(pending=pending, actor=hq_admin.user)
    assert error_codes(raised.value.errors) == {ErrorCode.TOO_MANY_FILES}
    assert H5PPendingPackage.objects.filter(pk=pending.pk).exists()
    assert storage.pending_path(pending.pk).is_file()
    assert not H5PAllowedLibrary.objects.exists() and not H5PLibrary.objects.exists()


# --- the allow-list admin -------------------------------------------------------------------


def test_allow_list_is_changed_by_hq_admins_and_read_by_the_training_lead(
    training_lead, hq_admin, client_for
):
    url = reverse("wagtailsnippets_library_h5pallowedlibrary:add")
    data = {"machine_name": "H5P.Demo", "major": "1", "minor": "2", "note": ""}
    assert client_for(training_lead).post(url, data).status_code in (302, 403)
    assert not H5PAllowedLibrary.objects.exists()
    listing = reverse("wagtailsnippets_library_h5pallowedlibrary:list")
    # The training lead reads everything, changes nothing.
    assert client_for(training_lead).get(listing).status_code == 200
    assert client_for(hq_admin).get(listing).status_code == 200


def test_allow_list_changes_are_audited(hq_admin, client_for):
    client = client_for(hq_admin, language="en")
    add = reverse("wagtailsnippets_library_h5pallowedlibrary:add")
    data = {"machine_name": "H5P.Demo", "major": "1", "minor": "2", "note": "已审核"}
    assert client.post(add, data).status_code == 302
    row = H5PAllowedLibrary.objects.get()
    assert (row.machine_name, row.major, row.minor) == ("H5P.Demo", 1, 2)
    edit = reverse("wagtailsnippets_library_h5pallowedlibrary:edit", args=[row.pk])
    assert client.post(edit, data | {"minor": "3"}).status_code == 302
    delete = reverse("wagtailsnippets_library_h5pallowedlibrary:delete", args=[row.pk])
    assert client.post(delete).status_code == 302
    assert not H5PAllowedLibrary.objects.exists()
    events = list(AuditEvent.objects.order_by("pk"))
    assert [event.action for event in events] == [
        AuditEvent.Action.H5P_LIBRARY_ALLOWED,
        AuditEvent.Action.H5P_LIBRARY_CHANGED,
        AuditEvent.Action.H5P_LIBRARY_REMOVED,
    ]
    assert all(event.actor == hq_admin.user for event in events)
    assert events[1].data["before"]["minor"] == 2 and events[1].data["library"]["minor"] == 3
    assert events[2].summary == "H5P.Demo 1.3"


def test_snippet_upload_of_an_unapproved_package_waits(h5p_root, trainer, client_for):
    client = client_for(trainer, language="en")
    url = reverse("wagtailsnippets_library_h5pcontent:add")
    package = SimpleUploadedFile("quiz.h5p", build(minimal_files()).getvalue())
    response = client.post(url, {"package": package, "title": ""}, follow=True)
    assert response.status_code == 200
    assert "waits for an HQ admin&#x27;s approval" in response.content.decode()
    assert H5PPendingPackage.objects.count() == 1 and not H5PContent.objects.exists()


# --- storage quota --------------------------------------------------------------------------


def test_quota_refuses_an_upload_past_the_limit(h5p_root, trainer, settings, client_for):
    allow("H5P.Demo")
    first = install(minimal_files("第一题"), trainer.user)
    used = h5p_storage_used(user=trainer.user)
    assert used == first.stored_bytes > 0
    settings.H5P_USER_QUOTA_BYTES = used * 2  # exactly room for a second copy
    second = install(minimal_files("第二题"), trainer.user)
    assert isinstance(second, H5PContent)
    with pytest.raises(H5PPackageError) as raised:
        install(minimal_files("第三题"), trainer.user)
    assert error_codes(raised.value.errors) == {ErrorCode.QUOTA_EXCEEDED}
    assert H5PContent.objects.count() == 2
    response = upload(client_for(trainer, language="en"), minimal_files("第三题"))
    html = response.content.decode()
    assert "your H5P uploads already use" in html and "quota" in html
    assert H5PContent.objects.count() == 2


def test_pending_packages_count_against_the_quota(h5p_root, trainer, settings):
    pending = install(minimal_files(), trainer.user)
    assert h5p_storage_used(user=trainer.user) == pending.package_size
    settings.H5P_USER_QUOTA_BYTES = pending.package_size + 10
    with pytest.raises(H5PPackageError) as raised:
        install(minimal_files("再来一题"), trainer.user)
    assert error_codes(raised.value.errors) == {ErrorCode.QUOTA_EXCEEDED}
    assert H5PPendingPackage.objects.count() == 1


def test_quota_is_per_uploader_and_hq_admins_have_none(h5p_root, trainer, hq_admin, settings):
    allow("H5P.Demo")
    install(minimal_files(), trainer.user)
    settings.H5P_USER_QUOTA_BYTES = 1
    other = EmployeeFactory(branch=trainer.branch)
    grant(other, Role.TRAINER)
    with pytest.raises(H5PPackageError):
        install(minimal_files(), other.user)
    assert isinstance(install(minimal_files(), hq_admin.user), H5PContent)
    assert isinstance(install(minimal_files(), None), H5PContent)


# --- the migration of the allow-list --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_turns_name_only_rows_into_installed_versions():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("library", "0002_h5p_versioned_allow_list_and_pending_uploads")]
    after = [("library", "0004_h5p_allow_list_versions_required")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Allowed = apps.get_model("library", "H5PAllowedLibrary")
    Library = apps.get_model("library", "H5PLibrary")
    for minor in (0, 2):
        Library.objects.create(
            machine_name="H5P.Demo", major=1, minor=minor, patch=0, title="Demo", metadata={}
        )
    Allowed.objects.create(machine_name="H5P.Demo", note="HQ 已审核")
    Allowed.objects.create(machine_name="H5P.Never")  # allowed, never installed
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    rows = H5PAllowedLibrary.objects.values_list("machine_name", "major", "minor", "note")
    assert sorted(rows) == [("H5P.Demo", 1, 0, "HQ 已审核"), ("H5P.Demo", 1, 2, "HQ 已审核")]
