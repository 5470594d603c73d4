"""Lists read through DataLoaders: a page costs the same number of SQL statements whatever its size."""

import pytest

from backend.auth.scopes import Scope
from backend.channels.enums import Channel
from backend.conversations.models import Conversation, Message, MessageAuthor, MessageDirection
from backend.ingest.models import IngestEvent
from tests.helpers import StatementCounter, graphql

CONVERSATIONS_PAGE = """
query Page($first: Int!) {
  conversations(first: $first) {
    edges { node { id customer lastMessage { text conversation { customer } } messages(first: 3) { edges { node { text } } } } }
  }
}
"""
EVENTS_PAGE = """
query Page($first: Int!) {
  ingestEvents(first: $first) { edges { node { idempotencyKey status conversation { customer messageCount } } } }
}
"""


async def _threads(count: int) -> None:
    for index in range(count):
        conversation = await Conversation.create(
            channel=Channel.SMS, thread_key=f"+1{index:09d}", customer=f"+1{index:09d}", last_message_at="2026-01-01T00:00:00Z"
        )
        await Message.bulk_create(
            [Message(conversation=conversation, sequence=n, direction=MessageDirection.INBOUND,
                     author=MessageAuthor.CUSTOMER, text=f"m{n}") for n in range(1, 6)]
        )
        await IngestEvent.create(
            channel=Channel.SMS, idempotency_key=f"k{index}", sender=f"+1{index:09d}", thread_key=f"+1{index:09d}",
            text="hello", occurred_at="2026-01-01T00:00:00Z",
        )


@pytest.mark.parametrize("document,field", [(CONVERSATIONS_PAGE, "conversations"), (EVENTS_PAGE, "ingestEvents")])
async def test_statements_per_page_do_not_grow_with_page_size(client, make_key, monkeypatch, document, field):
    key = await make_key(Scope.READ)
    await _threads(40)
    await graphql(client, "{ viewer { keyName } }", key=key)  # warm the key cache: auth is not part of the page
    counter = StatementCounter(monkeypatch)
    counts = {}
    for size in (2, 10, 40):
        counter.reset()
        body = (await graphql(client, document, key=key, variables={"first": size})).json()
        assert len(body["data"][field]["edges"]) == size, body
        counts[size] = len(counter.statements)
    assert counts[2] == counts[10] == counts[40], counts
    assert 2 <= counts[40] <= 8, counter.statements
