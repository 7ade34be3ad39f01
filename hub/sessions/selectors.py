"""Reads of sessions, enrolments, attendance and notifications, with the joins pages need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hub.organisation.models import Employee
from hub.sessions.models import Enrolment, Notification, Session, completed_enrolment_q


def seats(*, status: str) -> Coalesce:
    """Enrolments of the row's session in ``status``, by a correlated subquery: a JOIN with
    GROUP BY would aggregate every enrolment before the page's LIMIT (and in its COUNT).
    For annotating session lists (the session list, the HQ overview)."""
    seats = (
        Enrolment.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(seats), Value(0), output_field=IntegerField())


def session_list(
    *,
    user,
    status: str = "",
    mode: str = "",
    branch_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[Session]:
    qs = (
        Session.objects.visible_to(user)
        .select_related("branch", "course")
        .prefetch_related("trainers")
        .annotate(
            enrolled_count=seats(status=Enrolment.Status.ENROLLED),
            waitlisted_count=seats(status=Enrolment.Status.WAITLISTED),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if mode:
        qs = qs.filter(mode=mode)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if start:
        qs = qs.filter(starts_at__gte=start)
    if end:
        qs = qs.filter(starts_at__lt=end)
    return qs.order_by("starts_at", "pk")


def session_detail(*, user, pk: int) -> Session | None:
    return (
        Session.objects.visible_to(user)
        .select_related("branch", "course")
        .prefetch_related("trainers")
        .filter(pk=pk)
        .first()
    )


def session_roster(*, user, session: Session) -> QuerySet[Enrolment]:
    """Active enrolments with learners and attendance; a manager who does not teach it sees
    only the people of their branches (HQ and its trainers see everyone)."""
    qs = (
        session.enrolments.exclude(status=Enrolment.Status.CANCELLED)
        .select_related("learner__branch", "attendance")
        .visible_to(user)
    )
    return qs.order_by("status", "queued_at", "pk")


def seat_counts(*, session: Session) -> dict[str, int]:
    counts = dict(
        session.enrolments.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "enrolled": counts.get(Enrolment.Status.ENROLLED, 0),
        "waitlisted": counts.get(Enrolment.Status.WAITLISTED, 0),
    }


def my_enrolment(*, employee_id: int | None, session: Session) -> Enrolment | None:
    if employee_id is None:
        return None
    return (
        Enrolment.objects.select_related("attendance")
        .filter(session=session, learner_id=employee_id)
        .first()
    )


@dataclass
class MyLearning:
    upcoming: list[Enrolment]
    waitlisted: list[Enrolment]
    completed: list[Enrolment]
    past: list[Enrolment]


def _learner_enrolments(employee: Employee) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(learner=employee)
        .select_related(
            "session__branch", "session__course", "session__recording_source", "attendance"
        )
        .prefetch_related("session__trainers")
    )


def my_learning(
    *, employee: Employee, now: dt.datetime | None = None, history: int = 20
) -> MyLearning:
    """The learner's upcoming seats, waitlist places, completed and other past sessions.
    A fixed number of queries whatever the data (4 lists, each with one trainer prefetch)."""
    now = now or timezone.now()
    active = [Session.Status.SCHEDULED, Session.Status.LIVE]
    upcoming = _learner_enrolments(employee).filter(
        status=Enrolment.Status.ENROLLED, session__status__in=active, session__ends_at__gte=now
    )
    waitlisted = _learner_enrolments(employee).filter(
        status=Enrolment.Status.WAITLISTED, session__status__in=active, session__ends_at__gte=now
    )
    completed = _learner_enrolments(employee).completed()
    past = (
        _learner_enrolments(employee)
        .filter(status=Enrolment.Status.ENROLLED, session__status=Session.Status.ENDED)
        .exclude(completed_enrolment_q())
    )
    return MyLearning(
        upcoming=list(upcoming.order_by("session__starts_at")),
        waitlisted=list(waitlisted.order_by("session__starts_at")),
        completed=list(completed.order_by("-session__starts_at")[:history]),
        past=list(past.order_by("-session__starts_at")[:history]),
    )


def teaching_hours(*, employee: Employee, start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours taught: the delivered duration of every ENDED session ``employee`` trained that
    started in [start, end) and that at least one learner completed (a session nobody
    completed, and a cancelled one, counts 0 h). A co-trained session counts in full for each
    trainer."""
    minutes = (
        Session.objects.filter(
            trainers=employee,
            status=Session.Status.ENDED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .with_credit()
        .aggregate(total=Sum("credited_minutes"))["total"]
    )
    # Half-up like every figure of PRODUCT.md (15 min = 0.25 h → 0.3 h, not 0.2).
    return (Decimal(minutes or 0) / Decimal(60)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def year_bounds(*, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate(now or timezone.now())
    tz = timezone.get_current_timezone()
    start = dt.datetime(today.year, 1, 1, tzinfo=tz)
    end = dt.datetime(today.year + 1, 1, 1, tzinfo=tz)
    return start, end


def my_teaching(*, employee: Employee, now: dt.datetime | None = None) -> list[Session]:
    """Upcoming and live sessions the employee teaches, each with its roster prefetched."""
    now = now or timezone.now()
    roster = (
        Enrolment.objects.exclude(status=Enrolment.Status.CANCELLED)
        .select_related("learner__branch", "attendance")
        .order_by("status", "queued_at", "pk")
    )
    return list(
        Session.objects.filter(
            trainers=employee,
            status__in=[Session.Status.SCHEDULED, Session.Status.LIVE],
            ends_at__gte=now,
        )
        .select_related("branch", "course")
        .prefetch_related("trainers", Prefetch("enrolments", queryset=roster))
        .order_by("starts_at")[:30]
    )


def recently_taught(*, employee: Employee, limit: int = 10) -> QuerySet[Session]:
    """Ended sessions the employee taught, newest first, with ``delivered_minutes``,
    ``credited_minutes`` and ``has_completer`` (no completer: 0 h credited, flagged on the
    page) and the enrolled / completed counts."""
    return (
        Session.objects.filter(trainers=employee, status=Session.Status.ENDED)
        .select_related("branch")
        .with_credit()
        .annotate(
            enrolled_count=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)
            ),
            completed_count=Count(
                "enrolments",
                filter=completed_enrolment_q("enrolments"),
            ),
        )
        .order_by("-starts_at")[:limit]
    )


def feed_enrolments(*, employee: Employee, now: dt.datetime | None = None) -> QuerySet[Enrolment]:
    """What the personal calendar feed lists: enrolled seats of sessions ending from 30 days
    ago on (cancelled sessions stay, marked cancelled, so calendars drop them)."""
    now = now or timezone.now()
    return (
        Enrolment.objects.filter(
            learner=employee,
            status=Enrolment.Status.ENROLLED,
            session__ends_at__gte=now - dt.timedelta(days=30),
        )
        .select_related("session__branch", "learner")
        .prefetch_related("session__trainers")
        .order_by("session__starts_at")
    )


def notifications_for(*, employee: Employee) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=employee).select_related("session")


def unread_notification_count(*, employee_id: int | None) -> int:
    if employee_id is None:
        return 0
    return Notification.objects.filter(recipient_id=employee_id, read_at__isnull=True).count()
