"""Writes of sessions, enrolment, attendance, notifications and calendar tokens.

Each state change has one entry point here, in the module of its concern; views, the seed's
follow-ups, the reminder command and the live-delivery consumers all call these. Every write
runs in ``transaction.atomic``; e-mails are queued with ``transaction.on_commit``. Callers
import from this package (``from hub.sessions import services``), not from its modules.
"""

from hub.sessions.services.attendance import (  # noqa: F401
    CHECKIN_LOCKOUT_SECONDS,
    CHECKIN_MAX_FAILURES,
    MSG_ATTENDANCE_CLOSED,
    MSG_CHECKIN_CLOSED,
    MSG_CHECKIN_MODE,
    MSG_CODE_INVALID,
    MSG_NOT_ENROLLED,
    MSG_REASON_REQUIRED,
    MSG_TOO_MANY_CODES,
    attendance_check_in,
    attendance_correct,
    attendance_finalise,
    attendance_record_minutes,
    attendance_record_online,
    checkin_refusal,
)
from hub.sessions.services.common import (  # noqa: F401
    MSG_NOT_ALLOWED,
    lock_session,
)
from hub.sessions.services.enrolment import (  # noqa: F401
    MSG_ALREADY,
    MSG_ASSIGN_NOT_ALLOWED,
    MSG_CANCEL_DEADLINE,
    MSG_CANCEL_NOT_ALLOWED,
    MSG_HAS_LEFT,
    MSG_IS_TRAINER,
    MSG_NOT_ACTIVE,
    MSG_NOT_ENROLLABLE,
    MSG_NOT_OPEN,
    EnrolmentReport,
    cancel_deadline,
    enrolment_bulk_create,
    enrolment_cancel,
    enrolment_cancel_refusal,
    enrolment_create,
    enrolment_refusal,
    promote_waitlisted,
    seat_status,
)
from hub.sessions.services.lifecycle import (  # noqa: F401
    ANNOUNCED_FIELDS,
    MSG_BAD_TRANSITION,
    MSG_CAPACITY_BELOW,
    MSG_CAPACITY_MIN,
    MSG_LOCATION_REQUIRED,
    MSG_NO_TRAINERS,
    MSG_NOT_SCHEDULED,
    MSG_NOT_TRAINER,
    MSG_RECORDING_ENDED,
    MSG_TRAINER_SELF,
    MSG_TRAINERS_ROLE,
    SESSION_FIELDS,
    TRANSITIONS,
    VERB_LABELS,
    session_attach_recording,
    session_cancel,
    session_create,
    session_end,
    session_end_refusal,
    session_start,
    session_start_refusal,
    session_update,
)
from hub.sessions.services.notifications import (  # noqa: F401
    notifications_mark_read,
    notify,
    notify_learners,
    session_reminders_send,
)
from hub.sessions.services.session_settings import (  # noqa: F401
    calendar_token_get_or_create,
    calendar_token_regenerate,
    session_settings_update,
)
