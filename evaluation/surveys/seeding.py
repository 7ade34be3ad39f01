"""Demo survey responses: every ended demo session gets its survey on the default template,
invitations for its completers and responses with a realistic spread (most sessions well
liked, a few middling, some with fewer than 3 responses so "not enough responses" shows),
written in bulk. Registered as a seed step by ``evaluation.seeding``.

Idempotent: a session that already has a survey is skipped whole.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone

from evaluation.surveys import rules
from evaluation.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyReceipt,
    SurveyResponse,
    SurveySettings,
)
from evaluation.surveys.services import default_template, questions_of
from hub.sessions.models import Enrolment, Session

BATCH_SIZE = 2000
FEW_SHARE = 0.15  # sessions with only 0-2 responses
COMMENTS = [
    "案例很贴近门店实际，希望多安排练习时间。",
    "讲师讲得很清楚，节奏可以再慢一点。",
    "内容很实用，回去马上可以用。",
    "希望下次能多一些分组讨论。",
    "资料可以提前发给我们预习。",
    "时间有点紧，后半部分讲得太快。",
    "很喜欢角色扮演的环节。",
]


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _answers(rng: random.Random, questions, quality: float) -> tuple[list, object]:
    """Answers of one learner around the session's ``quality`` (1-5) and their score."""
    answers = []
    for q in questions:
        if q.kind == "rating_5":
            answers.append((q, _clip(rng.gauss(quality, 0.6), 1, 5), ""))
        elif q.kind == "rating_10":
            answers.append((q, _clip((quality - 1) * 2.5 + rng.gauss(0, 1.2), 0, 10), ""))
        elif q.kind == "text" and rng.random() < 0.3:
            answers.append((q, None, rng.choice(COMMENTS)))
    score = rules.satisfaction_score(
        (q.kind, v, q.weight) for q, v, _t in answers if q.in_satisfaction and v is not None
    )
    return answers, score


CHUNK = 1_000  # sessions per transaction: at --scale large memory stays bounded


def seed_surveys(*, seed: int, now: dt.datetime | None = None) -> Counter[str]:
    """Surveys, invitations, receipts, responses and answers for every ended session without
    a survey, :data:`CHUNK` sessions per transaction (the large scale's 50,000 sessions and
    their ~700,000 responses are written in bounded batches)."""
    created: Counter[str] = Counter({"surveys": 0, "survey responses": 0})
    template = default_template()
    if template is None:
        return created
    now = now or timezone.now()
    rng = random.Random(f"surveys-{seed}")  # noqa: S311 - demo data, not secrets
    close_days = dt.timedelta(days=SurveySettings.load().close_after_days)
    questions = questions_of(template)
    ids = list(
        Session.objects.filter(status=Session.Status.ENDED, survey__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for first in range(0, len(ids), CHUNK):
        sessions = list(Session.objects.filter(pk__in=ids[first : first + CHUNK]).order_by("pk"))
        surveys, responses = _seed_chunk(rng, sessions, template, questions, close_days, now)
        created["surveys"] += surveys
        created["survey responses"] += responses
    return created


def _seed_chunk(rng, sessions, template, questions, close_days, now) -> tuple[int, int]:
    completers: dict[int, list[int]] = defaultdict(list)
    for session_id, learner_id in (
        Enrolment.objects.completed()
        .filter(session__in=sessions)
        .order_by("session_id", "learner_id")
        .values_list("session_id", "learner_id")
    ):
        completers[session_id].append(learner_id)
    with transaction.atomic():
        surveys = Survey.objects.bulk_create(
            [
                Survey(
                    session=s,
                    template=template,
                    opens_at=(opens := s.ended_at or s.ends_at),
                    closes_at=opens + close_days,
                    closed_at=opens + close_days if opens + close_days <= now else None,
                    reminder_sent_at=opens + dt.timedelta(days=2)
                    if opens + dt.timedelta(days=2) <= now
                    else None,
                )
                for s in sessions
            ],
            batch_size=BATCH_SIZE,
        )
        invitations, receipts, responses, answers = [], [], [], []
        for survey in surveys:
            learners = completers.get(survey.session_id, [])
            invitations += [
                SurveyInvitation(survey=survey, learner_id=i, sent_at=survey.opens_at)
                for i in learners
            ]
            if rng.random() < FEW_SHARE:
                count = min(len(learners), rng.randint(0, 2))
            else:
                count = round(len(learners) * rng.uniform(0.5, 0.9))
            quality = rng.choice([4.6, 4.4, 4.2, 4.0, 3.6, 3.2])
            day = timezone.localtime(survey.opens_at).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            for learner_id in rng.sample(learners, count):
                given, score = _answers(rng, questions, quality)
                response = SurveyResponse(survey=survey, satisfaction=score, submitted_at=day)
                responses.append(response)
                receipts.append(SurveyReceipt(survey=survey, learner_id=learner_id))
                answers += [
                    SurveyAnswer(response=response, question=q, rating=v, text=t)
                    for q, v, t in given
                ]
        SurveyInvitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
        SurveyReceipt.objects.bulk_create(receipts, batch_size=BATCH_SIZE)
        rng.shuffle(responses)  # the order of rows says nothing about who answered
        SurveyResponse.objects.bulk_create(responses, batch_size=BATCH_SIZE)
        SurveyAnswer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
    return len(surveys), len(responses)
