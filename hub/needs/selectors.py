"""Reads for the needs pool, plans, the manager's "My branch" page and the HQ overview.

Who sees which need or plan is ``hub.needs.scoping`` (``TrainingNeed.objects.visible_to``);
every list comes with the joins it renders, and plan progress is computed by aggregate
subqueries plus one grouped query of learners trained and one headcount query for a whole page
of plans, so the number of queries does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hub.needs.models import NeedEvent, TrainingNeed, TrainingPlan
from hub.organisation import scoping
from hub.organisation.models import Branch, Employee, Role
from hub.organisation.permissions import access_for
from hub.sessions.models import Attendance, Enrolment, Session
from hub.sessions.selectors import seats

ACTIVE_NEED_STATUSES = (
    TrainingNeed.Status.OPEN,
    TrainingNeed.Status.CLAIMED,
    TrainingNeed.Status.IN_DELIVERY,
    TrainingNeed.Status.DELIVERED,
)


# --- who sees what -------------------------------------------------------------------------


def can_use_needs(*, user) -> bool:
    """HQ, branch managers and trainers work with the needs pool; learners do not."""
    access = access_for(user)
    return access.is_hq or access.is_manager or Role.TRAINER in access.roles


def can_use_plans(*, user) -> bool:
    return can_use_needs(user=user)


def need_list(
    *,
    user,
    status: str = "",
    branch_code: str = "",
    urgency: str = "",
    mine: bool = False,
) -> QuerySet[TrainingNeed]:
    needs = TrainingNeed.objects.visible_to(user).select_related(
        "branch", "submitted_by", "claimed_by"
    )
    if status:
        needs = needs.filter(status=status)
    if branch_code:
        needs = needs.filter(branch__code=branch_code)
    if urgency:
        needs = needs.filter(urgency=urgency)
    if mine:
        employee_id = access_for(user).employee_id
        if employee_id is None:  # e.g. a superuser with no staff record: nothing is theirs
            return needs.none()
        needs = needs.filter(Q(claimed_by_id=employee_id) | Q(submitted_by_id=employee_id))
    return needs.order_by("-created_at", "-pk")


def need_detail(*, user, pk: int) -> TrainingNeed | None:
    """The need with its history, sessions and plans, or None when unknown or out of scope."""
    return (
        TrainingNeed.objects.visible_to(user)
        .select_related("branch", "submitted_by", "claimed_by", "course")
        .prefetch_related(
            Prefetch("events", queryset=NeedEvent.objects.select_related("actor")),
            Prefetch("sessions", queryset=Session.objects.select_related("branch")),
            "plans",
        )
        .filter(pk=pk)
        .first()
    )


def sessions_linkable(*, user, need: TrainingNeed) -> QuerySet[Session]:
    """Sessions the user could link to ``need``: not cancelled, not linked yet, and taught by
    the user unless they are HQ."""
    access = access_for(user)
    sessions = Session.objects.exclude(status=Session.Status.CANCELLED).exclude(training_needs=need)
    if not access.is_hq_admin:
        sessions = sessions.filter(trainers__id=access.employee_id)
    return sessions.select_related("branch").order_by("-starts_at")


# --- plan progress -------------------------------------------------------------------------


class _Count(Func):
    """COUNT over a correlated subquery's rows, without a GROUP BY."""

    function = "COUNT"
    output_field = IntegerField()


def _scalar(queryset: QuerySet, expression: Func) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=expression).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def with_progress(*, plans: QuerySet[TrainingPlan]) -> QuerySet[TrainingPlan]:
    """Annotate sessions_planned (non-cancelled linked sessions), sessions_delivered (ended)
    and needs_count. Learners trained are counted by ``attach_targets`` (they depend on the
    plan's target, which lives in a JSON list)."""
    # The session status is tested inside the count, not in WHERE: with status in WHERE,
    # SQLite drives each subquery from the (status, starts_at) index, i.e. through every
    # ended session of the company, instead of from the plan's few linked sessions.
    linked = Session.objects.filter(training_plans=OuterRef("pk"))
    ended = Q(status=Session.Status.ENDED)
    return plans.annotate(
        sessions_planned=_scalar(linked.exclude(status=Session.Status.CANCELLED), _Count(F("pk"))),
        sessions_delivered=_scalar(linked, _Count(Case(When(ended, then=F("pk"))))),
        needs_count=_scalar(TrainingNeed.objects.filter(plans=OuterRef("pk")), _Count(F("pk"))),
    )


def _trained_by_plan(plan_ids: list[int]) -> dict[int, Headcount]:
    """Per plan, distinct learners who completed one of its linked sessions
    (``Enrolment.objects.completed``), by (branch, position category): one grouped query for
    a page of plans. A learner has one branch and one category, so the groups' counts add up
    to distinct learners."""
    rows = (
        Enrolment.objects.completed()
        .filter(session__training_plans__in=plan_ids)
        .order_by()
        .values("session__training_plans", "learner__branch_id", "learner__position_category")
        .annotate(n=Count("learner_id", distinct=True))
    )
    groups: dict[int, dict[tuple[int, str], int]] = {pk: {} for pk in plan_ids}
    for row in rows:
        key = (row["learner__branch_id"], row["learner__position_category"])
        groups[row["session__training_plans"]][key] = row["n"]
    return {pk: Headcount(by_group) for pk, by_group in groups.items()}


def _percent(part: int, whole: int | None) -> int | None:
    if not whole:
        return None
    return min(100, round(part * 100 / whole))


@dataclass(frozen=True)
class Headcount:
    """Current staff by (branch, position category): one grouped query for a page of plans."""

    by_branch_category: dict[tuple[int, str], int]

    @classmethod
    def load(cls, today: dt.date | None = None) -> Headcount:
        rows = (
            Employee.objects.current(today)
            .order_by()
            .values("branch_id", "position_category")
            .annotate(n=Count("pk"))
        )
        return cls({(r["branch_id"], r["position_category"]): r["n"] for r in rows})

    def count(self, *, branch_ids: Iterable[int] | None, categories: Iterable[str]) -> int:
        branch_set = set(branch_ids) if branch_ids is not None else None
        category_set = set(categories)
        return sum(
            n
            for (branch_id, category), n in self.by_branch_category.items()
            if (branch_set is None or branch_id in branch_set)
            and (not category_set or category in category_set)
        )


def _target_branch_ids(plan: TrainingPlan) -> list[int] | None:
    """The plan's target branches, else its branch, else None (every branch, HQ-wide)."""
    branch_ids = [b.pk for b in plan.target_branches.all()]
    if not branch_ids:
        return [plan.branch_id] if plan.branch_id else None
    return branch_ids


def targeted_learners(*, plan: TrainingPlan, headcount: Headcount) -> int:
    """The stated target, or current staff in the target branches and categories (target
    branches default to the plan's branch, or every branch for HQ-wide plans)."""
    if plan.targeted_learners is not None:
        return plan.targeted_learners
    return headcount.count(branch_ids=_target_branch_ids(plan), categories=plan.target_categories)


def attach_targets(
    *, plans: list[TrainingPlan], today: dt.date | None = None
) -> list[TrainingPlan]:
    """Set learners_trained (distinct learners of the plan's target branches and categories
    who completed a linked session: others in the room were not this plan's),
    learners_targeted and the two progress percentages on annotated plans (one grouped
    query, and one headcount query only when some plan has no stated target)."""
    headcount = Headcount({})
    if any(p.targeted_learners is None for p in plans):
        headcount = Headcount.load(today)
    trained = _trained_by_plan([p.pk for p in plans]) if plans else {}
    for plan in plans:
        plan.learners_trained = trained[plan.pk].count(
            branch_ids=_target_branch_ids(plan), categories=plan.target_categories
        )
        plan.learners_targeted = targeted_learners(plan=plan, headcount=headcount)
        plan.sessions_percent = _percent(plan.sessions_delivered, plan.sessions_planned)
        plan.learners_percent = _percent(plan.learners_trained, plan.learners_targeted)
    return plans


def plan_base() -> QuerySet[TrainingPlan]:
    return with_progress(
        plans=TrainingPlan.objects.select_related(
            "branch", "approved_by", "created_by"
        ).prefetch_related(
            Prefetch("target_branches", queryset=Branch.objects.only("pk", "code", "name"))
        )
    )


def plan_list(*, user, status: str = "", branch_code: str = "") -> QuerySet[TrainingPlan]:
    plans = plan_base().filter(pk__in=TrainingPlan.objects.visible_to(user).values("pk"))
    if status:
        plans = plans.filter(status=status)
    if branch_code:
        plans = plans.filter(Q(branch__code=branch_code) | Q(scope=TrainingPlan.Scope.HQ))
    return plans.order_by("-period_start", "pk")


def plan_detail(*, user, pk: int) -> TrainingPlan | None:
    plan = (
        plan_base()
        .filter(pk__in=TrainingPlan.objects.visible_to(user).values("pk"), pk=pk)
        .prefetch_related(
            Prefetch(
                "needs",
                queryset=TrainingNeed.objects.select_related("branch", "claimed_by"),
            ),
            Prefetch(
                "sessions",
                queryset=Session.objects.select_related("branch", "course").order_by("starts_at"),
            ),
        )
        .first()
    )
    if plan is not None:
        attach_targets(plans=[plan])
    return plan


# --- manager "My branch" -------------------------------------------------------------------


def managed_branches(*, user) -> QuerySet[Branch]:
    """The branches ``user`` manages (HQ included: only those it manages, if any)."""
    return Branch.objects.filter(scoping.branch_q(access_for(user), "pk")).order_by("code")


def branch_needs_by_status(*, branch: Branch) -> list[tuple[str, str, list[TrainingNeed]]]:
    """(status, label, needs) for every status, in workflow order (one query)."""
    needs = (
        TrainingNeed.objects.filter(branch=branch)
        .select_related("claimed_by", "submitted_by")
        .order_by("due_date", "pk")
    )
    grouped: dict[str, list[TrainingNeed]] = defaultdict(list)
    for need in needs:
        grouped[need.status].append(need)
    return [(value, label, grouped[value]) for value, label in TrainingNeed.Status.choices]


def branch_recently_trained(
    *, branch: Branch, days: int = 90, limit: int = 20
) -> QuerySet[Attendance]:
    """Completed attendance (``AttendanceQuerySet.completed``) of the branch's people in the
    last ``days`` days, newest first."""
    since = timezone.now() - dt.timedelta(days=days)
    return (
        Attendance.objects.completed()
        .filter(
            enrolment__learner__branch=branch,
            enrolment__session__ends_at__gte=since,
        )
        .select_related("enrolment__learner", "enrolment__session")
        .order_by("-enrolment__session__ends_at", "-pk")[:limit]
    )


def branch_trained_count(*, branch: Branch, days: int = 90) -> int:
    since = timezone.now() - dt.timedelta(days=days)
    return (
        Enrolment.objects.completed()
        .filter(learner__branch=branch, session__ends_at__gte=since)
        .values("learner_id")
        .distinct()
        .count()
    )


def branch_upcoming_sessions(*, branch: Branch, limit: int = 10) -> QuerySet[Session]:
    """Scheduled sessions still to come that the branch's people may join: the branch's own
    and company-wide ones."""
    return (
        Session.objects.filter(
            Q(branch=branch) | Q(branch__isnull=True),
            status=Session.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .select_related("branch", "course")
        .prefetch_related(Prefetch("trainers", queryset=Employee.objects.only("pk", "name")))
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
        )
        .order_by("starts_at", "pk")[:limit]
    )


# --- HQ overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewFilters:
    branch: Branch | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    category: str = ""
    mode: str = ""


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _filtered_sessions(filters: OverviewFilters) -> QuerySet[Session]:
    sessions = Session.objects.all()
    if filters.branch is not None:
        sessions = sessions.filter(branch=filters.branch)
    # Bounds as local midnights rather than starts_at__date, which casts every row's
    # timestamp (a per-row function call on SQLite) and cannot use an index.
    if filters.start is not None:
        sessions = sessions.filter(starts_at__gte=_local_midnight(filters.start))
    if filters.end is not None:
        sessions = sessions.filter(
            starts_at__lt=_local_midnight(filters.end + dt.timedelta(days=1))
        )
    if filters.category:
        sessions = sessions.filter(course__category=filters.category)
    if filters.mode:
        sessions = sessions.filter(mode=filters.mode)
    return sessions


def overview_status_counts(*, filters: OverviewFilters) -> dict[str, int]:
    """How many of the filtered sessions are in each status (one grouped query)."""
    rows = _filtered_sessions(filters).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def overview_sessions(*, filters: OverviewFilters) -> QuerySet[Session]:
    sessions = (
        _filtered_sessions(filters)
        .select_related("branch", "course")
        .prefetch_related(Prefetch("trainers", queryset=Employee.objects.only("pk", "name")))
        .annotate(
            enrolled=seats(status=Enrolment.Status.ENROLLED),
            waitlisted=seats(status=Enrolment.Status.WAITLISTED),
        )
    )
    return sessions.order_by("-starts_at", "-pk")


def overview_plans(*, filters: OverviewFilters) -> QuerySet[TrainingPlan]:
    """Plans overlapping the period, of (or aimed at) the branch, with a linked session of
    the category and mode when those filters are set."""
    plans = plan_base()
    if filters.branch is not None:
        targets = TrainingPlan.target_branches.through.objects.filter(
            trainingplan_id=OuterRef("pk")
        )
        plans = plans.filter(
            Q(branch=filters.branch)
            | Exists(targets.filter(branch_id=filters.branch.pk))
            | (Q(scope=TrainingPlan.Scope.HQ) & ~Exists(targets))
        )
    if filters.start is not None:
        plans = plans.filter(period_end__gte=filters.start)
    if filters.end is not None:
        plans = plans.filter(period_start__lte=filters.end)
    if filters.category or filters.mode:
        matching = Session.objects.filter(training_plans=OuterRef("pk"))
        if filters.category:
            matching = matching.filter(course__category=filters.category)
        if filters.mode:
            matching = matching.filter(mode=filters.mode)
        plans = plans.filter(Exists(matching))
    return plans.order_by("-period_start", "pk")
