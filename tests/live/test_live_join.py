"""Who may join a live room, and how each refusal closes (docs/live-protocol.md §1)."""

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from hub.sessions.models import Session
from live.models import LiveRoom, PresenceInterval
from live.protocol import CLOSE_NO_SESSION, CLOSE_NOT_ALLOWED, CLOSE_NOT_LIVE, CLOSE_NOT_LOGGED_IN
from tests.live.live_helpers import LiveSocket, headers_for, settle

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_anonymous_user_is_closed_with_4401(room):
    socket = LiveSocket(room.session.pk, await sync_to_async(headers_for)(None))
    closed = await socket.refused()
    assert closed["code"] == CLOSE_NOT_LOGGED_IN
    assert closed["reason"] == "请先登录。"


@pytest.mark.parametrize("who", ["outsider", "waitlisted"])
async def test_not_enrolled_is_closed_with_4403(room, sockets, who):
    closed = await sockets(who).refused()
    assert closed["code"] == CLOSE_NOT_ALLOWED


async def test_cancelled_enrolment_is_closed_with_4403(room, sockets):
    await sync_to_async(room.session.enrolments.filter(learner=room.learners[0]).update)(
        status="cancelled"
    )
    assert (await sockets("learner0").refused())["code"] == CLOSE_NOT_ALLOWED


async def test_unknown_session_is_closed_with_4404(room):
    headers = await sync_to_async(headers_for)(room.hq)
    closed = await LiveSocket(room.session.pk + 999, headers).refused()
    assert closed["code"] == CLOSE_NO_SESSION


@pytest.mark.parametrize("status", ["scheduled", "ended", "cancelled"])
async def test_session_not_live_is_closed_with_4409(room, sockets, status):
    await sync_to_async(Session.objects.filter(pk=room.session.pk).update)(status=status)
    closed = await sockets("learner0").refused()
    assert closed["code"] == CLOSE_NOT_LIVE
    # A trainer cannot join a room that is not live either.
    assert (await sockets("trainer").refused())["code"] == CLOSE_NOT_LIVE


async def test_reason_follows_the_chosen_language(room):
    headers = await sync_to_async(headers_for)(room.outsider, "en")
    closed = await LiveSocket(room.session.pk, headers).refused()
    assert closed["code"] == CLOSE_NOT_ALLOWED
    assert closed["reason"] == "You are not enrolled in this session."


@pytest.mark.parametrize(
    ("who", "role"), [("learner0", "learner"), ("trainer", "trainer"), ("hq", "hq")]
)
async def test_allowed_people_join_with_their_role(room, sockets, who, role):
    socket = sockets(who)
    snapshot = await socket.join()
    assert snapshot["me"]["role"] == role
    assert snapshot["session"]["id"] == room.session.pk
    assert ("roster" in snapshot) == (role != "learner")
    await socket.leave()


async def test_moderator_named_on_the_room_joins_as_staff(room, sockets):
    def name_moderator():
        live_room, _ = LiveRoom.objects.get_or_create(session=room.session)
        live_room.moderators.add(room.outsider)

    await sync_to_async(name_moderator)()
    socket = sockets("outsider")
    snapshot = await socket.join()
    assert snapshot["me"]["role"] == "moderator"
    assert "roster" in snapshot
    await socket.leave()


async def test_foreign_origin_is_refused(room):
    headers = [h for h in await sync_to_async(headers_for)(room.learners[0]) if h[0] != b"origin"]
    socket = LiveSocket(room.session.pk, [*headers, (b"origin", b"http://evil.example")])
    connected, _ = await socket.connect()
    assert not connected


async def test_join_and_leave_are_written_as_a_presence_interval(room, sockets):
    learner, trainer = sockets("learner0"), sockets("trainer")
    await trainer.join()
    await learner.join()
    changed = await trainer.until("presence.changed")
    while changed["present"] < 2:
        changed = await trainer.until("presence.changed")
    assert {entry["id"] for entry in changed["joined"]} <= {room.learners[0].pk, room.trainer.pk}
    await learner.leave()
    left = await trainer.until("presence.changed")
    assert left == {**left, "present": 1, "left": [room.learners[0].pk]}
    interval = await sync_to_async(PresenceInterval.objects.get)(employee=room.learners[0])
    assert interval.left_at is not None and interval.left_at <= timezone.now()
    await trainer.leave()
    await settle()
