"""Reads of the live monitor: who may watch which rooms, and the rooms live now with their
figures, counted in a constant number of queries.

Scope (the same on the page and the socket):

- HQ sees every live session.
- A branch manager sees the sessions of the branches they manage **and company-wide
  sessions** (``branch`` null): their people take part in those, as ``can_see_roster`` lets
  managers see company-wide rosters. The figures are room totals, no names.
- A trainer sees the sessions they teach (the ones scheduled or live when the page or socket
  opened; a socket opened before a session was created learns of it on reconnect).
- Anyone else may not open the monitor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hub.organisation.models import Branch, Role
from hub.organisation.permissions import access_for
from hub.sessions.models import Session
from live.models import PresenceInterval, Question, RaisedHand
from live.monitor.broadcast import room_message

# Someone whose connection sent nothing for this long is no longer counted as present.
PRESENT_WINDOW = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class MonitorScope:
    """The rooms one user may watch, computed once (page load or socket connect)."""

    everything: bool
    branch_ids: frozenset[int]
    company_wide: bool
    session_ids: frozenset[int]

    def allows(self, *, session_id: int, branch_id: int | None) -> bool:
        if self.everything or session_id in self.session_ids:
            return True
        if branch_id is None:
            return self.company_wide
        return branch_id in self.branch_ids

    def sessions_q(self) -> Q:
        if self.everything:
            return Q()
        q = Q(pk__in=self.session_ids) | Q(branch_id__in=self.branch_ids)
        if self.company_wide:
            q |= Q(branch__isnull=True)
        return q


def monitor_scope(user) -> MonitorScope | None:
    """What ``user`` may watch, or None when the monitor is not for them (→ 403 / 4403)."""
    access = access_for(user)
    if access.is_hq:
        return MonitorScope(True, frozenset(), True, frozenset())
    if access.employee_id is None:
        return None
    taught = frozenset(
        Session.trainers.through.objects.filter(
            employee_id=access.employee_id,
            session__status__in=[Session.Status.SCHEDULED, Session.Status.LIVE],
        ).values_list("session_id", flat=True)
    )
    if not access.is_manager and not taught and Role.TRAINER not in access.roles:
        return None
    # A manager watches their branches' rooms and company-wide ones (``oversees``).
    return MonitorScope(False, access.managed_branch_ids, access.is_manager, taught)


def _per_session(qs: QuerySet, field: str = "pk", *, distinct: bool = False) -> Coalesce:
    """A count of ``qs`` rows of the outer session, as a correlated subquery."""
    counted = (
        qs.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count(field, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())


def with_room_figures(sessions: QuerySet[Session], *, now: dt.datetime | None = None):
    """Annotate ``present_count`` (distinct people with an open presence interval seen in
    the last ``PRESENT_WINDOW``), ``question_count`` (live questions not hidden) and
    ``hand_count`` (raised hands)."""
    cutoff = (now or timezone.now()) - PRESENT_WINDOW
    present = PresenceInterval.objects.filter(left_at__isnull=True, last_seen_at__gte=cutoff)
    questions = Question.objects.filter(origin=Question.Origin.LIVE, hidden=False)
    return sessions.annotate(
        present_count=_per_session(present, "employee", distinct=True),
        question_count=_per_session(questions),
        hand_count=_per_session(RaisedHand.objects.all()),
    )


def live_rooms(*, scope: MonitorScope, now: dt.datetime | None = None) -> QuerySet[Session]:
    """Sessions live now that ``scope`` covers, with their figures, branch and trainers
    (two queries however many rooms and people)."""
    sessions = Session.objects.filter(scope.sessions_q(), status=Session.Status.LIVE)
    return (
        with_room_figures(sessions, now=now)
        .select_related("branch")
        .prefetch_related("trainers")
        .order_by("starts_at", "pk")
    )


def room_row(session: Session) -> dict:
    """A snapshot row: the update message's fields plus what only the page knows."""
    return {
        **room_message(
            session_id=session.pk,
            branch_id=session.branch_id,
            title=session.title,
            present=session.present_count,
            questions=session.question_count,
            hands=session.hand_count,
            status="live" if session.status == Session.Status.LIVE else "ended",
        ),
        "branch": session.branch.name if session.branch_id else None,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "trainers": [trainer.name for trainer in session.trainers.all()],
    }


def monitor_snapshot(*, scope: MonitorScope) -> list[dict]:
    return [room_row(session) for session in live_rooms(scope=scope)]


def room_update_kwargs(*, session_id: int, now: dt.datetime | None = None) -> dict | None:
    """Keyword arguments for ``monitor_room_update`` computed from the database (one query),
    for code paths that have no figures at hand (a session started or ended over HTTP).
    None for an unknown session."""
    session = (
        with_room_figures(Session.objects.filter(pk=session_id), now=now)
        .only("pk", "branch_id", "title", "status")
        .first()
    )
    if session is None:
        return None
    return {
        "session_id": session.pk,
        "branch_id": session.branch_id,
        "title": session.title,
        "present": session.present_count,
        "questions": session.question_count,
        "hands": session.hand_count,
        "status": "live" if session.status == Session.Status.LIVE else "ended",
    }


def monitor_branch_names(*, scope: MonitorScope) -> dict[int, str]:
    """Names of the branches the monitor may show (the page labels rooms that start later)."""
    branches = Branch.objects.all()
    if not scope.everything:
        taught = Session.objects.filter(pk__in=scope.session_ids).values("branch_id")
        branches = branches.filter(Q(pk__in=scope.branch_ids) | Q(pk__in=taught))
    return dict(branches.values_list("pk", "name"))
