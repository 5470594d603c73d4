"""Completed agent runs reach subscribers over graphql-transport-ws, through Redis pub/sub."""

import asyncio
import json

from strawberry.relay import to_base64

from backend.agent.models import AgentRun, RunStatus, ToolCall
from backend.conversations.models import Conversation, ConversationStatus
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.core.topics import RUN_COMPLETED
from tests.helpers import next_payload, subscribe

SUBSCRIBE = """
subscription Runs($id: ID) {
  runCompleted(conversationId: $id) { id status promptVersion conversation { customer status } toolCalls {
      name } }
}
"""


async def _completed_run(conversation: Conversation, version: str) -> AgentRun:
    run = await AgentRun.create(
        conversation=conversation,
        policy="rules",
        prompt_name="front-desk",
        prompt_version=version,
        status=RunStatus.OK,
        latency_ms=12.0,
    )
    await ToolCall.create(run=run, position=1, name="check_availability", arguments={}, latency_ms=1.0)
    return run


async def test_subscriber_sees_runs_of_the_conversation_it_watches(app, live_api, make_key):
    key = await make_key(Scope.READ)
    watched = await Conversation.create(
        channel=Channel.SMS, thread_key="+1555", customer="+1555", last_message_at="2026-01-01T00:00:00Z"
    )
    other = await Conversation.create(
        channel=Channel.CHAT, thread_key="w-1", customer="u-1", last_message_at="2026-01-01T00:00:00Z"
    )

    specific = await subscribe(live_api, key, SUBSCRIBE, {"id": to_base64("Conversation", str(watched.id))})
    everything = await subscribe(live_api, key, SUBSCRIBE, {})
    await asyncio.sleep(0.3)  # let the server's pub/sub listener attach before publishing
    hub = app.state.services.hub
    for conversation, version in ((other, "other-v1"), (watched, "v1")):
        run = await _completed_run(conversation, version)
        await hub.publish(RUN_COMPLETED, {"runId": str(run.id), "conversationId": str(conversation.id)})

    seen = (await next_payload(specific))["data"]["runCompleted"]
    assert seen == {
        "id": to_base64("AgentRun", str(run.id)),
        "status": "OK",
        "promptVersion": "v1",
        "conversation": {"customer": "+1555", "status": "OPEN"},
        "toolCalls": [{"name": "check_availability"}],
    }
    seen_by_all = [
        (await next_payload(everything))["data"]["runCompleted"]["promptVersion"] for _ in range(2)
    ]
    assert seen_by_all == ["other-v1", "v1"]

    # The next run of the same conversation shows it as it is now, not as the first event's request cached it.
    await Conversation.filter(id=watched.id).update(status=ConversationStatus.HANDED_OFF)
    run = await _completed_run(watched, "v2")
    await hub.publish(RUN_COMPLETED, {"runId": str(run.id), "conversationId": str(watched.id)})
    later = (await next_payload(specific))["data"]["runCompleted"]
    assert (later["promptVersion"], later["conversation"]["status"]) == ("v2", "HANDED_OFF")
    await specific.close()
    await everything.close()


async def test_subscribing_with_a_non_conversation_id_is_refused(live_api, make_key):
    key = await make_key(Scope.READ)
    socket = await subscribe(
        live_api, key, SUBSCRIBE, {"id": to_base64("AgentRun", "00000000-0000-0000-0000-000000000000")}
    )
    payload = await next_payload(socket)
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert json.loads(await asyncio.wait_for(socket.recv(), timeout=5))["type"] == "complete"
    await socket.close()
