"""A live session's room: settings, the append-only event log that gives every broadcast its
``seq``, Q&A, polls, raised hands and presence intervals (the source of online minutes)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.organisation.scoping import ScopedQuerySet

__all__ = [
    "LiveEvent",
    "LiveRoom",
    "Poll",
    "PollVote",
    "PresenceInterval",
    "Question",
    "QuestionVote",
    "RaisedHand",
]


class LiveRoom(models.Model):
    """Live settings of a session and its event counter (``last_seq``)."""

    class StreamKind(models.TextChoices):
        AUTO = "auto", _("Automatic (HLS for .m3u8 links, otherwise embedded)")
        HLS = "hls", _("HLS video stream")
        IFRAME = "iframe", _("Embedded meeting room")
        NONE = "none", _("No video")

    session = models.OneToOneField(
        "hub.Session",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live_room",
        verbose_name=_("session"),
    )
    last_seq = models.PositiveBigIntegerField(_("last event number"), default=0)
    stream_kind = models.CharField(
        _("video"), max_length=8, choices=StreamKind.choices, default=StreamKind.AUTO
    )
    allow_anonymous = models.BooleanField(_("allow anonymous questions"), default=True)
    reveal_anonymous_to_staff = models.BooleanField(
        _("trainers and HQ see who asked anonymous questions"), default=False
    )
    moderators = models.ManyToManyField(
        "hub.Employee", blank=True, related_name="moderated_rooms", verbose_name=_("moderators")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("live room")
        verbose_name_plural = _("live rooms")

    def __str__(self) -> str:
        return str(self.session)


class LiveEvent(models.Model):
    """One broadcast of a session, committed before it is sent. ``payload`` is what learners
    see; ``staff_payload`` (when set) replaces it for staff."""

    session = models.ForeignKey(
        "hub.Session",
        on_delete=models.CASCADE,
        related_name="live_events",
        verbose_name=_("session"),
    )
    seq = models.PositiveBigIntegerField(_("number"))
    type = models.CharField(_("type"), max_length=32)
    payload = models.JSONField(_("payload"), default=dict)
    staff_payload = models.JSONField(_("payload for staff"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="live_event_seq_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.type}"


class Question(models.Model):
    class Origin(models.TextChoices):
        LIVE = "live", _("Live")
        RECORDING = "recording", _("Recording")

    session = models.ForeignKey(
        "hub.Session", on_delete=models.CASCADE, related_name="questions", verbose_name=_("session")
    )
    author = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("asked by"),
    )
    text = models.CharField(_("question"), max_length=500)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    origin = models.CharField(
        _("asked during"), max_length=16, choices=Origin.choices, default=Origin.LIVE
    )
    # Where in the recording a recording question was asked (seconds).
    position_seconds = models.PositiveIntegerField(_("position (s)"), null=True, blank=True)
    # A client-made id: a retried ask is stored once.
    client_id = models.CharField(_("client id"), max_length=64, blank=True, default="")
    votes = models.PositiveIntegerField(_("votes"), default=0)
    answered = models.BooleanField(_("answered"), default=False)
    pinned = models.BooleanField(_("pinned"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-votes", "created_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["session", "author", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author", "client_id"],
                condition=~Q(client_id=""),
                name="question_client_id_once",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class QuestionVote(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="vote_set", verbose_name=_("question")
    )
    voter = models.ForeignKey(
        "hub.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("voter")
    )
    created_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("question vote")
        verbose_name_plural = _("question votes")
        constraints = [
            models.UniqueConstraint(fields=["question", "voter"], name="question_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.question_id}"


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    session = models.ForeignKey(
        "hub.Session", on_delete=models.CASCADE, related_name="polls", verbose_name=_("session")
    )
    prompt = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    is_quiz = models.BooleanField(_("quiz"), default=False)
    options = models.JSONField(_("options"), default=list)
    # Option indexes that are right (quizzes only).
    correct = models.JSONField(_("correct options"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    client_id = models.CharField(_("client id"), max_length=64, blank=True, default="")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "opened_by", "client_id"],
                condition=~Q(client_id=""),
                name="poll_client_id_once",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt[:60]


class PollVote(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="vote_set", verbose_name=_("poll")
    )
    voter = models.ForeignKey(
        "hub.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("voter")
    )
    choices = models.JSONField(_("choices"), default=list)
    created_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("poll vote")
        verbose_name_plural = _("poll votes")
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="poll_vote_once")]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.poll_id}: {self.choices}"


class RaisedHand(models.Model):
    session = models.ForeignKey(
        "hub.Session", on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    employee = models.ForeignKey(
        "hub.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("employee")
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("raised hand")
        verbose_name_plural = _("raised hands")
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="hand_raised_once"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.session_id}"


class PresenceInterval(models.Model):
    """One connection of one person to a live room, from join to leave (or, when the
    connection dropped without a leave, to its last heartbeat)."""

    session = models.ForeignKey(
        "hub.Session", on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    employee = models.ForeignKey(
        "hub.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("employee")
    )
    connection = models.CharField(_("connection"), max_length=64, unique=True)
    joined_at = models.DateTimeField(_("joined at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("presence interval")
        verbose_name_plural = _("presence intervals")
        indexes = [models.Index(fields=["session", "employee"])]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.session_id} {self.joined_at:%H:%M}"

    @property
    def ends_at(self):
        return self.left_at or self.last_seen_at
