"""Builders of live-room data for the monitor, results and export tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from hub.sessions.models import Session
from live.models import LiveRoom, Poll, PollVote, PresenceInterval, Question, RaisedHand
from tests.factories import SessionFactory
from tests.hub.sessions.helpers import make_trainer

_connections = itertools.count(1)

__all__ = [
    "ask",
    "ended_session",
    "live_session",
    "make_trainer",
    "open_poll",
    "present",
    "raise_hand",
    "vote",
]


def live_session(*, trainers=(), **kwargs) -> Session:
    """A live online session that started ten minutes ago, with its room."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    session = SessionFactory(
        trainers=list(trainers),
        status=Session.Status.LIVE,
        mode=Session.Mode.LIVE_ONLINE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        **kwargs,
    )
    LiveRoom.objects.create(session=session)
    return session


def ended_session(*, trainers=(), reveal_anonymous: bool = False, **kwargs) -> Session:
    """A live online session that ended yesterday, with its room."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    session = SessionFactory(
        trainers=list(trainers),
        status=Session.Status.ENDED,
        mode=Session.Mode.LIVE_ONLINE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        **kwargs,
    )
    LiveRoom.objects.create(session=session, reveal_anonymous_to_staff=reveal_anonymous)
    return session


def present(session, employee, *, seen_seconds_ago: int = 5, left: bool = False):
    now = timezone.now()
    return PresenceInterval.objects.create(
        session=session,
        employee=employee,
        connection=f"conn-{next(_connections)}",
        joined_at=now - dt.timedelta(minutes=5),
        last_seen_at=now - dt.timedelta(seconds=seen_seconds_ago),
        left_at=now if left else None,
    )


def ask(session, author, text: str = "怎么做连带销售", **kwargs) -> Question:
    return Question.objects.create(session=session, author=author, text=text, **kwargs)


def raise_hand(session, employee) -> RaisedHand:
    return RaisedHand.objects.create(session=session, employee=employee)


def open_poll(session, *, options=("甲", "乙", "丙"), **kwargs) -> Poll:
    kwargs.setdefault("prompt", "哪一种方式最有效")
    return Poll.objects.create(session=session, options=list(options), **kwargs)


def vote(poll, voter, choices) -> PollVote:
    return PollVote.objects.create(poll=poll, voter=voter, choices=list(choices))
