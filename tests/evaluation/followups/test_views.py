"""The follow-up pages: /followups/ (a manager's open ones by session), /followups/<id>/
(answer once; 403 for anyone not addressed, HQ included), the home panel and the settings
page's follow-up numbers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from evaluation.followups import selectors
from evaluation.followups.models import FollowUp
from evaluation.surveys.models import SurveySettings
from tests.evaluation.followups.helpers import answered, completer, ended_session, sent_followup
from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def manager(branch):
    return make_manager(branch)


@pytest.fixture
def followup(branch, manager):
    session = ended_session(days_ago=31)
    return sent_followup(session, completer(session, branch=branch, name="王小明"), [manager])


def _answer_url(followup):
    return reverse("evaluation:followup_answer", args=[followup.pk])


def test_the_list_shows_my_open_follow_ups_grouped_by_session(client, branch, manager, followup):
    second = ended_session(days_ago=32)
    sent_followup(second, completer(second, branch=branch), [manager])
    later = followup.sent_at + dt.timedelta(days=2)  # completed later, e.g. on the recording
    sent_followup(second, completer(second, branch=branch), [manager], now=later)
    sent_followup(second, completer(second), [make_manager(BranchFactory())])  # not mine
    client.force_login(manager.user)
    page = client.get(reverse("evaluation:followups"))
    assert page.status_code == 200
    groups = page.context["groups"]
    # by session, the one that ended first first, whatever the rows' closing times
    assert [(g["session"], len(g["followups"])) for g in groups] == [
        (second, 2),
        (followup.session, 1),
    ]
    assert "王小明" in page.content.decode()


def test_the_list_is_empty_for_someone_without_follow_ups(client):
    client.force_login(EmployeeFactory().user)
    page = client.get(reverse("evaluation:followups"))
    assert page.status_code == 200
    assert b'data-testid="no-followups"' in page.content


def test_an_addressed_manager_answers_on_the_page(client, manager, followup):
    client.force_login(manager.user)
    assert client.get(_answer_url(followup)).status_code == 200
    response = client.post(_answer_url(followup), {"rating": "4", "comment": "已经在用"})
    assert response.status_code == 302
    stored = FollowUp.objects.get()
    assert (stored.rating, stored.comment, stored.answered_by) == (4, "已经在用", manager)


def test_a_double_submit_stores_one_answer(client, manager, followup):
    client.force_login(manager.user)
    client.post(_answer_url(followup), {"rating": "4"})
    again = client.post(_answer_url(followup), {"rating": "1", "comment": "改"})
    assert again.status_code == 200
    assert b'data-testid="followup-refused"' in again.content
    assert FollowUp.objects.get().rating == 4


def test_a_missing_rating_is_refused_with_a_message(client, manager, followup):
    client.force_login(manager.user)
    response = client.post(_answer_url(followup), {"comment": "没选"})
    assert response.status_code == 400
    assert "请选择 1 到 5 的评分" in response.content.decode()
    assert FollowUp.objects.get().answered_at is None


@pytest.mark.parametrize("who", ["other_manager", "learner", "hq_admin"])
def test_anyone_not_addressed_gets_403(client, followup, who):
    user = {
        "other_manager": lambda: make_manager(BranchFactory()).user,
        "learner": lambda: followup.learner.user,
        "hq_admin": lambda: make_hq_admin().user,
    }[who]()
    client.force_login(user)
    assert client.get(_answer_url(followup)).status_code == 403
    assert client.post(_answer_url(followup), {"rating": "5"}).status_code == 403
    assert FollowUp.objects.get().answered_at is None


def test_a_closed_follow_up_is_refused_with_a_clear_message(client, manager, followup):
    FollowUp.objects.filter(pk=followup.pk).update(closed_at=followup.sent_at)
    client.force_login(manager.user)
    response = client.post(_answer_url(followup), {"rating": "5"})
    assert response.status_code == 200
    assert "此跟进已关闭" in response.content.decode()
    assert FollowUp.objects.get().answered_at is None


def test_manager_home_shows_follow_ups_waiting(client, manager, followup):
    client.force_login(manager.user)
    page = client.get(reverse("home"))
    assert b'data-testid="followups-waiting"' in page.content
    answered(followup.session, completer(followup.session), manager, 5)
    FollowUp.objects.filter(pk=followup.pk).update(closed_at=followup.sent_at)
    page = client.get(reverse("home"))
    assert b'data-testid="followups-waiting"' not in page.content


def test_the_settings_page_saves_the_follow_up_numbers(client):
    client.force_login(make_hq_admin().user)
    page = client.get(reverse("evaluation:survey_settings"))
    assert b'data-testid="followup-settings"' in page.content
    response = client.post(
        reverse("evaluation:survey_settings"),
        {
            "reminder_after_days": "2",
            "close_after_days": "7",
            "followup_after_days": "45",
            "followup_reminder_after_days": "10",
            "followup_close_after_days": "30",
        },
    )
    assert response.status_code == 302
    settings = SurveySettings.load()
    assert (
        settings.followup_after_days,
        settings.followup_reminder_after_days,
        settings.followup_close_after_days,
    ) == (45, 10, 30)


def test_the_settings_page_refuses_a_reminder_after_closing(client):
    client.force_login(make_hq_admin().user)
    response = client.post(
        reverse("evaluation:survey_settings"),
        {
            "reminder_after_days": "2",
            "close_after_days": "7",
            "followup_after_days": "30",
            "followup_reminder_after_days": "21",
            "followup_close_after_days": "21",
        },
    )
    assert response.status_code == 200
    assert "跟进提醒须在发出至少 1 天之后" in response.content.decode()
    assert SurveySettings.load().followup_reminder_after_days == 7


def test_results_include_hides_figures_below_three_answers_and_shows_no_names():
    figure = selectors.FollowUpFigure(
        sent=4, answered=3, mean=Decimal("4.00"), share_high=None, no_manager=2
    )
    html = render_to_string(
        "evaluation/followups/_results.html", {"figure": figure, "comments": ["用上了"]}
    )
    assert "4.00" in html and "用上了" in html and "3 / 4" in html
    few = selectors.FollowUpFigure(sent=4, answered=2, mean=None, share_high=None)
    html = render_to_string(
        "evaluation/followups/_results.html", {"figure": few, "comments": ["用上了"]}
    )
    assert 'data-testid="followup-not-enough"' in html and "用上了" not in html
