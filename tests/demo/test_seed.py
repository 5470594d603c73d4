"""The demo seed is deterministic, goes through the real accept path, and is harmless to repeat."""

from backend.conversations.models import Conversation, Message, MessageDirection
from backend.demo.seed import DEMO_CONVERSATIONS, demo_events, seed_demo
from backend.ingest.models import IngestEvent, IngestStatus
from tests.helpers import wait_until


def test_demo_events_are_the_same_every_run():
    first, second = demo_events(), demo_events()
    assert [(event["idempotency_key"], event["sender"], event["text"]) for event in first] == [
        (event["idempotency_key"], event["sender"], event["text"]) for event in second
    ]
    assert {event["channel"].value for event in first} == {"SMS", "CHAT", "VOICE"}
    assert not any("{" in event["text"] for event in first)  # every placeholder filled


async def test_seed_goes_through_ingestion_and_workers_build_the_conversations(app, workers):
    context = app.state.services.ingest
    sent = await seed_demo(context=context)
    assert sent == len(demo_events()) and await IngestEvent.filter(metadata__contains={"source": "demo-seed"}).count() == sent
    assert await seed_demo(context=context) == 0  # second run: every event is a duplicate

    async def all_processed():
        return await IngestEvent.filter(status=IngestStatus.PROCESSED).count() == sent

    await wait_until(all_processed, timeout=60, message="the demo events being processed")
    assert await Conversation.all().count() == DEMO_CONVERSATIONS
    assert await Message.filter(direction=MessageDirection.INBOUND).count() == sent
