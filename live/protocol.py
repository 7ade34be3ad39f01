"""The live protocol's client messages: parsing and validation (docs/live-protocol.md).

``parse(text)`` turns one WebSocket text frame into a ``Message`` or raises ``ProtocolError``
with the error code the client receives. Nothing here touches the database.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MAX_FRAME_BYTES = 16 * 1024
QUESTION_MAX = 500
PROMPT_MAX = 300
OPTION_MAX = 100
OPTIONS_MIN, OPTIONS_MAX = 2, 10
CID_MAX = 64
RESUME_MAX_EVENTS = 500

# Error codes (the ``code`` of an ``error`` frame) and their messages.
MALFORMED_JSON = "malformed_json"
UNKNOWN_TYPE = "unknown_type"
INVALID = "invalid"
TEXT_EMPTY = "text_empty"
TEXT_TOO_LONG = "text_too_long"
RATE_LIMITED = "rate_limited"
NOT_ALLOWED = "not_allowed"
UNKNOWN_QUESTION = "unknown_question"
UNKNOWN_POLL = "unknown_poll"
POLL_CLOSED = "poll_closed"
ALREADY_VOTED = "already_voted"
ANONYMOUS_OFF = "anonymous_off"
SESSION_NOT_LIVE = "session_not_live"
TRY_AGAIN = "try_again"

MESSAGES = {
    MALFORMED_JSON: _("The message is not valid JSON."),
    UNKNOWN_TYPE: _("Unknown message type."),
    INVALID: _("The message is incomplete or has a wrong field."),
    TEXT_EMPTY: _("Write something first."),
    TEXT_TOO_LONG: _("The text is too long (at most %(limit)s characters)."),
    RATE_LIMITED: _("Too many messages: please wait a moment."),
    NOT_ALLOWED: _("You may not do this in this session."),
    UNKNOWN_QUESTION: _("There is no such question in this session."),
    UNKNOWN_POLL: _("There is no such poll in this session."),
    POLL_CLOSED: _("This poll is closed."),
    ALREADY_VOTED: _("You have already voted in this poll."),
    ANONYMOUS_OFF: _("This session does not allow anonymous questions."),
    SESSION_NOT_LIVE: _("The session is not live."),
    TRY_AGAIN: _("The server is busy: please try again."),
}

# Close codes (docs/live-protocol.md §1).
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_NO_SESSION = 4404
CLOSE_NOT_LIVE = 4409
CLOSE_TOO_LARGE = 4413


class ProtocolError(Exception):
    """A refused client message: ``code`` is one of the codes above."""

    def __init__(self, code: str, detail: str = "", **params) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.params = params

    @property
    def message(self) -> str:
        text = str(MESSAGES.get(self.code, MESSAGES[INVALID]))
        if self.params:
            text = text % self.params
        return f"{text} {self.detail}".strip() if self.detail else text


@dataclass(frozen=True)
class Message:
    type: str
    cid: str | None = None
    fields: dict = field(default_factory=dict)


def _int(content: dict, name: str, *, minimum: int = 1) -> int:
    value = content.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProtocolError(INVALID, f"({name})")
    if value > 2**62:
        raise ProtocolError(INVALID, f"({name})")
    return value


def _bool(content: dict, name: str, default: bool) -> bool:
    value = content.get(name, default)
    if not isinstance(value, bool):
        raise ProtocolError(INVALID, f"({name})")
    return value


def _text(content: dict, name: str, limit: int) -> str:
    value = content.get(name)
    if not isinstance(value, str):
        raise ProtocolError(INVALID, f"({name})")
    value = value.strip()
    if not value:
        raise ProtocolError(TEXT_EMPTY)
    if len(value) > limit:
        raise ProtocolError(TEXT_TOO_LONG, limit=limit)
    return value


def _question(content: dict) -> dict:
    return {
        "text": _text(content, "text", QUESTION_MAX),
        "anonymous": _bool(content, "anonymous", False),
    }


def _id_only(content: dict) -> dict:
    return {"id": _int(content, "id")}


def _flag(name: str):
    def parse(content: dict) -> dict:
        return {"id": _int(content, "id"), name: _bool(content, name, True)}

    return parse


def _choices(value, option_count: int | None = None) -> list[int]:
    if not isinstance(value, list) or not value or len(value) > OPTIONS_MAX:
        raise ProtocolError(INVALID, "(choices)")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in value):
        raise ProtocolError(INVALID, "(choices)")
    if option_count is not None and any(v >= option_count for v in value):
        raise ProtocolError(INVALID, "(choices)")
    if len(set(value)) != len(value):
        raise ProtocolError(INVALID, "(choices)")
    return sorted(value)


def _poll_open(content: dict) -> dict:
    options = content.get("options")
    if not isinstance(options, list) or not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        raise ProtocolError(INVALID, "(options)")
    cleaned = []
    for option in options:
        if not isinstance(option, str):
            raise ProtocolError(INVALID, "(options)")
        cleaned.append(_text({"o": option}, "o", OPTION_MAX))
    kind = content.get("kind", "single")
    if kind not in {"single", "multiple"}:
        raise ProtocolError(INVALID, "(kind)")
    quiz = _bool(content, "quiz", False)
    correct: list[int] = []
    if quiz:
        correct = _choices(content.get("correct"), len(cleaned))
        if kind == "single" and len(correct) != 1:
            raise ProtocolError(INVALID, "(correct)")
    return {
        "prompt": _text(content, "prompt", PROMPT_MAX),
        "options": cleaned,
        "kind": kind,
        "quiz": quiz,
        "correct": correct,
    }


def _poll_vote(content: dict) -> dict:
    return {"id": _int(content, "id"), "choices": _choices(content.get("choices"))}


def _resume(content: dict) -> dict:
    return {"last_seq": _int(content, "last_seq", minimum=0)}


def _page(content: dict) -> dict:
    return {"before": _int(content, "before")}


def _nothing(content: dict) -> dict:
    return {}


PARSERS = {
    "question.ask": _question,
    "question.upvote": _id_only,
    "question.unvote": _id_only,
    "question.answer": _flag("answered"),
    "question.pin": _flag("pinned"),
    "question.hide": _flag("hidden"),
    "poll.open": _poll_open,
    "poll.close": _id_only,
    "poll.vote": _poll_vote,
    "hand.raise": _nothing,
    "hand.lower": _nothing,
    "heartbeat": _nothing,
    "resume": _resume,
    "questions.page": _page,
}
STAFF_TYPES = {"question.answer", "question.pin", "question.hide", "poll.open", "poll.close"}
# Limited per user and minute; other types are free (heartbeat, resume).
RATE_BUCKETS = {
    "question.ask": ("ask", 5),
    "question.upvote": ("vote", 30),
    "question.unvote": ("vote", 30),
    "poll.vote": ("vote", 30),
    "question.answer": ("other", 60),
    "question.pin": ("other", 60),
    "question.hide": ("other", 60),
    "poll.open": ("other", 20),
    "poll.close": ("other", 20),
    "hand.raise": ("other", 20),
    "hand.lower": ("other", 20),
    "questions.page": ("page", 30),
}


def _reject_constants(name: str):
    raise ValueError(name)


def parse(text: str) -> Message:
    """One client frame → ``Message``; raises ``ProtocolError``. The cid (if any) is kept
    even when the rest is refused, so the error can name it (see ``peek_cid``)."""
    try:
        content = json.loads(text, parse_constant=_reject_constants)
    except (ValueError, RecursionError):
        raise ProtocolError(MALFORMED_JSON) from None
    if not isinstance(content, dict):
        raise ProtocolError(MALFORMED_JSON)
    kind = content.get("type")
    parser = PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise ProtocolError(UNKNOWN_TYPE)
    cid = content.get("cid")
    if cid is not None and (not isinstance(cid, str) or not 1 <= len(cid) <= CID_MAX):
        raise ProtocolError(INVALID, "(cid)")
    return Message(type=kind, cid=cid, fields=parser(content))


def peek(text: str) -> tuple[str | None, str | None]:
    """(type, cid) of a frame as far as they can be read, for naming them in an error."""
    try:
        content = json.loads(text, parse_constant=_reject_constants)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(content, dict):
        return None, None
    kind, cid = content.get("type"), content.get("cid")
    kind = kind if isinstance(kind, str) and kind in PARSERS else None
    cid = cid if isinstance(cid, str) and 1 <= len(cid) <= CID_MAX else None
    return kind, cid


def is_finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def dumps(data) -> str:
    """Compact JSON text of a frame (UTF-8 characters kept as they are)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
