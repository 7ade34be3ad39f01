"""Who may open which report (evaluation.reports.access): one table, every role.

The world: branch A (a manager, a trainer teaching session SA held for A, a learner in it),
branch B (its own manager, a trainer teaching SB held for B, co-teaching a company-wide SC
with A's trainer), HQ (an admin, the training lead). Each cell says whether the role may open
that report; the pages and exports use the same functions.
"""

from __future__ import annotations

import pytest

from evaluation.reports import access
from hub.organisation.models import Role
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    EnrolmentFactory,
    SessionFactory,
    grant,
    make_manager,
)

pytestmark = pytest.mark.django_db

ROLES = ("learner", "trainer_a", "trainer_b", "manager_a", "manager_b", "lead", "hq")


@pytest.fixture
def world():
    hq_branch = BranchFactory(code="HQ", is_hq=True)
    a, b = BranchFactory(), BranchFactory()
    trainer_a = EmployeeFactory(branch=a)
    trainer_b = EmployeeFactory(branch=b)
    for t in (trainer_a, trainer_b):
        grant(t, Role.TRAINER)
    lead = EmployeeFactory(branch=hq_branch)
    grant(lead, Role.TRAINING_LEAD)
    hq = EmployeeFactory(branch=hq_branch)
    grant(hq, Role.HQ_ADMIN)
    sa = SessionFactory(branch=a, trainers=[trainer_a], status="ended")
    sb = SessionFactory(branch=b, trainers=[trainer_b], status="ended")
    sc = SessionFactory(branch=None, trainers=[trainer_a, trainer_b], status="ended")
    learner = EmployeeFactory(branch=a)
    EnrolmentFactory(session=sa, learner=learner)
    people = {
        "learner": learner,
        "trainer_a": trainer_a,
        "trainer_b": trainer_b,
        "manager_a": make_manager(a),
        "manager_b": make_manager(b),
        "lead": lead,
        "hq": hq,
    }
    return {
        "users": {role: e.user for role, e in people.items()},
        "people": people,
        "sessions": {"SA": sa, "SB": sb, "SC": sc},
        "branches": {"A": a, "B": b},
    }


# session → roles that may open its report
SESSION_TABLE = {
    "SA": {"trainer_a", "manager_a", "lead", "hq"},
    "SB": {"trainer_b", "manager_b", "lead", "hq"},
    # company-wide, co-trained: both trainers, and both managers through their trainer
    "SC": {"trainer_a", "trainer_b", "manager_a", "manager_b", "lead", "hq"},
}
# person → roles that may open their trainer report
TRAINER_TABLE = {
    "trainer_a": {"trainer_a", "manager_a", "lead", "hq"},
    "trainer_b": {"trainer_b", "manager_b", "lead", "hq"},
    "learner": {"learner", "manager_a", "lead", "hq"},
}
BRANCH_TABLE = {"A": {"manager_a", "lead", "hq"}, "B": {"manager_b", "lead", "hq"}}
OVERVIEW = {"lead", "hq"}


@pytest.mark.parametrize("role", ROLES)
def test_session_reports(world, role):
    user = world["users"][role]
    for name, allowed in SESSION_TABLE.items():
        session = world["sessions"][name]
        assert access.can_view_session_report(user, session) == (role in allowed), (name, role)
    listed = {s.pk for s in access.report_sessions(user)}
    expected = {world["sessions"][n].pk for n, allowed in SESSION_TABLE.items() if role in allowed}
    assert listed == expected
    assert access.report_sessions(user).count() == len(expected)  # no duplicate rows


@pytest.mark.parametrize("role", ROLES)
def test_trainer_reports(world, role):
    user = world["users"][role]
    for name, allowed in TRAINER_TABLE.items():
        person = world["people"][name]
        assert access.can_view_trainer_report(user, person) == (role in allowed), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_branch_reports_and_overview(world, role):
    user = world["users"][role]
    for name, allowed in BRANCH_TABLE.items():
        branch = world["branches"][name]
        assert access.can_view_branch_report(user, branch) == (role in allowed), (name, role)
    assert access.can_view_overview(user) == (role in OVERVIEW)


def test_anonymous_opens_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not access.can_view_session_report(anon, world["sessions"]["SA"])
    assert not access.can_view_overview(anon)
    assert not access.report_branches(anon).exists()


def test_trainers_of_lists_role_holders_and_anyone_who_taught(world):
    people = world["people"]
    listed = set(access.trainers_of(access.report_trainers(world["users"]["hq"])))
    assert {people["trainer_a"], people["trainer_b"]} <= listed
    assert people["learner"] not in listed


@pytest.mark.parametrize(
    ("role", "expected"),
    [("learner", False), ("trainer_a", True), ("manager_b", True), ("lead", True)],
)
def test_who_gets_the_reports_entry(world, role, expected):
    assert access.can_view_any_report(world["users"][role]) is expected


@pytest.mark.parametrize(("role", "status"), [("learner", 403), ("trainer_a", 200), ("hq", 200)])
def test_index_page(client, world, role, status):
    client.force_login(world["users"][role])
    response = client.get("/reports/")
    assert response.status_code == status
    if status == 200:
        titles = {s.title for s in response.context["sessions"]}
        expected = {
            world["sessions"][n].title for n, allowed in SESSION_TABLE.items() if role in allowed
        }
        assert titles == expected
        assert response.context["overview"] == (role in OVERVIEW)
