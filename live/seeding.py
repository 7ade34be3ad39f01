"""The demo's live room: a session of the demo trainer that is live now, with the demo
learner and colleagues enrolled and a few questions and a closed quiz already in it, so a
trainer and a learner can run it end to end in two browsers."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone

from hub.organisation.models import Employee
from hub.registry import seed_step
from hub.sessions.models import Enrolment, Session
from hub.sessions.services import seat_status, session_start
from live import selectors, services
from live.models import LiveRoom
from live.recordings.seeding import seed_recordings

DEMO_TITLE = "直播答疑：连带销售实战"
QUESTIONS = [
    ("客户只买一件时，怎么自然地推荐第二件？", False),
    ("会员日的连带率目标是怎么定的？", True),
    ("新人第一周最该练哪一句话术？", False),
]


def seed_live_room() -> Counter[str]:
    """Idempotent: once the demo live session exists, adds nothing. Preconditions: the demo
    people are written (``trainer`` and ``learner`` accounts)."""
    created: Counter[str] = Counter()
    if Session.objects.filter(title=DEMO_TITLE).exists():
        return created
    trainer = Employee.objects.filter(user__username="trainer").first()
    learner = Employee.objects.filter(user__username="learner").first()
    if trainer is None or learner is None:
        return created
    colleagues = list(
        Employee.objects.current()
        .filter(branch=learner.branch)
        .exclude(pk__in=[trainer.pk, learner.pk])
        .order_by("pk")[:24]
    )
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    with transaction.atomic():
        session = Session.objects.create(
            title=DEMO_TITLE,
            mode=Session.Mode.LIVE_ONLINE,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            capacity=60,
            description="讲师现场答疑：提问、点赞、投票和举手都在右侧。",
        )
        session.trainers.set([trainer])
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    session=session,
                    learner=person,
                    status=seat_status(enrolled=index, capacity=session.capacity),
                )
                for index, person in enumerate([learner, *colleagues])
            ]
        )
        LiveRoom.objects.create(session=session, stream_kind=LiveRoom.StreamKind.NONE)
        # Live the way every session goes live: the trainer starts it.
        session = session_start(session=session, actor=trainer.user)
    created["live sessions"] += 1
    for person, (text, anonymous) in zip(colleagues, QUESTIONS, strict=False):
        who = selectors.admission(person.user, session.pk)
        services.question_ask(who=who, text=text, anonymous=anonymous, client_id=None)
        created["live questions"] += 1
    quiz = services.poll_open(
        who=selectors.admission(trainer.user, session.pk),
        prompt="连带销售的第一步是什么？",
        options=["了解顾客需求", "直接推荐高价商品", "先给折扣"],
        kind="single",
        quiz=True,
        correct=[0],
        client_id=None,
    )
    for person in colleagues[:10]:
        services.poll_vote(
            who=selectors.admission(person.user, session.pk), poll_id=quiz.id, choices=[0]
        )
    services.poll_close(who=selectors.admission(trainer.user, session.pk), poll_id=quiz.id)
    return created


@seed_step(order=30, name="recordings")
def seed_recordings_step(**kwargs) -> Counter[str]:
    """After the sessions: the demo recording plays the library's demo video."""
    return seed_recordings()


@seed_step(order=40, name="live room")
def seed_live_room_step(**kwargs) -> Counter[str]:
    return seed_live_room()
