"""The data of ``bench/live_load.py``: N enrolled learners in one live session, a logged-in
Django session for each, and a counter of attendance writes.

Call ``django.setup()`` first. Learners ``bench-learner-0001`` … and a trainer are created
once and reused (bulk writes, one password hash for everybody: the password is
``BENCH_PASSWORD``); every run gets a new live session, so no run sees the questions of
another. Logins are written straight into the session table (as ``login()`` would store
them) instead of posting 1,000 login forms: the connect time measured is the WebSocket join,
not the password check.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import get_random_string

from hub.organisation.models import Branch, Employee, PositionCategory, Region
from hub.sessions.models import Enrolment, Session
from live.models import LiveEvent, LiveRoom, Question

BENCH_PASSWORD = "lectern-bench-pass"  # noqa: S105 - bench accounts on a bench database
LEARNER = "bench-learner-{:04d}"
TRAINER = "bench-trainer"
AUTH_BACKEND = "hub.organisation.auth.EmployeeBackend"
SEED_QUESTIONS = 5
# Where attendance is written: one row per connection (PresenceInterval) and the session's
# attendance record. Counted with triggers on SQLite, from pg_stat_user_tables on PostgreSQL.
ATTENDANCE_TABLES = ("live_presenceinterval", "hub_attendance")


def _branch() -> Branch:
    region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "压测区域"})
    branch, _ = Branch.objects.get_or_create(
        code="BENCH-LIVE", defaults={"name": "压测分部", "region": region, "is_hq": False}
    )
    return branch


def _ensure_people(usernames: list[str], branch: Branch) -> dict[str, Employee]:
    user_model = get_user_model()
    existing = set(
        user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    missing = [u for u in usernames if u not in existing]
    if missing:
        password = make_password(BENCH_PASSWORD)
        user_model.objects.bulk_create(
            [user_model(username=u, password=password) for u in missing], batch_size=500
        )
    users = user_model.objects.filter(username__in=usernames).in_bulk(field_name="username")
    have = set(
        Employee.objects.filter(user__username__in=usernames).values_list(
            "user__username", flat=True
        )
    )
    Employee.objects.bulk_create(
        [
            Employee(
                user=users[u],
                employee_no=u.upper(),
                name=f"压测{u.rsplit('-', 1)[-1]}",
                name_pinyin=f"ya ce {u}",
                branch=branch,
                position_category=PositionCategory.choices[0][0],
                hire_date=date(2024, 1, 1),
            )
            for u in usernames
            if u not in have
        ],
        batch_size=500,
    )
    employees = Employee.objects.filter(user__username__in=usernames).select_related("user")
    return {e.user.username: e for e in employees}


def prepare(clients: int, *, prefill: int = 0, chars: int = 500) -> tuple[Session, list[str]]:
    """A new live session with ``clients`` enrolled learners; their session cookies. With
    ``prefill``, the room already holds that many questions of ``chars`` characters."""
    branch = _branch()
    names = [LEARNER.format(i) for i in range(1, clients + 1)]
    with transaction.atomic():
        people = _ensure_people([*names, TRAINER], branch)
        now = timezone.now()
        session = Session.objects.create(
            title=f"压测直播 {now:%m-%d %H:%M:%S}",
            mode=Session.Mode.LIVE_ONLINE,
            status=Session.Status.LIVE,
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=3),
            capacity=clients + 10,
            branch=branch,
        )
        session.trainers.add(people[TRAINER])
        LiveRoom.objects.get_or_create(session=session)  # as session_start would
        # Something to upvote from the first second (learners may not upvote their own).
        Question.objects.bulk_create(
            [
                Question(session=session, author=people[TRAINER], text=f"开场问题 {i}")
                for i in range(1, SEED_QUESTIONS + 1)
            ]
        )
        Question.objects.bulk_create(
            [
                Question(
                    session=session,
                    author=people[TRAINER],
                    text=(f"{i:04d} " + "连带销售怎么做" * chars)[:chars],
                    votes=i % 13,
                )
                for i in range(prefill)
            ],
            batch_size=500,
        )
        Enrolment.objects.bulk_create(
            [
                Enrolment(session=session, learner=people[n], status=Enrolment.Status.ENROLLED)
                for n in names
            ],
            batch_size=500,
        )
        cookies = _log_in([people[n].user for n in names])
    return session, cookies


def _log_in(users) -> list[str]:
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, keys = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: AUTH_BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(
            DjangoSession(
                session_key=key, session_data=SessionStore().encode(data), expire_date=expires
            )
        )
        keys.append(key)
    DjangoSession.objects.bulk_create(rows, batch_size=500)
    return keys


def last_seq(session: Session, *, before: float) -> int:
    """The number of the session's last event committed before ``before`` (a time.time())."""
    moment = datetime.fromtimestamp(before, tz=UTC)
    last = LiveEvent.objects.filter(session=session, created_at__lte=moment).aggregate(
        last=Max("seq")
    )["last"]
    return last or 0


def end(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(status=Session.Status.ENDED)


# --- attendance writes --------------------------------------------------------------------
def _tables() -> list[str]:
    present = set(connection.introspection.table_names())
    return [t for t in ATTENDANCE_TABLES if t in present]


def install_write_counter() -> None:
    """SQLite: triggers that count inserts and updates of the attendance tables (removed
    again after the run by ``remove_write_counter``)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_write_count (tbl TEXT, op TEXT, n INTEGER, "
            "PRIMARY KEY (tbl, op))"
        )
        for table in _tables():
            for op in ("INSERT", "UPDATE"):
                cursor.execute(
                    "INSERT OR IGNORE INTO bench_write_count VALUES (%s, %s, 0)", [table, op]
                )
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS bench_count_{table}_{op.lower()} "  # noqa: S608
                    f"AFTER {op} ON {table} BEGIN UPDATE bench_write_count SET n = n + 1 "
                    f"WHERE tbl = '{table}' AND op = '{op}'; END"
                )


def remove_write_counter() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in _tables():
            for op in ("insert", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS bench_count_{table}_{op}")
        cursor.execute("DROP TABLE IF EXISTS bench_write_count")


def attendance_writes() -> dict[str, int]:
    """Inserts and updates so far, per table (``{"live_presenceinterval": 12, ...}``)."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl, SUM(n) FROM bench_write_count GROUP BY tbl")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd FROM pg_stat_user_tables "
                "WHERE relname = ANY(%s)",
                [list(ATTENDANCE_TABLES)],
            )
        else:
            return counts
        for table, n in cursor.fetchall():
            counts[table] = int(n or 0)
    return counts
