"""Real SAQ workers turn accepted events into messages: in order, once, and nothing lost to failures."""

from backend.conversations.models import Conversation, Message, MessageDirection
from backend.core.faults import PROCESS_EVENT as PROCESS_FAULT_POINT
from backend.core.faults import clear_fault, set_fault
from backend.core.scopes import Scope
from backend.ingest.models import DeadLetter, IngestEvent, IngestStatus
from tests.helpers import graphql, wait_until
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS, event

REPLAY = """
mutation Replay($id: ID!) {
  replayDeadLetter(input: {deadLetterId: $id}) {
    __typename
    ... on ReplayDeadLetterPayload { replayed deadLetter { replayCount replayedAt event { status } } }
  }
}
"""
DEAD_LETTERS = """
{ deadLetters(first: 10, filter: {replayed: false}) {
    edges { node { id errorType errorMessage attempts tracebackSummary event { idempotencyKey status } } } } }
"""


async def _all_processed(count: int):
    async def check():
        return await IngestEvent.filter(status=IngestStatus.PROCESSED).count() == count

    return check


async def test_1000_events_to_10_conversations_keep_acceptance_order_with_4_workers(
    client, make_key, workers
):
    key = await make_key(Scope.INGEST, Scope.READ)
    for batch in range(10):
        events = [
            event(key=f"order-{n}", sender=f"+1555000{n % 10:04d}", text=f"message {n}")
            for n in range(batch * 100, batch * 100 + 100)
        ]
        body = (await graphql(client, INGEST_EVENTS, key=key, variables={"input": {"events": events}})).json()
        assert {result["__typename"] for result in body["data"]["ingestEvents"]["results"]} == {
            "EventAccepted"
        }

    await wait_until(await _all_processed(1000), timeout=120, message="processing 1,000 events")
    assert await Conversation.all().count() == 10
    for conversation in await Conversation.all():
        messages = (
            await Message.filter(conversation=conversation, direction=MessageDirection.INBOUND)
            .order_by("sequence")
            .prefetch_related("ingest_event")
        )
        accepted = [message.ingest_event.accepted_seq for message in messages]
        assert accepted == sorted(accepted), f"out of acceptance order in {conversation.customer}"
        numbers = [int(message.text.split()[1]) for message in messages]
        assert numbers == sorted(numbers) and len(numbers) == 100
        sequences = [message.sequence for message in messages]
        assert sequences == sorted(sequences) and len(set(sequences)) == 100
        # Each customer message was answered: the thread interleaves 100 inbound and 100 agent replies.
        assert conversation.message_count == 200
    assert await Message.filter(direction=MessageDirection.INBOUND).count() == 1000  # no event appended twice


async def test_a_failing_event_goes_dead_then_replays_to_processed(app, client, make_key, workers):
    redis = app.state.services.redis
    key = await make_key(Scope.INGEST, Scope.READ, Scope.OPERATE)
    await set_fault(redis, PROCESS_FAULT_POINT, message="tool backend down")
    try:
        await graphql(client, INGEST_EVENT, key=key, variables={"input": event(key="doomed-1")})

        async def dead():
            return await IngestEvent.filter(idempotency_key="doomed-1", status=IngestStatus.DEAD).exists()

        await wait_until(dead, timeout=30, message="the event going DEAD")
    finally:
        await clear_fault(redis, PROCESS_FAULT_POINT)

    letter = await DeadLetter.get(event__idempotency_key="doomed-1")
    assert letter.attempts == 3 and letter.error_type == "InjectedFault"
    assert "tool backend down" in letter.error_message
    assert "jobs/ingest.py" in letter.traceback_summary
    assert await Message.filter(direction=MessageDirection.INBOUND).count() == 0

    listed = (await graphql(client, DEAD_LETTERS, key=key)).json()["data"]["deadLetters"]["edges"]
    assert [edge["node"]["event"]["idempotencyKey"] for edge in listed] == ["doomed-1"]
    letter_id = listed[0]["node"]["id"]

    first = (await graphql(client, REPLAY, key=key, variables={"id": letter_id})).json()["data"][
        "replayDeadLetter"
    ]
    second = (await graphql(client, REPLAY, key=key, variables={"id": letter_id})).json()["data"][
        "replayDeadLetter"
    ]
    assert first["replayed"] is True and second["replayed"] is False
    assert second["deadLetter"]["replayCount"] == 1

    async def processed():
        return await IngestEvent.filter(idempotency_key="doomed-1", status=IngestStatus.PROCESSED).exists()

    await wait_until(processed, timeout=30, message="the replayed event being processed")
    assert await Message.filter(direction=MessageDirection.INBOUND).count() == 1


async def test_replay_all_matching_a_filter(app, client, make_key, workers):
    redis = app.state.services.redis
    key = await make_key(Scope.INGEST, Scope.OPERATE)
    await set_fault(redis, PROCESS_FAULT_POINT, message="down")
    try:
        for index in range(3):
            await graphql(
                client,
                INGEST_EVENT,
                key=key,
                variables={"input": event(key=f"bulk-{index}", sender=f"+1{index}")},
            )

        async def all_dead():
            return await IngestEvent.filter(status=IngestStatus.DEAD).count() == 3

        await wait_until(all_dead, timeout=30, message="three events going DEAD")
    finally:
        await clear_fault(redis, PROCESS_FAULT_POINT)
    replay_all = (
        "mutation { replayDeadLetters(input: {filter: {replayed: false, channel: SMS}}) { replayed } }"
    )
    assert (await graphql(client, replay_all, key=key)).json()["data"]["replayDeadLetters"]["replayed"] == 3
    assert (await graphql(client, replay_all, key=key)).json()["data"]["replayDeadLetters"]["replayed"] == 0
    await wait_until(await _all_processed(3), timeout=30, message="replayed events being processed")


async def test_after_the_queue_is_flushed_the_reconciler_processes_every_event(
    app, client, make_key, workers
):
    key = await make_key(Scope.INGEST)
    redis = app.state.services.redis
    # Stop processing first, so the flush surely catches accepted events that are still queued.
    await set_fault(redis, PROCESS_FAULT_POINT, message="paused")
    events = [event(key=f"flush-{n}", sender=f"+1666{n % 5}") for n in range(50)]
    await graphql(client, INGEST_EVENTS, key=key, variables={"input": {"events": events}})
    await redis.flushdb()  # the whole test Redis index: queue, schedules, fault flag, everything
    assert await IngestEvent.filter(status=IngestStatus.RECEIVED).count() == 50
    await wait_until(await _all_processed(50), timeout=60, message="the reconciler recovering 50 events")
    assert await Message.filter(direction=MessageDirection.INBOUND).count() == 50
