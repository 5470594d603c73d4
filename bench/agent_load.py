"""The load side of bench/agent.py: the synthetic conversations and the client-process work (spawned)."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.noop_worker import QUEUE_NAME as NOOP_QUEUE
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS

PRODUCT_QUEUE = "agentops"
HEARTBEATS = "agentops:worker:heartbeat:*"
RUNS = "subscription { runCompleted { id } }"


# --- Customer texts: five-message conversations, fixed seed ------------------------------------------------
# A conversation asks for a person or a manager only in its last message: after a handoff the agent is
# silent, and every message sent here is meant to get its reply.
NAMES = [
    "Maria",
    "Maria Lopez",
    "James Okafor",
    "Priya Natarajan",
    "Tom Becker",
    "Aiko Tanaka",
    "Fatima Haddad",
    "Lucas Moreau",
    "Chloe Nguyen",
    "Daniel Kim",
    "Sofia Rossi",
]
DAYS = ["tomorrow", "on Friday", "next Tuesday", "on Thursday", "this Saturday", "on Monday", "on Wednesday"]
TIMES = ["3pm", "10:30", "9am", "11am", "2:30pm", "noon", "4pm", "15:30"]
SERVICES = ["haircut", "beard trim", "color touch-up", "dental cleaning", "eye exam", "massage"]
ORDERS = ["A-10293", "A-10817", "B-20455", "C-31007", "A-11942"]
FLOWS = [  # (weight, channels, five turns)
    (
        4,
        ("SMS", "CHAT"),
        [
            "can I book a {service} {day} at {time}? I'm {first}",
            "ok {time2} works for me then",
            "{name}",
            "Great, thanks!",
            "What are your opening hours on Saturday?",
        ],
    ),
    (
        3,
        ("SMS",),
        [
            "Do you have anything for a {service} {day}?",
            "Anything in the afternoon?",
            "{time2} works for me",
            "It's {name}",
            "Thanks so much, see you soon!",
        ],
    ),
    (
        2,
        ("CHAT",),
        [
            "My order {order} arrived damaged, the box was crushed.",
            "I'd like a replacement please.",
            "Also, are you open {day}?",
            "Thanks for the help",
            "can I book a {service} {day} at {time}? name is {name}",
        ],
    ),
    (
        2,
        ("SMS", "CHAT"),
        [
            "What are your opening hours {day}?",
            "Ok, I'd like to book a {service} then",
            "{day} please",
            "{time}",
            "{name}",
        ],
    ),
    (
        2,
        ("VOICE",),
        [
            "hi um yeah i'm calling to book a {service} for {day}",
            "uh {time} if you have it",
            "it's {name}",
            "thank you",
            "oh and i was charged twice for my last visit",
        ],
    ),
    (
        1,
        ("SMS", "CHAT"),
        [
            "I need to reschedule my {service} to {day}",
            "Anything around {time}?",
            "{name}",
            "The booking page keeps giving me an error when I pick a day.",
            "Can I talk to a real person please?",
        ],
    ),
    (
        1,
        ("CHAT", "SMS"),
        [
            "Hello!",
            "I was charged twice for my last visit.",
            "Can you look into it please?",
            "Thanks",
            "This is the third time. Unacceptable, I want to speak to a manager.",
        ],
    ),
]


def conversations(
    count: int, turns: int, *, tag: str, first: int = 0, seed: int = 20260501
) -> list[list[dict]]:
    """`count` conversations of `turns` IngestEventInputs each (a flow, repeated if `turns` > 5).

    Conversation numbers start at `first`: phases use separate ranges, so no two share a sender or thread.
    """
    rng, threads = random.Random(seed), []
    flows = [flow for weight, *flow in FLOWS for _ in range(weight)]
    for number in range(first, first + count):
        channels, texts = rng.choice(flows)
        channel, name = rng.choice(channels), rng.choice(NAMES)
        fill = {
            "service": rng.choice(SERVICES),
            "day": rng.choice(DAYS),
            "time": rng.choice(TIMES),
            "time2": rng.choice(TIMES),
            "name": name,
            "first": name.split()[0],
            "order": rng.choice(ORDERS),
        }
        sender = f"user-{number}" if channel == "CHAT" else f"+1555{number:07d}"
        threads.append(
            [
                {
                    "channel": channel,
                    "idempotencyKey": f"{tag}-{number}-{turn}",
                    "sender": sender,
                    "text": texts[turn % len(texts)].format(**fill),
                    "occurredAt": datetime.now(UTC).isoformat(),
                    "metadata": {"source": "bench"},
                    **({"externalConversationId": f"{channel.lower()}-{number}"} if channel != "SMS" else {}),
                }
                for turn in range(turns)
            ]
        )
    return threads


# --- Load: everything below up to "Measuring" runs in the spawned client process ---------------------------


async def _enqueue_noops(redis_url: str, *, total: int, concurrency: int) -> dict:
    """Enqueue `total` no-op jobs from `concurrency` tasks, then wait until none is incomplete."""
    from saq import Queue

    queue = Queue.from_url(redis_url, name=NOOP_QUEUE)
    await queue.connect()
    numbers = iter(range(total))

    async def one_task() -> None:
        for _ in numbers:  # shared: each job is enqueued once, by whichever task is free
            await queue.enqueue("noop")

    began = time.time()
    await asyncio.gather(*(one_task() for _ in range(concurrency)))
    enqueued = time.time()
    while await queue.count("incomplete"):
        await asyncio.sleep(0.005)
    done = time.time()
    await queue.disconnect()
    return {"began": began, "enqueued": enqueued, "done": done}


def enqueue_noops(redis_url: str, **options) -> dict:
    return asyncio.run(_enqueue_noops(redis_url, **options))


RESENT = [0]  # in the client process: requests sent again after a dropped keep-alive connection


async def _post(client: httpx.AsyncClient, url: str, key: str, body: dict) -> dict:
    try:
        response = await client.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        # The server may close an idle keep-alive connection just as it is reused; idempotency keys make
        # sending the same events again harmless (they come back as duplicates if the first try got in).
        RESENT[0] += 1
        response = await client.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
    data = response.json() if response.status_code == 200 else {}
    if "data" not in data or data.get("errors"):
        raise RuntimeError(f"bad answer: {response.status_code} {response.text[:300]}")
    return data["data"]


async def _send_rounds(url: str, key: str, rounds: list[list[dict]], *, batch: int) -> dict:
    """Each round's events in ingestEvents batches of `batch`, posted together; rounds one after the other."""
    async with httpx.AsyncClient(timeout=60) as client:

        async def post(events: list[dict]) -> int:
            body = {"query": INGEST_EVENTS, "variables": {"input": {"events": events}}}
            results = (await _post(client, url, key, body))["ingestEvents"]["results"]
            # A duplicate is an event already stored (a resent batch): keys are unique to this run.
            return sum(result["__typename"] == "EventAccepted" for result in results)

        began, accepted = time.time(), 0
        for events in rounds:
            accepted += sum(
                await asyncio.gather(
                    *(post(events[start : start + batch]) for start in range(0, len(events), batch))
                )
            )
        return {"began": began, "sent": time.time(), "accepted": accepted}


def send_rounds(url: str, key: str, rounds: list[list[dict]], **options) -> dict:
    return asyncio.run(_send_rounds(url, key, rounds, **options))


async def _open_loop(url: str, key: str, events: list[dict], *, rate: float, probe: dict) -> dict:
    """Send `events`, an ingestEvent each, at `rate`/s whatever the answers do; note when runs are announced.

    A `runCompleted` subscriber (graphql-transport-ws, same key) stamps each run id it receives. One probe
    event first proves the subscription is live (the server attaches its pub/sub listener asynchronously).
    """
    import websockets

    RESENT[0] = 0
    announced: dict[str, float] = {}
    socket = await websockets.connect(
        url.replace("http", "ws", 1), subprotocols=["graphql-transport-ws"], max_size=None
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
    if (answer := json.loads(await socket.recv()))["type"] != "connection_ack":
        raise RuntimeError(f"websocket refused: {answer}")
    await socket.send(json.dumps({"id": "runs", "type": "subscribe", "payload": {"query": RUNS}}))

    async def listen() -> None:
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "next":
                global_id = message["payload"]["data"]["runCompleted"]["id"]
                announced[base64.b64decode(global_id).decode().split(":", 1)[1]] = time.time()
            elif message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            elif message["type"] in ("error", "complete"):
                raise RuntimeError(f"subscription ended: {message}")

    listener = asyncio.create_task(listen())
    sent: dict[str, float] = {}
    answered: list[float] = []
    lags: list[float] = []
    headers = {"Authorization": f"Bearer {key}"}
    # aiohttp, not httpx: at ~160 requests/s httpx alone took half a core of this 2-core box, which the API
    # and the workers under test then lacked. aiohttp's client costs a fraction of that.
    connector = aiohttp.TCPConnector(limit=64)
    try:
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as client:

            async def send(event: dict) -> None:
                started = time.perf_counter()
                sent[event["idempotencyKey"]] = time.time()
                body = {"query": INGEST_EVENT, "variables": {"input": event}}
                async with client.post(url, json=body, headers=headers) as response:
                    answer = await response.json() if response.status == 200 else {}
                if (
                    answer.get("errors")
                    or answer.get("data", {}).get("ingestEvent", {}).get("__typename") != "EventAccepted"
                ):
                    raise RuntimeError(f"refused: {response.status} {answer}")
                answered.append(time.perf_counter() - started)

            await send(probe)
            deadline = time.time() + 15
            while not announced:
                if time.time() > deadline or listener.done():
                    raise RuntimeError("the runCompleted subscription never announced the probe's run")
                await asyncio.sleep(0.01)
            announced.clear()
            sent.clear()
            answered.clear()

            tasks, began = [], time.perf_counter() + 0.05
            for number, event in enumerate(events):
                due = began + number / rate
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                lags.append(time.perf_counter() - due)
                event["occurredAt"] = datetime.now(UTC).isoformat()
                tasks.append(asyncio.create_task(send(event)))
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - began
            deadline = time.time() + 20  # stragglers: every run should be announced well before this
            while len(announced) < len(events) and time.time() < deadline and not listener.done():
                await asyncio.sleep(0.05)
    finally:
        listener.cancel()
        await socket.close()
    return {
        "sent": sent,
        "answered": answered,
        "announced": dict(announced),
        "lags": lags,
        "wall": wall,
        "resent": RESENT[0],
    }


def open_loop(url: str, key: str, events: list[dict], **options) -> dict:
    return asyncio.run(_open_loop(url, key, events, **options))


# --- Measuring and printing -----------------------------------------------------------------------------
