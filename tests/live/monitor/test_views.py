"""``/live/monitor/``: who may open it, what it lists, the nav link, and a flat query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import BranchFactory, EmployeeFactory, make_hq_admin, make_manager
from tests.live.monitor.factories import (
    ask,
    ended_session,
    live_session,
    make_trainer,
    present,
    raise_hand,
)

pytestmark = pytest.mark.django_db

URL = reverse("live:monitor")
NAV = 'data-testid="nav-live-monitor"'


def _rows(html: str) -> int:
    return html.count('data-testid="monitor-room"')


def test_learner_gets_403_and_no_nav_link(client_for, learner):
    live_session(branch=learner.branch)
    client = client_for(learner)
    assert client.get(URL).status_code == 403
    assert NAV not in client.get(reverse("home")).content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_manager_sees_their_branch_and_company_wide_rooms_not_another_branch(client_for):
    branch = BranchFactory(name="杭州分公司")
    manager = make_manager(branch)
    ours = live_session(branch=branch, title="杭州晨会直播")
    live_session(title="全公司直播课")
    live_session(branch=BranchFactory(), title="别家的直播")
    ended_session(branch=branch, title="昨天的直播")
    learner = EmployeeFactory(branch=branch)
    present(ours, learner)
    ask(ours, learner)
    raise_hand(ours, learner)

    client = client_for(manager)
    html = client.get(URL).content.decode()

    assert _rows(html) == 2
    assert "杭州晨会直播" in html and "全公司直播课" in html
    assert "别家的直播" not in html and "昨天的直播" not in html
    assert "杭州分公司" in html
    row = html[html.index(f'data-session-id="{ours.pk}"') :]
    assert '<td class="text-end" data-field="present">1</td>' in row.split("</tr>")[0]
    assert '<td class="text-end" data-field="hands">1</td>' in row.split("</tr>")[0]
    assert NAV in client.get(reverse("home")).content.decode()


def test_hq_sees_the_nav_link_and_every_branch(client_for):
    hq = make_hq_admin()
    live_session(branch=BranchFactory(), title="甲地直播")
    live_session(branch=BranchFactory(), title="乙地直播")
    client = client_for(hq)
    html = client.get(URL).content.decode()
    assert _rows(html) == 2
    assert 'id="monitor-branches"' in html
    assert NAV in client.get(reverse("home")).content.decode()


def test_trainer_sees_only_their_room(client_for):
    trainer = make_trainer()
    live_session(trainers=[trainer], title="我的直播")
    live_session(title="别人的直播")
    html = client_for(trainer).get(URL).content.decode()
    assert _rows(html) == 1
    assert "我的直播" in html and "别人的直播" not in html


def test_empty_monitor_says_so(client_for):
    html = client_for(make_hq_admin()).get(URL).content.decode()
    assert _rows(html) == 0
    assert 'class="text-muted" id="monitor-empty"' in html


def _add_busy_rooms(count: int) -> None:
    for _ in range(count):
        room = live_session(branch=BranchFactory(), trainers=[make_trainer(), make_trainer()])
        for person in EmployeeFactory.create_batch(3):
            present(room, person)
            ask(room, person)
            raise_hand(room, person)


def test_page_queries_do_not_grow_with_rooms_and_people(client_for, django_assert_max_num_queries):
    client = client_for(make_hq_admin())
    _add_busy_rooms(1)
    with CaptureQueriesContext(connection) as small:
        assert _rows(client.get(URL).content.decode()) == 1
    _add_busy_rooms(6)
    with django_assert_max_num_queries(len(small)):
        assert _rows(client.get(URL).content.decode()) == 7
