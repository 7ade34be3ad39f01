"""The demo's training sessions: a quarter of history and a month ahead (about 200 sessions in
every mode), enrolments with full sessions and waitlists, and attendance for ended sessions.
``--scale large`` adds benchmark history: 50,000 ended sessions with 1,000,000 attendance
records, written in batches so memory stays bounded.

Deterministic for a seed and a day; idempotent: seeded sessions have no ``created_by``, and a
database that already holds them gets nothing new.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat
from django.utils import timezone

from hub.organisation.models import Employee, Role, RoleGrant
from hub.seeding.shape import BATCH_SIZE, SeedScale
from hub.sessions.models import Attendance, Enrolment, Session, SessionSettings
from hub.sessions.rules import attendance_outcome, delivered_minutes
from hub.sessions.services.enrolment import seat_status

HISTORY_DAYS = 91
AHEAD_DAYS = 30
SMALL_SESSIONS = 200
LARGE_SESSIONS = 50_000
LARGE_ATTENDANCE_PER_SESSION = 20  # 50,000 x 20 = 1,000,000 attendance records
LARGE_HISTORY_DAYS = 730
LARGE_CHUNK = 1_000  # sessions per write batch at large scale

# (title, audience: position categories allowed to self-enrol, "" = everyone, the slug of the
# library template whose courses the session teaches). A retail company, like the library.
CATALOGUE = [
    ("新员工入职第一课：企业文化与门店制度", "new_hire", "onboarding"),
    ("门店服务礼仪与顾客投诉预防", "", "objection-handling"),
    ("连带销售技巧：从一件到一套", "backbone", "cross-selling"),
    ("顾客异议处理四步法", "", "objection-handling"),
    ("收银合规与门店防损", "", "store-sop"),
    ("会员需求挖掘与复购", "backbone", "cross-selling"),
    ("库存预警与盘点差异分析", "backbone,manager", "store-sop"),
    ("高效门店晨会主持", "manager", "manager-coaching"),
    ("导购排班与时间管理", "", "store-sop"),
    ("数字化营销工具实操：社群与小程序", "", "cross-selling"),
    ("顾客权益保护与退换货规范", "", "objection-handling"),
    ("新员工商品知识速成", "new_hire", "onboarding"),
    ("新品陈列与黄金区域", "", "store-sop"),
    ("门店销售接待流程", "", "cross-selling"),
    ("基层店长辅导技巧", "manager", "manager-coaching"),
    ("案例复盘：一次成功的连带销售", "backbone", "cross-selling"),
    ("顾客投诉现场处理演练", "", "objection-handling"),
    ("开闭店标准作业流程", "", "store-sop"),
    ("企业团购客户接待与议价", "", "objection-handling"),
    ("内训师授课技巧入门", "backbone,manager", "trainer-basics"),
]
MODES = [(Session.Mode.IN_PERSON, 50), (Session.Mode.LIVE_ONLINE, 35), (Session.Mode.RECORDED, 15)]
DURATIONS = [60, 90, 120, 180]
START_HOURS = [9, 10, 14, 15, 19]
DEMO_MAIL_DOMAIN = "demo.example.com"
ROOMS = ["三楼培训室", "二楼大会议室", "五楼多功能厅", "一楼会员活动区"]


def seed_sessions(*, seed: int, scale: SeedScale, today: dt.date | None = None) -> Counter[str]:
    """Write the demo's sessions, enrolments and attendance (see the module docstring)."""
    created: Counter[str] = Counter()
    if Session.objects.filter(created_by__isnull=True).exists():
        return created
    today = today or timezone.localdate()
    rng = random.Random(f"sessions-{seed}")  # noqa: S311 - demo data
    people = _people()
    if not people.trainers:
        return created
    rule = SessionSettings.load()
    with transaction.atomic():
        created["demo e-mail addresses"] = _demo_addresses()
        _write(rng, people, _small_sessions(rng, people, today), rule, created, history=False)
        if scale.name == "large":
            for chunk in _large_sessions(rng, people, today):
                _write(rng, people, chunk, rule, created, history=True)
            _reset_sequences()
    return created


def _demo_addresses() -> int:
    """Give employees without one a demo address, so notification mails show in the console."""
    users = get_user_model().objects.filter(email="", employee__isnull=False)
    return users.update(email=Concat("username", Value(f"@{DEMO_MAIL_DOMAIN}")))


class _People:
    def __init__(self) -> None:
        self.branch_of: dict[int, int] = {}
        self.category_of: dict[int, str] = {}
        self.by_branch: dict[int, list[int]] = {}
        self.trainers: list[int] = []
        self.learner_login: int | None = None
        self.trainer_login: int | None = None
        self.branch_names: dict[int, str] = {}
        # template slug → live library courses derived from it (sessions teach one of them)
        self.courses: dict[str, list[int]] = {}


def _people() -> _People:
    people = _People()
    today = timezone.localdate()
    rows = (
        Employee.objects.current(today)
        .order_by("pk")
        .values_list("pk", "branch_id", "position_category", "user__username", "branch__name")
    )
    for pk, branch_id, category, username, branch_name in rows.iterator(chunk_size=BATCH_SIZE):
        people.branch_of[pk] = branch_id
        people.category_of[pk] = category
        people.by_branch.setdefault(branch_id, []).append(pk)
        people.branch_names[branch_id] = branch_name
        if username == "learner":
            people.learner_login = pk
        elif username == "trainer":
            people.trainer_login = pk
    trainers = RoleGrant.objects.filter(role=Role.TRAINER).values_list("employee_id", flat=True)
    people.trainers = sorted(t for t in trainers if t in people.branch_of)
    from library.models import CoursePage

    courses = CoursePage.objects.live().filter(derived_from__isnull=False).order_by("pk")
    for pk, slug in courses.values_list("pk", "derived_from__slug"):
        people.courses.setdefault(slug, []).append(pk)
    return people


class _Planned:
    __slots__ = ("audience", "branch_id", "capacity", "ends_at", "mode", "starts_at", "status")
    __slots__ += ("fill", "title", "trainer_ids", "location", "stream_url", "course_id")


def _at(day: dt.date, hour: int) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)


def _plan_one(
    rng: random.Random, people: _People, day: dt.date, now: dt.datetime, n: int
) -> _Planned:
    s = _Planned()
    title, audience, template = CATALOGUE[n % len(CATALOGUE)]
    lead = rng.choice(people.trainers)
    s.trainer_ids = [lead]
    if rng.random() < 0.15:
        co = rng.choice(people.trainers)
        if co != lead:
            s.trainer_ids.append(co)
    s.mode = rng.choices([m for m, _ in MODES], weights=[w for _, w in MODES])[0]
    s.branch_id = people.branch_of[lead] if rng.random() < 0.7 else None
    s.starts_at = _at(day, rng.choice(START_HOURS))
    s.ends_at = s.starts_at + dt.timedelta(minutes=rng.choice(DURATIONS))
    s.capacity = rng.choice([12, 15, 20, 30, 40])
    s.title, s.audience = title, audience
    s.location = s.stream_url = ""
    courses = people.courses.get(template)
    s.course_id = courses[n // len(CATALOGUE) % len(courses)] if courses else None
    place = people.branch_names.get(s.branch_id or 0, "总部")
    if s.mode == Session.Mode.IN_PERSON:
        s.location = f"{place}{rng.choice(ROOMS)}"
    else:
        s.stream_url = f"https://live.lectern.example.cn/room/{n + 1000}"
    if s.ends_at < now:
        # Recordings play local media: live.recordings.seeding attaches the demo video.
        s.status = Session.Status.CANCELLED if rng.random() < 0.05 else Session.Status.ENDED
    else:
        s.status = Session.Status.CANCELLED if rng.random() < 0.03 else Session.Status.SCHEDULED
    # Share of capacity asked for: about one session in six is over-subscribed (waitlist).
    s.fill = rng.choice([0.4, 0.6, 0.75, 0.9, 1.0, 1.3])
    return s


def _small_sessions(rng: random.Random, people: _People, today: dt.date) -> list[_Planned]:
    now = timezone.now()
    first = today - dt.timedelta(days=HISTORY_DAYS)
    span = HISTORY_DAYS + AHEAD_DAYS
    planned = []
    for n in range(SMALL_SESSIONS):
        day = first + dt.timedelta(days=n * span // SMALL_SESSIONS)
        if day.weekday() == 6:
            day += dt.timedelta(days=1)
        planned.append(_plan_one(rng, people, day, now, n))
    _feature_the_logins(people, planned, today)
    return planned


def _feature_the_logins(people: _People, planned: list[_Planned], today: dt.date) -> None:
    """The demo trainer teaches a few sessions either side of today, one in person tomorrow
    that is full with a waitlist, so each login has something to click."""
    if people.trainer_login is None:
        return
    branch = people.branch_of[people.trainer_login]
    mine = [p for p in planned if p.starts_at.date() < today][-4:]
    mine += [p for p in planned if p.starts_at.date() > today][:4]
    for n, p in enumerate(mine):
        p.trainer_ids = [people.trainer_login]
        p.branch_id = branch
        p.audience = ""
        if p.mode == Session.Mode.IN_PERSON:
            p.location = f"{people.branch_names[branch]}{ROOMS[n % len(ROOMS)]}"
    tomorrow = next((p for p in planned if p.starts_at.date() > today), None)
    if tomorrow is not None:
        tomorrow.mode = Session.Mode.IN_PERSON
        tomorrow.location = f"{people.branch_names[branch]}三楼培训室"
        tomorrow.stream_url = ""
        tomorrow.status = Session.Status.SCHEDULED
        tomorrow.capacity = 8
        tomorrow.fill = 1.25


def _large_sessions(
    rng: random.Random, people: _People, today: dt.date
) -> Iterator[list[_Planned]]:
    now = timezone.now()
    first = today - dt.timedelta(days=HISTORY_DAYS + LARGE_HISTORY_DAYS)
    chunk: list[_Planned] = []
    for n in range(LARGE_SESSIONS):
        day = first + dt.timedelta(days=n * LARGE_HISTORY_DAYS // LARGE_SESSIONS)
        s = _plan_one(rng, people, day, now, n)
        s.status = Session.Status.ENDED
        s.capacity = LARGE_ATTENDANCE_PER_SESSION
        s.fill = 1.0
        chunk.append(s)
        if len(chunk) == LARGE_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pick_learners(rng: random.Random, people: _People, s: _Planned, want: int) -> list[int]:
    pool = people.by_branch.get(s.branch_id, []) if s.branch_id else None
    if pool is None:
        branch_ids = list(people.by_branch)
        picked = {rng.choice(branch_ids) for _ in range(2)}
        pool = [pk for b in sorted(picked) for pk in people.by_branch[b]]
    pool = [p for p in pool if p not in s.trainer_ids]
    return rng.sample(pool, min(want, len(pool)))


def _write(
    rng: random.Random,
    people: _People,
    planned: list[_Planned],
    rule: SessionSettings,
    created: Counter[str],
    *,
    history: bool,
) -> None:
    sessions = Session.objects.bulk_create(
        [
            Session(
                title=p.title,
                mode=p.mode,
                branch_id=p.branch_id,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                capacity=p.capacity,
                location=p.location,
                stream_url=p.stream_url,
                course_id=p.course_id,
                status=p.status,
                audience=p.audience,
                cancelled_at=p.starts_at - dt.timedelta(days=2)
                if p.status == Session.Status.CANCELLED
                else None,
                **_delivery(p),
            )
            for p in planned
        ],
        batch_size=BATCH_SIZE,
    )
    created["sessions"] += len(sessions)
    through = Session.trainers.through
    links = [
        through(session_id=s.pk, employee_id=t)
        for s, p in zip(sessions, planned, strict=True)
        for t in p.trainer_ids
    ]
    created["session trainers"] += len(through.objects.bulk_create(links, batch_size=BATCH_SIZE))
    # (session, plan, learner id, status, queued at) per enrolment
    rows: list[tuple[Session, _Planned, int, str, dt.datetime]] = []
    for s, p in zip(sessions, planned, strict=True):
        want = max(1, round(p.capacity * p.fill))
        learners = _pick_learners(rng, people, p, want)
        if not history and people.learner_login is not None:
            _place_learner_login(people, s, p, learners)
        for index, learner in enumerate(learners):
            # In order, as the enrolment service seats them: the first ``capacity`` get a seat.
            status = seat_status(enrolled=min(index, p.capacity), capacity=p.capacity)
            queued = p.starts_at - dt.timedelta(days=7, minutes=-index)
            rows.append((s, p, learner, status, queued))
    created["enrolments"] += len(rows)
    if history:
        created["attendance records"] += _insert_history(rng, rows, rule)
        return
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(session_id=s.pk, learner_id=learner, status=status, queued_at=queued)
            for s, _p, learner, status, queued in rows
        ],
        batch_size=BATCH_SIZE,
    )
    attendance = []
    for e, (s, p, *_rest) in zip(enrolments, rows, strict=True):
        if p.status != Session.Status.ENDED or e.status != Enrolment.Status.ENROLLED:
            continue
        minutes, status, completed, checked_in = _attendance(rng, s, rule)
        attendance.append(
            Attendance(
                enrolment_id=e.pk,
                minutes_present=minutes,
                status=status,
                completed=completed,
                checked_in_at=checked_in,
            )
        )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH_SIZE)
    created["attendance records"] += len(attendance)


def _delivery(p: _Planned) -> dict:
    """An ended demo session was started on time and ended at its scheduled end, so it
    delivered its scheduled duration (``rules.delivered_minutes``)."""
    if p.status != Session.Status.ENDED:
        return {}
    return {
        "started_at": p.starts_at,
        "ended_at": p.ends_at,
        "delivered_minutes": delivered_minutes(
            scheduled_start=p.starts_at, scheduled_end=p.ends_at, ended_at=p.ends_at
        ),
    }


def _insert_history(
    rng: random.Random,
    rows: list[tuple[Session, _Planned, int, str, dt.datetime]],
    rule: SessionSettings,
) -> int:
    """Benchmark history: enrolments and attendance through ``executemany`` with enrolment ids
    allocated here (the ORM's per-object cost dominates at a million rows). Sequences are reset
    by ``seed_sessions`` afterwards."""
    ops = connection.ops
    first_id = (Enrolment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    stamp = ops.adapt_datetimefield_value(timezone.now())
    enrolments, attendance = [], []
    for offset, (s, _p, learner, status, queued) in enumerate(rows):
        pk = first_id + offset
        enrolments.append((pk, s.pk, learner, status, stamp, ops.adapt_datetimefield_value(queued)))
        if status == Enrolment.Status.ENROLLED:
            minutes, outcome, completed, checked_in = _attendance(rng, s, rule)
            attendance.append(
                (
                    pk,
                    minutes,
                    outcome,
                    completed,
                    ops.adapt_datetimefield_value(checked_in) if checked_in else None,
                    "",
                    stamp,
                )
            )
    with connection.cursor() as cursor:
        for batch in _batches(enrolments):
            cursor.executemany(
                "INSERT INTO hub_enrolment (id, session_id, learner_id, status, created_at, "
                "queued_at) VALUES (%s, %s, %s, %s, %s, %s)",
                batch,
            )
        for batch in _batches(attendance):
            cursor.executemany(
                "INSERT INTO hub_attendance (enrolment_id, minutes_present, status, completed, "
                "checked_in_at, correction_reason, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                batch,
            )
    return len(attendance)


def _batches(rows: list) -> Iterator[list]:
    for start in range(0, len(rows), BATCH_SIZE * 5):
        yield rows[start : start + BATCH_SIZE * 5]


def _reset_sequences() -> None:
    """After explicit ids (PostgreSQL keeps a sequence per table; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Enrolment, Attendance])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _place_learner_login(people: _People, s: Session, p: _Planned, learners: list[int]) -> None:
    """The demo learner: enrolled in sessions of their branch, waitlisted on the full one."""
    me = people.learner_login
    if me in learners or p.status == Session.Status.CANCELLED:
        return
    if p.branch_id not in (None, people.branch_of[me]) or me in p.trainer_ids:
        return
    if p.audience and people.category_of[me] not in p.audience:
        return
    if p.trainer_ids == [people.trainer_login] or s.pk % 4 == 0:
        if len(learners) >= p.capacity and p.fill > 1:
            learners.append(me)  # lands on the waitlist
        elif len(learners) < p.capacity:
            learners.insert(0, me)


def _attendance(
    rng: random.Random, s: Session, rule: SessionSettings
) -> tuple[int, str, bool, dt.datetime | None]:
    """(minutes, status, completed, checked-in time) of one learner of an ended session."""
    duration = int((s.ends_at - s.starts_at).total_seconds() // 60)
    roll = rng.random()
    checked_in = None
    if roll < 0.03:
        return 0, Attendance.Status.EXCUSED, False, None
    if roll < 0.13:
        minutes = 0
    elif roll < 0.25:
        minutes = rng.randint(duration // 5, duration * 3 // 4)
    else:
        minutes = rng.randint(duration * 17 // 20, duration)
    if s.mode == Session.Mode.IN_PERSON and minutes:
        checked_in = s.starts_at + dt.timedelta(minutes=rng.choice([-10, -5, 0, 3, 15]))
    status, completed = attendance_outcome(
        minutes=minutes,
        duration=duration,
        checked_in_at=checked_in,
        starts_at=s.starts_at,
        completion_percent=rule.completion_percent,
        late_after_minutes=rule.late_after_minutes,
    )
    return minutes, status, completed, checked_in
