"""Demo manager follow-ups: every completer of a demo session that ended at least N days ago
(``SurveySettings.followup_after_days``) gets a follow-up addressed to their branch's
managers, sent N days after the session; most of the closed ones are answered, about a third of
those still open (so managers have some waiting on their home page), with a realistic spread
of ratings and a few comments. Written in bulk, 1,000 sessions per transaction; registered as
seed step 64.

Idempotent: a session that already has follow-ups is skipped whole.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from evaluation.followups.models import FollowUp
from evaluation.surveys.models import SurveySettings
from hub.organisation.models import RoleGrant
from hub.organisation.roles import Role
from hub.registry import seed_step
from hub.sessions.models import Enrolment, Session

BATCH_SIZE = 2000
CHUNK = 1_000  # sessions per transaction: --scale large keeps memory bounded
ANSWERED_CLOSED = 0.75
ANSWERED_OPEN = 0.35
COMMENT_SHARE = 0.3
COMMENTS = [
    "已经在门店早会上用课上的话术带新人，效果不错。",
    "开始主动做连带推荐，但还不够稳定，需要继续跟进。",
    "处理客户异议比以前冷静多了。",
    "课上学的流程只用了一部分，忙的时候容易忘。",
    "能把方法讲给同事听，带动了整个班组。",
    "暂时没看到明显变化，下个月再观察。",
]


def seed_followups(*, seed: int, now: dt.datetime | None = None) -> Counter[str]:
    created: Counter[str] = Counter({"manager follow-ups": 0, "follow-up answers": 0})
    now = now or timezone.now()
    config = SurveySettings.load()
    after = dt.timedelta(days=config.followup_after_days)
    open_for = dt.timedelta(days=config.followup_close_after_days)
    remind = dt.timedelta(days=config.followup_reminder_after_days)
    rng = random.Random(f"followups-{seed}")  # noqa: S311 - demo data, not secrets
    sessions = {
        s.pk: s
        for s in Session.objects.annotate(end=Coalesce("ended_at", "ends_at"))
        .filter(status=Session.Status.ENDED, end__lte=now - after)
        .exclude(Exists(FollowUp.objects.filter(session=OuterRef("pk"))))
        .order_by("pk")
    }
    if not sessions:
        return created
    managers_of: dict[int, set[int]] = defaultdict(set)
    for branch_id, employee_id in RoleGrant.objects.filter(role=Role.BRANCH_MANAGER).values_list(
        "branch_id", "employee_id"
    ):
        managers_of[branch_id].add(employee_id)
    quality = {pk: rng.choice([4.3, 4.0, 3.7, 3.4, 3.0]) for pk in sessions}
    timing = Timing(now=now, after=after, open_for=open_for, remind=remind)
    ids = list(sessions)
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        rows, answered = _seed_chunk(rng, chunk, sessions, managers_of, quality, timing)
        created["manager follow-ups"] += rows
        created["follow-up answers"] += answered
    return created


@dataclass(frozen=True)
class Timing:
    now: dt.datetime
    after: dt.timedelta
    open_for: dt.timedelta
    remind: dt.timedelta


def _seed_chunk(rng, chunk, sessions, managers_of, quality, timing) -> tuple[int, int]:
    """The follow-ups of ``chunk`` (session ids), written in one transaction."""
    now, after, open_for, remind = timing.now, timing.after, timing.open_for, timing.remind
    completers = list(
        Enrolment.objects.completed()
        .filter(session_id__in=chunk)
        .order_by("session_id", "learner_id")
        .values_list("session_id", "learner_id", "learner__branch_id")
    )
    rows, addressed = [], []
    for session_id, learner_id, branch_id in completers:
        managers = sorted(managers_of[branch_id] - {learner_id})
        sent = sessions[session_id].end + after
        closes = sent + open_for
        row = FollowUp(
            session_id=session_id,
            learner_id=learner_id,
            sent_at=sent if managers else None,
            closes_at=closes,
        )
        if managers:
            is_closed = closes <= now
            if rng.random() < (ANSWERED_CLOSED if is_closed else ANSWERED_OPEN):
                row.rating = max(1, min(5, round(rng.gauss(quality[session_id], 0.8))))
                row.answered_by_id = rng.choice(managers)
                row.answered_at = min(now, sent + dt.timedelta(days=rng.randint(0, 14)))
                if rng.random() < COMMENT_SHARE:
                    row.comment = rng.choice(COMMENTS)
            if row.answered_at is None or row.answered_at > sent + remind:
                row.reminder_sent_at = sent + remind if sent + remind <= now else None
            if row.answered_at is None and is_closed:
                row.closed_at = closes
        rows.append(row)
        addressed.append(managers)
    through = FollowUp.managers.through
    with transaction.atomic():
        FollowUp.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        through.objects.bulk_create(
            (
                through(followup_id=row.pk, employee_id=m)
                for row, managers in zip(rows, addressed, strict=True)
                for m in managers
            ),
            batch_size=BATCH_SIZE,
        )
    return len(rows), sum(1 for r in rows if r.answered_at is not None)


@seed_step(order=64, name="manager follow-ups")
def seed_followups_step(*, seed: int, **kwargs) -> Counter[str]:
    return seed_followups(seed=seed)
