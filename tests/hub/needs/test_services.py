"""hub.needs.services: each need transition by the right role only, with history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import Page

from hub.needs import services
from hub.needs.models import NeedEvent, TrainingNeed, metric_lift
from hub.organisation.models import PositionCategory
from hub.sessions.models import Session
from library.models import CourseIndexPage, CoursePage, LibraryIndexPage
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    EnrolmentFactory,
    make_hq_admin,
    make_manager,
)
from tests.hub.needs.helpers import attend, make_need, make_session, make_trainer

pytestmark = pytest.mark.django_db

Status = TrainingNeed.Status


def submit(manager, branch, **overrides):
    values = {
        "branch": branch,
        "title": "提升导购连带销售率",
        "problem": "顾客只买单件。",
        "audience": "backbone",
        "metric_name": "连带销售率",
        "metric_before": Decimal("22"),
        "metric_target": Decimal("30"),
        "unit": "%",
        "due_date": dt.date(2026, 12, 31),
    }
    values.update(overrides)
    return services.need_submit(actor=manager.user, **values)


def history(need):
    return list(NeedEvent.objects.filter(need=need).values_list("from_status", "to_status"))


@pytest.fixture
def trainer(db):
    return make_trainer()


@pytest.fixture
def claimed(manager, branch, trainer):
    need = make_need(branch=branch, submitted_by=manager)
    return services.need_claim(need=need, actor=trainer.user)


@pytest.fixture
def in_delivery(claimed, trainer):
    session = make_session(trainers=(trainer,), branch=claimed.branch)
    services.need_link_session(need=claimed, actor=trainer.user, session=session)
    return services.need_start_delivery(need=claimed, actor=trainer.user)


@pytest.fixture
def delivered(in_delivery, trainer):
    return services.need_mark_delivered(need=in_delivery, actor=trainer.user)


# --- submit --------------------------------------------------------------------------------


def test_manager_submits_for_own_branch_with_history(manager, branch):
    need = submit(manager, branch)
    assert need.status == Status.OPEN
    assert need.submitted_by == manager
    assert history(need) == [("", "open")]
    assert NeedEvent.objects.get(need=need).actor == manager


def test_manager_cannot_submit_for_another_branch(manager):
    other = BranchFactory()
    with pytest.raises(PermissionDenied):
        submit(manager, other)
    assert not TrainingNeed.objects.exists()


@pytest.mark.parametrize("who", ["learner", "trainer", "hq"])
def test_non_managers_cannot_submit(who, branch, learner):
    actor = {"learner": learner, "trainer": make_trainer(branch), "hq": make_hq_admin()}[who]
    with pytest.raises(PermissionDenied) as refused:
        submit(actor, branch)
    assert str(refused.value) == str(services.MSG_SUBMIT_OWN_BRANCH)
    assert not TrainingNeed.objects.exists()


def test_target_must_improve_in_the_metrics_direction(manager, branch):
    with pytest.raises(ValidationError) as exc:
        submit(manager, branch, metric_target=Decimal("20"))
    assert str(services.MSG_TARGET_DIRECTION) in str(exc.value)
    with pytest.raises(ValidationError):
        submit(manager, branch, metric_target=Decimal("22"))
    # lower is better: a complaint rate going down is fine
    need = submit(
        manager,
        branch,
        metric_name="客诉率",
        metric_before=Decimal("8"),
        metric_target=Decimal("5"),
        higher_is_better=False,
    )
    assert need.status == Status.OPEN


# --- claim ---------------------------------------------------------------------------------


def test_trainer_claims_open_need(manager, branch, trainer):
    need = make_need(branch=branch, submitted_by=manager)
    services.need_claim(need=need, actor=trainer.user)
    need.refresh_from_db()
    assert need.status == Status.CLAIMED
    assert need.claimed_by == trainer
    assert history(need) == [("open", "claimed")]


@pytest.mark.parametrize("who", ["manager", "learner", "hq"])
def test_only_trainers_claim(who, manager, branch, learner):
    need = make_need(branch=branch, submitted_by=manager)
    actor = {"manager": manager, "learner": learner, "hq": make_hq_admin()}[who]
    with pytest.raises(PermissionDenied):
        services.need_claim(need=need, actor=actor.user)
    need.refresh_from_db()
    assert need.status == Status.OPEN
    assert not NeedEvent.objects.exists()


def test_claimed_need_cannot_be_claimed_again(claimed):
    other = make_trainer()
    with pytest.raises(ValidationError) as exc:
        services.need_claim(need=claimed, actor=other.user)
    assert exc.value.code == "wrong_status"
    claimed.refresh_from_db()
    assert claimed.claimed_by != other
    assert history(claimed) == [("open", "claimed")]


# --- withdraw ------------------------------------------------------------------------------


def test_submitter_withdraws_open_need(manager, branch):
    need = make_need(branch=branch, submitted_by=manager)
    services.need_withdraw(need=need, actor=manager.user, note="已通过店内辅导解决")
    need.refresh_from_db()
    assert need.status == Status.WITHDRAWN
    assert history(need) == [("open", "withdrawn")]


def test_withdraw_refused_once_claimed_and_for_others(claimed, manager, trainer):
    with pytest.raises(ValidationError):
        services.need_withdraw(need=claimed, actor=manager.user)
    with pytest.raises(PermissionDenied):
        services.need_withdraw(need=claimed, actor=trainer.user)
    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED


# --- link and start delivery ---------------------------------------------------------------


def test_claiming_trainer_links_own_session(claimed, trainer):
    session = make_session(trainers=(trainer,))
    services.need_link_session(need=claimed, actor=trainer.user, session=session)
    assert list(claimed.sessions.all()) == [session]


def test_trainer_cannot_link_a_session_they_do_not_teach(claimed, trainer):
    session = make_session(trainers=(make_trainer(),))
    with pytest.raises(PermissionDenied):
        services.need_link_session(need=claimed, actor=trainer.user, session=session)
    assert not claimed.sessions.exists()


def test_hq_links_any_session_but_not_a_cancelled_one(claimed):
    hq = make_hq_admin()
    services.need_link_session(need=claimed, actor=hq.user, session=make_session())
    with pytest.raises(ValidationError):
        services.need_link_session(
            need=claimed, actor=hq.user, session=make_session(status=Session.Status.CANCELLED)
        )
    assert claimed.sessions.count() == 1


def test_other_trainer_cannot_link_or_start(claimed):
    other = make_trainer()
    with pytest.raises(PermissionDenied):
        services.need_link_course(need=claimed, actor=other.user, course=None)
    with pytest.raises(PermissionDenied):
        services.need_start_delivery(need=claimed, actor=other.user)


def test_link_refused_on_open_need(manager, branch):
    need = make_need(branch=branch, submitted_by=manager)
    hq = make_hq_admin()
    with pytest.raises(ValidationError):
        services.need_link_session(need=need, actor=hq.user, session=make_session())


def test_start_delivery_needs_a_linked_session(claimed, trainer):
    with pytest.raises(ValidationError) as exc:
        services.need_start_delivery(need=claimed, actor=trainer.user)
    assert exc.value.code == "no_session"
    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED


def test_start_delivery_by_claiming_trainer(in_delivery):
    assert in_delivery.status == Status.IN_DELIVERY
    assert history(in_delivery) == [("open", "claimed"), ("claimed", "in_delivery")]


def test_hq_may_start_delivery(claimed):
    hq = make_hq_admin()
    services.need_link_session(need=claimed, actor=hq.user, session=make_session())
    services.need_start_delivery(need=claimed, actor=hq.user)
    assert NeedEvent.objects.filter(need=claimed, to_status="in_delivery").get().actor == hq


def test_manager_cannot_start_delivery(claimed, manager):
    with pytest.raises(PermissionDenied):
        services.need_start_delivery(need=claimed, actor=manager.user)


# --- delivered -----------------------------------------------------------------------------


def test_trainer_marks_delivered(delivered):
    assert delivered.status == Status.DELIVERED
    assert history(delivered)[-1] == ("in_delivery", "delivered")


def test_mark_delivered_refused_before_delivery_and_for_manager(claimed, manager, trainer):
    with pytest.raises(ValidationError):
        services.need_mark_delivered(need=claimed, actor=trainer.user)
    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED


def test_manager_cannot_mark_delivered(in_delivery, manager):
    with pytest.raises(PermissionDenied):
        services.need_mark_delivered(need=in_delivery, actor=manager.user)


def test_ended_session_delivers_linked_needs(in_delivery):
    session = in_delivery.sessions.get()
    assert services.needs_deliver_for_session(session=session) == 0  # not ended yet
    session.status = Session.Status.ENDED
    session.save()
    attend(session, EmployeeFactory(branch=session.branch), "present")
    assert services.needs_deliver_for_session(session=session) == 1
    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.DELIVERED
    event = NeedEvent.objects.filter(need=in_delivery).last()
    assert event.actor is None
    assert services.needs_deliver_for_session(session=session) == 0  # once only


def test_ending_the_session_through_its_service_delivers_the_need(in_delivery, trainer):
    from hub.sessions import services as session_services

    session = in_delivery.sessions.get()
    learner = EnrolmentFactory(session=session, learner=EmployeeFactory(branch=session.branch))
    session_services.session_start(session=session, actor=trainer.user, now=session.starts_at)
    session_services.attendance_correct(
        enrolment=type(learner).objects.get(pk=learner.pk),
        actor=trainer.user,
        status="present",
        minutes=120,
        reason="签到表",
    )
    session_services.session_end(session=session, actor=trainer.user, now=session.ends_at)
    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.DELIVERED


# --- evaluate ------------------------------------------------------------------------------


def test_submitter_evaluates_with_after_value_and_lift(delivered, manager):
    services.need_evaluate(need=delivered, actor=manager.user, metric_after=Decimal("30"))
    delivered.refresh_from_db()
    assert delivered.status == Status.EVALUATED
    assert delivered.metric_after == Decimal("30")
    assert delivered.lift == Decimal("8") / Decimal("22")
    assert delivered.lift_percent == Decimal("36.4")
    assert delivered.target_reached is True
    assert history(delivered)[-1] == ("delivered", "evaluated")


def test_hq_evaluates(delivered):
    hq = make_hq_admin()
    services.need_evaluate(need=delivered, actor=hq.user, metric_after=Decimal("25"))
    delivered.refresh_from_db()
    assert delivered.status == Status.EVALUATED
    assert delivered.target_reached is False


def test_trainer_or_other_manager_cannot_evaluate(delivered, trainer, branch):
    other_manager = make_manager(branch)  # manages the branch but did not submit
    for actor in (trainer, other_manager):
        with pytest.raises(PermissionDenied):
            services.need_evaluate(need=delivered, actor=actor.user, metric_after=Decimal("30"))
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    assert delivered.metric_after is None


def test_evaluate_needs_delivered_status_and_a_value(in_delivery, manager):
    with pytest.raises(ValidationError):
        services.need_evaluate(need=in_delivery, actor=manager.user, metric_after=Decimal("30"))
    services.need_mark_delivered(need=in_delivery, actor=make_hq_admin().user)
    with pytest.raises(ValidationError):
        services.need_evaluate(need=in_delivery, actor=manager.user, metric_after=None)
    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.DELIVERED


def test_evaluated_need_is_final(delivered, manager, trainer):
    services.need_evaluate(need=delivered, actor=manager.user, metric_after=Decimal("28"))
    before = history(delivered)
    with pytest.raises(ValidationError):
        services.need_evaluate(need=delivered, actor=manager.user, metric_after=Decimal("40"))
    with pytest.raises(ValidationError):
        services.need_mark_delivered(need=delivered, actor=trainer.user)
    delivered.refresh_from_db()
    assert delivered.metric_after == Decimal("28")
    assert history(delivered) == before


def test_full_history_in_order(delivered, manager):
    services.need_evaluate(need=delivered, actor=manager.user, metric_after=Decimal("31"))
    assert [to for _from, to in history(delivered)] == [
        "claimed",
        "in_delivery",
        "delivered",
        "evaluated",
    ]


# --- lift ----------------------------------------------------------------------------------


def test_lift_higher_is_better():
    assert metric_lift(Decimal("22"), Decimal("30"), True) == Decimal("8") / Decimal("22")
    assert metric_lift(Decimal("20"), Decimal("15"), True) == Decimal("-0.25")


def test_lift_lower_is_better_is_inverted():
    # complaint rate 8 % → 6 %: 25 % better
    assert metric_lift(Decimal("8"), Decimal("6"), False) == Decimal("0.25")
    assert metric_lift(Decimal("8"), Decimal("10"), False) == Decimal("-0.25")


def test_lift_boundaries():
    assert metric_lift(Decimal("0"), Decimal("5"), True) is None
    assert metric_lift(Decimal("10"), None, True) is None
    assert metric_lift(Decimal("10"), Decimal("10"), False) == 0


def test_lower_is_better_need_lift_and_target(manager, branch):
    need = make_need(
        branch=branch,
        submitted_by=manager,
        metric_name="客诉率",
        metric_before=Decimal("8"),
        metric_target=Decimal("5"),
        higher_is_better=False,
        metric_after=Decimal("6"),
    )
    assert need.lift_percent == Decimal("25.0")
    assert need.target_lift_percent == Decimal("37.5")
    assert need.target_reached is False


def test_claimer_links_a_course_and_a_session_brings_its_course(claimed, trainer):
    root = Page.get_first_root_node()
    library = root.add_child(instance=LibraryIndexPage(title="资料库", slug="lib-svc"))
    index = library.add_child(instance=CourseIndexPage(title="课程", slug="courses-svc"))
    course = index.add_child(
        instance=CoursePage(
            title="连带销售",
            slug="cs-svc",
            category="specialised",
            audience=PositionCategory.BACKBONE,
        )
    )
    services.need_link_course(need=claimed, actor=trainer.user, course=course)
    claimed.refresh_from_db()
    assert claimed.course == course
    services.need_link_course(need=claimed, actor=trainer.user, course=None)
    session = make_session(trainers=(trainer,), course=course)
    services.need_link_session(need=claimed, actor=trainer.user, session=session)
    claimed.refresh_from_db()
    assert claimed.course == course


def test_metric_values_display_without_trailing_zeros(manager, branch):
    need = make_need(
        branch=branch,
        submitted_by=manager,
        metric_before=Decimal("2.10"),
        metric_target=Decimal("100"),
    )
    need.refresh_from_db()
    assert (need.before_display, need.target_display, need.after_display) == ("2.1", "100", "")
