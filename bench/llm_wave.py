"""One wave of bench/llm.py: a batch of new conversations sent at once, the runs awaited, and what they show
(turns, latencies, the most model calls in flight, the most database connections in use)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from bench.harness import check_alive
from tests.ingest.documents import INGEST_EVENTS

BATCH = 100  # AGENTOPS_INGEST_MAX_BATCH's default
SAMPLE_SECONDS = 0.02
# The bench's own connections (sampler, waiter, figures) carry this name and are left out of the counts.
BENCH_APP = "agentops-bench-llm"
TEXT = "Do you have a haircut tomorrow?"


async def connect(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn, server_settings={"application_name": BENCH_APP})


def events(tag: str, count: int) -> list[dict]:
    """`count` chat events, each opening a conversation of its own."""
    return [
        {
            "channel": "CHAT",
            "idempotencyKey": f"{tag}-{number}",
            "sender": f"{tag}-user-{number}",
            "externalConversationId": f"{tag}-thread-{number}",
            "text": TEXT,
            "occurredAt": datetime.now(UTC).isoformat(),
            "metadata": {"source": "bench-llm"},
        }
        for number in range(count)
    ]


async def send(url: str, key: str, batch: list[dict]) -> int:
    async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:

        async def one(chunk: list[dict]) -> int:
            answer = await http.post(
                url, json={"query": INGEST_EVENTS, "variables": {"input": {"events": chunk}}}
            )
            results = answer.json()["data"]["ingestEvents"]["results"]
            return sum(result["__typename"] == "EventAccepted" for result in results)

        counts = await asyncio.gather(*(one(batch[i : i + BATCH]) for i in range(0, len(batch), BATCH)))
    return sum(counts)


async def sample_connections(dsn: str, stop: asyncio.Event) -> int:
    """The most connections of the bench database in use (active or in a transaction) until `stop`."""
    connection, most = await connect(dsn), 0
    try:
        while not stop.is_set():
            most = max(
                most,
                await connection.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND application_name <> $1 AND (state = 'active' OR state LIKE 'idle in transaction%')",
                    BENCH_APP,
                ),
            )
            await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await connection.close()
    return most


RUNS = (
    "FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
    " JOIN agent_runs r ON r.trigger_message_id = i.id AND r.reply_message_id IS NOT NULL"
    " JOIN messages m ON m.id = r.reply_message_id WHERE e.idempotency_key LIKE $1"
)


async def wait_runs(
    dsn: str, pattern: str, expected: int, processes: dict, logs: Path, timeout: float
) -> float:
    """Poll until every event has its completed run (one with its reply); when the last was seen
    (time.time())."""
    connection, began = await connect(dsn), time.monotonic()
    try:
        while True:
            done = await connection.fetchval(f"SELECT count(*) {RUNS}", pattern)
            if done >= expected:
                return time.time()
            dead = await connection.fetchval(
                "SELECT count(*) FROM ingest_events WHERE status = 'DEAD' AND idempotency_key LIKE $1",
                pattern,
            )
            if dead:
                raise RuntimeError(f"{dead} event(s) DEAD after every attempt; see the worker log in {logs}")
            check_alive(processes, logs)
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"only {done}/{expected} runs completed after {timeout:.0f} s")
            await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await connection.close()


async def run_figures(dsn: str, pattern: str) -> dict:
    connection = await connect(dsn)
    try:
        first = await connection.fetchval(
            "SELECT extract(epoch FROM min(received_at))::float8 FROM ingest_events WHERE idempotency_key "
            "LIKE $1",
            pattern,
        )
        rows = await connection.fetch(
            "SELECT r.status, r.latency_ms, extract(epoch FROM m.created_at - e.received_at)::float8 * "
            f"1000 {RUNS}",
            pattern,
        )
    finally:
        await connection.close()
    return {
        "first": first,
        "turn_ms": [row[1] for row in rows],
        "reply_ms": [row[2] for row in rows],
        "statuses": Counter(row[0] for row in rows),
    }


async def wave(
    options, *, tag: str, url: str, key: str, dsn: str, model: str, processes: dict, logs: Path
) -> dict:
    """Send one wave and measure it."""
    async with httpx.AsyncClient(timeout=10) as http:
        (await http.post(f"{model}/stats/reset")).raise_for_status()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_connections(dsn, stop))
    try:
        accepted = await send(url, key, events(tag, options.conversations))
        if accepted != options.conversations:
            raise RuntimeError(f"accepted {accepted} of {options.conversations} events")
        finished = await wait_runs(dsn, f"{tag}-%", accepted, processes, logs, timeout=options.timeout)
    finally:
        stop.set()
        connections = await sampler
    async with httpx.AsyncClient(timeout=10) as http:
        model_stats = (await http.get(f"{model}/stats")).json()
    figures = await run_figures(dsn, f"{tag}-%")
    figures.update(
        turns=accepted,
        wall=finished - figures["first"],
        connections=connections,
        in_flight=model_stats["max_in_flight"],
        model_calls=model_stats["calls"],
    )
    return figures
