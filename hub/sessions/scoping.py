"""Scoping of sessions, enrolments (rosters) and attendance (see ``hub.organisation.scoping``).

- Sessions: HQ sees every session; anyone with a staff record sees company-wide sessions,
  their own branch's and their managed branches', the ones they teach and the ones they are
  (or were) enrolled in. Changing one (start, end, edit, correct attendance) is for its
  trainers and HQ admins.
- Enrolments and attendance (a roster): HQ and the session's trainers see everyone; a branch
  manager sees the people of their branches; everyone sees their own. An enrolment is
  changed (cancelled) by its learner, an HQ admin or the manager of the learner's branch;
  attendance is corrected by those who run the session.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hub.organisation import scoping
from hub.organisation.permissions import Access
from hub.sessions import rules
from hub.sessions.models import Attendance, Enrolment, Session


def taught_session_ids(access: Access) -> QuerySet:
    """Ids of the sessions the user teaches, as a subquery."""
    return Session.trainers.through.objects.filter(employee_id=access.employee_id).values(
        "session_id"
    )


def _visible_sessions(access: Access, qs: QuerySet) -> QuerySet:
    if access.employee_id is None:
        return scoping.scoped(qs, access)
    enrolled = Enrolment.objects.filter(learner_id=access.employee_id).values("session_id")
    return scoping.scoped(
        qs,
        access,
        Q(branch__isnull=True),
        Q(branch_id=access.branch_id),
        scoping.branch_q(access, "branch"),
        Q(pk__in=taught_session_ids(access)),
        Q(pk__in=enrolled),
    )


def roster_q(access: Access, prefix: str = "") -> list[Q]:
    """The conditions of a roster row (``prefix`` leads to the enrolment): the user's own,
    those of the sessions they teach, those of their managed branches' people."""
    conditions = [
        scoping.branch_q(access, f"{prefix}learner__branch"),
        scoping.own_q(access, f"{prefix}learner"),
    ]
    if access.employee_id is not None:
        conditions.append(Q(**{f"{prefix}session_id__in": taught_session_ids(access)}))
    return conditions


def _visible_enrolments(access: Access, qs: QuerySet) -> QuerySet:
    return scoping.scoped(qs, access, *roster_q(access))


def _visible_attendance(access: Access, qs: QuerySet) -> QuerySet:
    return scoping.scoped(qs, access, *roster_q(access, "enrolment__"))


def _change_enrolment(access: Access, enrolment: Enrolment) -> bool:
    return (
        access.employee_id is not None and enrolment.learner_id == access.employee_id
    ) or scoping.can_change(access, enrolment.learner)


scoping.register(Session, visible=_visible_sessions, change=rules.can_run_session)
scoping.register(Enrolment, visible=_visible_enrolments, change=_change_enrolment)
scoping.register(
    Attendance,
    visible=_visible_attendance,
    change=lambda access, attendance: rules.can_run_session(access, attendance.enrolment.session),
)
