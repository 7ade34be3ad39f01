"""Writes of live rooms. Every change is committed together with the ``LiveEvent`` rows that
announce it (each with the session's next ``seq``), and broadcast only after the commit
(``broadcast.publish_events`` via ``transaction.on_commit``), so HTTP code, consumers and
tests emit the same events and a client never sees an event that was rolled back.

Services raise ``protocol.ProtocolError`` for a refused message; the consumer turns it into
an ``error`` frame. Vote and poll counts are not announced per vote: the room's tick calls
``counts_events_append`` with the ids that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.sessions import rules as session_rules
from hub.sessions.models import Session
from live import broadcast, protocol, selectors
from live.models import LiveEvent, LiveRoom, Poll, PollVote, Question, QuestionVote, RaisedHand
from live.monitor.broadcast import monitor_room_update_sync
from live.monitor.selectors import room_update_kwargs
from live.protocol import ProtocolError
from live.selectors import Admission

MSG_SETTINGS_NOT_ALLOWED = _("Only the session's trainers or HQ may change its live settings.")


@dataclass
class Outcome:
    """What a service did: the id to acknowledge and the events it committed."""

    id: int | None = None
    events: list[LiveEvent] = field(default_factory=list)


def events_append(session_id: int, items: list[tuple[str, dict, dict | None]]) -> list[LiveEvent]:
    """Append events (type, payload, staff payload) with the session's next seq numbers.
    Must run inside a transaction; the counter row stays locked until it commits, so seq
    numbers are handed out in commit order and without gaps. Broadcast after the commit."""
    if not items:
        return []
    LiveRoom.objects.get_or_create(session_id=session_id)
    LiveRoom.objects.filter(pk=session_id).update(last_seq=F("last_seq") + len(items))
    last = LiveRoom.objects.filter(pk=session_id).values_list("last_seq", flat=True).get()
    now = timezone.now()
    events = [
        LiveEvent(
            session_id=session_id,
            seq=last - len(items) + 1 + i,
            type=kind,
            payload=payload,
            staff_payload=staff_payload,
            created_at=now,
        )
        for i, (kind, payload, staff_payload) in enumerate(items)
    ]
    LiveEvent.objects.bulk_create(events)
    transaction.on_commit(lambda: broadcast.publish_events(session_id, events))
    return events


def _live_session(session_id: int) -> Session:
    session = Session.objects.select_related("live_room").get(pk=session_id)
    if session.status != Session.Status.LIVE:
        raise ProtocolError(protocol.SESSION_NOT_LIVE)
    return session


def _question(session_id: int, question_id: int, *, staff: bool, lock: bool = False) -> Question:
    queryset = Question.objects.select_related("author").filter(
        session_id=session_id, origin=Question.Origin.LIVE
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    question = queryset.filter(pk=question_id).first()
    if question is None or (question.hidden and not staff):
        raise ProtocolError(protocol.UNKNOWN_QUESTION)
    return question


def _reveal(session: Session) -> bool:
    return selectors.room_for(session).reveal_anonymous_to_staff


def question_ask(*, who: Admission, text: str, anonymous: bool, client_id: str | None) -> Outcome:
    """Ask a question; a retry with the same client id returns the same question and emits
    nothing. Emits ``question.asked``."""
    session = _live_session(who.session_id)
    if anonymous and not selectors.room_for(session).allow_anonymous:
        raise ProtocolError(protocol.ANONYMOUS_OFF)
    if client_id:
        existing = Question.objects.filter(
            session_id=who.session_id, author_id=who.employee_id, client_id=client_id
        ).first()
        if existing is not None:
            return Outcome(id=existing.pk)
    try:
        with transaction.atomic():
            question = Question.objects.create(
                session_id=who.session_id,
                author_id=who.employee_id,
                text=text,
                anonymous=anonymous,
                client_id=client_id or "",
            )
            question.author.name = who.name
            events = events_append(
                who.session_id,
                [
                    (
                        "question.asked",
                        {"question": selectors.question_data(question, staff=False, reveal=False)},
                        {
                            "question": selectors.question_data(
                                question, staff=True, reveal=_reveal(session)
                            )
                        },
                    )
                ],
            )
    except IntegrityError:  # the same client id raced in from another tab or process
        existing = Question.objects.get(
            session_id=who.session_id, author_id=who.employee_id, client_id=client_id
        )
        return Outcome(id=existing.pk)
    return Outcome(id=question.pk, events=events)


def question_vote(*, who: Admission, question_id: int, up: bool) -> Outcome:
    """Upvote (or take back a vote on) a question: one vote per person, repeats change
    nothing. The new total reaches clients with the room's next ``question.votes``."""
    _live_session(who.session_id)
    with transaction.atomic():
        question = _question(who.session_id, question_id, staff=who.is_staff, lock=True)
        if question.author_id == who.employee_id:
            raise ProtocolError(protocol.NOT_ALLOWED)
        if up:
            _vote, created = QuestionVote.objects.get_or_create(
                question=question, voter_id=who.employee_id
            )
            delta = 1 if created else 0
        else:
            delta = -QuestionVote.objects.filter(
                question=question, voter_id=who.employee_id
            ).delete()[0]
        if delta:
            Question.objects.filter(pk=question.pk).update(votes=F("votes") + delta)
            transaction.on_commit(lambda: counts_changed(who.session_id, questions=[question.pk]))
    return Outcome(id=question.pk)


FLAG_EVENTS = {
    "answered": "question.answered",
    "pinned": "question.pinned",
    "hidden": "question.hidden",
}


def question_flag(*, who: Admission, question_id: int, flag: str, value: bool) -> Outcome:
    """Staff mark a question answered, pinned or hidden (or undo it). Setting a flag to the
    value it has emits nothing. Emits ``question.answered`` / ``.pinned`` / ``.hidden``."""
    if not who.is_staff:
        raise ProtocolError(protocol.NOT_ALLOWED)
    session = _live_session(who.session_id)
    with transaction.atomic():
        question = _question(who.session_id, question_id, staff=True, lock=True)
        if getattr(question, flag) == value:
            return Outcome(id=question.pk)
        setattr(question, flag, value)
        changed = [flag]
        if flag == "answered":
            question.answered_by_id = who.employee_id if value else None
            question.answered_at = timezone.now() if value else None
            changed += ["answered_by", "answered_at"]
        question.save(update_fields=changed)
        payload = {"id": question.pk, flag: value}
        staff_payload = None
        if flag == "hidden":
            full = selectors.question_data(question, staff=True, reveal=_reveal(session))
            staff_payload = {**payload, "question": full}
            if not value:  # shown again: learners need the question itself
                payload["question"] = selectors.question_data(question, staff=False, reveal=False)
        events = events_append(who.session_id, [(FLAG_EVENTS[flag], payload, staff_payload)])
    return Outcome(id=question.pk, events=events)


def _may_run_polls(who: Admission) -> bool:
    return who.role in {"trainer", "hq"}


def poll_open(
    *,
    who: Admission,
    prompt: str,
    options: list[str],
    kind: str,
    quiz: bool,
    correct: list[int],
    client_id: str | None,
) -> Outcome:
    """A trainer or HQ opens a poll (a quiz when it has correct options). A retry with the
    same client id opens nothing new. Emits ``poll.opened``."""
    if not _may_run_polls(who):
        raise ProtocolError(protocol.NOT_ALLOWED)
    _live_session(who.session_id)
    if client_id:
        existing = Poll.objects.filter(
            session_id=who.session_id, opened_by_id=who.employee_id, client_id=client_id
        ).first()
        if existing is not None:
            return Outcome(id=existing.pk)
    with transaction.atomic():
        poll = Poll.objects.create(
            session_id=who.session_id,
            prompt=prompt,
            options=options,
            kind=kind,
            is_quiz=quiz,
            correct=correct if quiz else [],
            opened_by_id=who.employee_id,
            client_id=client_id or "",
        )
        events = events_append(
            who.session_id, [("poll.opened", {"poll": selectors.poll_data(poll, [])}, None)]
        )
    return Outcome(id=poll.pk, events=events)


def _poll(session_id: int, poll_id: int, *, lock: bool = False) -> Poll:
    queryset = Poll.objects.filter(session_id=session_id)
    if lock:
        queryset = queryset.select_for_update()
    poll = queryset.filter(pk=poll_id).first()
    if poll is None:
        raise ProtocolError(protocol.UNKNOWN_POLL)
    return poll


def poll_close(*, who: Admission, poll_id: int) -> Outcome:
    """Close a poll: final counts, and the correct options of a quiz. Closing a closed poll
    emits nothing. Emits ``poll.closed``."""
    if not _may_run_polls(who):
        raise ProtocolError(protocol.NOT_ALLOWED)
    with transaction.atomic():
        poll = _poll(who.session_id, poll_id, lock=True)
        if poll.status == Poll.Status.CLOSED:
            return Outcome(id=poll.pk)
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        votes = selectors.poll_votes([poll.pk])[poll.pk]
        events = events_append(
            who.session_id, [("poll.closed", {"poll": selectors.poll_data(poll, votes)}, None)]
        )
    return Outcome(id=poll.pk, events=events)


def poll_vote(*, who: Admission, poll_id: int, choices: list[int]) -> Outcome:
    """One vote per person per poll; the same vote again is acknowledged (a retry), a
    different one is refused. Counts reach clients with the room's next ``poll.counts``."""
    _live_session(who.session_id)
    with transaction.atomic():
        poll = _poll(who.session_id, poll_id)
        if poll.status != Poll.Status.OPEN:
            raise ProtocolError(protocol.POLL_CLOSED)
        if any(c >= len(poll.options) for c in choices) or (
            poll.kind == Poll.Kind.SINGLE and len(choices) != 1
        ):
            raise ProtocolError(protocol.INVALID, "(choices)")
        existing = PollVote.objects.filter(poll=poll, voter_id=who.employee_id).first()
        if existing is not None:
            if existing.choices == choices:
                return Outcome(id=poll.pk)
            raise ProtocolError(protocol.ALREADY_VOTED)
        try:
            with transaction.atomic():
                PollVote.objects.create(poll=poll, voter_id=who.employee_id, choices=choices)
        except IntegrityError:
            raise ProtocolError(protocol.ALREADY_VOTED) from None
        transaction.on_commit(lambda: counts_changed(who.session_id, polls=[poll.pk]))
    return Outcome(id=poll.pk)


def hand_set(*, who: Admission, raised: bool) -> Outcome:
    """Raise or lower one's hand; repeating changes nothing. Emits ``hand.changed``."""
    _live_session(who.session_id)
    with transaction.atomic():
        if raised:
            _hand, changed = RaisedHand.objects.get_or_create(
                session_id=who.session_id, employee_id=who.employee_id
            )
        else:
            changed = bool(
                RaisedHand.objects.filter(
                    session_id=who.session_id, employee_id=who.employee_id
                ).delete()[0]
            )
        if not changed:
            return Outcome()
        hands = selectors.hands_raised(who.session_id)
        events = events_append(
            who.session_id,
            [("hand.changed", {"raised": len(hands)}, {"raised": len(hands), "hands": hands})],
        )
    return Outcome(events=events)


def counts_events_append(*, session_id: int, questions=(), polls=()) -> list[LiveEvent]:
    """One ``question.votes`` and/or ``poll.counts`` event with the current totals of the
    given questions / polls (read under the counter lock, so a later seq never carries an
    older total)."""
    with transaction.atomic():
        LiveRoom.objects.get_or_create(session_id=session_id)
        LiveRoom.objects.filter(pk=session_id).update(last_seq=F("last_seq"))  # lock
        items = []
        if questions:
            counts = dict(
                Question.objects.filter(session_id=session_id, pk__in=list(questions)).values_list(
                    "pk", "votes"
                )
            )
            items.append(
                ("question.votes", {"counts": {str(k): v for k, v in counts.items()}}, None)
            )
        if polls:
            found = list(Poll.objects.filter(session_id=session_id, pk__in=list(polls)))
            votes = selectors.poll_votes([p.pk for p in found])
            data = {str(p.pk): selectors.poll_counts(p, votes[p.pk]) for p in found}
            items.append(("poll.counts", {"counts": data}, None))
        return events_append(session_id, items)


def counts_changed(session_id: int, *, questions=(), polls=()) -> None:
    """After the commit of a vote: the room this process serves announces the new totals with
    its next tick; without one, they are announced at once (``counts_events_append``)."""
    room = broadcast.local_room(session_id)
    if room is not None:
        room.loop.call_soon_threadsafe(room.mark_dirty, list(questions), list(polls))
    else:
        counts_events_append(session_id=session_id, questions=questions, polls=polls)


def room_start(*, session: Session) -> None:
    """Inside ``session_start``'s transaction: an online session gets its room."""
    if session.mode != Session.Mode.LIVE_ONLINE:
        return
    LiveRoom.objects.get_or_create(session=session)
    transaction.on_commit(lambda: monitor_publish(session_id=session.pk))


def room_settings_update(
    *,
    session: Session,
    actor,
    stream_kind: str,
    allow_anonymous: bool,
    reveal_anonymous_to_staff: bool,
) -> LiveRoom:
    """The session's trainers or HQ choose the video kind and the anonymity rules."""
    if not session_rules.can_run_session(actor, session):
        raise PermissionDenied(MSG_SETTINGS_NOT_ALLOWED)
    with transaction.atomic():
        room, _created = LiveRoom.objects.select_for_update().get_or_create(session=session)
        before = (room.stream_kind, room.allow_anonymous, room.reveal_anonymous_to_staff)
        room.stream_kind = stream_kind
        room.allow_anonymous = allow_anonymous
        room.reveal_anonymous_to_staff = reveal_anonymous_to_staff
        room.full_clean()
        room.save(update_fields=["stream_kind", "allow_anonymous", "reveal_anonymous_to_staff"])
        after = (room.stream_kind, room.allow_anonymous, room.reveal_anonymous_to_staff)
        if after != before and session.status == Session.Status.LIVE:
            revealed = before[2] != after[2]
            events_append(session.pk, [_settings_event(session, room, authors=revealed)])
    return room


def _settings_event(session: Session, room: LiveRoom, *, authors: bool) -> tuple:
    """``room.settings``: what learners see of the settings; staff also get whether askers
    are revealed and, when that changed, the author (or null) of every anonymous question."""
    payload = {
        "allow_anonymous": room.allow_anonymous,
        "stream": selectors.room_stream(session, room=room),
    }
    staff = {**payload, "reveal_anonymous_to_staff": room.reveal_anonymous_to_staff}
    if authors:
        anonymous = selectors.live_questions(session.pk, staff=True).filter(anonymous=True)
        staff["authors"] = {
            str(q.pk): selectors.question_data(
                q, staff=True, reveal=room.reveal_anonymous_to_staff
            )["author"]
            for q in anonymous
        }
    return ("room.settings", payload, staff)


def monitor_publish(*, session_id: int) -> None:
    """Send the room's figures to the HQ live monitor."""
    figures = room_update_kwargs(session_id=session_id)
    if figures is not None:
        monitor_room_update_sync(**figures)
