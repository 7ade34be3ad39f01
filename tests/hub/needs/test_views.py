"""Needs and plan pages: scoping per role (403/404) and the flow through HTTP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from hub.needs import services
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.sessions.models import Session
from tests.factories import BranchFactory, EmployeeFactory, grant, make_manager
from tests.hub.needs.helpers import attend, make_need, make_session, make_trainer

pytestmark = pytest.mark.django_db

Status = TrainingNeed.Status


@pytest.fixture
def other_branch(db):
    return BranchFactory()


@pytest.fixture
def other_manager(other_branch):
    return make_manager(other_branch)


@pytest.fixture
def trainer(db):
    return make_trainer()


@pytest.fixture
def needs(manager, branch, other_manager, other_branch, trainer):
    """own: open need of ``branch``; foreign: open need of another branch; taken: claimed by
    another trainer; mine: claimed by ``trainer``; withdrawn: withdrawn in ``branch``."""
    other_trainer = make_trainer()
    return {
        "own": make_need(branch=branch, submitted_by=manager, title="本店需求"),
        "foreign": make_need(branch=other_branch, submitted_by=other_manager, title="外店需求"),
        "taken": make_need(
            branch=other_branch,
            submitted_by=other_manager,
            title="他人认领",
            status=Status.CLAIMED,
            claimed_by=other_trainer,
        ),
        "mine": make_need(
            branch=other_branch,
            submitted_by=other_manager,
            title="我认领的",
            status=Status.CLAIMED,
            claimed_by=trainer,
        ),
        "withdrawn": make_need(
            branch=other_branch,
            submitted_by=other_manager,
            title="已撤回",
            status=Status.WITHDRAWN,
        ),
    }


def listed(client):
    response = client.get(reverse("needs:needs"))
    assert response.status_code == 200
    return {need.title for need in response.context["page"]}


@pytest.mark.parametrize(
    "url",
    [
        reverse("needs:needs"),
        reverse("needs:need_create"),
        reverse("needs:plans"),
        reverse("needs:plan_create"),
        reverse("portal:my_branch"),
        reverse("portal:overview"),
    ],
)
def test_learner_is_forbidden_everywhere(url, learner, client_for):
    assert client_for(learner).get(url).status_code == 403


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("needs:needs"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_manager_sees_own_branch_needs_only(needs, manager, client_for):
    assert listed(client_for(manager)) == {"本店需求"}


def test_manager_gets_404_for_other_branch_need(needs, manager, client_for):
    client = client_for(manager)
    assert client.get(reverse("needs:need", args=[needs["foreign"].pk])).status_code == 404
    assert client.get(reverse("needs:need", args=[needs["own"].pk])).status_code == 200


def test_trainer_sees_open_and_own_claimed(needs, trainer, client_for):
    client = client_for(trainer)
    assert listed(client) == {"本店需求", "外店需求", "我认领的"}
    assert client.get(reverse("needs:need", args=[needs["taken"].pk])).status_code == 404
    assert client.get(reverse("needs:need", args=[needs["withdrawn"].pk])).status_code == 404


def test_hq_sees_all(needs, hq_admin, client_for):
    assert listed(client_for(hq_admin)) == {n.title for n in needs.values()}


def test_trainer_cannot_open_the_submit_form(trainer, client_for):
    assert client_for(trainer).get(reverse("needs:need_create")).status_code == 403


def test_manager_submits_through_the_form(manager, branch, client_for):
    client = client_for(manager)
    response = client.post(
        reverse("needs:need_create"),
        {
            "branch": branch.pk,
            "title": "提升导购连带销售率",
            "problem": "顾客只买单件。",
            "audience": "backbone",
            "metric_name": "连带销售率",
            "metric_before": "22",
            "metric_target": "30",
            "unit": "%",
            "higher_is_better": "on",
            "urgency": "high",
            "due_date": "2026-12-31",
        },
    )
    need = TrainingNeed.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("needs:need", args=[need.pk])
    assert need.branch == branch
    assert need.events.get().to_status == "open"


def test_manager_cannot_submit_for_other_branch_through_the_form(manager, other_branch, client_for):
    response = client_for(manager).post(
        reverse("needs:need_create"),
        {
            "branch": other_branch.pk,
            "title": "x",
            "problem": "x",
            "audience": "backbone",
            "metric_name": "x",
            "metric_before": "1",
            "metric_target": "2",
            "urgency": "normal",
            "due_date": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not TrainingNeed.objects.exists()


def test_wrong_direction_target_shows_the_error(manager, branch, client_for):
    response = client_for(manager).post(
        reverse("needs:need_create"),
        {
            "branch": branch.pk,
            "title": "x",
            "problem": "x",
            "audience": "backbone",
            "metric_name": "x",
            "metric_before": "30",
            "metric_target": "20",
            "higher_is_better": "on",
            "urgency": "normal",
            "due_date": "2026-12-31",
        },
    )
    assert str(services.MSG_TARGET_DIRECTION) in response.content.decode()
    assert not TrainingNeed.objects.exists()


def test_flow_through_http(needs, manager, trainer, client_for):
    need = needs["own"]
    url = reverse("needs:need", args=[need.pk])
    trainer_client = client_for(trainer)
    # the manager may not claim
    assert (
        client_for(manager).post(reverse("needs:need_action", args=[need.pk, "claim"])).status_code
        == 403
    )
    trainer_client.post(reverse("needs:need_action", args=[need.pk, "claim"]))
    session = make_session(trainers=(trainer,), branch=need.branch)
    trainer_client.post(
        reverse("needs:need_action", args=[need.pk, "link_session"]), {"session": session.pk}
    )
    trainer_client.post(reverse("needs:need_action", args=[need.pk, "start"]))
    trainer_client.post(reverse("needs:need_action", args=[need.pk, "deliver"]))
    need.refresh_from_db()
    assert need.status == Status.DELIVERED
    # the trainer may not evaluate
    response = trainer_client.post(
        reverse("needs:need_action", args=[need.pk, "evaluate"]), {"metric_after": "30"}
    )
    assert response.status_code == 403
    client_for(manager).post(
        reverse("needs:need_action", args=[need.pk, "evaluate"]), {"metric_after": "30"}
    )
    need.refresh_from_db()
    assert need.status == Status.EVALUATED
    page = client_for(manager).get(url).content.decode()
    assert "+36.4%" in page
    assert list(need.events.values_list("to_status", flat=True)) == [
        "claimed",
        "in_delivery",
        "delivered",
        "evaluated",
    ]


def test_wrong_status_step_shows_message_and_changes_nothing(needs, trainer, client_for):
    need = needs["mine"]
    response = client_for(trainer).post(
        reverse("needs:need_action", args=[need.pk, "deliver"]), follow=True
    )
    assert response.status_code == 200
    assert "that step is not possible now" in response.content.decode()
    need.refresh_from_db()
    assert need.status == Status.CLAIMED


def test_unknown_action_is_404(needs, hq_admin, client_for):
    url = reverse("needs:need_action", args=[needs["own"].pk, "explode"])
    assert client_for(hq_admin).post(url).status_code == 404


def test_actions_on_out_of_scope_need_are_404(needs, manager, client_for):
    url = reverse("needs:need_action", args=[needs["foreign"].pk, "withdraw"])
    assert client_for(manager).post(url).status_code == 404
    needs["foreign"].refresh_from_db()
    assert needs["foreign"].status == Status.OPEN


# --- plans ---------------------------------------------------------------------------------


@pytest.fixture
def plans(manager, branch, other_manager, other_branch, hq_admin):
    period = {"period_start": dt.date(2026, 10, 1), "period_end": dt.date(2026, 12, 31)}
    own = services.plan_create(
        actor=manager.user, title="本店计划", scope="branch", branch=branch, **period
    )
    foreign = services.plan_create(
        actor=other_manager.user, title="外店计划", scope="branch", branch=other_branch, **period
    )
    hq_draft = services.plan_create(actor=hq_admin.user, title="总部草稿", scope="hq", **period)
    hq_approved = services.plan_create(actor=hq_admin.user, title="总部已批", scope="hq", **period)
    services.plan_approve(plan=hq_approved, actor=hq_admin.user)
    return {"own": own, "foreign": foreign, "hq_draft": hq_draft, "hq_approved": hq_approved}


def plan_titles(client):
    response = client.get(reverse("needs:plans"))
    assert response.status_code == 200
    return {p.title for p in response.context["page"]}


def test_plan_visibility(plans, manager, hq_admin, trainer, client_for):
    assert plan_titles(client_for(manager)) == {"本店计划", "总部已批"}
    assert plan_titles(client_for(hq_admin)) == {"本店计划", "外店计划", "总部草稿", "总部已批"}
    assert plan_titles(client_for(trainer)) == {"总部已批"}
    client = client_for(manager)
    assert client.get(reverse("needs:plan", args=[plans["foreign"].pk])).status_code == 404
    assert client.get(reverse("needs:plan", args=[plans["hq_draft"].pk])).status_code == 404
    assert client.get(reverse("needs:plan", args=[plans["own"].pk])).status_code == 200


def test_manager_cannot_approve_through_http(plans, manager, client_for):
    url = reverse("needs:plan_action", args=[plans["own"].pk, "approve"])
    assert client_for(manager).post(url).status_code == 403
    plans["own"].refresh_from_db()
    assert plans["own"].status == TrainingPlan.Status.DRAFT


def test_hq_approves_through_http(plans, hq_admin, client_for):
    url = reverse("needs:plan_action", args=[plans["own"].pk, "approve"])
    client_for(hq_admin).post(url)
    plans["own"].refresh_from_db()
    assert plans["own"].status == TrainingPlan.Status.APPROVED


def test_manager_creates_branch_plan_through_the_form(manager, branch, client_for):
    response = client_for(manager).post(
        reverse("needs:plan_create"),
        {
            "title": "第四季度导购培训计划",
            "scope": "branch",
            "branch": branch.pk,
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
            "objectives": "连带销售率提升到30%",
            "target_categories": ["backbone", "new_hire"],
        },
    )
    plan = TrainingPlan.objects.get()
    assert response.status_code == 302
    assert plan.branch == branch
    assert plan.target_categories == ["backbone", "new_hire"]


def test_the_plan_form_preselects_a_managers_only_branch(manager, branch, client_for, hq_admin):
    form = client_for(manager).get(reverse("needs:plan_create")).context["form"]
    assert form["branch"].value() == branch.pk
    assert f'<option value="{branch.pk}" selected>' in str(form["branch"])
    # Two branches (or HQ, who sees them all): nothing is chosen for them.
    manager2 = make_manager(BranchFactory())
    grant(manager2, "branch_manager", branch)
    for someone in (manager2, hq_admin):
        form = client_for(someone).get(reverse("needs:plan_create")).context["form"]
        assert form["branch"].value() is None


def test_manager_cannot_create_hq_plan_through_the_form(manager, client_for):
    response = client_for(manager).post(
        reverse("needs:plan_create"),
        {"title": "x", "scope": "hq", "period_start": "2026-10-01", "period_end": "2026-12-31"},
    )
    assert response.status_code == 200
    assert "scope" in response.context["form"].errors
    assert not TrainingPlan.objects.exists()


def test_manager_cannot_edit_approved_plan(plans, manager, hq_admin, client_for):
    services.plan_approve(plan=plans["own"], actor=hq_admin.user)
    url = reverse("needs:plan_edit", args=[plans["own"].pk])
    assert client_for(manager).get(url).status_code == 403
    assert client_for(hq_admin).get(url).status_code == 200


def test_plan_detail_shows_progress(plans, hq_admin, branch, client_for):
    plan = plans["own"]
    session = make_session(status=Session.Status.ENDED, starts_in=dt.timedelta(days=-1))
    plan.sessions.add(session, make_session())
    attend(session, EmployeeFactory(branch=branch), "present")
    response = client_for(hq_admin).get(reverse("needs:plan", args=[plan.pk]))
    body = response.content.decode()
    assert "Sessions delivered 1 / 2" in body
    assert "Learners trained 1 /" in body


def test_plan_link_need_through_http(plans, manager, branch, client_for):
    need = make_need(branch=branch, submitted_by=manager)
    client_for(manager).post(
        reverse("needs:plan_action", args=[plans["own"].pk, "link_need"]), {"need": need.pk}
    )
    assert list(plans["own"].needs.all()) == [need]


def test_manager_cannot_link_foreign_need(plans, manager, needs, client_for):
    url = reverse("needs:plan_action", args=[plans["own"].pk, "link_need"])
    assert client_for(manager).post(url, {"need": needs["foreign"].pk}).status_code == 404
    assert not plans["own"].needs.exists()


def test_evaluated_need_page_shows_lower_is_better_lift(manager, branch, client_for):
    need = make_need(
        branch=branch,
        submitted_by=manager,
        title="降低客诉率",
        metric_name="客诉率",
        metric_before=Decimal("8"),
        metric_target=Decimal("5"),
        higher_is_better=False,
        metric_after=Decimal("6"),
        status=Status.EVALUATED,
        claimed_by=make_trainer(),
    )
    body = client_for(manager).get(reverse("needs:need", args=[need.pk])).content.decode()
    assert "+25.0%" in body
    assert "Lower is better" in body


def test_hq_filters_needs_by_branch_and_status(needs, hq_admin, other_branch, client_for):
    client = client_for(hq_admin)
    response = client.get(reverse("needs:needs"), {"branch": other_branch.code, "status": "open"})
    assert {n.title for n in response.context["page"]} == {"外店需求"}


def test_manager_branch_filter_outside_scope_shows_nothing(
    needs, manager, other_branch, client_for
):
    response = client_for(manager).get(reverse("needs:needs"), {"branch": other_branch.code})
    assert response.status_code == 200
    assert {n.title for n in response.context["page"]} == {"本店需求"}


def test_need_pages_render_in_chinese(needs, trainer, client_for):
    client = client_for(trainer, language="zh-hans")
    listing = client.get(reverse("needs:needs"))
    assert listing.status_code == 200
    assert '<h1 class="h3 mb-0">培训需求</h1>' in listing.content.decode()
    response = client.get(reverse("needs:need", args=[needs["mine"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "下一步" in page
    assert "处理记录" in page
    assert "Next step" not in page


def test_manager_who_is_also_a_trainer_sees_the_union(needs, manager, client_for):
    from hub.organisation.models import Role
    from tests.factories import grant

    grant(manager, Role.TRAINER)
    assert listed(client_for(manager)) == {"本店需求", "外店需求"}


@pytest.mark.parametrize("posted", [{"need": "abc"}, {"need": ""}, {}])
def test_plan_link_with_a_garbage_need_id_is_404(plans, manager, posted, client_for):
    url = reverse("needs:plan_action", args=[plans["own"].pk, "link_need"])
    assert client_for(manager).post(url, posted).status_code == 404
    assert not plans["own"].needs.exists()


@pytest.mark.parametrize("action", ["link_session", "unlink_session"])
def test_plan_link_with_a_garbage_session_id_is_404(plans, manager, action, client_for):
    url = reverse("needs:plan_action", args=[plans["own"].pk, action])
    assert client_for(manager).post(url, {"session": "1 OR 1=1"}).status_code == 404
    assert not plans["own"].sessions.exists()


def test_need_link_with_a_garbage_session_id_is_404(needs, trainer, client_for):
    need = needs["mine"]
    url = reverse("needs:need_action", args=[need.pk, "link_session"])
    assert client_for(trainer).post(url, {"session": "x"}).status_code == 404
    assert not need.sessions.exists()


def test_mine_filter_for_trainer_lists_only_their_needs(needs, trainer, client_for):
    response = client_for(trainer).get(reverse("needs:needs"), {"mine": "on"})
    assert {n.title for n in response.context["page"]} == {needs["mine"].title}


def test_mine_filter_for_superuser_without_staff_record_lists_nothing(needs, client):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Lectern-1")
    client.force_login(root)
    everything = client.get(reverse("needs:needs"))
    assert len(everything.context["page"].object_list) == len(needs)
    response = client.get(reverse("needs:needs"), {"mine": "on"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
