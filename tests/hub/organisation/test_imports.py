"""HR import: validation (every bad-row kind with its line), encodings, XLSX, apply, command."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from hub.organisation.imports.apply import PlanNotValid, plan_apply
from hub.organisation.imports.cells import parse_bool, parse_category, parse_date
from hub.organisation.imports.columns import SheetKind, column_for_header
from hub.organisation.imports.errors import MESSAGES, ErrorCode
from hub.organisation.imports.samples import template_csv, template_xlsx
from hub.organisation.imports.validation import plan_file
from hub.organisation.models import (
    AuditEvent,
    Branch,
    Employee,
    PositionCategory,
    Region,
    Team,
    pinyin_key,
)
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    RegionFactory,
    TeamFactory,
    UserFactory,
    make_hq_admin,
)

pytestmark = pytest.mark.django_db

EMPLOYEE_HEADER = ["工号", "姓名", "分部编码", "团队", "职位", "岗位类别", "入职日期", "邮箱"]
MAX_ROWS = 50_000


def csv_bytes(rows, *, encoding="utf-8", bom=False) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def plan_csv(rows, **kwargs):
    return plan_file(data=csv_bytes(rows, **kwargs), file_name="people.csv", max_rows=MAX_ROWS)


def errors_of(plan) -> set[tuple[int, str, str]]:
    return {(error.line, error.column, error.code) for error in plan.errors}


@pytest.fixture
def sh01(db):
    return BranchFactory(code="SH01", name="上海分部")


def good_rows():
    return [
        EMPLOYEE_HEADER,
        [
            "E001",
            "张伟",
            "SH01",
            "销售一组",
            "客户经理",
            "业务骨干",
            "2024-03-01",
            "zw@example.com",
        ],
        ["E002", "李娜", "SH01", "销售一组", "", "新员工", "2024/3/15", ""],
        ["E003", "王芳", "SH01", "", "店长", "管理者", "2023年1月9日", ""],
    ]


# --- a good file ----------------------------------------------------------------------------


def test_good_csv_creates_employees_accounts_and_teams(sh01):
    plan = plan_csv(good_rows())
    assert plan.errors == []
    assert plan.counts()["employees"] == {"create": 3, "update": 0, "unchanged": 0}
    assert plan.counts()["teams_created"] == 1

    plan_apply(plan=plan, actor=None)

    zhang = Employee.objects.select_related("user", "team").get(employee_no="E001")
    assert zhang.name == "张伟"
    assert zhang.name_pinyin == pinyin_key("张伟")  # bulk_create skips save()
    assert zhang.branch == sh01
    assert zhang.team.name == "销售一组"
    assert zhang.position_category == PositionCategory.BACKBONE
    assert zhang.hire_date == dt.date(2024, 3, 1)
    assert zhang.user.username == "E001"
    assert zhang.user.email == "zw@example.com"
    assert not zhang.user.has_usable_password()
    assert Employee.objects.get(employee_no="E002").hire_date == dt.date(2024, 3, 15)
    wang = Employee.objects.get(employee_no="E003")
    assert (wang.hire_date, wang.team, wang.job_title) == (dt.date(2023, 1, 9), None, "店长")
    assert Team.objects.filter(branch=sh01).count() == 1


def test_apply_records_one_audit_event(sh01):
    admin = make_hq_admin()
    plan_apply(plan=plan_csv(good_rows()), actor=admin.user)

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_APPLIED)
    assert event.actor == admin.user
    assert "people.csv" in event.summary
    assert event.data["file_name"] == "people.csv"
    assert event.data["counts"]["employees"]["create"] == 3


def test_branches_csv_creates_branches_and_regions():
    RegionFactory(code="EAST", name="华东")
    rows = [
        ["分部编码", "分部名称", "区域", "是否总部"],
        ["SH01", "上海分部", "华东", "否"],
        ["CD01", "成都分部", "西南", ""],
        ["BJ00", "北京总部", "east", "是"],
    ]
    plan = plan_csv(rows)
    assert plan.errors == []
    plan_apply(plan=plan, actor=None)

    assert Branch.objects.get(code="SH01").region.code == "EAST"
    assert Branch.objects.get(code="BJ00").is_hq
    southwest = Branch.objects.get(code="CD01").region
    assert (southwest.code, southwest.name) == ("西南", "西南")
    assert Region.objects.count() == 2


def test_english_headers_in_any_case_are_recognised(sh01):
    rows = [
        ["Employee No", "NAME", " branch_code ", "Position Category", "hire date", "E-mail"],
        ["E001", "张伟", "SH01", "backbone", "2024-03-01", "zw@example.com"],
    ]
    plan = plan_csv(rows)
    assert plan.errors == []
    assert plan.employees[0].values["email"] == "zw@example.com"


@pytest.mark.parametrize(
    ("kind", "header", "key"),
    [
        (SheetKind.EMPLOYEES, "岗位类别* (position_category)", "position_category"),
        (SheetKind.EMPLOYEES, "入职日期／hire_date", "hire_date"),  # noqa: RUF001
        (SheetKind.EMPLOYEES, "入职日期（hire_date）", "hire_date"),
        (SheetKind.EMPLOYEES, "Hire Date", "hire_date"),
        (SheetKind.EMPLOYEES, "分部编码", "branch_code"),
        (SheetKind.BRANCHES, "分部编码", "code"),
        (SheetKind.BRANCHES, "Name", "name"),
        (SheetKind.EMPLOYEES, "生日", None),
        (SheetKind.EMPLOYEES, "姓名 (hire_date)", None),  # the two halves disagree
    ],
)
def test_header_aliases(kind, header, key):
    assert column_for_header(kind, header) == key


def test_a_column_given_twice_is_a_file_error(sh01):
    plan = plan_csv([[*EMPLOYEE_HEADER, "工号* (employee_no)"], ["E1"] * 9])
    assert errors_of(plan) == {(1, "employee_no", ErrorCode.DUPLICATE_COLUMN)}


# --- each kind of bad row, with its line number ----------------------------------------------


def test_missing_required_field(sh01):
    rows = good_rows()
    rows[2][1] = ""  # line 3: no name
    plan = plan_csv(rows)
    assert errors_of(plan) == {(3, "name", ErrorCode.MISSING_FIELD)}
    with translation.override("en"):
        assert plan.errors[0].message == "Missing required field: 姓名 / name"


def test_unknown_branch(sh01):
    rows = good_rows()
    rows[3][2] = "GZ09"  # line 4
    plan = plan_csv(rows)
    assert errors_of(plan) == {(4, "branch_code", ErrorCode.UNKNOWN_BRANCH)}
    with translation.override("en"):
        assert plan.errors[0].message == "Unknown branch code: GZ09"


def test_duplicate_employee_number_names_both_lines(sh01):
    rows = good_rows()
    rows.append(["E002", "李娜", "SH01", "", "", "新员工", "2024-03-15", ""])  # line 5
    plan = plan_csv(rows)
    assert errors_of(plan) == {
        (3, "employee_no", ErrorCode.DUPLICATE_EMPLOYEE),
        (5, "employee_no", ErrorCode.DUPLICATE_EMPLOYEE),
    }
    with translation.override("en"):
        assert plan.errors[0].message == "Employee number E002 also appears on line 5"
        assert plan.errors[1].message == "Employee number E002 also appears on line 3"


def test_bad_date(sh01):
    rows = good_rows()
    rows[1][6] = "2024-13-01"
    rows[3][6] = "next week"
    plan = plan_csv(rows)
    assert errors_of(plan) == {
        (2, "hire_date", ErrorCode.BAD_DATE),
        (4, "hire_date", ErrorCode.BAD_DATE),
    }
    with translation.override("en"):
        assert plan.errors[0].message == "Bad date: '2024-13-01' (use YYYY-MM-DD)"


def test_unknown_position_category(sh01):
    rows = good_rows()
    rows[2][5] = "实习生"
    plan = plan_csv(rows)
    assert errors_of(plan) == {(3, "position_category", ErrorCode.UNKNOWN_CATEGORY)}
    assert "实习生" in plan.errors[0].message


def test_every_bad_row_is_reported_not_just_the_first(sh01):
    rows = [
        [*EMPLOYEE_HEADER, "离职日期", "核心岗位"],
        ["E001", "", "SH01", "", "", "业务骨干", "2024-03-01", "", "", ""],
        ["E002", "李娜", "XX", "", "", "业务骨干", "2024-03-01", "", "", ""],
        ["E003", "王芳", "SH01", "", "", "业务骨干", "2024-03-01", "not-an-email", "", ""],
        ["E004", "赵敏", "SH01", "", "", "业务骨干", "2024-03-01", "", "2024-02-01", ""],
        ["E005", "孙磊", "SH01", "", "", "业务骨干", "2024-03-01", "", "", "maybe"],
        ["E 006", "周杰", "SH01", "", "", "业务骨干", "2024-03-01", "", "", ""],
    ]
    plan = plan_csv(rows)
    assert errors_of(plan) == {
        (2, "name", ErrorCode.MISSING_FIELD),
        (3, "branch_code", ErrorCode.UNKNOWN_BRANCH),
        (4, "email", ErrorCode.BAD_EMAIL),
        (5, "leave_date", ErrorCode.LEAVE_BEFORE_HIRE),
        (6, "is_core_role", ErrorCode.BAD_BOOLEAN),
        (7, "employee_no", ErrorCode.BAD_EMPLOYEE_NO),
    }
    assert plan.error_rows == 6
    assert not plan.is_valid


def test_blank_lines_are_skipped_but_counted(sh01):
    rows = good_rows()
    rows.insert(2, [])  # a blank line 3 shifts the rows below it
    rows[4][6] = "bad"  # E003, now on line 5
    plan = plan_csv(rows)
    assert errors_of(plan) == {(5, "hire_date", ErrorCode.BAD_DATE)}
    assert plan.rows_total == 3


def test_unknown_header_and_missing_column_are_file_errors(sh01):
    plan = plan_csv([["工号", "姓名", "分部编码", "生日"], ["E001", "张伟", "SH01", "1990-01-01"]])
    assert errors_of(plan) == {
        (1, "", ErrorCode.UNKNOWN_COLUMN),
        (1, "position_category", ErrorCode.MISSING_COLUMN),
        (1, "hire_date", ErrorCode.MISSING_COLUMN),
    }
    with translation.override("en"):
        assert "Unknown column: '生日'" in {error.message for error in plan.errors}


def test_a_sheet_of_unknown_kind_is_an_error():
    plan = plan_csv([["foo", "bar"], ["1", "2"]])
    assert errors_of(plan) == {(1, "", ErrorCode.UNKNOWN_SHEET)}


def test_second_head_office_is_refused():
    BranchFactory(code="HQ", is_hq=True)
    plan = plan_csv([["分部编码", "分部名称", "区域", "是否总部"], ["BJ00", "北京", "华北", "是"]])
    assert errors_of(plan) == {(2, "is_hq", ErrorCode.SECOND_HQ)}


def test_moving_the_head_office_in_one_file_is_allowed():
    BranchFactory(code="HQ", is_hq=True, region=RegionFactory(name="华北"))
    rows = [
        ["分部编码", "分部名称", "区域", "是否总部"],
        ["BJ00", "北京", "华北", "是"],
        ["HQ", "旧总部", "华北", "否"],
    ]
    plan = plan_csv(rows)
    assert plan.errors == []
    plan_apply(plan=plan, actor=None)
    assert list(Branch.objects.filter(is_hq=True).values_list("code", flat=True)) == ["BJ00"]


def test_a_superuser_login_name_cannot_be_taken(sh01):
    get_user_model().objects.create_superuser("E001", password="x")
    plan = plan_csv(good_rows())
    assert errors_of(plan) == {(2, "employee_no", ErrorCode.LOGIN_TAKEN)}


def test_an_orphan_account_with_the_number_is_reused(sh01):
    user = UserFactory(username="E001")
    plan = plan_csv(good_rows())
    assert plan.errors == []
    plan_apply(plan=plan, actor=None)
    assert Employee.objects.get(employee_no="E001").user == user
    assert get_user_model().objects.filter(username="E001").count() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024/03/01", dt.date(2024, 3, 1)),
        ("2024/3/1", dt.date(2024, 3, 1)),
        ("2024.03.01", dt.date(2024, 3, 1)),
        ("2024年3月1日", dt.date(2024, 3, 1)),
        ("2024-03-01 00:00:00", dt.date(2024, 3, 1)),
        (dt.datetime.combine(dt.date(2024, 3, 1), dt.time()), dt.date(2024, 3, 1)),  # Excel
    ],
)
def test_date_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "01/03/2024", "20240301", "", "45352"])
def test_bad_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("new_hire", PositionCategory.NEW_HIRE),
        ("New hire", PositionCategory.NEW_HIRE),
        (" NEW HIRE ", PositionCategory.NEW_HIRE),
        ("新员工", PositionCategory.NEW_HIRE),
        ("新入职", PositionCategory.NEW_HIRE),
        ("backbone", PositionCategory.BACKBONE),
        ("Business backbone", PositionCategory.BACKBONE),
        ("业务骨干", PositionCategory.BACKBONE),
        ("manager", PositionCategory.MANAGER),
        ("Manager", PositionCategory.MANAGER),
        ("管理者", PositionCategory.MANAGER),
        ("管理人员", PositionCategory.MANAGER),
    ],
)
def test_position_category_spellings(text, expected):
    assert parse_category(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("是", True), ("否", False), ("Yes", True), ("n", False), ("TRUE", True), ("0", False)],
)
def test_yes_no_spellings(text, expected):
    assert parse_bool(text) is expected


# --- encodings and workbooks ----------------------------------------------------------------


def test_gbk_csv_with_chinese_names(sh01):
    data = csv_bytes(good_rows(), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8
    plan = plan_file(data=data, file_name="人员.csv", max_rows=MAX_ROWS)
    assert plan.errors == []
    plan_apply(plan=plan, actor=None)
    assert Employee.objects.get(employee_no="E001").name == "张伟"
    assert Team.objects.get().name == "销售一组"


def test_utf8_csv_with_bom(sh01):
    plan = plan_csv(good_rows(), bom=True)
    assert plan.errors == []  # the BOM does not end up in the first header
    assert plan.counts()["employees"]["create"] == 3


def test_undecodable_bytes_are_a_file_error():
    plan = plan_file(data=b"\x81\x30\xff\xff\xfe", file_name="x.csv", max_rows=MAX_ROWS)
    assert errors_of(plan) == {(1, "", ErrorCode.UNREADABLE_ENCODING)}


def test_not_a_workbook_is_a_file_error():
    plan = plan_file(data=b"PK\x03\x04 not really", file_name="x.xlsx", max_rows=MAX_ROWS)
    assert errors_of(plan) == {(1, "", ErrorCode.UNREADABLE_XLSX)}


def test_too_many_rows_is_a_file_error(sh01):
    plan = plan_file(data=csv_bytes(good_rows()), file_name="x.csv", max_rows=2)
    assert errors_of(plan) == {(1, "", ErrorCode.TOO_MANY_ROWS)}


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_branch_and_employee_sheets():
    data = xlsx_bytes(
        {
            # employees first in the workbook: branches are still planned before them
            "员工": [
                [
                    "Employee No",
                    "Name",
                    "Branch Code",
                    "Position category",
                    "Hire date",
                    "核心岗位",
                ],
                [1001, "张伟", "SZ01", "Business backbone", dt.date(2024, 3, 1), True],
                [],
                ["E1002", "李娜", "SZ01", "manager", "2024年5月6日", "否"],
            ],
            "分部": [["code", "name", "region"], ["SZ01", "深圳分部", "华南"]],
        }
    )
    plan = plan_file(data=data, file_name="hr.xlsx", max_rows=MAX_ROWS)
    assert plan.errors == []
    assert plan.counts()["branches"]["create"] == 1
    assert [(item.line, item.employee_no) for item in plan.employees] == [
        (2, "1001"),
        (4, "E1002"),
    ]
    plan_apply(plan=plan, actor=None)
    zhang = Employee.objects.get(employee_no="1001")
    assert (zhang.branch.code, zhang.hire_date, zhang.is_core_role) == (
        "SZ01",
        dt.date(2024, 3, 1),
        True,
    )


def test_xlsx_errors_name_the_sheet_and_excel_row():
    data = xlsx_bytes(
        {
            "员工": [
                ["工号", "姓名", "分部编码", "岗位类别", "入职日期"],
                ["E1", "张伟", "NOPE", "业务骨干", dt.date(2024, 3, 1)],
            ]
        }
    )
    plan = plan_file(data=data, file_name="hr.xlsx", max_rows=MAX_ROWS)
    assert [(e.sheet, e.line, e.code) for e in plan.errors] == [
        ("员工", 2, ErrorCode.UNKNOWN_BRANCH)
    ]


def test_template_files_import_as_they_are():
    plan = plan_file(data=template_xlsx(), file_name="template.xlsx", max_rows=MAX_ROWS)
    assert plan.errors == []
    plan_apply(plan=plan, actor=None)
    assert Employee.objects.get(employee_no="E000123").branch.code == "SH01"

    plan = plan_file(data=template_csv(), file_name="template.csv", max_rows=MAX_ROWS)
    assert plan.errors == []
    assert plan.counts()["employees"]["unchanged"] == 1


def test_template_csv_is_bom_utf8_with_both_languages():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert "工号* (employee_no)" in header
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames == ["分部", "员工", "说明"]


# --- upsert, idempotence, all-or-nothing -----------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(sh01):
    data = csv_bytes(good_rows())
    plan_apply(plan=plan_file(data=data, file_name="a.csv", max_rows=MAX_ROWS), actor=None)
    before = list(Employee.objects.order_by("pk").values())

    again = plan_file(data=data, file_name="a.csv", max_rows=MAX_ROWS)
    assert again.counts()["employees"] == {"create": 0, "update": 0, "unchanged": 3}
    assert again.counts()["teams_created"] == 0
    plan_apply(plan=again, actor=None)

    assert list(Employee.objects.order_by("pk").values()) == before
    assert get_user_model().objects.filter(username__startswith="E00").count() == 3
    assert Team.objects.count() == 1


def test_update_changes_only_what_differs(sh01):
    existing = EmployeeFactory(
        employee_no="E001",
        name="张伟",
        branch=sh01,
        job_title="柜员",
        hire_date=dt.date(2024, 3, 1),
    )
    plan = plan_csv(
        [
            ["工号", "姓名", "分部编码", "职位", "岗位类别", "入职日期"],
            ["E001", "张伟", "SH01", "客户经理", "业务骨干", "2024-03-01"],
        ]
    )
    assert plan.counts()["employees"] == {"create": 0, "update": 1, "unchanged": 0}
    assert plan.employees[0].changes == {"job_title": ("柜员", "客户经理")}
    plan_apply(plan=plan, actor=None)
    existing.refresh_from_db()
    assert existing.job_title == "客户经理"
    assert existing.user.username == "E001"


def test_a_name_change_updates_the_pinyin(sh01):
    EmployeeFactory(employee_no="E001", name="张伟", branch=sh01, hire_date=dt.date(2024, 3, 1))
    plan = plan_csv(
        [
            ["工号", "姓名", "分部编码", "岗位类别", "入职日期"],
            ["E001", "李伟", "SH01", "业务骨干", "2024-03-01"],
        ]
    )
    plan_apply(plan=plan, actor=None)
    assert Employee.objects.get(employee_no="E001").name_pinyin == pinyin_key("李伟")


def test_moving_branch_leaves_the_old_team(sh01):
    team = TeamFactory(branch=sh01, name="一组")
    EmployeeFactory(employee_no="E001", branch=sh01, team=team, hire_date=dt.date(2024, 3, 1))
    BranchFactory(code="BJ01")
    plan = plan_csv(
        [
            ["工号", "姓名", "分部编码", "岗位类别", "入职日期"],
            ["E001", "张伟", "BJ01", "业务骨干", "2024-03-01"],
        ]
    )
    plan_apply(plan=plan, actor=None)
    moved = Employee.objects.get(employee_no="E001")
    assert (moved.branch.code, moved.team) == ("BJ01", None)


def test_a_leave_date_stops_login(sh01, client_for):
    person = EmployeeFactory(employee_no="E001", branch=sh01, hire_date=dt.date(2020, 1, 1))
    client_for(person)  # can log in before
    plan = plan_csv(
        [
            ["工号", "姓名", "分部编码", "岗位类别", "入职日期", "离职日期"],
            ["E001", person.name, "SH01", "业务骨干", "2020-01-01", "2021-06-30"],
        ]
    )
    plan_apply(plan=plan, actor=None)
    with pytest.raises(AssertionError):
        client_for(person)


def test_a_file_with_a_bad_row_changes_nothing(sh01):
    existing = EmployeeFactory(employee_no="E001", name="张伟", branch=sh01, job_title="柜员")
    rows = good_rows()  # E001 would be updated, E002 and E003 created ...
    rows[3][6] = "2024-02-30"  # ... but one bad date spoils the file
    plan = plan_csv(rows)
    counts = (Employee.objects.count(), get_user_model().objects.count(), Team.objects.count())

    assert not plan.is_valid
    with pytest.raises(PlanNotValid):
        plan_apply(plan=plan, actor=None)

    assert (
        Employee.objects.count(),
        get_user_model().objects.count(),
        Team.objects.count(),
    ) == counts
    existing.refresh_from_db()
    assert existing.job_title == "柜员"
    assert not AuditEvent.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(sh01, monkeypatch):
    rows = [
        ["分部编码", "分部名称", "区域"],
        ["GZ01", "广州分部", "华南"],
    ]
    branch_plan = plan_csv(rows)
    plan = plan_csv(good_rows())
    plan.branches, plan.new_regions = branch_plan.branches, branch_plan.new_regions

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("hub.organisation.imports.apply.audit_record", explode)
    with pytest.raises(RuntimeError):
        plan_apply(plan=plan, actor=None)

    assert not Branch.objects.filter(code="GZ01").exists()
    assert not Region.objects.filter(name="华南").exists()
    assert not Employee.objects.exists()
    assert not get_user_model().objects.filter(username="E001").exists()
    assert not Team.objects.exists()


# --- the management command -----------------------------------------------------------------


def write_csv(tmp_path, rows, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


def test_command_dry_run_writes_nothing(sh01, tmp_path, capsys):
    path = write_csv(tmp_path, good_rows())
    with translation.override("en"):
        call_command("import_people", str(path), "--dry-run")
    out, err = capsys.readouterr()
    assert "Dry run" in out
    assert "employees 3 new" in out
    assert "100%" in err
    assert not Employee.objects.exists()


def test_command_imports_with_actor(sh01, tmp_path, capsys):
    admin = make_hq_admin()
    path = write_csv(tmp_path, good_rows())
    call_command("import_people", str(path), "--actor", admin.user.username)
    assert Employee.objects.filter(employee_no__in=["E001", "E002", "E003"]).count() == 3
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_APPLIED).actor == admin.user


def test_command_refuses_an_actor_who_is_not_an_hq_admin(sh01, tmp_path, manager):
    path = write_csv(tmp_path, good_rows())
    with pytest.raises(CommandError):
        call_command("import_people", str(path), "--actor", manager.user.username)
    assert not Employee.objects.filter(employee_no="E001").exists()


def test_command_lists_every_bad_row_and_fails(sh01, tmp_path, capsys):
    rows = good_rows()
    rows[1][6] = "2024-13-01"
    rows[3][5] = "实习生"
    path = write_csv(tmp_path, rows)
    with translation.override("en"), pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_people", str(path))
    err = capsys.readouterr().err
    assert "line 2: hire_date: Bad date: '2024-13-01' (use YYYY-MM-DD)" in err
    assert "line 4: position_category: Unknown position category: 实习生" in err
    assert not Employee.objects.exists()


def test_command_exit_status_is_non_zero(sh01, tmp_path, capsys):
    path = write_csv(tmp_path, [EMPLOYEE_HEADER, ["E001", "", "SH01", "", "", "x", "y", ""]])
    # call_command, not execute_from_command_line: the latter closes the test database's
    # connection when it returns. A CommandError's returncode is the process exit status.
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_people", str(path), "--dry-run")
    assert error.value.returncode == 1
    assert "line 2: name:" in capsys.readouterr().err
    assert not Employee.objects.exists()


def test_every_error_code_has_a_message():
    # other imports (outcome metric values) add their own codes with ``register_messages``
    assert set(ErrorCode) <= set(MESSAGES)


def test_registered_codes_may_not_clash():
    from hub.organisation.imports.errors import register_messages

    with pytest.raises(ValueError):
        register_messages({ErrorCode.BAD_DATE: "x"})


def test_xlsx_zip_bomb_is_refused_before_unpacking(monkeypatch):
    from hub.organisation.imports import readers

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名"])
    for _ in range(2000):  # very repetitive: compresses far better than real HR data
        sheet.append(["E000001", "张伟"])
    stream = io.BytesIO()
    workbook.save(stream)
    monkeypatch.setattr(readers, "XLSX_MAX_RATIO", 5)
    plan = plan_file(data=stream.getvalue(), file_name="bomb.xlsx", max_rows=100_000)
    assert [error.code for error in plan.errors] == [ErrorCode.XLSX_TOO_BIG]
