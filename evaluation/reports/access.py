"""Who may open which effectiveness report: one place for every report page and export.

- **Session report**: HQ (admins and the training lead, read-only like every report), the
  session's trainers, and the managers of the session's branch or of a trainer's branch.
- **Course report**: the course's sessions that the user may see a session report of; the
  figures are computed over those sessions only (a trainer sees their own sessions of it).
- **Trainer report**: HQ, the trainer themselves, the managers of the trainer's branch.
- **Branch report**: HQ and the branch's managers.
- **HQ overview**: HQ only.

Learners see no report. Built on ``hub.organisation.scoping`` (``scoped``, ``branch_q``,
``own_q``) so it follows the same rules as every other kind of object.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from hub.organisation import scoping
from hub.organisation.models import Branch, Employee, RoleGrant
from hub.organisation.roles import Role
from hub.sessions import scoping as sessions_scoping
from hub.sessions.models import Session


def report_sessions(who, qs: QuerySet[Session] | None = None) -> QuerySet[Session]:
    """The sessions whose report ``who`` may open (narrowing ``qs`` when given)."""
    access = scoping.as_access(who)
    qs = Session.objects.all() if qs is None else qs
    conditions = [scoping.branch_q(access, "branch")]
    if access.is_manager:
        trainers = Employee.objects.filter(scoping.branch_q(access, "branch")).values("pk")
        conditions.append(Q(trainers__in=trainers))
    if access.employee_id is not None:
        conditions.append(Q(pk__in=sessions_scoping.taught_session_ids(access)))
    narrowed = scoping.scoped(qs, access, *conditions)
    if narrowed is qs or not access.is_manager:
        return narrowed
    # The trainers join may repeat a session: keep each once.
    return qs.filter(pk__in=narrowed.values("pk"))


def can_view_session_report(who, session: Session) -> bool:
    return report_sessions(who, Session.objects.filter(pk=session.pk)).exists()


def report_trainers(who, qs: QuerySet[Employee] | None = None) -> QuerySet[Employee]:
    """The people whose trainer report ``who`` may open: HQ everyone, a manager their
    branches' staff, anyone themselves."""
    access = scoping.as_access(who)
    qs = Employee.objects.all() if qs is None else qs
    return scoping.scoped(qs, access, scoping.own_q(access), scoping.branch_q(access, "branch"))


def can_view_trainer_report(who, employee: Employee) -> bool:
    return report_trainers(who, Employee.objects.filter(pk=employee.pk)).exists()


def trainers_of(qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """People who hold the trainer role or have taught a session."""
    granted = RoleGrant.objects.filter(employee=OuterRef("pk"), role=Role.TRAINER)
    taught = Session.trainers.through.objects.filter(employee_id=OuterRef("pk"))
    return qs.filter(Exists(granted) | Exists(taught))


def report_branches(who, qs: QuerySet[Branch] | None = None) -> QuerySet[Branch]:
    """The branches whose effectiveness report ``who`` may open: HQ all, managers theirs."""
    access = scoping.as_access(who)
    qs = Branch.objects.all() if qs is None else qs
    return scoping.scoped(qs, access, scoping.branch_q(access, "pk"))


def can_view_branch_report(who, branch: Branch) -> bool:
    return report_branches(who, Branch.objects.filter(pk=branch.pk)).exists()


def can_view_overview(who) -> bool:
    """The HQ overview compares every branch: HQ only."""
    return scoping.as_access(who).is_hq


def can_view_any_report(who) -> bool:
    """Whether to show the reports entry in the navigation."""
    access = scoping.as_access(who)
    if access.is_hq or access.is_manager:
        return True
    return access.employee_id is not None and report_sessions(access).exists()
