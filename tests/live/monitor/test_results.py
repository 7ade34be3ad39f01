"""``/live/sessions/<id>/results/``: after the session only; staff see hidden questions and
(when the room reveals them, trainers and HQ only) anonymous askers; enrolled learners see
neither; poll and quiz results for all of them; queries do not grow with data."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from live.monitor.results import RESULTS_NOT_READY, result_polls
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    EnrolmentFactory,
    make_hq_admin,
    make_manager,
)
from tests.live.monitor.factories import (
    ask,
    ended_session,
    live_session,
    make_trainer,
    open_poll,
    vote,
)

pytestmark = pytest.mark.django_db


def _url(session) -> str:
    return reverse("live:results", args=[session.pk])


@pytest.fixture
def room(branch):
    """An ended session of ``branch`` revealing anonymous askers to staff, with an enrolled
    learner, a named, an anonymous and a hidden question, a poll and a quiz."""
    trainer = make_trainer()
    session = ended_session(trainers=[trainer], branch=branch, reveal_anonymous=True)
    named = EmployeeFactory(branch=branch, name="张三")
    shy = EmployeeFactory(branch=branch, name="李四")
    rude = EmployeeFactory(branch=branch, name="王五")
    learner = EnrolmentFactory(session=session, learner=named).learner
    ask(session, named, text="公开的问题", votes=4, answered=True, answer="这样做")
    ask(session, shy, text="匿名的问题", anonymous=True, votes=9, pinned=True)
    ask(session, rude, text="被隐藏的问题", hidden=True)
    poll = open_poll(session, prompt="你更喜欢哪种方式", options=["甲", "乙"], status="closed")
    quiz = open_poll(
        session, prompt="正确的做法是", options=["对", "错", "不知道"], is_quiz=True, correct=[0]
    )
    vote(poll, named, [0])
    vote(poll, shy, [1])
    vote(poll, rude, [1])
    vote(quiz, named, [0])
    vote(quiz, shy, [1])
    return {"session": session, "trainer": trainer, "learner": learner}


def _html(client, session) -> str:
    response = client.get(_url(session))
    assert response.status_code == 200
    return response.content.decode()


def test_trainer_sees_every_question_with_states_and_the_anonymous_asker_when_revealed(
    client_for, room
):
    html = _html(client_for(room["trainer"]), room["session"])
    assert html.count('data-testid="result-question"') == 3
    assert "被隐藏的问题" in html and 'data-testid="hidden-badge"' in html
    assert "李四" in html  # revealed to trainers
    assert "张三" in html and "这样做" in html
    assert html.index("匿名的问题") < html.index("公开的问题")  # pinned first
    assert 'data-testid="exports"' in html


def test_manager_of_the_branch_sees_hidden_questions_but_never_anonymous_askers(
    client_for, room, manager
):
    html = _html(client_for(manager), room["session"])
    assert "被隐藏的问题" in html
    assert "匿名的问题" in html and "李四" not in html
    assert 'data-testid="exports"' in html


def test_enrolled_learner_sees_no_hidden_question_and_no_anonymous_name(client_for, room):
    html = _html(client_for(room["learner"]), room["session"])
    assert html.count('data-testid="result-question"') == 2
    assert "被隐藏的问题" not in html and "王五" not in html
    assert "匿名的问题" in html and "李四" not in html
    assert 'data-testid="exports"' not in html
    assert html.count('data-testid="result-poll"') == 2


def test_without_reveal_not_even_hq_sees_the_anonymous_asker(client_for, branch):
    session = ended_session(branch=branch)
    ask(session, EmployeeFactory(name="赵六"), text="谁问的", anonymous=True)
    html = _html(client_for(make_hq_admin()), session)
    assert "谁问的" in html and "赵六" not in html


def test_poll_and_quiz_results_count_each_option_and_mark_the_right_answer(client_for, room):
    poll, quiz = result_polls(session=room["session"])
    assert [(o.label, o.count, o.percent) for o in poll.options] == [("甲", 1, 33), ("乙", 2, 67)]
    assert poll.voters == 3 and poll.correct_voters is None
    assert [o.correct for o in quiz.options] == [True, False, False]
    assert [o.count for o in quiz.options] == [1, 1, 0]
    assert (quiz.voters, quiz.correct_voters) == (2, 1)
    html = _html(client_for(room["learner"]), room["session"])
    assert html.count('data-testid="correct-option"') == 1
    assert "1 (50%)" in html


@pytest.mark.parametrize("who", ["stranger", "waitlisted", "other-manager"])
def test_others_get_403(client_for, room, who):
    session = room["session"]
    if who == "stranger":
        employee = EmployeeFactory(branch=session.branch)
    elif who == "waitlisted":
        employee = EnrolmentFactory(session=session, status="waitlisted").learner
    else:
        employee = make_manager(BranchFactory())
    assert client_for(employee).get(_url(session)).status_code == 403


def test_unknown_session_is_404(client_for, room):
    assert client_for(room["trainer"]).get(reverse("live:results", args=[99999])).status_code == 404


def test_before_the_end_the_page_sends_back_to_the_session_with_the_reason(client_for):
    trainer = make_trainer()
    session = live_session(trainers=[trainer])
    ask(session, EmployeeFactory(), text="还没结束")
    response = client_for(trainer).get(_url(session))
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:detail", args=[session.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(RESULTS_NOT_READY)]


def test_session_page_links_to_results_once_ended(client_for, room):
    link = f'href="{_url(room["session"])}"'
    for employee in (room["trainer"], room["learner"]):
        page = client_for(employee).get(reverse("sessions:detail", args=[room["session"].pk]))
        assert link in page.content.decode()
    trainer = make_trainer()
    running = live_session(trainers=[trainer])
    page = client_for(trainer).get(reverse("sessions:detail", args=[running.pk]))
    assert 'data-testid="session-results"' not in page.content.decode()


def test_results_queries_do_not_grow_with_questions_polls_and_votes(
    client_for, room, django_assert_max_num_queries
):
    client = client_for(room["trainer"])
    session = room["session"]
    with CaptureQueriesContext(connection) as small:
        _html(client, session)
    people = EmployeeFactory.create_batch(8)
    for person in people:
        ask(session, person, anonymous=True)
        ask(session, person, hidden=True)
    for _ in range(3):
        poll = open_poll(session, is_quiz=True, correct=[2])
        for person in people:
            vote(poll, person, [2])
    with django_assert_max_num_queries(len(small)):
        html = _html(client, session)
    assert html.count('data-testid="result-question"') == 3 + 16
    assert html.count('data-testid="result-poll"') == 5


def test_a_moderator_gets_the_staff_view_and_a_session_without_room_still_has_results(
    client_for, room
):
    moderator = EmployeeFactory()
    room["session"].live_room.moderators.add(moderator)
    html = _html(client_for(moderator), room["session"])
    assert "被隐藏的问题" in html and "李四" in html  # the room reveals askers to staff
    bare = ended_session(trainers=[room["trainer"]])
    bare.live_room.delete()
    html = _html(client_for(room["trainer"]), bare)
    assert "No questions were asked." in html
