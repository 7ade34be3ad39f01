"""Room settings changed during a live session (docs/live-protocol.md, ``room.settings``):
connected clients get them at once, and the next join's snapshot shows them."""

import pytest
from asgiref.sync import sync_to_async

from live import services
from live.models import LiveEvent
from tests.live.test_live_questions import join, leave

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def change(room, *, allow_anonymous=True, reveal=False):
    services.room_settings_update(
        session=room.session,
        actor=room.trainer.user,
        stream_kind="auto",
        allow_anonymous=allow_anonymous,
        reveal_anonymous_to_staff=reveal,
    )


async def test_connected_clients_get_the_new_settings(room, sockets):
    asker, learner, trainer = await join(sockets, "learner0", "learner1", "trainer")
    question = (await asker.ask("匿名问题", anonymous=True))["id"]
    await trainer.until("question.asked")
    await sync_to_async(change)(room, allow_anonymous=False, reveal=True)

    learner_event = await learner.until("room.settings")
    staff_event = await trainer.until("room.settings")
    assert learner_event["allow_anonymous"] is False
    assert "reveal_anonymous_to_staff" not in learner_event and "authors" not in learner_event
    assert staff_event["allow_anonymous"] is False
    assert staff_event["reveal_anonymous_to_staff"] is True
    assert staff_event["authors"] == {
        str(question): {"id": room.learners[0].pk, "name": room.learners[0].name}
    }
    assert staff_event["seq"] == learner_event["seq"]
    stored = await sync_to_async(LiveEvent.objects.get)(seq=staff_event["seq"])
    assert stored.type == "room.settings"

    # Saving the same settings again announces nothing.
    await sync_to_async(change)(room, allow_anonymous=False, reveal=True)
    count = await sync_to_async(LiveEvent.objects.filter(type="room.settings").count)()
    assert count == 1
    await leave(asker, learner, trainer)


async def test_a_join_right_after_a_change_sees_it_in_its_snapshot(room, sockets):
    """The shared snapshot is not reused once the settings changed (it was, for up to 5 s)."""
    asker, trainer = await join(sockets, "learner0", "trainer")
    await asker.ask("匿名问题", anonymous=True)
    await trainer.until("question.asked")
    await sync_to_async(change)(room, allow_anonymous=False, reveal=True)

    (late_learner,) = await join(sockets, "learner1")
    (late_staff,) = await join(sockets, "hq")
    assert late_learner.snapshot["session"]["allow_anonymous"] is False
    assert late_staff.snapshot["session"]["allow_anonymous"] is False
    (shown,) = late_staff.snapshot["questions"]
    assert shown["author"] == {"id": room.learners[0].pk, "name": room.learners[0].name}
    await leave(asker, trainer, late_learner, late_staff)


async def test_a_join_snapshot_is_never_older_than_its_me(room, sockets, monkeypatch):
    """The room's memory lags behind the database (the frame with the new question has not
    gone out yet): a second tab's snapshot still lists the question its ``me`` names."""
    from live import fanout

    (first_tab,) = await join(sockets, "learner0")
    held = []

    async def hold(self):
        held.append(list(self.outbox))
        return False

    monkeypatch.setattr(fanout.Room, "send_outbox", hold)
    question = (await first_tab.ask("第二个标签页能看到吗"))["id"]
    (second_tab,) = await join(sockets, "learner0")
    assert question in second_tab.snapshot["me"]["questions"]
    assert question in {q["id"] for q in second_tab.snapshot["questions"]}
    monkeypatch.undo()
    await leave(first_tab, second_tab)
