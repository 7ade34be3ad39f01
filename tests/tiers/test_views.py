"""Nomination and mentoring pages: who may see and do what, and flat query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.organisation.models import Role, RoleGrant
from tests.factories import BranchFactory, EmployeeFactory, grant, make_manager
from tests.tiers.factories import (
    MentoringLogFactory,
    MentorPairingFactory,
    TrainerNominationFactory,
    grades,
)
from tiers.models import MentoringLog, MentorPairing, MentorRating, TrainerNomination

pytestmark = pytest.mark.django_db


def trainer_in(branch):
    trainer = EmployeeFactory(branch=branch)
    grant(trainer, Role.TRAINER)
    return trainer


# --- nominations ---------------------------------------------------------------------------


def test_manager_nominates_through_the_form(client_for, manager, learner):
    grades(learner, "B", "A")
    client = client_for(manager)
    page = client.get(reverse("tiers:nomination_new"))
    assert page.status_code == 200
    assert learner.employee_no in page.content.decode()
    assert "A B" in page.content.decode()  # the last grades, newest first, beside the name
    response = client.post(
        reverse("tiers:nomination_new"), {"nominee": learner.pk, "reason": "业绩稳定、善于表达"}
    )
    nomination = TrainerNomination.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tiers:nomination", args=[nomination.pk])
    assert nomination.nominee == learner


def test_the_form_offers_only_the_managers_branch(client_for, manager, learner):
    outsider = EmployeeFactory()
    client = client_for(manager)
    page = client.get(reverse("tiers:nomination_new")).content.decode()
    assert outsider.employee_no not in page
    response = client.post(reverse("tiers:nomination_new"), {"nominee": outsider.pk, "reason": "x"})
    assert response.status_code == 200  # form error: not a valid choice
    assert not TrainerNomination.objects.exists()


@pytest.mark.parametrize("who", ["learner", "trainer", "hq"])
def test_only_managers_reach_the_form(client_for, learner, branch, hq_admin, who):
    person = {"learner": learner, "trainer": trainer_in(branch), "hq": hq_admin}[who]
    assert client_for(person).get(reverse("tiers:nomination_new")).status_code == 403


@pytest.mark.parametrize("who", ["learner", "trainer"])
def test_learners_and_trainers_cannot_see_nominations(client_for, learner, branch, who):
    person = learner if who == "learner" else trainer_in(branch)
    nomination = TrainerNominationFactory(branch=branch)
    client = client_for(person)
    assert client.get(reverse("tiers:nominations")).status_code == 403
    assert client.get(reverse("tiers:nomination", args=[nomination.pk])).status_code == 404


def test_manager_of_another_branch_cannot_see_the_nomination(client_for, branch):
    nomination = TrainerNominationFactory(branch=branch)
    other = make_manager(BranchFactory())
    client = client_for(other)
    assert client.get(reverse("tiers:nomination", args=[nomination.pk])).status_code == 404
    listing = client.get(reverse("tiers:nominations")).content.decode()
    assert nomination.nominee.name not in listing


def test_manager_sees_the_panel_against_the_rule(client_for, manager):
    for letters in (("A",), ("C",)):
        nominee = EmployeeFactory(branch=manager.branch)
        grades(nominee, *letters)
        TrainerNominationFactory(nominee=nominee, branch=manager.branch, nominated_by=manager)
    page = client_for(manager).get(reverse("tiers:nominations"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "High performers: 1 of 2" in html
    assert "Still needed to meet the rule: 1." in html


def test_hq_queue_shows_pending_with_grades(client_for, hq_admin, branch):
    nominee = EmployeeFactory(branch=branch)
    grades(nominee, "D", "B")
    pending = TrainerNominationFactory(nominee=nominee, branch=branch)
    decided = TrainerNominationFactory(
        branch=branch,
        status=TrainerNomination.Status.DECLINED,
        decision_reason="暂缓",
        decided_at=timezone.now(),
    )
    page = client_for(hq_admin).get(reverse("tiers:nominations"))
    html = page.content.decode()
    queue = html.split('data-testid="queue"')[1].split("</table>")[0]
    assert pending.nominee.name in queue
    assert decided.nominee.name not in queue
    assert ">B</span>" in queue and ">D</span>" in queue


def test_hq_approves_through_the_page(client_for, hq_admin, branch):
    nomination = TrainerNominationFactory(branch=branch)
    client = client_for(hq_admin)
    detail = client.get(reverse("tiers:nomination", args=[nomination.pk]))
    assert 'data-testid="approve"' in detail.content.decode()
    response = client.post(reverse("tiers:nomination_approve", args=[nomination.pk]))
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == TrainerNomination.Status.APPROVED
    assert RoleGrant.objects.filter(employee=nomination.nominee, role=Role.TRAINER).exists()


def test_hq_decline_without_a_reason_is_refused(client_for, hq_admin, branch):
    nomination = TrainerNominationFactory(branch=branch)
    client = client_for(hq_admin)
    url = reverse("tiers:nomination_decline", args=[nomination.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Give a reason." in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.is_pending
    client.post(url, {"reason": "近两季绩效偏低"})
    nomination.refresh_from_db()
    assert nomination.status == TrainerNomination.Status.DECLINED
    assert nomination.decision_reason == "近两季绩效偏低"


def test_managers_read_hqs_reason(client_for, manager, hq_admin):
    nomination = TrainerNominationFactory(
        branch=manager.branch,
        nominated_by=manager,
        status=TrainerNomination.Status.DECLINED,
        decision_reason="近两季绩效偏低",
        decided_at=timezone.now(),
    )
    page = client_for(manager).get(reverse("tiers:nomination", args=[nomination.pk]))
    assert "近两季绩效偏低" in page.content.decode()
    assert 'data-testid="approve"' not in page.content.decode()


@pytest.mark.parametrize("who", ["manager", "trainer", "lead"])
def test_others_cannot_approve_or_decline(client_for, manager, branch, who):
    nomination = TrainerNominationFactory(branch=branch, nominated_by=manager)
    if who == "manager":
        person = manager
    elif who == "trainer":
        person = trainer_in(branch)
    else:
        person = EmployeeFactory()
        grant(person, Role.TRAINING_LEAD)
    client = client_for(person)
    assert client.post(reverse("tiers:nomination_approve", args=[nomination.pk])).status_code == 403
    response = client.post(
        reverse("tiers:nomination_decline", args=[nomination.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    nomination.refresh_from_db()
    assert nomination.is_pending


def test_nominations_page_queries_stay_flat(client_for, manager, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            nominee = EmployeeFactory(branch=manager.branch)
            grades(nominee, "A", "B", "C")
            TrainerNominationFactory(nominee=nominee, branch=manager.branch, nominated_by=manager)

    add(2)
    client = client_for(manager)
    client.get(reverse("tiers:nominations"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tiers:nominations"))
    add(15)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("tiers:nominations"))
    assert page.content.decode().count('href="/nominations/') >= 17


def test_hq_page_queries_stay_flat(client_for, hq_admin, branch, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            nominee = EmployeeFactory(branch=branch)
            grades(nominee, "A", "B")
            TrainerNominationFactory(nominee=nominee, branch=branch)

    add(2)
    client = client_for(hq_admin)
    client.get(reverse("tiers:nominations"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tiers:nominations"))
    add(15)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("tiers:nominations"))


def test_panel_template_tag_renders_for_a_manager(rf, manager):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = manager.user
    html = Template("{% load tiers %}{% branch_nominations_panel %}").render(
        Context({"request": request})
    )
    assert 'data-testid="nominations-panel"' in html


# --- mentoring -----------------------------------------------------------------------------


def test_mentor_sees_mentees_and_logs_a_session(client_for):
    pairing = MentorPairingFactory(started_on=timezone.localdate() - dt.timedelta(days=30))
    client = client_for(pairing.mentor)
    page = client.get(reverse("tiers:mentoring"))
    assert pairing.mentee.name in page.content.decode()
    response = client.post(
        reverse("tiers:log_create", args=[pairing.pk]),
        {"date": timezone.localdate().isoformat(), "hours": "1.5", "topic": "理财产品讲解"},
    )
    assert response.status_code == 302
    log = MentoringLog.objects.get()
    assert log.hours == Decimal("1.5")
    assert not log.is_confirmed


def test_only_the_mentor_logs_through_the_page(client_for):
    pairing = MentorPairingFactory(started_on=timezone.localdate() - dt.timedelta(days=30))
    data = {"date": timezone.localdate().isoformat(), "hours": "1", "topic": "x"}
    url = reverse("tiers:log_create", args=[pairing.pk])
    assert client_for(EmployeeFactory()).post(url, data).status_code == 404
    # A party, but not the mentor: the service refuses.
    assert client_for(pairing.mentee).post(url, data).status_code == 403
    assert not MentoringLog.objects.exists()


def test_mentee_confirms_only_own_logs(client_for):
    mine = MentoringLogFactory()
    theirs = MentoringLogFactory()
    client = client_for(mine.pairing.mentee)
    page = client.get(reverse("tiers:mentoring")).content.decode()
    assert reverse("tiers:log_confirm", args=[mine.pk]) in page
    assert client.post(reverse("tiers:log_confirm", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("tiers:log_confirm", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_confirmed and not theirs.is_confirmed
    # the mentor cannot confirm their own log
    log = MentoringLogFactory(pairing=mine.pairing)
    response = client_for(mine.pairing.mentor).post(reverse("tiers:log_confirm", args=[log.pk]))
    assert response.status_code == 404


def test_mentee_rates_once_per_quarter_through_the_page(client_for):
    pairing = MentorPairingFactory()
    client = client_for(pairing.mentee)
    url = reverse("tiers:rate", args=[pairing.pk])
    assert "Rate this quarter" in client.get(reverse("tiers:mentoring")).content.decode()
    client.post(url, {"score": "96", "comment": "耐心细致"})
    response = client.post(url, {"score": "50"}, follow=True)
    assert "already rated" in response.content.decode()
    assert list(MentorRating.objects.values_list("score", flat=True)) == [96]
    assert client_for(pairing.mentor).post(url, {"score": "100"}).status_code == 403
    assert MentorRating.objects.count() == 1
    assert client_for(EmployeeFactory()).post(url, {"score": "100"}).status_code == 404


def test_learner_without_a_pairing_sees_an_empty_page(client_for, learner):
    page = client_for(learner).get(reverse("tiers:mentoring"))
    assert page.status_code == 200
    assert "not in the mentor programme" in page.content.decode()


@pytest.mark.parametrize("who", ["learner", "manager", "trainer"])
def test_pairings_page_is_hq_only(client_for, learner, manager, branch, who):
    person = {"learner": learner, "manager": manager, "trainer": trainer_in(branch)}[who]
    client = client_for(person)
    assert client.get(reverse("tiers:pairings")).status_code == 403
    response = client.post(
        reverse("tiers:pairings"), {"mentor": learner.employee_no, "mentee": "x"}
    )
    assert response.status_code == 403
    pairing = MentorPairingFactory()
    assert client.post(reverse("tiers:pairing_end", args=[pairing.pk])).status_code == 403


def test_hq_pairs_by_employee_number_and_sees_the_limit(client_for, hq_admin):
    mentor = EmployeeFactory()
    mentees = [EmployeeFactory() for _ in range(4)]
    client = client_for(hq_admin)
    for mentee in mentees[:3]:
        response = client.post(
            reverse("tiers:pairings"),
            {"mentor": mentor.employee_no, "mentee": mentee.employee_no},
        )
        assert response.status_code == 302
    response = client.post(
        reverse("tiers:pairings"), {"mentor": mentor.employee_no, "mentee": mentees[3].employee_no}
    )
    assert "already has 3 active mentees" in response.content.decode()
    assert MentorPairing.objects.filter(mentor=mentor).count() == 3
    page = client.get(reverse("tiers:pairings")).content.decode()
    assert 'data-testid="limit">3<' in page
    assert "3 / 3" in page


def test_training_lead_sees_pairings_but_cannot_pair(client_for):
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    client = client_for(lead)
    assert client.get(reverse("tiers:pairings")).status_code == 200
    response = client.post(
        reverse("tiers:pairings"),
        {"mentor": EmployeeFactory().employee_no, "mentee": EmployeeFactory().employee_no},
    )
    assert response.status_code == 403


def test_pairings_page_queries_stay_flat(client_for, hq_admin, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            log = MentoringLogFactory(
                pairing__started_on=timezone.localdate() - dt.timedelta(days=40),
                date=timezone.localdate() - dt.timedelta(days=3),
            )
            MentoringLogFactory(pairing=log.pairing, date=log.date, confirmed_at=timezone.now())

    add(2)
    client = client_for(hq_admin)
    client.get(reverse("tiers:pairings"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tiers:pairings"))
    add(12)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("tiers:pairings"))


def test_mentoring_page_queries_stay_flat(client_for, django_assert_max_num_queries):
    mentor = EmployeeFactory()
    first = MentorPairingFactory(mentor=mentor)
    MentoringLogFactory(pairing=first)
    client = client_for(mentor)
    client.get(reverse("tiers:mentoring"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tiers:mentoring"))
    for _ in range(2):
        pairing = MentorPairingFactory(mentor=mentor)
        for _ in range(5):
            MentoringLogFactory(pairing=pairing)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("tiers:mentoring"))


def test_pages_render_in_chinese(client_for, manager):
    client = client_for(manager, language=None)
    html = client.get(reverse("tiers:nominations")).content.decode()
    assert 'lang="zh-hans"' in html


def test_my_branch_page_shows_the_nominations_panel(client_for, manager):
    nominee = EmployeeFactory(branch=manager.branch)
    grades(nominee, "A")
    TrainerNominationFactory(nominee=nominee, branch=manager.branch, nominated_by=manager)
    html = client_for(manager).get(reverse("home")).content.decode()
    assert 'data-testid="nominations-panel"' in html
    assert nominee.name in html
    assert "High performers: 1 of 2" in html


def test_navigation_links(client_for, manager, learner):
    manager_nav = client_for(manager).get(reverse("home")).content.decode()
    assert reverse("tiers:nominations") in manager_nav
    learner_nav = client_for(learner).get(reverse("home")).content.decode()
    assert reverse("tiers:nominations") not in learner_nav
    assert reverse("tiers:mentoring") in learner_nav


def test_hq_changes_the_limit_on_the_page(client_for, hq_admin, manager):
    url = reverse("tiers:programme_update")
    assert client_for(manager).post(url, {"mentee_limit": "5"}).status_code == 403
    client = client_for(hq_admin)
    assert client.post(url, {"mentee_limit": "5"}).status_code == 302
    page = client.get(reverse("tiers:pairings")).content.decode()
    assert 'data-testid="limit">5<' in page
