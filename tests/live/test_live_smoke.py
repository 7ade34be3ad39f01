import pytest

from tests.live.live_helpers import LiveSocket, headers_for, make_room

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_ask_reaches_trainer(transactional_db):
    from channels.db import database_sync_to_async
    room = await database_sync_to_async(make_room)()
    learner_headers = await database_sync_to_async(headers_for)(room.learners[0])
    trainer_headers = await database_sync_to_async(headers_for)(room.trainer)
    learner = LiveSocket(room.session.pk, learner_headers)
    trainer = LiveSocket(room.session.pk, trainer_headers)
    snap = await learner.join()
    print(snap)
    await trainer.join()
    ack = await learner.ask("怎么做连带销售？")
    print(ack)
    asked = await trainer.until("question.asked")
    print(asked)
    await learner.leave(); await trainer.leave()
