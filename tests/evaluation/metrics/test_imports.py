"""Import of outcome metric values: the HR import's readers and error report, all-or-nothing,
idempotent re-import, HQ's audited edit of one value, and the pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from evaluation.metrics import services
from evaluation.metrics.imports import parse_period, plan_file
from evaluation.metrics.models import MetricImportBatch, MetricValue
from hub.organisation.models import AuditEvent
from tests.evaluation.metrics.helpers import make_metric
from tests.factories import BranchFactory, EmployeeFactory, TeamFactory, make_hq_admin, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    branch = BranchFactory(code="SH01")
    return {
        "branch": branch,
        "team": TeamFactory(branch=branch, name="销售一组"),
        "employee": EmployeeFactory(branch=branch, employee_no="E000123"),
        "cross_sell": make_metric("cross_sell"),
        "team_perf": make_metric("team_perf", level="team", name_zh="团队业绩"),
        "handling": make_metric("handling", level="employee", name_zh="正确处理率"),
        "retention": make_metric("retention", source="computed", name_zh="留存率"),
        "admin": make_hq_admin(),
    }


GOOD = (
    "指标编码*,范围编码*,期间*,数值*\n"
    "cross_sell,SH01,2026-01,22\n"
    "cross_sell,SH01,2026年2月,24.5\n"
    "team_perf,SH01/销售一组,2026-Q1,100\n"
    "handling,E000123,2026年第1季度,70%\n"
)


def upload(text: str, name="values.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_periods():
    assert parse_period("2026-03") == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert parse_period("2026年2月") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert parse_period("2026-Q2") == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    full_width_q = "\uff31"
    assert parse_period(f"2026{full_width_q}4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert parse_period("2026年第1季度") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert parse_period(dt.date(2026, 5, 17)) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    for bad in ("2026-13", "2026-Q5", "March", ""):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_dry_run_writes_nothing_and_apply_writes_all(world):
    batch = services.metric_import_create(upload=upload(GOOD), actor=world["admin"].user)
    assert batch.status == MetricImportBatch.Status.VALID
    assert batch.report["counts"]["values"] == {"create": 4, "update": 0, "unchanged": 0}
    assert not MetricValue.objects.exists()
    assert services.metric_import_apply(batch=batch, actor=world["admin"].user)
    assert batch.status == MetricImportBatch.Status.APPLIED
    values = {(v.metric.code, v.period_start): v for v in MetricValue.objects.all()}
    assert values[("cross_sell", dt.date(2026, 2, 1))].value == Decimal("24.5")
    assert values[("team_perf", dt.date(2026, 1, 1))].team == world["team"]
    assert values[("team_perf", dt.date(2026, 1, 1))].period_end == dt.date(2026, 3, 31)
    assert values[("handling", dt.date(2026, 1, 1))].employee == world["employee"]
    assert values[("handling", dt.date(2026, 1, 1))].value == Decimal(70)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.METRIC_IMPORT_APPLIED).count() == 1
    # a second click changes nothing
    assert not services.metric_import_apply(batch=batch, actor=world["admin"].user)
    assert MetricValue.objects.count() == 4
    assert AuditEvent.objects.filter(action=AuditEvent.Action.METRIC_IMPORT_APPLIED).count() == 1


def test_reimport_of_the_same_file_changes_nothing(world):
    admin = world["admin"].user
    first = services.metric_import_create(upload=upload(GOOD), actor=admin)
    services.metric_import_apply(batch=first, actor=admin)
    before = list(
        MetricValue.objects.order_by("pk").values_list("pk", "value", "batch", "updated_at")
    )
    again = services.metric_import_create(upload=upload(GOOD), actor=admin)
    assert again.sha256 == first.sha256
    assert again.report["counts"]["values"] == {"create": 0, "update": 0, "unchanged": 4}
    services.metric_import_apply(batch=again, actor=admin)
    after = list(
        MetricValue.objects.order_by("pk").values_list("pk", "value", "batch", "updated_at")
    )
    assert after == before


def test_changed_value_is_updated(world):
    admin = world["admin"].user
    services.metric_import_apply(
        batch=services.metric_import_create(upload=upload(GOOD), actor=admin), actor=admin
    )
    changed = GOOD.replace("2026年2月,24.5", "2026年2月,26")
    batch = services.metric_import_create(upload=upload(changed), actor=admin)
    assert batch.report["counts"]["values"] == {"create": 0, "update": 1, "unchanged": 3}
    services.metric_import_apply(batch=batch, actor=admin)
    value = MetricValue.objects.get(metric__code="cross_sell", period_start=dt.date(2026, 2, 1))
    assert value.value == Decimal(26) and value.batch == batch


def test_gbk_csv_with_english_headers(world):
    text = "metric_code,scope,period,value\ncross_sell,SH01,2026年1月,22\n"
    batch = services.metric_import_create(
        upload=upload(text, encoding="gbk"), actor=world["admin"].user
    )
    assert batch.status == MetricImportBatch.Status.VALID


def test_xlsx(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["指标编码", "范围编码", "期间", "数值"])
    sheet.append(["cross_sell", "SH01", dt.date(2026, 3, 1), 23.5])
    data = io.BytesIO()
    workbook.save(data)
    plan = plan_file(data=data.getvalue(), file_name="v.xlsx", max_rows=100)
    assert plan.is_valid
    [row] = plan.rows
    assert (row.period_start, row.value) == (dt.date(2026, 3, 1), Decimal("23.5"))


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    text = (
        "指标编码,范围编码,期间,数值\n"
        "cross_sell,SH01,2026-01,22\n"  # fine
        "nope,SH01,2026-01,22\n"  # unknown metric
        "retention,SH01,2026-01,80\n"  # computed metric
        "cross_sell,XX99,2026-01,22\n"  # unknown branch
        "cross_sell,SH01,2026-13,22\n"  # bad period
        "cross_sell,SH01,2026-02,abc\n"  # bad number
        "handling,E999999,2026-01,1\n"  # unknown employee
        "team_perf,SH01/不存在,2026-01,1\n"  # unknown team
        "cross_sell,SH01,2026-01,23\n"  # duplicate of line 2
        "cross_sell,,2026-01,23\n"  # missing scope
    )
    batch = services.metric_import_create(upload=upload(text), actor=world["admin"].user)
    assert batch.status == MetricImportBatch.Status.INVALID
    lines = sorted({error[1] for error in batch.report["errors"]})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert not services.metric_import_apply(batch=batch, actor=world["admin"].user)
    assert not MetricValue.objects.exists()


def test_unknown_and_missing_columns(world):
    plan = plan_file(data=b"metric,scope,foo\nx,y,z\n", file_name="v.csv", max_rows=10)
    codes = {str(error.code) for error in plan.errors}
    assert {"unknown_column", "missing_column"} <= codes
    assert "foo" in plan.errors[0].message


def test_only_hq_admins_import(world):
    manager = make_manager(world["branch"])
    with pytest.raises(PermissionDenied):
        services.metric_import_create(upload=upload(GOOD), actor=manager.user)


def test_hq_edit_of_one_value_is_audited(world):
    value = MetricValue.objects.create(
        metric=world["cross_sell"],
        branch=world["branch"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        value=Decimal(22),
    )
    services.metric_value_set(value=value, new_value=Decimal("22.8"), actor=world["admin"].user)
    value.refresh_from_db()
    assert value.value == Decimal("22.8") and value.source == MetricValue.Source.EDITED
    event = AuditEvent.objects.get(action=AuditEvent.Action.METRIC_VALUE_EDITED)
    assert event.data["old"] == "22.0000" and event.data["new"] == "22.8"
    # the same value again writes nothing
    services.metric_value_set(value=value, new_value=Decimal("22.8"), actor=world["admin"].user)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.METRIC_VALUE_EDITED).count() == 1
    with pytest.raises(PermissionDenied):
        services.metric_value_set(
            value=value, new_value=Decimal(1), actor=make_manager(world["branch"]).user
        )


def test_pages_upload_preview_apply(client, world):
    client.force_login(world["admin"].user)
    response = client.post(reverse("metrics:imports"), {"file": upload(GOOD)})
    batch = MetricImportBatch.objects.get()
    assert response.url == reverse("metrics:import_detail", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and "24.5" in page.content.decode()
    client.post(reverse("metrics:import_apply", args=[batch.pk]))
    assert MetricValue.objects.count() == 4
    values = client.get(reverse("metrics:values") + "?metric=cross_sell")
    assert values.status_code == 200
    assert len(values.context["page"].object_list) == 2


def test_manager_sees_only_their_branch_values(client, world):
    other = BranchFactory()
    for branch in (world["branch"], other):
        MetricValue.objects.create(
            metric=world["cross_sell"],
            branch=branch,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 31),
            value=Decimal(22),
        )
    client.force_login(make_manager(world["branch"]).user)
    page = client.get(reverse("metrics:values"))
    assert [v.branch for v in page.context["page"].object_list] == [world["branch"]]
    assert page.context["can_edit"] is False


def test_training_lead_reads_imports_but_cannot_upload(client, world):
    from hub.organisation.roles import Role
    from tests.factories import grant

    lead = EmployeeFactory(branch=world["branch"])
    grant(lead, Role.TRAINING_LEAD)
    client.force_login(lead.user)
    page = client.get(reverse("metrics:imports"))
    assert page.status_code == 200 and page.context["can_upload"] is False
    assert client.post(reverse("metrics:imports"), {"file": upload(GOOD)}).status_code == 403
    assert not MetricImportBatch.objects.exists()
