"""Reads of a session's results after it ended: who may see them, its questions and its poll
and quiz results. The results page and the question exports share these.

Who sees what:

- **staff view** (may export): the session's trainers and moderators, HQ, and managers of
  the session's branch (of any branch for a company-wide session, as for the roster). They
  see hidden questions, marked hidden; a manager sees only the questions of their branches'
  people, as in the roster (``live.scoping``).
- **learner view**: learners enrolled in the session (not waitlisted or cancelled). No
  hidden questions.
- Who asked an anonymous question is shown only to trainers, moderators and HQ, and only
  when the room has ``reveal_anonymous_to_staff``; never to managers or learners.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from hub.organisation.permissions import Access, access_for
from hub.sessions.models import Enrolment, Session
from hub.sessions.rules import is_session_trainer, oversees
from live.models import LiveRoom, Poll, PollVote, Question

RESULTS_NOT_READY = _("Results and question exports are available once the session has ended.")


@dataclass(frozen=True)
class ResultsView:
    staff: bool
    reveal_anonymous: bool
    # Whose view it is: the questions are those ``live.scoping`` lets them see (a manager:
    # their branches' people's, as in the roster).
    viewer: Access | None = None


def session_for_results(*, session_id: int) -> Session | None:
    return (
        Session.objects.select_related("branch", "live_room")
        .prefetch_related("trainers")
        .filter(pk=session_id)
        .first()
    )


def _room(session: Session) -> LiveRoom | None:
    try:
        return session.live_room
    except LiveRoom.DoesNotExist:
        return None


def results_view(*, user, session: Session) -> ResultsView | None:
    """How ``user`` sees the results of ``session``; None: not at all (→ 403)."""
    access = access_for(user)
    room = _room(session)
    reveal = room is not None and room.reveal_anonymous_to_staff
    if access.is_hq or is_session_trainer(user, session):
        return ResultsView(staff=True, reveal_anonymous=reveal, viewer=access)
    if access.employee_id is None:
        return None
    if room is not None and room.moderators.filter(pk=access.employee_id).exists():
        return ResultsView(staff=True, reveal_anonymous=reveal, viewer=access)
    if oversees(access, session):
        return ResultsView(staff=True, reveal_anonymous=False, viewer=access)
    enrolled = Enrolment.objects.filter(
        session=session, learner_id=access.employee_id, status=Enrolment.Status.ENROLLED
    ).exists()
    return ResultsView(staff=False, reveal_anonymous=False, viewer=access) if enrolled else None


def results_ready(session: Session) -> bool:
    return session.status == Session.Status.ENDED


@dataclass(frozen=True)
class QuestionRow:
    id: int
    text: str
    # None for an anonymous question the viewer may not attribute.
    asker: str | None
    anonymous: bool
    votes: int
    answered: bool
    pinned: bool
    hidden: bool
    answer: str
    answered_by: str | None
    asked_at: dt.datetime
    origin: str
    origin_label: str
    position_seconds: int | None


def result_questions(*, session: Session, view: ResultsView) -> list[QuestionRow]:
    """The session's questions, pinned first then by votes (one query). Hidden questions only
    in the staff view; the asker of an anonymous question only when the view reveals it."""
    questions = Question.objects.filter(session=session).select_related("author", "answered_by")
    if view.viewer is not None:
        questions = questions.visible_to(view.viewer)
    if not view.staff:
        questions = questions.filter(hidden=False)
    return [
        QuestionRow(
            id=question.pk,
            text=question.text,
            asker=(
                question.author.name if not question.anonymous or view.reveal_anonymous else None
            ),
            anonymous=question.anonymous,
            votes=question.votes,
            answered=question.answered,
            pinned=question.pinned,
            hidden=question.hidden,
            answer=question.answer,
            answered_by=question.answered_by.name if question.answered_by_id else None,
            asked_at=question.created_at,
            origin=question.origin,
            origin_label=str(question.get_origin_display()),
            position_seconds=question.position_seconds,
        )
        for question in questions
    ]


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int
    percent: int
    correct: bool


@dataclass(frozen=True)
class PollResult:
    id: int
    prompt: str
    kind: str
    kind_label: str
    is_quiz: bool
    status: str
    voters: int
    options: list[OptionResult]
    # Voters whose choices are exactly the right ones (quizzes only).
    correct_voters: int | None


def result_polls(*, session: Session) -> list[PollResult]:
    """Every poll and quiz of the session with counts per option, voters and, for quizzes,
    the right options and how many got them all (two queries)."""
    polls = list(Poll.objects.filter(session=session))
    votes: dict[int, list[list]] = {poll.pk: [] for poll in polls}
    for poll_id, choices in PollVote.objects.filter(poll__session=session).values_list(
        "poll_id", "choices"
    ):
        votes[poll_id].append(choices if isinstance(choices, list) else [])
    results = []
    for poll in polls:
        options = [str(option) for option in poll.options]
        counts = [0] * len(options)
        for choices in votes[poll.pk]:
            for index in set(choices):
                if isinstance(index, int) and 0 <= index < len(counts):
                    counts[index] += 1
        voters = len(votes[poll.pk])
        correct = {i for i in poll.correct if isinstance(i, int)} if poll.is_quiz else set()
        results.append(
            PollResult(
                id=poll.pk,
                prompt=poll.prompt,
                kind=poll.kind,
                kind_label=str(poll.get_kind_display()),
                is_quiz=poll.is_quiz,
                status=poll.status,
                voters=voters,
                options=[
                    OptionResult(
                        label=label,
                        count=counts[i],
                        percent=round(counts[i] * 100 / voters) if voters else 0,
                        correct=i in correct,
                    )
                    for i, label in enumerate(options)
                ],
                correct_voters=(
                    sum(1 for choices in votes[poll.pk] if set(choices) == correct)
                    if poll.is_quiz
                    else None
                ),
            )
        )
    return results
