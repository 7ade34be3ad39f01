"""Who may do what with assignments, built on ``hub.organisation.permissions``.

- The session's trainers and HQ admins manage a session's assignments and grade; they and the
  training lead (HQ, read only) see every submission and grade.
- A learner sees the assignments of sessions they are enrolled in (or once submitted to), and
  only their own submissions and grades.
- A branch manager may read (never grade) the submissions and grades of their branches'
  learners: they answer for who has been trained in their branch.

The querysets of the same rules are in ``evaluation.scoping``.
"""

from __future__ import annotations

from evaluation.models import Assignment, Submission
from hub.organisation import scoping
from hub.organisation.permissions import access_for
from hub.sessions.models import Enrolment, Session
from hub.sessions.rules import is_session_trainer


def can_manage_assignments(user, session: Session) -> bool:
    """Create, edit, grade: the session's trainers and HQ admins."""
    return access_for(user).is_hq_admin or is_session_trainer(user, session)


def can_read_all_work(user, session: Session) -> bool:
    """See every assignment, submission and grade of a session: its trainers and HQ (the
    training lead included)."""
    return access_for(user).is_hq or is_session_trainer(user, session)


def is_enrolled(user, session: Session) -> bool:
    access = access_for(user)
    return (
        access.employee_id is not None
        and Enrolment.objects.filter(
            session=session, learner_id=access.employee_id, status=Enrolment.Status.ENROLLED
        ).exists()
    )


def manages_a_learner_of(user, session: Session) -> bool:
    """A branch manager with at least one learner of their branches enrolled in ``session``."""
    access = access_for(user)
    return access.is_manager and (
        Enrolment.objects.filter(scoping.branch_q(access, "learner__branch"), session=session)
        .exclude(status=Enrolment.Status.CANCELLED)
        .exists()
    )


def can_view_session_assignments(user, session: Session) -> bool:
    """The session's assignment list: its trainers, HQ, enrolled learners and the managers of
    an enrolled learner's branch."""
    return (
        can_read_all_work(user, session)
        or is_enrolled(user, session)
        or manages_a_learner_of(user, session)
    )


def can_view_assignment(user, assignment: Assignment) -> bool:
    access = access_for(user)
    session = assignment.session
    if can_read_all_work(user, session) or is_enrolled(user, session):
        return True
    if (
        access.employee_id is not None
        and Submission.objects.filter(assignment=assignment, learner_id=access.employee_id).exists()
    ):
        return True  # enrolment cancelled later: their own work and grade stay visible
    return manages_a_learner_of(user, session)


def can_view_submission(user, submission: Submission) -> bool:
    """The learner who wrote it, the session's trainers, HQ, and the learner's branch manager."""
    access = access_for(user)
    if access.employee_id is not None and submission.learner_id == access.employee_id:
        return True
    if access.manages(submission.learner.branch_id):
        return True
    return can_read_all_work(user, submission.assignment.session)


def can_enter_session_cost(user, session: Session) -> bool:
    """Type a session's venue and materials costs (ROI): HQ admins and the session's trainers
    (not the read-only training lead)."""
    return access_for(user).is_hq_admin or is_session_trainer(user, session)
