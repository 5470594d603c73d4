"""Closing a conversation reaches subscribers over graphql-transport-ws, through Redis pub/sub."""

import asyncio
import json

import httpx
import websockets
from strawberry.relay import to_base64

from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.core.scopes import Scope
from tests.helpers import next_payload, subscribe

SUBSCRIBE = """
subscription Updates($id: ID) { conversationUpdated(conversationId: $id) { id customer status } }
"""
CLOSE = """
mutation Close($id: ID!) {
  closeConversation(input: {conversationId: $id}) {
    __typename
    ... on CloseConversationPayload { conversation { status } }
  }
}
"""


async def test_subscriber_sees_the_conversation_it_watches_change(live_api, make_key):
    key = await make_key(Scope.READ, Scope.OPERATE)
    watched = await Conversation.create(
        channel=Channel.SMS, thread_key="+1555", customer="+1555", last_message_at="2026-01-01T00:00:00Z"
    )
    other = await Conversation.create(
        channel=Channel.CHAT, thread_key="w-1", customer="u-1", last_message_at="2026-01-01T00:00:00Z"
    )
    watched_id = to_base64("Conversation", str(watched.id))

    specific = await subscribe(live_api, key, SUBSCRIBE, {"id": watched_id})
    everything = await subscribe(live_api, key, SUBSCRIBE, {})
    await asyncio.sleep(0.3)  # let the server's pub/sub listener attach before publishing
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {key}"}) as http:
        for conversation in (other, watched):
            variables = {"id": to_base64("Conversation", str(conversation.id))}
            result = (await http.post("/graphql", json={"query": CLOSE, "variables": variables})).json()
            assert result["data"]["closeConversation"]["conversation"]["status"] == "CLOSED"

    first_specific = await next_payload(specific)
    assert first_specific["data"]["conversationUpdated"] == {
        "id": watched_id,
        "customer": "+1555",
        "status": "CLOSED",
    }
    seen_by_all = [
        (await next_payload(everything))["data"]["conversationUpdated"]["customer"] for _ in range(2)
    ]
    assert seen_by_all == ["u-1", "+1555"]
    await specific.close()
    await everything.close()


async def test_subscribing_with_a_bad_key_is_refused(live_api):
    socket = await websockets.connect(
        live_api.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer ak_nope_nope"}})
    )
    try:
        await asyncio.wait_for(socket.recv(), timeout=5)
        raise AssertionError("the server acknowledged an invalid key")
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd.code == 4403


async def test_subscribing_without_read_scope_is_forbidden(live_api, make_key):
    key = await make_key(Scope.INGEST)
    socket = await subscribe(live_api, key, SUBSCRIBE, {})
    message = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    await socket.close()
