"""``live.monitor.selectors``: who may watch which rooms, and the figures of each room."""

from __future__ import annotations

import pytest

from live.monitor.selectors import (
    MonitorScope,
    live_rooms,
    monitor_scope,
    monitor_snapshot,
    room_update_kwargs,
)
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    SessionFactory,
    grant,
    make_hq_admin,
    make_manager,
)
from tests.live.monitor.factories import (
    ask,
    ended_session,
    live_session,
    make_trainer,
    present,
    raise_hand,
)

pytestmark = pytest.mark.django_db


def _ids(scope) -> set[int]:
    return {session.pk for session in live_rooms(scope=scope)}


def test_present_counts_distinct_people_seen_in_the_last_minute_who_have_not_left():
    session = live_session()
    twice, once, left, stale, edge = EmployeeFactory.create_batch(5)
    present(session, twice)
    present(session, twice, seen_seconds_ago=20)  # a second tab: still one person
    present(session, once, seen_seconds_ago=55)
    present(session, left, left=True)
    present(session, stale, seen_seconds_ago=61)
    present(session, edge, seen_seconds_ago=59)
    present(live_session(), EmployeeFactory())  # another room

    rows = monitor_snapshot(scope=monitor_scope(_hq()))
    [room] = [row for row in rows if row["session_id"] == session.pk]

    assert room["present"] == 3  # twice, once, edge


def test_questions_count_live_questions_that_are_not_hidden_and_hands_count_raised_hands():
    session = live_session()
    learner, other = EmployeeFactory.create_batch(2)
    ask(session, learner)
    ask(session, other, anonymous=True)
    ask(session, learner, hidden=True)
    ask(session, learner, origin="recording", position_seconds=30)
    raise_hand(session, learner)
    raise_hand(session, other)
    raise_hand(live_session(), learner)

    kwargs = room_update_kwargs(session_id=session.pk)

    assert kwargs == {
        "session_id": session.pk,
        "branch_id": None,
        "title": session.title,
        "present": 0,
        "questions": 2,
        "hands": 2,
        "status": "live",
    }


def test_room_update_kwargs_of_an_ended_and_of_an_unknown_session():
    session = ended_session()
    assert room_update_kwargs(session_id=session.pk)["status"] == "ended"
    assert room_update_kwargs(session_id=session.pk + 1000) is None


def _hq():
    return make_hq_admin().user


def test_hq_sees_every_live_session_and_no_other():
    mine, elsewhere, company = (
        live_session(branch=BranchFactory()),
        live_session(branch=BranchFactory()),
        live_session(),
    )
    SessionFactory(status="scheduled")
    ended_session()

    assert _ids(monitor_scope(_hq())) == {mine.pk, elsewhere.pk, company.pk}


def test_manager_sees_managed_branches_and_company_wide_sessions_only():
    branch, second, other = BranchFactory.create_batch(3)
    manager = make_manager(branch)
    grant(manager, "branch_manager", second)
    ours, also_ours, company, theirs = (
        live_session(branch=branch),
        live_session(branch=second),
        live_session(),
        live_session(branch=other),
    )

    scope = monitor_scope(manager.user)

    assert _ids(scope) == {ours.pk, also_ours.pk, company.pk}
    assert not scope.allows(session_id=theirs.pk, branch_id=other.pk)
    assert scope.allows(session_id=company.pk, branch_id=None)


def test_trainer_sees_only_the_sessions_they_teach():
    trainer = make_trainer()
    taught = live_session(trainers=[trainer], branch=BranchFactory())
    live_session(branch=trainer.branch)  # their own branch, not theirs to teach
    live_session()  # company-wide, not theirs

    scope = monitor_scope(trainer.user)

    assert _ids(scope) == {taught.pk}
    assert scope.allows(session_id=taught.pk, branch_id=taught.branch_id)
    assert not scope.allows(session_id=taught.pk + 1, branch_id=None)


def test_a_trainer_without_sessions_may_open_an_empty_monitor():
    scope = monitor_scope(make_trainer().user)
    assert scope is not None
    assert _ids(scope) == set()


def test_a_learner_may_not_watch_even_a_session_they_are_in(learner):
    session = live_session(branch=learner.branch)
    present(session, learner)
    assert monitor_scope(learner.user) is None


def test_scope_allows_matches_the_query_for_every_kind():
    scope = MonitorScope(False, frozenset({1}), True, frozenset({9}))
    assert scope.allows(session_id=5, branch_id=1)
    assert scope.allows(session_id=5, branch_id=None)
    assert scope.allows(session_id=9, branch_id=2)
    assert not scope.allows(session_id=5, branch_id=2)
    trainer_only = MonitorScope(False, frozenset(), False, frozenset({9}))
    assert not trainer_only.allows(session_id=5, branch_id=None)


def test_live_rooms_take_two_queries_however_many_rooms_and_people(
    django_assert_num_queries,
):
    scope = MonitorScope(True, frozenset(), True, frozenset())
    trainer = make_trainer()
    session = live_session(trainers=[trainer], branch=BranchFactory())
    with django_assert_num_queries(2):
        rows = monitor_snapshot(scope=scope)
    assert len(rows) == 1
    for _ in range(4):
        room = live_session(trainers=[trainer, make_trainer()], branch=BranchFactory())
        for person in EmployeeFactory.create_batch(3):
            present(room, person)
            ask(room, person)
            raise_hand(room, person)
    present(session, EmployeeFactory())
    with django_assert_num_queries(2):
        rows = monitor_snapshot(scope=scope)
    assert len(rows) == 5
    assert {row["present"] for row in rows} == {1, 3}
    assert all(len(row["trainers"]) >= 1 for row in rows)
