"""Reads of live rooms: who may join and as what, the stream to show, the snapshot a client
gets on join, and the events a resuming client missed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.organisation.models import Employee
from hub.organisation.permissions import access_for
from hub.sessions import rules as session_rules
from hub.sessions.models import Enrolment, Session, SessionSettings
from live import protocol
from live.models import LiveEvent, LiveRoom, Poll, PollVote, PresenceInterval, Question, RaisedHand

STAFF_ROLES = {"trainer", "moderator", "hq"}
# An open interval whose last heartbeat is older than this is a dropped connection.
PRESENCE_STALE = dt.timedelta(seconds=60)


def room_for(session: Session) -> LiveRoom:
    """The session's room settings (unsaved defaults when it has none yet)."""
    try:
        return session.live_room
    except LiveRoom.DoesNotExist:
        return LiveRoom(session=session)


def room_access(user, session: Session) -> str | None:
    """The role ``user`` has in the session's live room, or None if they may not join:
    ``hq`` (an HQ admin: staff in every room), ``trainer`` (of this session), ``moderator``
    (named on the room), or ``learner`` (enrolled, not waitlisted). The training lead reads
    the monitor and the results but is not staff in a room."""
    if not user.is_authenticated:
        return None
    access = access_for(user)
    if session_rules.is_session_trainer(user, session):
        return "trainer"
    if access.is_hq_admin:
        return "hq"
    if access.employee_id is None:
        return None
    if LiveRoom.moderators.through.objects.filter(
        liveroom_id=session.pk, employee_id=access.employee_id
    ).exists():
        return "moderator"
    if Enrolment.objects.filter(
        session=session, learner_id=access.employee_id, status=Enrolment.Status.ENROLLED
    ).exists():
        return "learner"
    return None


def room_stream(session: Session, room: LiveRoom | None = None) -> dict:
    """What the live page embeds: ``{"kind": "hls"|"iframe"|"none", "url": ...}``."""
    url = session.stream_url
    kind = (room or room_for(session)).stream_kind
    if not url or kind == LiveRoom.StreamKind.NONE:
        return {"kind": "none", "url": ""}
    if kind == LiveRoom.StreamKind.AUTO:
        kind = "hls" if url.split("?", 1)[0].lower().endswith(".m3u8") else "iframe"
    return {"kind": str(kind), "url": url}


@dataclass(frozen=True)
class Admission:
    """A user let into a room, as the consumer keeps it for the connection's life."""

    session_id: int
    employee_id: int
    name: str
    branch: str
    role: str
    enrolment_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


@dataclass(frozen=True)
class Refusal:
    code: int
    reason: str


def admission(user, session_id: int) -> Admission | Refusal:
    """Let ``user`` into session ``session_id``'s room, or say why not (close code + reason).
    Checked in this order: logged in (4401), the session exists (4404), the user may join
    it (4403), it is held online (4409) and live (4409)."""
    if user is None or not user.is_authenticated:
        return Refusal(protocol.CLOSE_NOT_LOGGED_IN, _("Please log in."))
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return Refusal(protocol.CLOSE_NO_SESSION, _("There is no such session."))
    role = room_access(user, session)
    employee = Employee.objects.select_related("branch").filter(user=user).first()
    if role is None or employee is None:
        return Refusal(protocol.CLOSE_NOT_ALLOWED, _("You are not enrolled in this session."))
    if session.mode != Session.Mode.LIVE_ONLINE:
        return Refusal(
            protocol.CLOSE_NOT_LIVE, _("This session is not held online: it has no live room.")
        )
    if session.status != Session.Status.LIVE:
        return Refusal(protocol.CLOSE_NOT_LIVE, _("The session is not live."))
    enrolment_id = None
    if role == "learner":
        enrolment_id = (
            Enrolment.objects.filter(session=session, learner=employee)
            .values_list("pk", flat=True)
            .first()
        )
    return Admission(
        session_id=session.pk,
        employee_id=employee.pk,
        name=employee.name,
        branch=employee.branch.name,
        role=role,
        enrolment_id=enrolment_id,
    )


# --- serialising -------------------------------------------------------------------------


def iso(value: dt.datetime | None) -> str | None:
    """A time as the protocol sends it: local ISO 8601, or None."""
    return timezone.localtime(value).isoformat() if value else None


def question_data(question: Question, *, staff: bool, reveal: bool) -> dict:
    """A question as the protocol shows it to staff or to learners."""
    show_author = not question.anonymous or (staff and reveal)
    return {
        "id": question.pk,
        "text": question.text,
        "author": (
            {"id": question.author_id, "name": question.author.name} if show_author else None
        ),
        "anonymous": question.anonymous,
        "votes": question.votes,
        "answered": question.answered,
        "pinned": question.pinned,
        "hidden": question.hidden,
        "asked_at": iso(question.created_at),
    }


def poll_counts(poll: Poll, votes: list[list[int]]) -> dict:
    counts = [0] * len(poll.options)
    for choices in votes:
        for index in choices:
            if 0 <= index < len(counts):
                counts[index] += 1
    return {"counts": counts, "voters": len(votes)}


def poll_data(poll: Poll, votes: list[list[int]]) -> dict:
    closed = poll.status == Poll.Status.CLOSED
    return {
        "id": poll.pk,
        "prompt": poll.prompt,
        "kind": poll.kind,
        "quiz": poll.is_quiz,
        "options": poll.options,
        "status": poll.status,
        **poll_counts(poll, votes),
        "correct": poll.correct if (poll.is_quiz and closed) else None,
        "opened_at": iso(poll.opened_at),
        "closed_at": iso(poll.closed_at),
    }


def poll_votes(poll_ids) -> dict[int, list[list[int]]]:
    votes: dict[int, list[list[int]]] = {pk: [] for pk in poll_ids}
    for poll_id, choices in PollVote.objects.filter(poll_id__in=list(poll_ids)).values_list(
        "poll_id", "choices"
    ):
        votes[poll_id].append(choices)
    return votes


def live_questions(session_id: int, *, staff: bool):
    queryset = Question.objects.filter(
        session_id=session_id, origin=Question.Origin.LIVE
    ).select_related("author")
    return queryset if staff else queryset.filter(hidden=False)


def present_employee_ids(session_id: int, now: dt.datetime | None = None) -> set[int]:
    """Employees with an open connection whose last heartbeat is recent."""
    now = now or timezone.now()
    return set(
        PresenceInterval.objects.filter(
            session_id=session_id, left_at__isnull=True, last_seen_at__gte=now - PRESENCE_STALE
        ).values_list("employee_id", flat=True)
    )


def hands_raised(session_id: int) -> list[int]:
    return list(
        RaisedHand.objects.filter(session_id=session_id)
        .order_by("raised_at", "pk")
        .values_list("employee_id", flat=True)
    )


def roster_learner_ids(session: Session):
    """Who the roster is about: the session's enrolled learners, never its trainers (staff —
    trainers, moderators, HQ — have no attendance: they cannot be "late")."""
    return (
        Enrolment.objects.filter(session=session, status=Enrolment.Status.ENROLLED)
        .exclude(learner__in=session.trainers.all())
        .values("learner_id")
    )


def roster(session: Session, *, present: set[int], hands: list[int]) -> list[dict]:
    """Every learner who has joined the room: present now, joined late, left early."""
    settings = SessionSettings.load()
    late_after = session_rules.late_after(
        starts_at=session.starts_at, late_after_minutes=settings.late_after_minutes
    )
    first_join: dict[int, dt.datetime] = {}
    rows = (
        PresenceInterval.objects.filter(
            session=session, employee_id__in=roster_learner_ids(session)
        )
        .values("employee_id")
        .annotate(first=Min("joined_at"))
    )
    for row in rows:
        first_join[row["employee_id"]] = row["first"]
    people = Employee.objects.filter(pk__in=list(first_join)).select_related("branch")
    raised = set(hands)
    entries = []
    for person in sorted(people, key=lambda p: (first_join[p.pk], p.pk)):
        entries.append(
            roster_entry(
                person.pk,
                person.name,
                person.branch.name,
                joined_at=first_join[person.pk],
                late_after=late_after,
                present=person.pk in present,
                hand_raised=person.pk in raised,
                live=session.status == Session.Status.LIVE,
            )
        )
    return entries


def roster_entry(
    employee_id: int,
    name: str,
    branch: str,
    *,
    joined_at: dt.datetime,
    late_after: dt.datetime,
    present: bool,
    hand_raised: bool = False,
    live: bool = True,
) -> dict:
    return {
        "id": employee_id,
        "name": name,
        "branch": branch,
        "present": present,
        "joined_at": iso(joined_at),
        "late": session_rules.is_late(joined_at, late_after),
        "left_early": not present and live,
        "hand_raised": hand_raised,
    }


def me_state(admitted: Admission) -> dict:
    """The personal part of a snapshot."""
    session_id, employee_id = admitted.session_id, admitted.employee_id
    return {
        "id": employee_id,
        "name": admitted.name,
        "role": admitted.role,
        "votes": list(
            Question.objects.filter(
                session_id=session_id, vote_set__voter_id=employee_id
            ).values_list("pk", flat=True)
        ),
        "questions": list(
            Question.objects.filter(
                session_id=session_id, author_id=employee_id, origin=Question.Origin.LIVE
            ).values_list("pk", flat=True)
        ),
        "polls": {
            str(poll_id): choices
            for poll_id, choices in PollVote.objects.filter(
                poll__session_id=session_id, voter_id=employee_id
            ).values_list("poll_id", "choices")
        },
        "hand_raised": RaisedHand.objects.filter(
            session_id=session_id, employee_id=employee_id
        ).exists(),
    }


def event_data(event: LiveEvent, *, staff: bool) -> dict:
    payload = event.staff_payload if staff and event.staff_payload is not None else event.payload
    return {"seq": event.seq, "type": event.type, **payload}


def current_seq(session_id: int) -> int:
    """The seq of the session's latest committed event."""
    return LiveRoom.objects.filter(pk=session_id).values_list("last_seq", flat=True).first() or 0


def events_since(session_id: int, last_seq: int, *, staff: bool) -> list[dict] | None:
    """The events after ``last_seq`` in order, or None when there are too many to replay
    (the client then gets a snapshot)."""
    events = list(
        LiveEvent.objects.filter(session_id=session_id, seq__gt=last_seq).order_by("seq")[
            : protocol.RESUME_MAX_EVENTS + 1
        ]
    )
    if len(events) > protocol.RESUME_MAX_EVENTS:
        return None
    if events and events[0].seq != last_seq + 1:
        return None
    return [event_data(e, staff=staff) for e in events]
