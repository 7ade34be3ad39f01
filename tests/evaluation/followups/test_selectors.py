"""Follow-up figures per session, course and trainer on hand-worked examples, and their
query counts (``evaluation.followups.selectors``)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.followups import selectors
from evaluation.followups.models import FollowUp
from tests.evaluation.followups.helpers import (
    DAY,
    answered,
    completer,
    ended_session,
    sent_followup,
)
from tests.evaluation.helpers import make_trainer
from tests.factories import BranchFactory, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def manager(branch):
    return make_manager(branch)


def _session_with(ratings, *, branch, manager, unanswered=0, no_manager=0, **kwargs):
    session = ended_session(days_ago=31, **kwargs)
    for rating in ratings:
        answered(session, completer(session, branch=branch), manager, rating, comment="用上了")
    for _ in range(unanswered):
        sent_followup(session, completer(session, branch=branch), [manager])
    for _ in range(no_manager):
        FollowUp.objects.create(
            session=session,
            learner=completer(session, branch=branch),
            closes_at=session.ended_at + 60 * DAY,
        )
    return session


def test_ratings_5_4_3_give_mean_4_and_two_thirds_rated_high(branch, manager):
    """Hand-worked: mean (5 + 4 + 3) / 3 = 4.00; rated ≥ 4: 2 of 3 = 66.666… → 66.67 %;
    sent 4 (one unanswered), 1 completer without a manager."""
    session = _session_with([5, 4, 3], branch=branch, manager=manager, unanswered=1, no_manager=1)
    figure = selectors.followup_by_session(sessions=[session])[session.pk]
    assert figure == selectors.FollowUpFigure(
        sent=4, answered=3, mean=Decimal("4.00"), share_high=Decimal("66.67"), no_manager=1
    )
    assert figure.enough
    assert figure.response_rate == Decimal("75.00")


def test_half_up_rounding_of_the_mean(branch, manager):
    """(5 + 5 + 4 + 4 + 4 + 3) / 6 = 4.1666… → 4.17; (4 + 4 + 3 + 4 + 4 + 4 + 4 + 4) / 8 =
    3.875 → 3.88 (half-up, not to even); share 7/8 = 87.5 → 87.50."""
    six = _session_with([5, 5, 4, 4, 4, 3], branch=branch, manager=manager)
    eight = _session_with([4, 4, 3, 4, 4, 4, 4, 4], branch=branch, manager=manager)
    figures = selectors.followup_by_session(sessions=[six.pk, eight.pk])
    assert figures[six.pk].mean == Decimal("4.17")
    assert figures[eight.pk].mean == Decimal("3.88")
    assert figures[eight.pk].share_high == Decimal("87.50")


def test_below_three_answers_is_not_enough_and_no_answer_has_no_mean(branch, manager):
    two = _session_with([5, 5], branch=branch, manager=manager)
    none = _session_with([], branch=branch, manager=manager, unanswered=2)
    empty = ended_session(days_ago=31)
    figures = selectors.followup_by_session(sessions=[two, none, empty])
    assert not figures[two.pk].enough
    assert figures[none.pk] == selectors.FollowUpFigure(
        sent=2, answered=0, mean=None, share_high=None
    )
    assert empty.pk not in figures


def test_by_session_accepts_a_queryset(branch, manager):
    from hub.sessions.models import Session

    session = _session_with([2, 3, 4], branch=branch, manager=manager)
    figures = selectors.followup_by_session(sessions=Session.objects.filter(pk=session.pk))
    assert figures[session.pk].mean == Decimal("3.00")
    assert figures[session.pk].share_high == Decimal("33.33")


def test_by_trainer_pools_their_sessions_and_counts_co_trained_for_each(branch, manager):
    ann, bob = make_trainer(), make_trainer()
    _session_with([5, 4], branch=branch, manager=manager, trainers=[ann])
    _session_with([3], branch=branch, manager=manager, trainers=[ann, bob])
    _session_with([1, 1], branch=branch, manager=manager)  # nobody's
    figures = selectors.followup_by_trainer(trainers=[ann, bob])
    assert (figures[ann.pk].answered, figures[ann.pk].mean) == (3, Decimal("4.00"))
    assert (figures[bob.pk].answered, figures[bob.pk].mean) == (1, Decimal("3.00"))


def test_by_course_pools_its_sessions(branch, manager):
    from library.models import CourseIndexPage, CoursePage
    from library.services import library_install

    library_install()
    course = CoursePage(title="连带销售", category="in_service", audience="backbone", hours=2)
    CourseIndexPage.objects.get().add_child(instance=course)
    _session_with([5, 3], branch=branch, manager=manager, course=course)
    _session_with([4, 2], branch=branch, manager=manager, course=course)
    _session_with([1], branch=branch, manager=manager)
    figure = selectors.followup_by_course(courses=[course])[course.pk]
    assert (figure.answered, figure.mean, figure.share_high) == (
        4,
        Decimal("3.50"),
        Decimal("50.00"),
    )


def test_comments_come_without_names(branch, manager):
    session = _session_with([5, 4], branch=branch, manager=manager)
    assert selectors.followup_comments(sessions=[session]) == ["用上了", "用上了"]


def _count_queries(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


@pytest.mark.parametrize(
    "read",
    [
        lambda sessions, trainer: selectors.followup_by_session(sessions=sessions),
        lambda sessions, trainer: selectors.followup_by_trainer(trainers=[trainer]),
        lambda sessions, trainer: selectors.followup_comments(sessions=sessions),
    ],
    ids=["by_session", "by_trainer", "comments"],
)
def test_query_count_does_not_grow_with_data(branch, manager, read):
    trainer = make_trainer()
    small = [_session_with([4], branch=branch, manager=manager, trainers=[trainer])]
    small_count = _count_queries(lambda: read(small, trainer))
    large = small + [
        _session_with(
            [5, 3, 4, 2], branch=branch, manager=manager, trainers=[trainer], unanswered=2
        )
        for _ in range(5)
    ]
    assert _count_queries(lambda: read(large, trainer)) == small_count == 1


def test_open_follow_ups_of_a_manager_in_one_query(branch, manager):
    session = ended_session(days_ago=31)
    for _ in range(3):
        sent_followup(session, completer(session, branch=branch), [manager])
    answered(session, completer(session, branch=branch), manager, 4)
    other = make_manager(BranchFactory())
    sent_followup(session, completer(session), [other])
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.followups_open_for(manager))
        names = [r.learner.branch.name for r in rows] + [r.session.title for r in rows]
    assert len(rows) == 3 and names
    assert len(queries) == 1
    waiting = list(selectors.followups_waiting_by_session(manager))
    assert [(w["session_id"], w["waiting"]) for w in waiting] == [(session.pk, 3)]
