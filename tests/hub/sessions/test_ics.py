"""ICS per enrolment and the personal feed: parse with icalendar, times in Asia/Shanghai."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from hub.sessions import services
from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _session(**kwargs):
    # 2030-03-04 09:30 in Shanghai is 01:30 UTC.
    start = dt.datetime(2030, 3, 4, 1, 30, tzinfo=dt.UTC)
    return SessionFactory(
        trainers=[make_trainer(name="王老师")],
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        title="新员工合规培训",
        **kwargs,
    )


def _events(body: bytes):
    cal = Calendar.from_ical(body)
    return list(cal.walk("VEVENT"))


def test_enrolment_ics_parses_with_right_times(client_for, learner):
    enrolment = EnrolmentFactory(session=_session(), learner=learner)
    response = client_for(learner).get(reverse("sessions:enrolment_ics", args=[enrolment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [event] = _events(response.content)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == enrolment.session.starts_at
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert start.astimezone(SHANGHAI).hour == 9 and start.astimezone(SHANGHAI).minute == 30
    assert end - start == dt.timedelta(minutes=90)
    assert str(event["summary"]) == "新员工合规培训"
    assert str(event["location"]) == "三楼培训室"
    detail = reverse("sessions:detail", args=[enrolment.session_id])
    assert str(event["url"]) == f"http://testserver{detail}"
    assert "王老师" in str(event["description"])
    assert b"TZID=Asia/Shanghai" in response.content
    assert b"BEGIN:VTIMEZONE" in response.content


def test_someone_elses_ics_is_404(client_for, learner):
    enrolment = EnrolmentFactory(session=_session())
    response = client_for(learner).get(reverse("sessions:enrolment_ics", args=[enrolment.pk]))
    assert response.status_code == 404


def test_feed_lists_own_enrolled_sessions_by_token(client, learner):
    mine = EnrolmentFactory(session=_session(), learner=learner)
    cancelled_session = _session(status="cancelled")
    EnrolmentFactory(session=cancelled_session, learner=learner)
    EnrolmentFactory(session=_session(), learner=learner, status="waitlisted")
    EnrolmentFactory(session=_session())  # someone else's
    token = services.calendar_token_get_or_create(employee=learner)
    response = client.get(reverse("sessions:feed", args=[token.token]))
    assert response.status_code == 200
    events = _events(response.content)
    uids = {str(e["uid"]): str(e["status"]) for e in events}
    assert uids == {
        f"session-{mine.session_id}@lectern": "CONFIRMED",
        f"session-{cancelled_session.pk}@lectern": "CANCELLED",
    }


def test_regenerated_token_revokes_the_old_feed(client, learner):
    old = services.calendar_token_get_or_create(employee=learner).token
    new = services.calendar_token_regenerate(employee=learner).token
    assert old != new
    assert client.get(reverse("sessions:feed", args=[old])).status_code == 404
    assert client.get(reverse("sessions:feed", args=[new])).status_code == 200


def test_unknown_token_and_leaver_get_404(client):
    assert client.get(reverse("sessions:feed", args=["nope"])).status_code == 404
    leaver = EmployeeFactory(hire_date=dt.date(2020, 1, 1), leave_date=dt.date(2021, 1, 1))
    token = services.calendar_token_get_or_create(employee=leaver)
    assert client.get(reverse("sessions:feed", args=[token.token])).status_code == 404
