"""The snapshot a client gets on join: its shared part, composed of the room's reads
(``live.selectors``) and the questions it carries (``live.paging``)."""

from __future__ import annotations

from hub.sessions.models import Session
from live import paging, selectors
from live.models import Poll


def snapshot_parts(session_id: int) -> tuple[int, dict, dict]:
    """The shared part of a snapshot, for learners and for staff: ``(seq, learner, staff)``.
    Personal fields (``me``) are added per connection (``me_state``). Big rooms' older
    questions are left out (``live.paging``)."""
    session = Session.objects.select_related("live_room").get(pk=session_id)
    room = selectors.room_for(session)
    seq = selectors.current_seq(session_id)
    learner_questions, learner_before = paging.snapshot_questions(
        session_id, staff=False, reveal=False
    )
    staff_questions, staff_before = paging.snapshot_questions(
        session_id, staff=True, reveal=room.reveal_anonymous_to_staff
    )
    polls = list(Poll.objects.filter(session_id=session_id))
    votes = selectors.poll_votes([p.pk for p in polls])
    present = selectors.present_employee_ids(session_id)
    hands = selectors.hands_raised(session_id)
    head = {
        "id": session.pk,
        "title": session.title,
        "status": session.status,
        "starts_at": selectors.iso(session.starts_at),
        "ends_at": selectors.iso(session.ends_at),
        "stream": selectors.room_stream(session),
        "allow_anonymous": room.allow_anonymous,
    }
    polls_data = [selectors.poll_data(p, votes[p.pk]) for p in polls]
    learner = {
        "type": "snapshot",
        "seq": seq,
        "session": head,
        "questions": learner_questions,
        "questions_before": learner_before,
        "polls": polls_data,
        "presence": {"present": len(present)},
        "hands": {"raised": len(hands)},
    }
    staff = {
        **learner,
        "questions": staff_questions,
        "questions_before": staff_before,
        "session": {**head, "reveal_anonymous_to_staff": room.reveal_anonymous_to_staff},
        "hands": {"raised": len(hands), "hands": hands},
        "roster": selectors.roster(session, present=present, hands=hands),
    }
    return seq, learner, staff
