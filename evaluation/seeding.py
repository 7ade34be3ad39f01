"""Demo assignments: ended demo sessions get an assignment with submissions (some resubmitted,
some late) and grades, decided per session from the seed, written in bulk.

Idempotent: a session that already holds its demo assignment is skipped whole, so a re-run
adds nothing. Without ended sessions nothing is written. Everything is dated before the
start of ``today``; assignments of sessions that ended in the last days are still open, so
learners have work due.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from evaluation.models import Assignment, Grade, Submission
from evaluation.surveys.seeding import seed_surveys
from hub.registry import seed_step
from hub.sessions.models import Enrolment, Session

BATCH_SIZE = 2000
SESSION_CHUNK = 500
ASSIGNMENT_SHARE = 0.6
DUE_AFTER = dt.timedelta(days=7)

KINDS = [
    ("课后作业", "结合本次课程内容，写一份不少于300字的总结，并列出两条可以在本周落地的改进行动。"),
    ("案例分析", "阅读课上讨论的客户案例，分析客户的核心需求，给出你的沟通方案和预期结果。"),
    ("实操练习", "按照课上的话术模板，与同事完成一次模拟演练，提交演练记录和自我评估。"),
    ("学习心得", "谈谈本次培训中对你触动最大的一点，以及你打算如何在工作中应用。"),
]
ANSWERS = [
    "本次课程让我重新梳理了客户沟通的流程。我计划本周先从需求确认环节做起，每次拜访前准备三个开放式问题。",
    "案例中的顾客真正关心的是穿着场合，而不是价格。我的方案是先了解她的使用场景，再推荐一套搭配方案。",
    "演练中我在处理异议时语速过快，同事反馈需要先复述客户的顾虑。下一次我会按照“倾听—确认—回应”的顺序来。",
    "最大的收获是学会了用数据说话。以后汇报时我会先给结论，再给支撑数据，最后给出行动建议。",
    "我整理了课上提到的五个常见问题，并结合本门店的实际情况写了应对话术，已经和团队分享。",
]
REVISION_NOTE = "\n\n（修改版：补充了具体的行动计划和时间节点。）"
FEEDBACK = [
    "思路清晰，行动计划具体，继续保持。",
    "分析到位，建议补充一些数据支撑你的结论。",
    "整体不错，但改进措施还可以更具体，比如明确时间和衡量标准。",
    "态度认真，案例理解准确。下一步注意把方法用到实际客户身上。",
    "内容偏简单，请结合自己的客户再想一想，下次课后我们可以单独交流。",
]


def _start_of(today: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    if end <= start:
        return start
    return start + dt.timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))


def seed_assignments(*, seed: int, today: dt.date) -> Counter[str]:
    """Assignments, submissions and grades for the ended sessions (status *ended*).

    About 60 % of ended sessions get one assignment, due a week after the session ends, set by
    its first trainer. For a closed assignment most enrolled learners submitted (one in five
    twice), some late where late work is accepted, and most current versions are graded; for
    an assignment still open, about half have submitted and few are graded yet.
    """
    created: Counter[str] = Counter({"assignments": 0, "submissions": 0, "assignment grades": 0})
    now = _start_of(today)
    session_ids = list(
        Session.objects.filter(status=Session.Status.ENDED, ends_at__lt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for start in range(0, len(session_ids), SESSION_CHUNK):
            _seed_chunk(seed, session_ids[start : start + SESSION_CHUNK], now, created)
    return created


def _seed_chunk(seed: int, session_ids: list[int], now: dt.datetime, created: Counter) -> None:
    done = set(
        Assignment.objects.filter(session_id__in=session_ids).values_list("session_id", flat=True)
    )
    todo = [pk for pk in session_ids if pk not in done]
    if not todo:
        return
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=todo).only("pk", "title", "ends_at")}
    trainers: dict[int, int] = {}
    for session_id, employee_id in (
        Session.trainers.through.objects.filter(session_id__in=todo)
        .order_by("session_id", "employee_id")
        .values_list("session_id", "employee_id")
    ):
        trainers.setdefault(session_id, employee_id)
    learners: dict[int, list[int]] = defaultdict(list)
    for session_id, learner_id in (
        Enrolment.objects.filter(session_id__in=todo, status=Enrolment.Status.ENROLLED)
        .order_by("session_id", "learner_id")
        .values_list("session_id", "learner_id")
    ):
        learners[session_id].append(learner_id)

    plans = []  # (assignment, rng)
    for session_id in todo:
        rng = random.Random(f"assignments:{seed}:{session_id}")  # noqa: S311 - demo data
        if rng.random() >= ASSIGNMENT_SHARE:
            continue
        session = sessions[session_id]
        kind, instructions = rng.choice(KINDS)
        assignment = Assignment(
            session_id=session_id,
            title=f"{kind}：{session.title}"[:200],
            instructions=instructions,
            due_at=session.ends_at + DUE_AFTER,
            max_score=rng.choice([100, 100, 100, 10]),
            allow_late=rng.random() < 0.35,
            created_by_id=trainers.get(session_id),
            created_at=session.ends_at,
        )
        plans.append((assignment, rng))
    Assignment.objects.bulk_create([a for a, _ in plans], batch_size=BATCH_SIZE)
    created["assignments"] += len(plans)

    submissions: list[Submission] = []
    for assignment, rng in plans:
        for learner_id in learners.get(assignment.session_id, []):
            submissions.extend(_learner_versions(assignment, learner_id, rng, now))
    Submission.objects.bulk_create(submissions, batch_size=BATCH_SIZE)
    created["submissions"] += len(submissions)

    rngs = {assignment.pk: rng for assignment, rng in plans}
    assignments = {assignment.pk: assignment for assignment, _ in plans}
    grades = []
    for submission in submissions:
        if not submission.is_current:
            continue
        assignment = assignments[submission.assignment_id]
        rng = rngs[assignment.pk]
        closed = assignment.due_at <= now
        if rng.random() >= (0.9 if closed else 0.25):
            continue
        share = Decimal(rng.randint(55, 100)) / 100
        grades.append(
            Grade(
                assignment_id=assignment.pk,
                learner_id=submission.learner_id,
                submission=submission,
                score=(share * assignment.max_score).quantize(Decimal("0.1")),
                feedback=rng.choice(FEEDBACK),
                graded_by_id=assignment.created_by_id,
                graded_at=_between(
                    rng, submission.submitted_at, min(now, submission.submitted_at + DUE_AFTER)
                ),
            )
        )
    Grade.objects.bulk_create(grades, batch_size=BATCH_SIZE)
    created["assignment grades"] += len(grades)


def _learner_versions(
    assignment: Assignment, learner_id: int, rng: random.Random, now: dt.datetime
) -> list[Submission]:
    session_end = assignment.created_at
    closed = assignment.due_at <= now
    if rng.random() >= (0.85 if closed else 0.5):
        return []
    last_on_time = min(assignment.due_at, now)
    late = closed and assignment.allow_late and rng.random() < 0.25
    first_at = _between(rng, session_end, last_on_time)
    answer = rng.choice(ANSWERS)
    versions = [(first_at, answer)]
    if rng.random() < 0.2:
        versions.append((_between(rng, first_at, last_on_time), answer + REVISION_NOTE))
    if late and assignment.due_at + dt.timedelta(hours=1) < now:
        late_at = _between(rng, assignment.due_at + dt.timedelta(hours=1), now)
        versions.append((late_at, answer + REVISION_NOTE))
    return [
        Submission(
            assignment_id=assignment.pk,
            learner_id=learner_id,
            version=number,
            is_current=number == len(versions),
            text=text,
            submitted_at=at,
            is_late=at > assignment.due_at,
        )
        for number, (at, text) in enumerate(versions, start=1)
    ]


@seed_step(order=60, name="assignments")
def seed_assignments_step(*, seed: int, today: dt.date | None = None, **kwargs) -> Counter[str]:
    return seed_assignments(seed=seed, today=today or timezone.localdate())


@seed_step(order=63, name="surveys")
def seed_surveys_step(*, seed: int, **kwargs) -> Counter[str]:
    return seed_surveys(seed=seed)


# Manager follow-ups (order 64) and outcome metrics (order 65) register their own steps in
# their subpackages.
from evaluation.followups import seeding as followup_seeding  # noqa: E402, F401
from evaluation.metrics import seeding as metric_seeding  # noqa: E402, F401

# The branch report's demo onboarding programme (order 57).
from evaluation.reports import seeding as report_seeding  # noqa: E402, F401
from evaluation.roi import seeding as roi_seeding  # noqa: E402, F401
