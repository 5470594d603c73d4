"""Live: an ingested event reaches conversationUpdated subscribers; ingestStats is pushed and stops with its
client."""

import asyncio

import httpx

from backend.core.scopes import Scope
from tests.helpers import next_data, subscribe, wait_until
from tests.ingest.documents import INGEST_EVENT, event

CONVERSATION_UPDATED = (
    "subscription { conversationUpdated { customer messageCount messages(first: 1) { "
    "edges { node { text author } } } } }"
)
INGEST_STATS = "subscription { ingestStats { accepted received processed dead queueDepth } }"


async def test_an_ingested_event_reaches_a_conversation_subscriber(live_api, make_key, workers):
    key = await make_key(Scope.INGEST, Scope.READ)
    socket = await subscribe(live_api, key, CONVERSATION_UPDATED)
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {key}"}) as http:
        sent = event(sender="+15550102030", text="Is the dentist open on Saturday?")
        answer = (
            await http.post("/graphql", json={"query": INGEST_EVENT, "variables": {"input": sent}})
        ).json()
        assert answer["data"]["ingestEvent"]["__typename"] == "EventAccepted"
    # The customer's message shows as soon as it is appended, then again with the agent's answer.
    update = (await next_data(socket))["conversationUpdated"]
    assert update["customer"] == "+15550102030"
    assert update["messageCount"] == 1
    answered = (await next_data(socket))["conversationUpdated"]
    assert answered["messageCount"] == 2
    first = answered["messages"]["edges"][0]["node"]
    assert first == {"text": "Is the dentist open on Saturday?", "author": "CUSTOMER"}
    await socket.close()


async def test_ingest_stats_are_pushed_and_stop_when_the_client_leaves(live_api, make_key):
    key = await make_key(Scope.INGEST, Scope.READ)
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {key}"}) as http:
        socket = await subscribe(live_api, key, INGEST_STATS)
        before = (await next_data(socket))["ingestStats"]
        await http.post("/graphql", json={"query": INGEST_EVENT, "variables": {"input": event()}})
        while (pushed := (await next_data(socket))["ingestStats"])["accepted"] == before["accepted"]:
            pass
        assert pushed["accepted"] == before["accepted"] + 1
        live = (await http.get("/healthz")).json()["live"]
        assert live["ingestStatsSubscribers"] == 1 and live["ingestStatsProducerRunning"] is True

        await socket.close()

        async def nothing_left_running():
            live = (await http.get("/healthz")).json()["live"]
            return (
                live["ingestStatsSubscribers"] == 0
                and not live["ingestStatsProducerRunning"]
                and live["eventSubscribers"] == 0
            )

        await wait_until(
            nothing_left_running, timeout=10, message="the server releasing the closed subscription"
        )
