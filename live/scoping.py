"""Scoping of live rooms, their questions, and recordings (see ``hub.organisation.scoping``).

- A live room (and its results and exports): HQ, the session's trainers, the room's
  moderators, the managers who oversee the session (``hub.sessions.rules.oversees``) and
  its enrolled learners. Its trainers and HQ admins change it (settings, moderation).
- Questions: HQ, the room's trainers and moderators see all; a manager those asked by their
  branches' people (as in the roster); an enrolled learner those not hidden; everyone their
  own. Moderated by the room's staff (trainers, moderators, HQ admins).
- A recording: HQ, its trainers, enrolled learners (who watch it) and the managers who
  oversee the session (who read the progress report). Those who run the session change it.
- Recording progress (who watched what): HQ, the session's trainers, the managers of the
  learner's branch and the learner, who alone writes it (by playing).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hub.organisation import scoping
from hub.organisation.permissions import Access
from hub.sessions import rules as session_rules
from hub.sessions import scoping as sessions_scoping
from hub.sessions.models import Enrolment
from live.models import LiveRoom, Question, RecordingProgress, RecordingSource


def _enrolled_session_ids(access: Access) -> QuerySet:
    return Enrolment.objects.filter(
        learner_id=access.employee_id, status=Enrolment.Status.ENROLLED
    ).values("session_id")


def _moderated_session_ids(access: Access) -> QuerySet:
    return LiveRoom.moderators.through.objects.filter(employee_id=access.employee_id).values(
        "liveroom_id"
    )


def oversee_q(access: Access, path: str = "session") -> Q:
    """Sessions a manager oversees: their branches', and company-wide ones."""
    if not access.is_manager:
        return scoping.NOTHING
    return scoping.branch_q(access, f"{path}__branch") | Q(**{f"{path}__branch__isnull": True})


def _staff_q(access: Access) -> list[Q]:
    """The sessions whose rooms the user works in: taught or moderated."""
    if access.employee_id is None:
        return []
    return [
        Q(session_id__in=sessions_scoping.taught_session_ids(access)),
        Q(session_id__in=_moderated_session_ids(access)),
    ]


def is_room_staff(access: Access, session_id: int) -> bool:
    """Trainers of the session, moderators of its room and HQ admins (who moderate)."""
    if access.is_hq_admin:
        return True
    if access.employee_id is None:
        return False
    return (
        sessions_scoping.taught_session_ids(access).filter(session_id=session_id).exists()
        or _moderated_session_ids(access).filter(liveroom_id=session_id).exists()
    )


def _visible_rooms(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [*_staff_q(access), oversee_q(access)]
    if access.employee_id is not None:
        conditions.append(Q(session_id__in=_enrolled_session_ids(access)))
    return scoping.scoped(qs, access, *conditions)


def _visible_questions(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [
        *_staff_q(access),
        scoping.branch_q(access, "author__branch"),
        scoping.own_q(access, "author"),
    ]
    if access.employee_id is not None:
        conditions.append(Q(session_id__in=_enrolled_session_ids(access), hidden=False))
    return scoping.scoped(qs, access, *conditions)


def _visible_recordings(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [oversee_q(access)]
    if access.employee_id is not None:
        conditions.append(Q(session_id__in=sessions_scoping.taught_session_ids(access)))
        conditions.append(Q(session_id__in=_enrolled_session_ids(access)))
    return scoping.scoped(qs, access, *conditions)


def _visible_progress(access: Access, qs: QuerySet) -> QuerySet:
    conditions = [scoping.branch_q(access, "learner__branch"), scoping.own_q(access, "learner")]
    if access.employee_id is not None:
        conditions.append(Q(session_id__in=sessions_scoping.taught_session_ids(access)))
    return scoping.scoped(qs, access, *conditions)


scoping.register(
    LiveRoom,
    visible=_visible_rooms,
    change=lambda access, room: session_rules.can_run_session(access, room.session),
)
scoping.register(
    Question,
    visible=_visible_questions,
    change=lambda access, question: is_room_staff(access, question.session_id),
)
scoping.register(
    RecordingSource,
    visible=_visible_recordings,
    change=lambda access, source: session_rules.can_run_session(access, source.session),
)
scoping.register(
    RecordingProgress,
    visible=_visible_progress,
    change=lambda access, progress: (
        access.employee_id is not None and progress.learner_id == access.employee_id
    ),
)
