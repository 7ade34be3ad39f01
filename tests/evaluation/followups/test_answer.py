"""A manager's answer (``services.followup_answer``) and the follow-up numbers in
``SurveySettings``."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.followups import services
from evaluation.followups.models import FollowUp
from evaluation.surveys import services as survey_services
from evaluation.surveys.models import SurveySettings
from tests.evaluation.followups.helpers import DAY, completer, ended_session, sent_followup
from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def followup(branch):
    session = ended_session(days_ago=31)
    learner = completer(session, branch=branch)
    return sent_followup(session, learner, [make_manager(branch), make_manager(branch)])


def test_an_addressed_manager_answers(followup):
    manager = followup.managers.first()
    services.followup_answer(followup=followup, manager=manager, rating=4, comment=" 很好 ")
    stored = FollowUp.objects.get()
    assert (stored.rating, stored.comment, stored.answered_by) == (4, "很好", manager)
    assert stored.answered_at is not None


@pytest.mark.parametrize("who", ["other_manager", "learner", "hq_admin", "nobody"])
def test_only_an_addressed_manager_may_answer(followup, who):
    actor = {
        "other_manager": lambda: make_manager(BranchFactory()),
        "learner": lambda: followup.learner,
        "hq_admin": make_hq_admin,
        "nobody": lambda: None,
    }[who]()
    with pytest.raises(PermissionDenied):
        services.followup_answer(followup=followup, manager=actor, rating=5)
    assert FollowUp.objects.get().answered_at is None


def test_a_manager_granted_after_dispatch_is_not_addressed(followup, branch):
    with pytest.raises(PermissionDenied):
        services.followup_answer(followup=followup, manager=make_manager(branch), rating=5)


@pytest.mark.parametrize(
    ("rating", "comment", "field"),
    [
        (None, "", "rating"),
        ("0", "", "rating"),
        ("6", "", "rating"),
        ("x", "", "rating"),
        ("3", "字" * 1001, "comment"),
    ],
)
def test_an_invalid_answer_is_refused_and_nothing_stored(followup, rating, comment, field):
    with pytest.raises(ValidationError) as refused:
        services.followup_answer(
            followup=followup, manager=followup.managers.first(), rating=rating, comment=comment
        )
    assert field in refused.value.message_dict
    assert FollowUp.objects.get().answered_at is None


def test_a_comment_of_exactly_1000_characters_is_accepted(followup):
    services.followup_answer(
        followup=followup, manager=followup.managers.first(), rating=1, comment="字" * 1000
    )
    assert len(FollowUp.objects.get().comment) == 1000


def test_a_second_submit_by_any_addressed_manager_stores_nothing(followup):
    first, second = followup.managers.order_by("pk")
    services.followup_answer(followup=followup, manager=first, rating=5, comment="一")
    for manager in (first, second):
        with pytest.raises(services.AlreadyAnswered):
            services.followup_answer(followup=followup, manager=manager, rating=2, comment="二")
    stored = FollowUp.objects.get()
    assert (stored.rating, stored.comment, stored.answered_by) == (5, "一", first)


def test_a_stale_copy_cannot_overwrite_the_answer(followup):
    """Two requests that both loaded the unanswered row: the conditional update lets one in."""
    first, second = followup.managers.order_by("pk")
    stale = FollowUp.objects.get(pk=followup.pk)
    services.followup_answer(followup=followup, manager=first, rating=5)
    with pytest.raises(services.AlreadyAnswered):
        services.followup_answer(followup=stale, manager=second, rating=1)
    assert FollowUp.objects.get().rating == 5


def test_a_closed_follow_up_refuses_an_answer(followup):
    manager = followup.managers.first()
    with pytest.raises(ValidationError) as refused:
        services.followup_answer(
            followup=followup, manager=manager, rating=4, now=followup.closes_at
        )
    assert refused.value.code == "closed"
    services.followups_close_overdue(now=followup.closes_at)
    followup.refresh_from_db()
    with pytest.raises(ValidationError):
        services.followup_answer(followup=followup, manager=manager, rating=4)
    assert FollowUp.objects.get().answered_at is None


def test_an_unsent_row_cannot_be_answered(branch):
    session = ended_session(days_ago=31)
    learner = completer(session, branch=branch)
    row = FollowUp.objects.create(
        session=session, learner=learner, closes_at=session.ended_at + 60 * DAY
    )
    assert not row.is_open()
    with pytest.raises(PermissionDenied):
        services.followup_answer(followup=row, manager=make_manager(branch), rating=3)


# --- settings ----------------------------------------------------------------------------


def test_follow_up_defaults():
    settings = SurveySettings.load()
    assert (
        settings.followup_after_days,
        settings.followup_reminder_after_days,
        settings.followup_close_after_days,
    ) == (30, 7, 21)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"followup_reminder_after_days": 21}, "followup_reminder_after_days"),
        ({"followup_reminder_after_days": 0}, "followup_reminder_after_days"),
        (
            {"followup_reminder_after_days": 7, "followup_close_after_days": 7},
            "followup_reminder_after_days",
        ),
        ({"followup_after_days": 0}, "followup_after_days"),
    ],
)
def test_follow_up_reminder_must_fall_while_open(values, field):
    hq = make_hq_admin()
    with pytest.raises(ValidationError) as refused:
        survey_services.survey_settings_update(actor=hq.user, **values)
    assert field in refused.value.message_dict
    assert SurveySettings.load().followup_reminder_after_days == 7


def test_follow_up_boundary_reminder_one_day_before_closing_is_accepted():
    hq = make_hq_admin()
    survey_services.survey_settings_update(
        actor=hq.user, followup_reminder_after_days=20, followup_close_after_days=21
    )
    assert SurveySettings.load().followup_reminder_after_days == 20


def test_only_hq_admins_change_follow_up_settings():
    with pytest.raises(PermissionDenied):
        survey_services.survey_settings_update(actor=EmployeeFactory().user, followup_after_days=10)
    assert SurveySettings.load().followup_after_days == 30


def test_is_open_window():
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    row = FollowUp(sent_at=now, closes_at=now + DAY)
    assert row.is_open(now) and not row.is_open(now + DAY)
