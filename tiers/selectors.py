"""Reads of nominations and the mentor programme, with the joins their pages need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
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

from hub.organisation import scoping
from hub.organisation.models import Employee, PerformanceGrade, Role, RoleGrant
from hub.organisation.permissions import access_for
from tiers.models import (
    MentoringLog,
    MentorPairing,
    MentorProgrammeSettings,
    MentorRating,
    TrainerNomination,
)
from tiers.rules import (
    NOMINATION_RULE_MINIMUM,
    RECENT_GRADES_SHOWN,
    is_high_performer,
    is_outstanding_mentor,
    nomination_rule_met,
    quarter_start,
)

# --- trainer nominations ----------------------------------------------------------------------


def _recent_grades(prefix: str = "") -> Prefetch:
    """The last few grades of an employee (``to_attr="recent_grades"``), newest first, in one
    query for all rows (a sliced prefetch uses a window function)."""
    return Prefetch(
        f"{prefix}grades",
        queryset=PerformanceGrade.objects.order_by("-period_start")[:RECENT_GRADES_SHOWN],
        to_attr="recent_grades",
    )


def _latest_grade() -> Subquery:
    return Subquery(
        PerformanceGrade.objects.filter(employee=OuterRef("nominee"))
        .order_by("-period_start")
        .values("grade")[:1]
    )


def nominations_with_grades(qs: QuerySet[TrainerNomination]) -> QuerySet[TrainerNomination]:
    """Nominations with the people they name, the nominee's latest grade (``latest_grade``)
    and recent grades (``nominee.recent_grades``): two queries however many rows."""
    return (
        qs.select_related("nominee__branch", "nominated_by", "branch", "decided_by__employee")
        .annotate(latest_grade=_latest_grade())
        .prefetch_related(_recent_grades("nominee__"))
    )


def nomination_queue() -> QuerySet[TrainerNomination]:
    """HQ's pending nominations, oldest first, with the candidates' grades."""
    pending = TrainerNomination.objects.filter(status=TrainerNomination.Status.PENDING)
    return nominations_with_grades(pending).order_by("created_at", "pk")


@dataclass
class NominationPanel:
    """A manager's nominations in a year and where they stand against the accountability rule
    (≥ 2 nominees in the year whose latest grade is A or B)."""

    year: int
    nominations: list[TrainerNomination]
    high_performers: int
    required: int = NOMINATION_RULE_MINIMUM
    rule_met: bool = field(init=False)

    def __post_init__(self) -> None:
        self.rule_met = nomination_rule_met(self.high_performers, self.required)

    @property
    def missing(self) -> int:
        return max(self.required - self.high_performers, 0)


def nomination_panel(*, user, year: int) -> NominationPanel:
    """This year's nominations in the branches ``user`` manages (all branches for HQ), each
    nominee's latest and recent grades, and the count of distinct high-performer nominees.

    Every nomination made in the year counts, whatever HQ decided: the rule is about whom the
    manager puts forward. Two queries, however many nominations.
    """
    qs = nominations_with_grades(
        TrainerNomination.objects.visible_to(user).filter(created_at__year=year)
    ).order_by("-created_at", "-pk")
    nominations = list(qs)
    high = {n.nominee_id for n in nominations if is_high_performer(n.latest_grade)}
    return NominationPanel(year=year, nominations=nominations, high_performers=len(high))


def nomination_candidates(*, user) -> QuerySet[Employee]:
    """Current staff of the branches ``user`` manages who could be nominated now: not a
    trainer, no pending nomination, not the manager themselves; with recent grades."""
    access = access_for(user)
    trainer = RoleGrant.objects.filter(employee=OuterRef("pk"), role=Role.TRAINER)
    pending = TrainerNomination.objects.filter(
        nominee=OuterRef("pk"), status=TrainerNomination.Status.PENDING
    )
    return (
        Employee.objects.current()
        .filter(scoping.branch_q(access, "branch"))
        .exclude(pk=access.employee_id)
        .exclude(Exists(trainer))
        .exclude(Exists(pending))
        .prefetch_related(_recent_grades())
        .order_by("name_pinyin", "employee_no")
    )


# --- mentor programme -----------------------------------------------------------------------


def mentor_pairings_for(*, employee_id: int | None) -> dict[str, list[MentorPairing]]:
    """An employee's active pairings as mentor ("mentees") and as mentee ("mentors"), with
    their logs and ratings, newest first (constant query count)."""
    if employee_id is None:
        return {"mentees": [], "mentors": []}
    qs = (
        MentorPairing.objects.active()
        .filter(Q(mentor_id=employee_id) | Q(mentee_id=employee_id))
        .select_related("mentor__branch", "mentee__branch")
        .prefetch_related(
            Prefetch("logs", queryset=MentoringLog.objects.order_by("-date", "-pk")),
            Prefetch("ratings", queryset=MentorRating.objects.order_by("-period_start")),
        )
        .order_by("started_on", "pk")
    )
    pairings = list(qs)
    return {
        "mentees": [p for p in pairings if p.mentor_id == employee_id],
        "mentors": [p for p in pairings if p.mentee_id == employee_id],
    }


def active_pairings() -> QuerySet[MentorPairing]:
    return (
        MentorPairing.objects.active()
        .select_related("mentor__branch", "mentee__branch")
        .order_by("mentor__name_pinyin", "mentor_id", "started_on", "pk")
    )


@dataclass
class MentorYear:
    """One mentor's calendar-year totals."""

    mentor: Employee
    year: int
    confirmed_hours: Decimal
    pending_hours: Decimal
    mean_rating: Decimal | None
    mentees: int  # distinct mentees paired on at least one day of the year
    active_mentees: int
    outstanding: bool


def _mentor_sum(year: int, *, confirmed: bool) -> Subquery:
    logs = MentoringLog.objects.filter(
        pairing__mentor=OuterRef("pk"),
        date__year=year,
        confirmed_at__isnull=not confirmed,
    )
    return Subquery(
        logs.order_by().values("pairing__mentor").annotate(total=Sum("hours")).values("total")[:1],
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )


def mentor_year_totals(*, year: int, mentor_ids: list[int] | None = None) -> list[MentorYear]:
    """Per mentor paired in ``year``: confirmed and unconfirmed hours of sessions dated in the
    year, the mean of the ratings for periods starting in the year, mentee counts, and the
    Outstanding Mentor flag under HQ's current settings. One query for all mentors (plus the
    settings row)."""
    year_pairings = MentorPairing.objects.in_year(year)
    mentees = Subquery(
        year_pairings.filter(mentor=OuterRef("pk"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("mentee", distinct=True))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    active = Subquery(
        MentorPairing.objects.active()
        .filter(mentor=OuterRef("pk"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    rating = Subquery(
        MentorRating.objects.filter(pairing__mentor=OuterRef("pk"), period_start__year=year)
        .order_by()
        .values("pairing__mentor")
        .annotate(mean=Avg("score"))
        .values("mean")[:1],
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=8, decimal_places=2))
    mentors = (
        Employee.objects.filter(pk__in=year_pairings.values("mentor"))
        .select_related("branch")
        .annotate(
            confirmed_hours=Coalesce(_mentor_sum(year, confirmed=True), zero),
            pending_hours=Coalesce(_mentor_sum(year, confirmed=False), zero),
            mean_rating=rating,
            mentee_count=Coalesce(mentees, 0),
            active_count=Coalesce(active, 0),
        )
        .order_by("name_pinyin", "employee_no")
    )
    if mentor_ids is not None:
        mentors = mentors.filter(pk__in=mentor_ids)
    rules = MentorProgrammeSettings.load()
    rows = []
    for mentor in mentors:
        # Compared unrounded: a mean of 89.995 is not 90.
        mean = None if mentor.mean_rating is None else Decimal(str(mentor.mean_rating))
        hours = Decimal(mentor.confirmed_hours)
        rows.append(
            MentorYear(
                mentor=mentor,
                year=year,
                confirmed_hours=hours,
                pending_hours=Decimal(mentor.pending_hours),
                mean_rating=mean,
                mentees=mentor.mentee_count,
                active_mentees=mentor.active_count,
                outstanding=is_outstanding_mentor(
                    confirmed_hours=hours,
                    mean_rating=mean,
                    mentees=mentor.mentee_count,
                    min_hours=rules.outstanding_min_hours,
                    min_rating=rules.outstanding_min_rating,
                    min_mentees=rules.outstanding_min_mentees,
                    max_mentees=rules.outstanding_max_mentees,
                ),
            )
        )
    return rows


def rating_period_open(*, pairing: MentorPairing, today: dt.date) -> bool:
    """True when the mentee has not yet rated this pairing for the period holding ``today``
    (uses the prefetched ``ratings``)."""
    period = quarter_start(today)
    return all(r.period_start != period for r in pairing.ratings.all())
