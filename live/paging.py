"""Which questions a snapshot carries, and the pages of older ones (docs/live-protocol.md,
``questions.page``).

A big room's questions do not all travel with every join: a snapshot carries the newest
``SNAPSHOT_NEWEST`` questions and the first ``SNAPSHOT_TOP`` in display order (pinned, votes,
time), plus ``questions_before``: every question with an id at least this one is in the
snapshot, older ones come on request, ``QUESTIONS_PAGE`` at a time, newest first. New
questions always have higher ids, so a client holds every question from its cursor on.
"""

from __future__ import annotations

from live import selectors
from live.models import LiveRoom

SNAPSHOT_NEWEST = 10
SNAPSHOT_TOP = 10
QUESTIONS_PAGE = 50


def snapshot_questions(
    session_id: int, *, staff: bool, reveal: bool
) -> tuple[list[dict], int | None]:
    """The snapshot's questions in display order, and ``questions_before`` (None when the
    snapshot holds them all)."""
    questions = selectors.live_questions(session_id, staff=staff)
    newest = list(questions.order_by("-pk")[:SNAPSHOT_NEWEST])
    chosen = {q.pk: q for q in newest}
    before = None
    if len(newest) == SNAPSHOT_NEWEST and questions.filter(pk__lt=newest[-1].pk).exists():
        before = newest[-1].pk
        for question in questions[:SNAPSHOT_TOP]:  # Question.Meta.ordering: display order
            chosen.setdefault(question.pk, question)
    ordered = sorted(chosen.values(), key=lambda q: (not q.pinned, -q.votes, q.created_at, q.pk))
    return [selectors.question_data(q, staff=staff, reveal=reveal) for q in ordered], before


def questions_page(session_id: int, *, before: int, staff: bool) -> tuple[int, dict]:
    """``(seq, page)``: up to ``QUESTIONS_PAGE`` questions with an id below ``before``,
    newest first, as of seq (read first: the questions are at least that new)."""
    seq = selectors.current_seq(session_id)
    room = LiveRoom.objects.filter(pk=session_id).first()
    reveal = bool(room and room.reveal_anonymous_to_staff)
    rows = list(
        selectors.live_questions(session_id, staff=staff)
        .filter(pk__lt=before)
        .order_by("-pk")[: QUESTIONS_PAGE + 1]
    )
    more = len(rows) > QUESTIONS_PAGE
    rows = rows[:QUESTIONS_PAGE]
    return seq, {
        "questions": [selectors.question_data(q, staff=staff, reveal=reveal) for q in rows],
        "before": rows[-1].pk if more else None,
        "after": before,
    }


def page_apply(page: dict, events: list[dict], *, staff: bool) -> dict:
    """The page with ``events`` (those after its seq) applied, so it is as new as what the
    client was sent. Every question event carries absolute values: applying one the client
    gets later again changes nothing. Only questions of the page's id range are touched."""
    low = page["questions"][-1]["id"] if page["questions"] else page["after"]
    low = low if page["before"] is not None else 0
    questions = {q["id"]: q for q in page["questions"]}

    def in_range(question_id: int) -> bool:
        return low <= question_id < page["after"]

    for event in events:
        kind = event["type"]
        if kind == "question.votes":
            for key, votes in event["counts"].items():
                if int(key) in questions:
                    questions[int(key)]["votes"] = votes
        elif kind in {"question.answered", "question.pinned", "question.hidden"}:
            flag = kind.split(".", 1)[1]
            if "question" in event and in_range(event["id"]):
                questions[event["id"]] = dict(event["question"])
            elif flag == "hidden" and event["hidden"] and not staff:
                questions.pop(event["id"], None)
            elif event["id"] in questions:
                questions[event["id"]][flag] = event[flag]
        elif kind == "room.settings" and staff:
            for key, author in (event.get("authors") or {}).items():
                if int(key) in questions:
                    questions[int(key)]["author"] = author
    ordered = sorted(questions.values(), key=lambda q: -q["id"])
    return {**page, "questions": ordered}
