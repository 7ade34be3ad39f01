"""``/live/sessions/<id>/questions.csv|xlsx``: staff only, after the session; Chinese survives
in both formats; anonymous askers only when the room reveals them (and never to managers);
learners' text cannot become a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from live.monitor.results import RESULTS_NOT_READY
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    EnrolmentFactory,
    make_hq_admin,
    make_manager,
)
from tests.live.monitor.factories import ask, ended_session, live_session, make_trainer

pytestmark = pytest.mark.django_db

CHINESE = "客户说“太贵了”，我该怎么回应？——请举例"


def _url(session, fmt: str) -> str:
    return reverse("live:questions_export", args=[session.pk, fmt])


def _csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Chinese
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


@pytest.fixture
def exported(branch):
    trainer = make_trainer()
    session = ended_session(trainers=[trainer], branch=branch, title="顾问式销售第一期")
    asker = EmployeeFactory(name="张三")
    ask(session, asker, text=CHINESE, votes=5, answered=True, answer="先认同")
    ask(session, EmployeeFactory(name="李四"), text="匿名提问", anonymous=True)
    ask(session, EmployeeFactory(name="王五"), text="被隐藏", hidden=True)
    ask(session, EmployeeFactory(), text='=HYPERLINK("http://evil.example","点我")')
    return {"session": session, "trainer": trainer}


def test_csv_keeps_chinese_and_hides_anonymous_askers(client_for, exported):
    response = client_for(exported["trainer"]).get(_url(exported["session"], "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[:3] == ["No.", "Question", "Asked by"]
    by_text = {row[1]: row for row in rows}
    assert by_text[CHINESE][2] == "张三" and by_text[CHINESE][4] == "5"
    assert by_text[CHINESE][8] == "先认同"
    assert by_text["匿名提问"][2] == "Anonymous"
    assert "李四" not in response.content.decode("utf-8-sig")
    assert "被隐藏" in by_text  # staff export includes hidden questions, marked
    assert by_text["被隐藏"][7] == "Yes"


def test_xlsx_keeps_chinese_and_stores_formulas_as_text(client_for, exported):
    response = client_for(exported["trainer"]).get(_url(exported["session"], "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows, sheet = _xlsx_rows(response)
    assert rows[0][0] == "顾问式销售第一期"
    texts = [row[1] for row in rows[2:]]
    assert CHINESE in texts
    assert "李四" not in {row[2] for row in rows[2:]}
    formula_row = texts.index('=HYPERLINK("http://evil.example","点我")') + 3
    assert sheet.cell(row=formula_row, column=2).data_type == "s"


def test_csv_defuses_formula_text(client_for, exported):
    response = client_for(exported["trainer"]).get(_url(exported["session"], "csv"))
    texts = [row[1] for row in _csv_rows(response)[1:]]
    assert '\'=HYPERLINK("http://evil.example","点我")' in texts


def test_reveal_exports_the_anonymous_asker_to_trainers_and_hq_but_not_managers(client_for, branch):
    trainer = make_trainer()
    session = ended_session(trainers=[trainer], branch=branch, reveal_anonymous=True)
    ask(session, EmployeeFactory(branch=branch, name="李四"), text="匿名提问", anonymous=True)
    for employee in (trainer, make_hq_admin()):
        rows = _csv_rows(client_for(employee).get(_url(session, "csv")))
        assert rows[1][2] == "李四"
    rows = _csv_rows(client_for(make_manager(branch)).get(_url(session, "csv")))
    assert rows[1][1] == "匿名提问" and rows[1][2] != "李四"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_enrolled_learner_stranger_and_other_manager_are_refused(client_for, exported, fmt):
    session = exported["session"]
    learner = EnrolmentFactory(session=session).learner
    for employee in (learner, EmployeeFactory(), make_manager(BranchFactory())):
        response = client_for(employee).get(_url(session, fmt))
        assert response.status_code == 403
        assert "张三" not in response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_branch_manager_exports_only_their_branchs_rows(client_for, exported, manager, fmt):
    """The fixture's askers are of other branches: the manager's export holds only the
    question of their own branch's person (as their roster holds only their people)."""
    session = exported["session"]
    ask(session, EmployeeFactory(branch=manager.branch, name="赵六"), text="本分部的问题")
    response = client_for(manager).get(_url(session, fmt))
    assert response.status_code == 200
    if fmt == "csv":
        texts = [row[1] for row in _csv_rows(response)[1:]]
    else:
        texts = [row[1] for row in _xlsx_rows(response)[0][2:]]
    assert texts == ["本分部的问题"]
    assert "张三" not in response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_before_the_session_ended_the_export_is_refused_with_the_reason(client_for, fmt):
    trainer = make_trainer()
    session = live_session(trainers=[trainer])
    ask(session, EmployeeFactory(), text="还在进行")
    response = client_for(trainer).get(_url(session, fmt))
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:detail", args=[session.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(RESULTS_NOT_READY)]


def test_unknown_session_and_unknown_format(client_for, exported):
    client = client_for(exported["trainer"])
    assert client.get(reverse("live:questions_export", args=[99999, "csv"])).status_code == 404
    assert client.get(f"/live/sessions/{exported['session'].pk}/questions.pdf").status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, exported):
    response = client.get(_url(exported["session"], "csv"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
