"""Pure rules of sessions: who may run one, the rotating check-in code, when a session may be
started and ended, its delivered duration, the completion rule.

No database writes here; services call these so the rules live in one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.permissions import access_for
from hub.sessions.models import Attendance, Session

MSG_START_TOO_EARLY = _(
    "This session cannot be started yet: it may start at most %(minutes)s minutes before its "
    "scheduled start (%(earliest)s)."
)
MSG_END_BEFORE_START = _(
    "This session cannot be ended before its scheduled start (%(start)s). If it will not take "
    "place, cancel it instead."
)

CODE_DIGITS = 6
# Check-in opens this long before the scheduled start (learners arrive early).
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)


def trainer_ids(session: Session) -> set[int]:
    """Trainer ids of a session (uses a prefetch when there is one)."""
    return {t.pk for t in session.trainers.all()}


def is_session_trainer(user, session: Session) -> bool:
    access = access_for(user)
    return access.employee_id is not None and access.employee_id in trainer_ids(session)


def can_run_session(user, session: Session) -> bool:
    """Start, end, cancel, edit, show the check-in code, correct attendance, moderate the live
    room: the session's trainers or an HQ admin (not the read-only training lead)."""
    return access_for(user).is_hq_admin or is_session_trainer(user, session)


def can_see_roster(user, session: Session) -> bool:
    """Trainers of the session, HQ, and managers of the session's branch (or of any branch
    for a company-wide session, where they see only their own people)."""
    access = access_for(user)
    if access.is_hq or is_session_trainer(user, session):
        return True
    return oversees(access, session)


def oversees(access, session: Session) -> bool:
    """A manager of the session's branch, or any manager for a company-wide session (their
    people take part in it; they see only their own people in it). ``access`` is an
    ``Access``."""
    return access.is_manager and (session.branch_id is None or access.manages(session.branch_id))


def _window(now: dt.datetime, minutes: int) -> int:
    return int(now.timestamp()) // (minutes * 60)


def _code_for(session_id: int, window: int) -> str:
    message = f"lectern-checkin:{session_id}:{window}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"{int(digest[:12], 16) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def checkin_code(session_id: int, now: dt.datetime, minutes: int) -> str:
    """The code the trainer shows now: HMAC of the session id and the current time window."""
    return _code_for(session_id, _window(now, minutes))


def checkin_code_expires_at(now: dt.datetime, minutes: int) -> dt.datetime:
    start = _window(now, minutes) * minutes * 60
    return dt.datetime.fromtimestamp(start + minutes * 60, tz=dt.UTC)


def checkin_code_valid(session_id: int, code: str, now: dt.datetime, minutes: int) -> bool:
    """True for this session's code of the current window or the one just before (so a code
    typed in as it changes still counts). Another session's code or an older one is refused."""
    code = (code or "").strip()
    if len(code) != CODE_DIGITS or not code.isdigit():
        return False
    window = _window(now, minutes)
    return any(hmac.compare_digest(code, _code_for(session_id, w)) for w in (window, window - 1))


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def start_refusal(
    *, now: dt.datetime, scheduled_start: dt.datetime, early_start_minutes: int
) -> str | None:
    """Why the session cannot be started at ``now`` (None: it can). Allowed from
    ``early_start_minutes`` before the scheduled start on (exactly that early is allowed)."""
    earliest = scheduled_start - dt.timedelta(minutes=early_start_minutes)
    if now < earliest:
        return MSG_START_TOO_EARLY % {"minutes": early_start_minutes, "earliest": _local(earliest)}
    return None


def end_refusal(
    *, now: dt.datetime, scheduled_start: dt.datetime, end_not_before_start: bool
) -> str | None:
    """Why the session cannot be ended at ``now`` (None: it can). With the rule on, an end
    before the scheduled start is refused; ending exactly at the start is allowed (and
    delivers 0 minutes)."""
    if end_not_before_start and now < scheduled_start:
        return MSG_END_BEFORE_START % {"start": _local(scheduled_start)}
    return None


def delivered_minutes(
    *, scheduled_start: dt.datetime, scheduled_end: dt.datetime, ended_at: dt.datetime
) -> int:
    """The delivered duration in whole minutes: the scheduled duration, or (end - scheduled
    start) for a session ended before its scheduled end; never negative. An early start adds
    nothing."""
    end = min(ended_at, scheduled_end)
    return max(0, int((end - scheduled_start).total_seconds() // 60))


def minutes_to_complete(*, duration: int, completion_percent: int) -> int:
    """The completion threshold: the fewest whole minutes (or units) present that complete a
    session of ``duration`` — ``completion_percent`` of it, rounded up."""
    return -(-completion_percent * duration // 100)


def meets_completion(*, minutes: int, duration: int, completion_percent: int) -> bool:
    """The completion rule: present for at least ``completion_percent`` of the session."""
    return duration > 0 and minutes >= minutes_to_complete(
        duration=duration, completion_percent=completion_percent
    )


def late_after(*, starts_at: dt.datetime, late_after_minutes: int) -> dt.datetime:
    """The late threshold: arriving (checking in, joining the live room) after this moment is
    late — ``late_after_minutes`` (``SessionSettings``) after the scheduled start."""
    return starts_at + dt.timedelta(minutes=late_after_minutes)


def is_late(arrived_at: dt.datetime | None, threshold: dt.datetime) -> bool:
    """Did someone arriving at ``arrived_at`` come late (``threshold``: ``late_after``)?
    Exactly at the threshold is on time."""
    return arrived_at is not None and arrived_at > threshold


def attendance_outcome(
    *,
    minutes: int,
    duration: int,
    checked_in_at: dt.datetime | None,
    starts_at: dt.datetime,
    completion_percent: int,
    late_after_minutes: int,
) -> tuple[str, bool]:
    """(status, completed) from the minutes present and the completion rule."""
    completed = meets_completion(
        minutes=minutes, duration=duration, completion_percent=completion_percent
    )
    if completed:
        late = is_late(
            checked_in_at,
            late_after(starts_at=starts_at, late_after_minutes=late_after_minutes),
        )
        return (Attendance.Status.LATE if late else Attendance.Status.PRESENT), True
    if minutes > 0:
        return Attendance.Status.PARTIAL, False
    return Attendance.Status.ABSENT, False
