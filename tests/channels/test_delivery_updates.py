"""A reply's delivery reaches conversationUpdated subscribers, so live threads show QUEUED turning SENT."""

import asyncio

import httpx

from backend.core.scopes import Scope
from tests.helpers import next_payload, subscribe
from tests.ingest.documents import INGEST_EVENT, event

THREAD_UPDATES = """
subscription {
  conversationUpdated { customer messages(first: 5) { edges { node { author deliveryStatus deliveredAt } } } }
}
"""


async def _next_update(socket) -> dict:
    return (await next_payload(socket))["data"]["conversationUpdated"]


async def test_a_sent_reply_is_pushed_after_the_turn_that_queued_it(
    live_api, make_key, workers, fake_provider
):
    key = await make_key(Scope.INGEST, Scope.READ)
    sender = "+15550108080"
    socket = await subscribe(live_api, key, THREAD_UPDATES)
    await asyncio.sleep(0.3)  # let the server's pub/sub listener attach before publishing
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {key}"}) as http:
        sent = event(sender=sender, text="Do you have anything on Friday?")
        answer = (
            await http.post("/graphql", json={"query": INGEST_EVENT, "variables": {"input": sent}})
        ).json()
        assert answer["data"]["ingestEvent"]["__typename"] == "EventAccepted"

    # Three pushes: the customer's message appended, the turn (its reply QUEUED, or already SENT by the time
    # the API reads it), then the delivery.
    appended, turn, delivery = (
        await _next_update(socket),
        await _next_update(socket),
        await _next_update(socket),
    )
    assert appended["customer"] == turn["customer"] == delivery["customer"] == sender
    reply = next(edge["node"] for edge in delivery["messages"]["edges"] if edge["node"]["author"] == "AGENT")
    assert reply["deliveryStatus"] == "SENT" and reply["deliveredAt"] is not None
    assert len(fake_provider.sent_to(sender)) == 1
    await socket.close()
