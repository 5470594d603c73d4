"""Beyond one machine: two `agentops api` and two `agentops worker` processes on one PostgreSQL and one Redis.

Whichever replica answers, an event is stored and appended once, a thread keeps acceptance order, a subscriber
on one replica hears what happened through the other, and a sender's rate limit is counted once for all.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import websockets
from strawberry.relay import to_base64

from backend.conversations.models import Conversation, Message, MessageDirection
from backend.core.scopes import Scope
from backend.ingest.models import IngestEvent, IngestStatus
from backend.ingest.rate_limit import WINDOW_SECONDS
from backend.settings import Settings
from tests.helpers import (
    free_port,
    spawn_agentops,
    stop_processes,
    subscribe,
    wait_for_http,
    wait_for_workers,
    wait_until,
)
from tests.ingest.documents import INGEST_EVENT, event

# Low enough to reach in a test, high enough for the other tests' senders: every replica counts in Redis.
SENDER_LIMIT = 100

CONVERSATION_UPDATED = "subscription { conversationUpdated { id customer status messageCount } }"
CLOSE_CONVERSATION = """
mutation Close($id: ID!) {
  closeConversation(input: {conversationId: $id}) {
    __typename
    ... on CloseConversationPayload { conversation { status } }
  }
}
"""


@dataclass(frozen=True)
class Replicas:
    api_urls: tuple[str, str]


@pytest.fixture(scope="module")
def replicas(
    test_settings: Settings, fake_provider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    """Two API processes and two workers of their own, started together, with a low per-sender rate limit."""
    log_dir = tmp_path_factory.mktemp("replicas")
    limit = {"AGENTOPS_RATE_LIMIT_PER_SENDER_PER_MINUTE": str(SENDER_LIMIT)}
    ports = (free_port(), free_port())
    apis = [
        spawn_agentops(
            "api", log_path=log_dir / f"api-{index}.log", env={**limit, "AGENTOPS_API_PORT": str(port)}
        )
        for index, port in enumerate(ports)
    ]
    workers = [
        spawn_agentops(
            "worker", log_path=log_dir / f"worker-{index}.log", env={"AGENTOPS_WORKER_HEARTBEAT_SECONDS": "1"}
        )
        for index in range(2)
    ]
    try:
        for port, process in zip(ports, apis, strict=False):
            wait_for_http(f"http://127.0.0.1:{port}/readyz", process=process)
        wait_for_workers(str(test_settings.redis_url), workers)
        yield Replicas(api_urls=(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"))
    finally:
        stop_processes(apis + workers)


@asynccontextmanager
async def _clients(
    replicas: Replicas, key: str
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx.AsyncClient(base_url=replicas.api_urls[0], headers=headers, timeout=30) as first,
        httpx.AsyncClient(base_url=replicas.api_urls[1], headers=headers, timeout=30) as second,
    ):
        yield first, second


async def _ingest(http: httpx.AsyncClient, sent: dict) -> dict:
    answer = await http.post("/graphql", json={"query": INGEST_EVENT, "variables": {"input": sent}})
    return answer.json()["data"]["ingestEvent"]


async def _all_processed(count: int) -> None:
    async def check() -> bool:
        return await IngestEvent.filter(status=IngestStatus.PROCESSED).count() == count

    await wait_until(check, timeout=60, message=f"{count} event(s) processed")


async def test_one_event_sent_to_both_replicas_at_once_makes_one_row_and_one_message(replicas, make_key):
    key = await make_key(Scope.INGEST)
    sent = event(key="storm-1", sender="+15557770001", text="Do you have anything on Friday?")
    async with _clients(replicas, key) as (first, second):
        answers = await asyncio.gather(
            *(_ingest(first if n % 2 else second, sent) for n in range(SENDER_LIMIT))
        )

    assert {answer["__typename"] for answer in answers} == {"EventAccepted"}
    assert len({answer["eventId"] for answer in answers}) == 1
    assert sum(not answer["duplicate"] for answer in answers) == 1
    await _all_processed(1)
    assert await IngestEvent.filter(idempotency_key="storm-1").count() == 1
    assert await Conversation.all().count() == 1
    inbound = await Message.filter(direction=MessageDirection.INBOUND).values_list("text", flat=True)
    assert inbound == ["Do you have anything on Friday?"]


async def test_a_threads_messages_sent_alternately_to_both_replicas_keep_acceptance_order(replicas, make_key):
    key = await make_key(Scope.INGEST)
    threads, per_thread = 4, 10

    async def send_thread(thread: int) -> None:
        # One customer writing; each message goes to the other replica than the last, after its answer.
        for n in range(per_thread):
            http = clients[n % 2]
            answer = await _ingest(
                http, event(sender=f"+1555888000{thread}", text=f"thread {thread} message {n}")
            )
            assert answer["__typename"] == "EventAccepted", answer

    async with _clients(replicas, key) as clients:
        await asyncio.gather(*(send_thread(thread) for thread in range(threads)))

    await _all_processed(threads * per_thread)
    assert await Conversation.all().count() == threads
    for conversation in await Conversation.all():
        inbound = (
            await Message.filter(conversation=conversation, direction=MessageDirection.INBOUND)
            .order_by("sequence")
            .prefetch_related("ingest_event")
        )
        numbers = [int(message.text.rsplit(" ", 1)[1]) for message in inbound]
        assert numbers == list(range(per_thread)), f"{conversation.customer} out of order: {numbers}"
        accepted = [message.ingest_event.accepted_seq for message in inbound]
        assert accepted == sorted(accepted)


async def _next_update_where(socket: websockets.ClientConnection, wanted) -> dict:
    """The next conversationUpdated payload that satisfies `wanted` (deliveries may publish updates too)."""
    deadline = time.monotonic() + 20
    while True:
        message = json.loads(
            await asyncio.wait_for(socket.recv(), timeout=max(0.1, deadline - time.monotonic()))
        )
        if message["type"] == "next" and wanted(update := message["payload"]["data"]["conversationUpdated"]):
            return update
        assert message["type"] in ("next", "ping"), message


async def test_a_subscriber_on_one_replica_hears_what_is_ingested_and_changed_through_the_other(
    replicas, make_key
):
    key = await make_key(Scope.INGEST, Scope.READ, Scope.OPERATE)
    first_url, second_url = replicas.api_urls
    on_first, on_second = (
        await subscribe(first_url, key, CONVERSATION_UPDATED),
        await subscribe(second_url, key, CONVERSATION_UPDATED),
    )
    try:
        await asyncio.sleep(0.3)  # each replica's one pub/sub listener attaches before anything is published
        async with _clients(replicas, key) as (_, second):
            accepted = await _ingest(second, event(sender="+15559990042", text="Is anyone there?"))
            assert accepted["__typename"] == "EventAccepted"

            # A worker appended it, then answered it; both replicas' subscribers hear both through Redis.
            def answered(update: dict) -> bool:
                # the customer's message and the agent's answer
                return update["customer"] == "+15559990042" and update["messageCount"] >= 2

            heard_on_first = await _next_update_where(on_first, answered)
            heard_on_second = await _next_update_where(on_second, answered)
            assert heard_on_first["id"] == heard_on_second["id"]

            # A change made by an API replica itself (not a worker) reaches the other replica too.
            closed = (
                await second.post(
                    "/graphql", json={"query": CLOSE_CONVERSATION, "variables": {"id": heard_on_first["id"]}}
                )
            ).json()
            assert closed["data"]["closeConversation"]["conversation"]["status"] == "CLOSED"
            closing = await _next_update_where(on_first, lambda update: update["status"] == "CLOSED")
            assert (
                closing["id"]
                == heard_on_first["id"]
                == to_base64("Conversation", str((await Conversation.get()).id))
            )
    finally:
        await on_first.close()
        await on_second.close()


async def _away_from_a_window_edge(margin_seconds: float = 10) -> None:
    # Fixed one-minute windows: a count that straddles an edge starts again at zero halfway through.
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin_seconds:
        await asyncio.sleep(left + 0.1)


async def test_a_senders_rate_limit_is_counted_once_across_replicas(replicas, make_key):
    key = await make_key(Scope.INGEST)
    sender = "+15556660000"
    await _away_from_a_window_edge()
    async with _clients(replicas, key) as (first, second):
        allowed = await asyncio.gather(
            *(
                _ingest(first if n % 2 else second, event(sender=sender, text=f"burst {n}"))
                for n in range(SENDER_LIMIT)
            )
        )
        assert [answer["__typename"] for answer in allowed] == ["EventAccepted"] * SENDER_LIMIT

        over = [await _ingest(http, event(sender=sender, text="one too many")) for http in (first, second)]
        assert [answer["__typename"] for answer in over] == ["RateLimited", "RateLimited"]
        assert all(1 <= answer["retryAfterSeconds"] <= WINDOW_SECONDS for answer in over)

        other_sender = await _ingest(first, event(sender="+15556660001", text="a different customer"))
        assert other_sender["__typename"] == "EventAccepted"

    assert await IngestEvent.filter(sender=sender).count() == SENDER_LIMIT
    assert not await IngestEvent.filter(text="one too many").exists()
