"""Accepted events and conversations can be found by status, channel, time and text."""

from datetime import UTC, datetime, timedelta

from backend.conversations.models import Conversation, Message, MessageAuthor, MessageDirection
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.ingest.models import IngestEvent, IngestStatus
from tests.helpers import graphql

EVENTS = """
query Events($filter: IngestEventFilter) {
  ingestEvents(first: 50, filter: $filter) { edges { node { idempotencyKey status channel } } }
}
"""
SEARCH = (
    "query Search($text: String!) { conversations(filter: {text: $text}) { edges { node { customer } } } }"
)


async def test_ingest_events_filter_by_status_channel_and_time(client, make_key):
    key = await make_key(Scope.READ)
    base = datetime(2026, 3, 1, tzinfo=UTC)
    for index, (channel, status) in enumerate(
        [
            (Channel.SMS, IngestStatus.PROCESSED),
            (Channel.CHAT, IngestStatus.RECEIVED),
            (Channel.SMS, IngestStatus.DEAD),
            (Channel.VOICE, IngestStatus.PROCESSED),
        ]
    ):
        event = await IngestEvent.create(
            channel=channel,
            idempotency_key=f"e{index}",
            sender="s",
            thread_key="s",
            text="t",
            occurred_at=base,
            status=status,
        )
        await IngestEvent.filter(id=event.id).update(received_at=base + timedelta(hours=index))

    async def keys(filter):
        body = (await graphql(client, EVENTS, key=key, variables={"filter": filter})).json()
        return [edge["node"]["idempotencyKey"] for edge in body["data"]["ingestEvents"]["edges"]]

    assert await keys(None) == ["e3", "e2", "e1", "e0"]
    assert await keys({"status": "PROCESSED"}) == ["e3", "e0"]
    assert await keys({"channel": "SMS", "status": "DEAD"}) == ["e2"]
    window = {
        "receivedAfter": (base + timedelta(minutes=30)).isoformat(),
        "receivedBefore": (base + timedelta(hours=2, minutes=30)).isoformat(),
    }
    assert await keys(window) == ["e2", "e1"]
    inverted = {"receivedAfter": window["receivedBefore"], "receivedBefore": window["receivedAfter"]}
    error = (await graphql(client, EVENTS, key=key, variables={"filter": inverted})).json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_conversations_can_be_searched_by_message_text(client, make_key):
    key = await make_key(Scope.READ)
    for customer, text in [
        ("+1", "My order A-10293 arrived damaged"),
        ("+2", "Can I book a haircut?"),
        ("+3", "DAMAGED box again"),
    ]:
        conversation = await Conversation.create(
            channel=Channel.SMS, thread_key=customer, customer=customer, last_message_at=datetime.now(UTC)
        )
        await Message.create(
            conversation=conversation,
            sequence=1,
            direction=MessageDirection.INBOUND,
            author=MessageAuthor.CUSTOMER,
            text=text,
        )
    body = (await graphql(client, SEARCH, key=key, variables={"text": "damaged"})).json()
    assert sorted(edge["node"]["customer"] for edge in body["data"]["conversations"]["edges"]) == ["+1", "+3"]
    too_long = (await graphql(client, SEARCH, key=key, variables={"text": "x" * 201})).json()
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
