"""Scoping of assignments and submissions (see ``hub.organisation.scoping``); the rules for
one object are in ``evaluation.permissions``.

- Assignments: HQ, the session's trainers, its enrolled learners, learners who submitted to
  it, and the managers of a learner of the session (not cancelled). Its trainers and HQ
  admins change one (and grade).
- Submissions: the learner who wrote one, the session's trainers, HQ, the managers of the
  learner's branch. Graded by the session's trainers and HQ admins.
- Manager follow-ups: the managers they were addressed to (who alone answer), HQ reads.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from evaluation import permissions
from evaluation.models import Assignment, FollowUp, SessionCost, Submission, Survey
from evaluation.reports.access import can_view_session_report, report_sessions
from hub.organisation import scoping
from hub.organisation.permissions import Access
from hub.sessions import scoping as sessions_scoping
from hub.sessions.models import Enrolment


def _visible_assignments(access: Access, qs: QuerySet) -> QuerySet:
    conditions = []
    if access.employee_id is not None:
        enrolled = Enrolment.objects.filter(
            learner_id=access.employee_id, status=Enrolment.Status.ENROLLED
        ).values("session_id")
        submitted = Submission.objects.filter(learner_id=access.employee_id).values("assignment_id")
        conditions += [
            Q(session_id__in=sessions_scoping.taught_session_ids(access)),
            Q(session_id__in=enrolled),
            Q(pk__in=submitted),
        ]
    if access.is_manager:
        their_people = (
            Enrolment.objects.filter(scoping.branch_q(access, "learner__branch"))
            .exclude(status=Enrolment.Status.CANCELLED)
            .values("session_id")
        )
        conditions.append(Q(session_id__in=their_people))
    return scoping.scoped(qs, access, *conditions)


def _visible_submissions(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [scoping.own_q(access, "learner"), scoping.branch_q(access, "learner__branch")]
    if access.employee_id is not None:
        taught = sessions_scoping.taught_session_ids(access)
        conditions.append(Q(assignment__session_id__in=taught))
    return scoping.scoped(qs, access, *conditions)


scoping.register(
    Assignment,
    visible=_visible_assignments,
    change=lambda access, a: permissions.can_manage_assignments(access, a.session),
    see=permissions.can_view_assignment,
)
scoping.register(
    Submission,
    visible=_visible_submissions,
    change=lambda access, s: permissions.can_manage_assignments(access, s.assignment.session),
    see=permissions.can_view_submission,
)


def _visible_surveys(access: Access, qs: QuerySet) -> QuerySet:
    """Survey results: HQ (the lead reads), the session's trainers, the managers of the
    session's branch or of a learner's branch in it."""
    conditions = [scoping.branch_q(access, "session__branch")]
    if access.is_manager:
        their_people = (
            Enrolment.objects.filter(scoping.branch_q(access, "learner__branch"))
            .exclude(status=Enrolment.Status.CANCELLED)
            .values("session_id")
        )
        conditions.append(Q(session_id__in=their_people))
    if access.employee_id is not None:
        conditions.append(Q(session_id__in=sessions_scoping.taught_session_ids(access)))
    return scoping.scoped(qs, access, *conditions)


scoping.register(
    Survey,
    visible=_visible_surveys,
    # Results are read-only; only HQ admins change a survey (its dates, in the admin).
    change=lambda access, s: access.is_hq_admin,
)


def _visible_session_costs(access: Access, qs: QuerySet) -> QuerySet:
    """A session's costs (ROI): whoever may open the session's report (HQ, its trainers, the
    managers of its branch or of a trainer's branch); HQ admins and its trainers change them."""
    if access.is_hq:
        return qs
    return qs.filter(session__in=report_sessions(access).values("pk"))


scoping.register(
    SessionCost,
    visible=_visible_session_costs,
    change=lambda access, cost: permissions.can_enter_session_cost(access, cost.session),
    see=lambda access, cost: can_view_session_report(access, cost.session),
)


def _visible_followups(access: Access, qs: QuerySet) -> QuerySet:
    """Manager follow-ups: the managers they were addressed to, and HQ (reads all). Never the
    learner (they do not see what their manager wrote) nor the session's trainers (they read
    the aggregated figures in the reports)."""
    if access.employee_id is None:
        return scoping.scoped(qs, access)
    addressed = FollowUp.managers.through.objects.filter(employee_id=access.employee_id)
    return scoping.scoped(qs, access, Q(pk__in=addressed.values("followup_id")))


def _is_addressed(access: Access, followup: FollowUp) -> bool:
    return (
        access.employee_id is not None
        and FollowUp.managers.through.objects.filter(
            followup_id=followup.pk, employee_id=access.employee_id
        ).exists()
    )


scoping.register(
    FollowUp,
    visible=_visible_followups,
    # Answering: only an addressed manager; HQ admins read but never answer for a manager.
    change=_is_addressed,
)
