"""bench/load.py's mixed workload and overload phases, run in its spawned client processes: ingestEvent
senders alone and beside readers paging conversations, and senders pushing past the rate limit while /healthz
is probed."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from bench.harness import pct
from tests.ingest.documents import INGEST_EVENT, event

# The conversations page every reader asks for (the read path's own phase uses it too).
PAGE = """query($first: Int!, $after: String, $filter: ConversationFilter) {
  conversations(first: $first, after: $after, filter: $filter) {
  edges { cursor node { id channel customer status messageCount lastMessageAt handedOffAt lastMessage { text
      author } } }
  pageInfo { hasNextPage endCursor } } }"""


async def _read_while(base: str, key: str, stop: asyncio.Event) -> int:
    done = 0
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as http:
        while not stop.is_set():
            await http.post("/graphql", json={"query": PAGE, "variables": {"first": 20}})
            done += 1
    return done


async def _ingest_for(url: str, key: str, *, concurrency: int, seconds: float, tag: str) -> dict:
    """`concurrency` tasks each sending one new event at a time for `seconds`; accepted, wall, latencies."""
    latencies: list[float] = []
    accepted = 0
    deadline = time.perf_counter() + seconds

    async def sender(number: int) -> None:
        nonlocal accepted
        async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {key}"}) as http:
            sent = 0
            while time.perf_counter() < deadline:
                sent += 1
                body = {
                    "query": INGEST_EVENT,
                    "variables": {
                        "input": event(key=f"{tag}-{number}-{sent}", sender=f"+1777{number:03d}{sent:05d}")
                    },
                }
                began = time.perf_counter()
                answer = await http.post(url, json=body)
                latencies.append(time.perf_counter() - began)
                kind = ((answer.json() if answer.status_code == 200 else {}).get("data") or {}).get(
                    "ingestEvent"
                )
                if (kind or {}).get("__typename") != "EventAccepted":
                    raise RuntimeError(f"{tag}: not accepted: {answer.status_code} {answer.text[:200]}")
                accepted += 1

    began = time.perf_counter()
    await asyncio.gather(*(sender(n) for n in range(concurrency)))
    return {"accepted": accepted, "wall": time.perf_counter() - began, "latencies": latencies}


def ingest_for(url: str, key: str, **options) -> dict:
    """ingestEvent load for a while; entry point in a client process."""
    return asyncio.run(_ingest_for(url, key, **options))


def reads_beside(base: str, key: str, seconds: float, readers: int) -> int:
    async def run() -> int:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_read_while(base, key, stop)) for _ in range(readers)]
        await asyncio.sleep(seconds)
        stop.set()
        return sum(await asyncio.gather(*tasks))

    return asyncio.run(run())


async def _overload(url: str, key: str, *, concurrency: int, seconds: float, health: str) -> dict:
    counts = {"accepted": 0, "rate_limited": 0, "other_refusal": 0, "5xx": 0, "errors": 0}
    health_latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def sender(number: int) -> None:
        async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {key}"}) as http:
            sent = 0
            while time.perf_counter() < deadline:
                sent += 1
                try:
                    answer = await http.post(
                        url,
                        json={
                            "query": INGEST_EVENT,
                            "variables": {
                                "input": event(
                                    key=f"over-{number}-{sent}-{uuid.uuid4().hex[:6]}",
                                    sender=f"+1666{number:03d}{sent:05d}",
                                )
                            },
                        },
                    )
                except httpx.HTTPError:
                    counts["errors"] += 1
                    continue
                if answer.status_code >= 500:
                    counts["5xx"] += 1
                    continue
                kind = (answer.json().get("data") or {}).get("ingestEvent", {}).get("__typename")
                counts[
                    "accepted"
                    if kind == "EventAccepted"
                    else "rate_limited"
                    if kind == "RateLimited"
                    else "other_refusal"
                ] += 1

    async def prober() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                await http.get(health)
                health_latencies.append((time.perf_counter() - began) * 1000)
                await asyncio.sleep(0.1)

    await asyncio.gather(*(sender(n) for n in range(concurrency)), prober())
    return {**counts, "healthz_p50": pct(health_latencies, 50), "healthz_p95": pct(health_latencies, 95)}


def overload(url: str, key: str, **options) -> dict:
    return asyncio.run(_overload(url, key, **options))
