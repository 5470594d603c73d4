"""liveMetrics: one producer per API process feeds every subscriber, reacts to a turn, and stops with the last
one."""

import httpx

from backend.core.scopes import Scope
from tests.helpers import graphql, next_data, subscribe, wait_until
from tests.ingest.documents import INGEST_EVENT, event

LIVE = (
    "subscription { liveMetrics { at turns turnsPerMinute failureRate handoffRate latencyP95Ms "
    "openIncidents queueDepth deadLetters windowSeconds } }"
)


async def test_live_metrics_come_from_one_producer_react_to_a_turn_and_stop_with_the_last_client(
    live_api, make_key, workers
):
    key = await make_key(Scope.INGEST, Scope.READ)
    sockets = [await subscribe(live_api, key, LIVE) for _ in range(3)]
    firsts = [(await next_data(socket))["liveMetrics"] for socket in sockets]
    assert all(
        first["turns"] == 0 and first["windowSeconds"] == 300 and first["queueDepth"] >= 0 for first in firsts
    )
    async with httpx.AsyncClient(base_url=live_api, headers={"Authorization": f"Bearer {key}"}) as http:
        live = (await http.get("/healthz")).json()["live"]
        # Three identical subscriptions: one shared execution, one consumer of the producer, three members.
        assert live["sharedSubscriptionMembers"] == 3 and live["sharedSubscriptionExecutions"] == 1
        assert live["liveMetricsSubscribers"] == 1 and live["liveMetricsProducerRunning"] is True

        await http.post(
            "/graphql",
            json={
                "query": INGEST_EVENT,
                "variables": {
                    "input": event(sender="+15550406080", text="What are your opening hours on Saturday?")
                },
            },
        )
        seen = []
        for socket in sockets:  # each hears the turn without asking, well before the 1 s tick would matter
            while (pushed := (await next_data(socket))["liveMetrics"])["turns"] == 0:
                pass
            seen.append(pushed)
        assert {pushed["turns"] for pushed in seen} == {1} and seen[0]["latencyP95Ms"] > 0
        assert seen[0]["turnsPerMinute"] == 60 / 300 and seen[0]["failureRate"] == 0
        # One computation fanned out: every subscriber got the very same values, down to their timestamp.
        assert len({pushed["at"] for pushed in seen}) == 1

        for socket in sockets:
            await socket.close()

        async def nothing_left_running():
            live = (await http.get("/healthz")).json()["live"]
            return (
                live["liveMetricsSubscribers"] == 0
                and not live["liveMetricsProducerRunning"]
                and live["sharedSubscriptionMembers"] == 0
                and live["sharedSubscriptionExecutions"] == 0
            )

        await wait_until(
            nothing_left_running, timeout=10, message="the producer stopping with its last subscriber"
        )


async def test_current_metrics_answers_the_same_shape_once(client, make_key):
    key = await make_key(Scope.READ)
    body = (
        await graphql(
            client, "{ currentMetrics { turns failureRate queueDepth deadLetters openIncidents } }", key=key
        )
    ).json()
    assert body["data"]["currentMetrics"] == {
        "turns": 0,
        "failureRate": 0.0,
        "queueDepth": 0,
        "deadLetters": 0,
        "openIncidents": 0,
    }
