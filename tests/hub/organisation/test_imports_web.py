"""HR import pages: HQ-only, upload refusals, dry-run preview, error report, apply once."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hub.organisation.imports import tasks
from hub.organisation.models import AuditEvent, Employee, ImportBatch
from tests.factories import BranchFactory

pytestmark = pytest.mark.django_db

HEADER = ["工号", "姓名", "分部编码", "岗位类别", "入职日期"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def admin_client(hq_admin, client_for):
    return client_for(hq_admin)


def csv_upload(rows, name="people.csv") -> SimpleUploadedFile:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), "text/csv")


def good_rows(count=3):
    return [HEADER] + [
        [f"N{n:03d}", f"员工{n}", "SH01", "业务骨干", "2024-03-01"] for n in range(1, count + 1)
    ]


def upload(client, capture, file):
    with capture(execute=True):
        return client.post(reverse("imports:upload"), {"file": file})


def test_only_hq_admins_may_import(manager, client_for):
    client = client_for(manager)
    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.get(reverse("imports:template_csv")).status_code == 403
    response = client.post(reverse("imports:upload"), {"file": csv_upload(good_rows())})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_upload_page_offers_templates_and_lists_imports(admin_client, hq_admin):
    ImportBatch.objects.create(
        uploaded_by=hq_admin.user, file="imports/x.csv", original_name="花名册.csv", sha256="0"
    )
    body = admin_client.get(reverse("imports:upload")).content.decode()
    assert reverse("imports:template_xlsx") in body
    assert "花名册.csv" in body
    assert "工号 / <code>employee_no</code>" in body


def test_upload_preview_apply_end_to_end(admin_client, django_capture_on_commit_callbacks):
    BranchFactory(code="SH01")
    response = upload(admin_client, django_capture_on_commit_callbacks, csv_upload(good_rows()))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.VALID
    assert (batch.rows_done, batch.rows_total) == (3, 3)
    assert len(batch.sha256) == 64
    assert not Employee.objects.filter(employee_no__startswith="N").exists()  # dry run only

    body = admin_client.get(response["Location"]).content.decode()
    assert 'data-testid="import-counts"' in body
    assert "员工1" in body  # the change sample
    assert reverse("imports:apply", args=[batch.pk]) in body

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("imports:apply", args=[batch.pk]))
    assert response.status_code == 302

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.applied_at is not None
    assert Employee.objects.filter(employee_no__startswith="N").count() == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_APPLIED)
    assert event.data["batch_id"] == batch.pk
    assert event.data["file_name"] == "people.csv"
    body = admin_client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "import-apply" not in body


def test_applying_twice_does_not_double(admin_client, django_capture_on_commit_callbacks):
    BranchFactory(code="SH01")
    upload(admin_client, django_capture_on_commit_callbacks, csv_upload(good_rows()))
    batch = ImportBatch.objects.get()
    url = reverse("imports:apply", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin_client.post(url)
        admin_client.post(url)
    assert len(callbacks) == 1  # the second request found the batch no longer VALID
    assert Employee.objects.filter(employee_no__startswith="N").count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_APPLIED).count() == 1
    # and the task itself refuses a batch that is not APPLYING
    assert tasks.import_apply.call(batch.pk) == tasks.SKIPPED


def test_invalid_file_shows_every_bad_row_and_cannot_be_applied(
    admin_client, django_capture_on_commit_callbacks
):
    BranchFactory(code="SH01")
    rows = good_rows()
    rows[1][3] = "实习生"
    rows[3][2] = "XX01"
    upload(admin_client, django_capture_on_commit_callbacks, csv_upload(rows))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID

    body = admin_client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-errors"' in body
    assert "<td>2</td>" in body
    assert "<td>4</td>" in body
    assert "实习生" in body
    assert "XX01" in body

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports:apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert not Employee.objects.filter(employee_no__startswith="N").exists()


def test_error_report_is_paginated(admin_client, django_capture_on_commit_callbacks):
    BranchFactory(code="SH01")
    rows = [HEADER] + [[f"N{n}", "", "SH01", "业务骨干", "2024-03-01"] for n in range(250)]
    upload(admin_client, django_capture_on_commit_callbacks, csv_upload(rows))
    batch = ImportBatch.objects.get()
    url = reverse("imports:detail", args=[batch.pk])
    first = admin_client.get(url).content.decode()
    second = admin_client.get(url + "?page=2").content.decode()
    assert "<td>201</td>" in first
    assert "<td>202</td>" not in first
    assert "<td>202</td>" in second


def test_oversized_file_is_refused_and_nothing_stored(admin_client, settings):
    settings.LECTERN_IMPORT_MAX_BYTES = 100
    response = admin_client.post(
        reverse("imports:upload"), {"file": csv_upload(good_rows(count=20))}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("people.xls", b"\xd0\xcf\x11\xe0 old excel"),
        ("people.txt", b"a,b\n"),
        ("people.xlsx", b"just text pretending"),
        ("people.csv", b"PK\x03\x04\x00\x00binary"),
    ],
)
def test_wrong_file_type_is_refused(admin_client, name, content):
    response = admin_client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_status_json_reports_progress(admin_client, hq_admin):
    batch = ImportBatch.objects.create(
        uploaded_by=hq_admin.user,
        file="imports/x.csv",
        original_name="x.csv",
        sha256="0",
        status=ImportBatch.Status.VALIDATING,
        rows_total=2000,
        rows_done=500,
    )
    data = admin_client.get(reverse("imports:status", args=[batch.pk])).json()
    assert data["running"] is True
    assert data["percent"] == 25
    assert data["rows_done"] == 500

    body = admin_client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert 'id="import-progress"' in body
    assert "style=" not in body


def test_templates_download(admin_client):
    response = admin_client.get(reverse("imports:template_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "姓名* (name)" in response.content.decode("utf-8-sig")

    branches = admin_client.get(reverse("imports:template_csv") + "?kind=branches")
    assert "区域* (region)" in branches.content.decode("utf-8-sig")

    response = admin_client.get(reverse("imports:template_xlsx"))
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["员工"]["A1"].value == "工号* (employee_no)"


def test_detail_page_in_chinese_shows_chinese_data(hq_admin, client_for, settings):
    client = client_for(hq_admin, language="zh-hans")
    batch = ImportBatch.objects.create(
        uploaded_by=hq_admin.user,
        file="imports/x.csv",
        original_name="上海花名册.csv",
        sha256="0",
        status=ImportBatch.Status.INVALID,
        report={
            "sheets": [{"name": "", "kind": "employees", "rows": 1}],
            "counts": {"errors": 1, "error_rows": 1},
            "errors": [["", 2, "branch_code", "unknown_branch", {"value": "广州"}]],
        },
    )
    body = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "上海花名册.csv" in body
    assert "分部编码 / branch_code" in body
    assert "广州" in body


def test_uploading_an_applied_file_again_says_so(admin_client, django_capture_on_commit_callbacks):
    BranchFactory(code="SH01")
    capture = django_capture_on_commit_callbacks
    upload(admin_client, capture, csv_upload(good_rows()))
    first = ImportBatch.objects.get()
    with capture(execute=True):
        admin_client.post(reverse("imports:apply", args=[first.pk]))
    response = upload(admin_client, capture, csv_upload(good_rows(), name="again.csv"))
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    detail = admin_client.get(response["Location"])
    assert detail.context["same_file_applied"] == first
    assert second.report["counts"]["employees"]["unchanged"] == 3
    # A different file is not mistaken for it.
    response = upload(admin_client, capture, csv_upload(good_rows(2), name="other.csv"))
    assert admin_client.get(response["Location"]).context["same_file_applied"] is None
