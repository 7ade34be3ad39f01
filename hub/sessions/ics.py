"""iCalendar (RFC 5545) files: one event per enrolment, and the learner's personal feed.

Times carry TZID=Asia/Shanghai (the company's time zone, ``settings.TIME_ZONE``) with a
VTIMEZONE block, so calendars show them right wherever the device is.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from hub.sessions.models import Enrolment, Session

PRODID = "-//Lectern//Training sessions//ZH"
STATUS = {
    Session.Status.SCHEDULED: "CONFIRMED",
    Session.Status.LIVE: "CONFIRMED",
    Session.Status.ENDED: "CONFIRMED",
    Session.Status.CANCELLED: "CANCELLED",
}


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _event(session: Session, base_url: str) -> Event:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", f"session-{session.pk}@lectern")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", session.title)
    place = session.location or session.stream_url
    if place:
        event.add("location", place)
    trainers = "、".join(t.name for t in session.trainers.all())
    lines = [session.description] if session.description else []
    if trainers:
        lines.append(trainers)
    if session.stream_url:
        lines.append(session.stream_url)
    if lines:
        event.add("description", "\n".join(lines))
    event.add("url", base_url + reverse("sessions:detail", args=[session.pk]))
    event.add("status", STATUS[session.status])
    return event


def enrolment_ics(enrolment: Enrolment, *, base_url: str = "") -> bytes:
    cal = _calendar(enrolment.session.title)
    cal.add_component(_event(enrolment.session, base_url))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_ics(enrolments: Iterable[Enrolment], *, name: str, base_url: str = "") -> bytes:
    cal = _calendar(name)
    for enrolment in enrolments:
        cal.add_component(_event(enrolment.session, base_url))
    cal.add_missing_timezones()
    return cal.to_ical()
