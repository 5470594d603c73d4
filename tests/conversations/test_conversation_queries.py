"""Conversations page newest-first with filters; threads read in order; any object by node(id:)."""

from datetime import UTC, datetime, timedelta

from strawberry.relay import to_base64

from backend.agent.models import AgentRun, RunStatus
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.core.enums import Channel
from backend.core.scopes import Scope
from tests.helpers import graphql

CONVERSATIONS = """
query List($first: Int, $after: String, $filter: ConversationFilter) {
  conversations(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id customer channel status messageCount lastMessage { text sequence } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
THREAD = """
query Thread($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    __typename
    ... on Conversation {
      customer
      messages(first: $first, after: $after) {
        edges { node { sequence author direction text conversation { customer } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""


async def _make_conversations(count: int) -> list[Conversation]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = []
    for index in range(count):
        made.append(
            await Conversation.create(
                channel=Channel.SMS if index % 2 == 0 else Channel.CHAT,
                thread_key=f"thread-{index}",
                customer=f"customer-{index}",
                status=ConversationStatus.CLOSED if index % 3 == 0 else ConversationStatus.OPEN,
                last_message_at=start + timedelta(minutes=index),
            )
        )
    return made


async def _all_pages(client, key, *, first, filter=None) -> list[str]:
    customers, after = [], None
    while True:
        variables = {"first": first, "after": after, "filter": filter}
        connection = (await graphql(client, CONVERSATIONS, key=key, variables=variables)).json()["data"][
            "conversations"
        ]
        customers += [edge["node"]["customer"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return customers
        after = connection["pageInfo"]["endCursor"]


async def test_pages_walk_every_conversation_once_newest_first(client, make_key):
    key = await make_key(Scope.READ)
    await _make_conversations(11)
    assert await _all_pages(client, key, first=4) == [f"customer-{index}" for index in range(10, -1, -1)]


async def test_filters_combine(client, make_key):
    key = await make_key(Scope.READ)
    await _make_conversations(12)
    open_sms = await _all_pages(client, key, first=2, filter={"channel": "SMS", "status": "OPEN"})
    assert open_sms == ["customer-10", "customer-8", "customer-4", "customer-2"]

    window = {"activeAfter": "2026-01-01T00:03:00+00:00", "activeBefore": "2026-01-01T00:06:00+00:00"}
    assert await _all_pages(client, key, first=10, filter=window) == [
        "customer-5",
        "customer-4",
        "customer-3",
    ]
    assert await _all_pages(client, key, first=10, filter={"customer": "customer-7"}) == ["customer-7"]


async def test_handed_off_means_a_turn_ended_with_a_human_even_after_the_agent_got_it_back(client, make_key):
    key = await make_key(Scope.READ)
    conversations = await _make_conversations(4)
    for conversation, status in zip(
        conversations, (RunStatus.OK, RunStatus.HANDED_OFF, RunStatus.FAILED), strict=False
    ):
        await AgentRun.create(
            conversation=conversation,
            policy="rules",
            prompt_name="receptionist",
            prompt_version="v1",
            status=status,
            latency_ms=12.0,
        )
    # customer-1 was handed off and has since been returned to the agent: it still counts.
    await AgentRun.create(
        conversation=conversations[1],
        policy="rules",
        prompt_name="receptionist",
        prompt_version="v1",
        status=RunStatus.OK,
        latency_ms=9.0,
    )
    assert await _all_pages(client, key, first=10, filter={"handedOff": True}) == ["customer-1"]
    assert await _all_pages(client, key, first=1, filter={"handedOff": False}) == [
        "customer-3",
        "customer-2",
        "customer-0",
    ]
    both = {"handedOff": True, "channel": "SMS"}
    assert await _all_pages(client, key, first=10, filter=both) == []


async def test_an_inverted_time_range_is_a_typed_error(client, make_key):
    key = await make_key(Scope.READ)
    window = {"activeAfter": "2026-01-02T00:00:00+00:00", "activeBefore": "2026-01-01T00:00:00+00:00"}
    body = (await graphql(client, CONVERSATIONS, key=key, variables={"filter": window})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "activeAfter" in body["errors"][0]["message"]


async def test_each_conversation_shows_its_own_last_message(client, make_key):
    key = await make_key(Scope.READ)
    for conversation in await _make_conversations(3):
        for sequence in range(1, 4):
            await Message.create(
                conversation=conversation,
                sequence=sequence,
                direction=MessageDirection.INBOUND,
                author=MessageAuthor.CUSTOMER,
                text=f"{conversation.customer} says {sequence}",
            )
    body = (await graphql(client, CONVERSATIONS, key=key, variables={"first": 10})).json()
    last = {
        edge["node"]["customer"]: edge["node"]["lastMessage"]
        for edge in body["data"]["conversations"]["edges"]
    }
    assert last == {
        f"customer-{index}": {"text": f"customer-{index} says 3", "sequence": 3} for index in range(3)
    }


async def test_thread_reads_in_order_across_pages_through_node(client, make_key):
    key = await make_key(Scope.READ)
    conversation = (await _make_conversations(1))[0]
    for sequence in range(1, 8):
        await Message.create(
            conversation=conversation,
            sequence=sequence,
            direction=MessageDirection.INBOUND if sequence % 2 else MessageDirection.OUTBOUND,
            author=MessageAuthor.CUSTOMER if sequence % 2 else MessageAuthor.AGENT,
            text=f"message {sequence}",
        )
    node_id = to_base64("Conversation", str(conversation.id))
    seen, after = [], None
    while True:
        body = (
            await graphql(client, THREAD, key=key, variables={"id": node_id, "first": 3, "after": after})
        ).json()
        assert body["data"]["node"]["__typename"] == "Conversation"
        connection = body["data"]["node"]["messages"]
        seen += [edge["node"]["sequence"] for edge in connection["edges"]]
        assert {edge["node"]["conversation"]["customer"] for edge in connection["edges"]} == {"customer-0"}
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == list(range(1, 8))


async def test_node_of_a_missing_object_is_null(client, make_key):
    key = await make_key(Scope.READ)
    missing = to_base64("Conversation", "00000000-0000-0000-0000-000000000000")
    body = (await graphql(client, f'{{ node(id: "{missing}") {{ id }} }}', key=key)).json()
    assert body == {"data": {"node": None}}


async def test_node_needs_the_scope_of_the_object(client, make_key):
    ingest_only = await make_key(Scope.INGEST)
    conversation = (await _make_conversations(1))[0]
    node_id = to_base64("Conversation", str(conversation.id))
    response = await graphql(client, f'{{ node(id: "{node_id}") {{ id }} }}', key=ingest_only)
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
