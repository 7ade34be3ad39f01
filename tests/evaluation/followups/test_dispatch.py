"""Dispatch, reminder and closing of manager follow-ups (``evaluation.followups.services``)."""

import datetime as dt

import pytest
from django.core.management import call_command

from evaluation.followups import services
from evaluation.followups.models import FollowUp
from evaluation.surveys.models import SurveySettings
from hub.organisation.models import Role
from hub.sessions.models import Notification, Session
from tests.evaluation.followups.helpers import (
    DAY,
    cancelled,
    completer,
    ended_session,
    non_completer,
)
from tests.factories import BranchFactory, EmployeeFactory, grant, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def manager(branch):
    return make_manager(branch)


def _followups():
    return FollowUp.objects.order_by("pk")


def test_only_completers_are_followed_up_and_addressed_to_their_branch_manager(branch, manager):
    session = ended_session(days_ago=30)
    done = completer(session, branch=branch)
    non_completer(session, branch=branch)
    cancelled(session, branch=branch)
    assert services.followups_dispatch() == {"sent": 1, "no_manager": 0}
    followup = FollowUp.objects.get()
    assert (followup.session, followup.learner) == (session, done)
    assert list(followup.managers.all()) == [manager]
    assert followup.sent_at is not None
    assert followup.closes_at - followup.sent_at == 21 * DAY


def test_boundary_n_minus_1_days_none_n_days_created(branch, manager):
    session = ended_session(days_ago=10)
    completer(session, branch=branch)
    ended = session.ended_at
    assert services.followups_dispatch(now=ended + 30 * DAY - dt.timedelta(seconds=1)) == {
        "sent": 0,
        "no_manager": 0,
    }
    assert services.followups_dispatch(now=ended + 29 * DAY)["sent"] == 0
    assert not FollowUp.objects.exists()
    assert services.followups_dispatch(now=ended + 30 * DAY)["sent"] == 1
    assert FollowUp.objects.count() == 1


def test_sessions_past_the_answer_window_are_not_asked_about_any_more(branch, manager):
    """A session that ended N + M days ago or more would be closed already: not dispatched
    (so switching the feature on does not flood managers with history)."""
    completer(ended_session(days_ago=30 + 21), branch=branch)
    completer(ended_session(days_ago=30 + 20), branch=branch)
    assert services.followups_dispatch()["sent"] == 1


def test_a_scheduled_or_cancelled_session_is_never_followed_up(branch, manager):
    for status in (Session.Status.SCHEDULED, Session.Status.CANCELLED):
        session = ended_session(days_ago=31)
        completer(session, branch=branch)
        Session.objects.filter(pk=session.pk).update(status=status)
    assert services.followups_dispatch() == {"sent": 0, "no_manager": 0}


def test_the_number_of_days_comes_from_the_settings(branch, manager):
    SurveySettings.objects.update_or_create(pk=1, defaults={"followup_after_days": 14})
    SurveySettings.objects.exclude(pk=1).delete()
    completer(ended_session(days_ago=14), branch=branch)
    assert services.followups_dispatch()["sent"] == 1


def test_dispatch_is_once_per_session_and_learner(branch, manager):
    session = ended_session(days_ago=31)
    first = completer(session, branch=branch)
    assert services.followups_dispatch()["sent"] == 1
    assert services.followups_dispatch()["sent"] == 0
    # A learner who completes later (e.g. the recording) is asked about on a later run.
    later = completer(session, branch=branch)
    assert services.followups_dispatch()["sent"] == 1
    assert set(_followups().values_list("learner", flat=True)) == {first.pk, later.pk}
    assert Notification.objects.filter(recipient=manager).count() == 2


def test_managers_get_one_notification_per_session_not_per_learner(branch, manager):
    session = ended_session(days_ago=31)
    for _ in range(3):
        completer(session, branch=branch)
    assert services.followups_dispatch()["sent"] == 3
    note = Notification.objects.get(recipient=manager)
    assert note.session == session
    assert note.kind == Notification.Kind.FOLLOW_UP
    assert "/followups/" in note.body


def test_several_managers_share_one_row_and_a_learner_is_not_their_own_manager(branch):
    first, second = make_manager(branch), make_manager(branch)
    session = ended_session(days_ago=31)
    learner = completer(session, branch=branch)
    completer(session, learner=first)  # a manager who completed: asked of the other one
    services.followups_dispatch()
    assert set(FollowUp.objects.get(learner=learner).managers.all()) == {first, second}
    assert list(FollowUp.objects.get(learner=first).managers.all()) == [second]


def test_a_learner_who_is_their_branch_only_manager_is_counted_not_sent(branch, manager):
    other_branch = BranchFactory()  # no manager at all
    session = ended_session(days_ago=31)
    completer(session, learner=manager)
    completer(session, branch=other_branch)
    completer(session, branch=branch)
    assert services.followups_dispatch() == {"sent": 1, "no_manager": 2}
    unsent = FollowUp.objects.filter(sent_at__isnull=True)
    assert unsent.count() == 2
    assert not FollowUp.managers.through.objects.filter(followup__in=unsent).exists()
    # Counted once: a second run does not try again.
    assert services.followups_dispatch() == {"sent": 0, "no_manager": 0}


def test_a_manager_of_another_branch_is_not_addressed(branch, manager):
    elsewhere = make_manager(BranchFactory())
    session = ended_session(days_ago=31)
    completer(session, branch=branch)
    services.followups_dispatch()
    assert elsewhere not in FollowUp.objects.get().managers.all()
    grant(EmployeeFactory(branch=branch), Role.TRAINER)  # other roles are not managers
    assert FollowUp.objects.get().managers.count() == 1


def test_reminder_once_to_unanswered_after_n_days(branch, manager):
    session = ended_session(days_ago=31)
    answered_learner = completer(session, branch=branch)
    completer(session, branch=branch)
    services.followups_dispatch()
    sent = FollowUp.objects.first().sent_at
    services.followup_answer(
        followup=FollowUp.objects.get(learner=answered_learner), manager=manager, rating=4
    )
    assert services.followup_reminders_send(now=sent + 7 * DAY - dt.timedelta(seconds=1)) == 0
    assert services.followup_reminders_send(now=sent + 7 * DAY) == 1
    assert services.followup_reminders_send(now=sent + 8 * DAY) == 0
    notes = Notification.objects.filter(recipient=manager).order_by("pk")
    assert notes.count() == 2  # the invitation and one reminder
    assert FollowUp.objects.get(learner=answered_learner).reminder_sent_at is None


def test_no_reminder_after_closing_and_closing_only_unanswered(branch, manager):
    session = ended_session(days_ago=31)
    completer(session, branch=branch)
    done = completer(session, branch=branch)
    services.followups_dispatch()
    sent = FollowUp.objects.first().sent_at
    services.followup_answer(followup=FollowUp.objects.get(learner=done), manager=manager, rating=5)
    assert services.followups_close_overdue(now=sent + 21 * DAY - dt.timedelta(seconds=1)) == 0
    assert services.followups_close_overdue(now=sent + 21 * DAY) == 1
    assert services.followups_close_overdue(now=sent + 22 * DAY) == 0
    assert services.followup_reminders_send(now=sent + 22 * DAY) == 0
    assert FollowUp.objects.get(learner=done).closed_at is None  # answered stays answered


def test_the_daily_command_dispatches_reminds_and_closes_idempotently(branch, manager, capsys):
    completer(ended_session(days_ago=31), branch=branch)
    call_command("send_survey_reminders")
    call_command("send_survey_reminders")
    out = capsys.readouterr().out
    assert "follow-ups: sent 1, no manager 0" in out
    assert "follow-ups: sent 0, no manager 0" in out
    assert FollowUp.objects.count() == 1
