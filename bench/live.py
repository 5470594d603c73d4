"""Live delivery at scale: ingest → conversationUpdated / liveMetrics latency with 1,000 subscribers on one
API.

One `agentops api` and two `agentops worker` processes on a bench database. Subscriber processes (spawned, so
the clients' CPU is not the API's) open websockets over graphql-transport-ws, each subscribing to
`conversationUpdated` or `liveMetrics`. Then events are ingested one at a time through the API, and every
subscriber notes when it first hears of each: a `conversationUpdated` for that conversation, and the first
`liveMetrics` whose turn count includes it. Latency = heard − sent (one clock: one machine).

By default the subscribers alternate between the two subscriptions (`--both`: each takes both).
Prints p50/p95/max per subscription, how many deliveries were missed, and the API process's memory (RSS) idle,
with every subscriber connected, and after they left. Goal: p95 ≤ 250 ms.

    python bench/live.py [--subscribers 1000] [--events 40] [--interval 0.5] [--client-processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, create_key, pct, start, supervised
from tests.helpers import wait_for_http

DATABASE, REDIS_INDEX = "agentops_bench_live", 9
SUBSCRIBE = (
    "subscription { conversationUpdated { id customer } }",
    "subscription { liveMetrics { turns at } }",
)
INGEST = """mutation($input: IngestEventInput!) { ingestEvent(input: $input) { __typename } }"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- The subscriber side (runs in spawned processes) -----------------------------------------------------


async def _subscriber(
    ws_url: str, key: str, queries: tuple[str, ...], ready: asyncio.Event, stop: asyncio.Event, heard: dict
) -> None:
    import websockets

    async with websockets.connect(
        ws_url, subprotocols=["graphql-transport-ws"], max_queue=None, open_timeout=60, ping_interval=None
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
        )
        await socket.recv()
        for number, query in enumerate(queries, start=1):
            await socket.send(
                json.dumps({"id": str(number), "type": "subscribe", "payload": {"query": query}})
            )
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
            except TimeoutError:
                continue
            at, message = time.time(), json.loads(raw)
            data = (message.get("payload") or {}).get("data") or {}
            if "conversationUpdated" in data:
                heard["conversation"].setdefault(data["conversationUpdated"]["customer"], []).append(at)
            elif "liveMetrics" in data:
                heard["metrics"].append((at, data["liveMetrics"]["turns"]))


def subscribers(ws_url: str, key: str, count: int, seconds: float, ready_file: str, both: bool) -> list[dict]:
    """Open `count` subscribers, signal readiness through a file, listen for `seconds`, return what each
    heard.

    Each subscribes to one of the two subscriptions, alternately (to both with `both`)."""

    async def run() -> list[dict]:
        stop = asyncio.Event()
        heard = [
            {"conversation": {}, "metrics": [], "queries": SUBSCRIBE if both else (SUBSCRIBE[index % 2],)}
            for index in range(count)
        ]
        readies = [asyncio.Event() for _ in range(count)]
        tasks = []
        for index in range(count):
            tasks.append(
                asyncio.create_task(
                    _subscriber(ws_url, key, heard[index]["queries"], readies[index], stop, heard[index])
                )
            )
            if index % 50 == 49:
                await asyncio.sleep(0.05)  # a connection storm would measure the accept queue, not delivery
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), timeout=120)
        Path(ready_file).write_text("ready")
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        return heard

    return asyncio.run(run())


# --- The orchestrator --------------------------------------------------------------------------------------


async def _sql(dsn: str, statement: str, *args):
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(statement, *args)
    finally:
        await connection.close()


def prepare() -> tuple[dict, str, str]:
    env, dsn = bench_environment(DATABASE, redis_index=REDIS_INDEX, live_metrics_interval_seconds=3)
    return env, dsn, create_key(env, "bench", "read", "ingest")


def _latencies(
    heard: list[dict], sent: dict[str, tuple[float, int]]
) -> tuple[list[float], list[float], int, int]:
    """Per subscriber and event: first conversationUpdated for its customer; first liveMetrics counting it."""
    conversation, metrics, missed_conversation, missed_metrics = [], [], 0, 0
    for one in heard:
        for customer, (at, turns_after) in sent.items():
            if SUBSCRIBE[0] in one["queries"]:
                times = [t for t in one["conversation"].get(customer, []) if t >= at]
                if times:
                    conversation.append((min(times) - at) * 1000)
                else:
                    missed_conversation += 1
            if SUBSCRIBE[1] in one["queries"]:
                counted = [t for t, turns in one["metrics"] if turns >= turns_after and t >= at]
                if counted:
                    metrics.append((min(counted) - at) * 1000)
                else:
                    missed_metrics += 1
    return conversation, metrics, missed_conversation, missed_metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between ingested events")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--both", action="store_true", help="each subscriber takes both subscriptions")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env, dsn, key = prepare()
    port, logs = env["AGENTOPS_API_PORT"], Path(tempfile.mkdtemp(prefix="bench-live-"))
    base, processes = f"http://127.0.0.1:{port}", []
    with supervised(processes, logs):
        api = start([sys.executable, "-m", "backend.cli.main", "api"], env, logs / "api.log", processes)
        for index in range(2):
            start(
                [sys.executable, "-m", "backend.cli.main", "worker"],
                env,
                logs / f"worker-{index}.log",
                processes,
            )
        wait_for_http(f"{base}/healthz", process=api)
        seeded = subprocess.run(
            [sys.executable, "-m", "backend.cli.main", "seed"], env=env, capture_output=True, text=True
        )
        if seeded.returncode:
            raise RuntimeError(f"agentops seed failed:\n{seeded.stderr[-2000:]}")
        time.sleep(5)  # the demo traffic settles: the measured events are the only change
        idle = rss_mb(api.pid)
        per_process = options.subscribers // options.client_processes
        listen = 30 + options.events * options.interval
        ready_files = [logs / f"ready-{index}" for index in range(options.client_processes)]
        pool = ProcessPoolExecutor(max_workers=options.client_processes, mp_context=get_context("spawn"))
        futures = [
            pool.submit(
                subscribers,
                base.replace("http", "ws") + "/graphql",
                key,
                per_process,
                listen,
                str(ready_file),
                options.both,
            )
            for ready_file in ready_files
        ]
        began = time.perf_counter()
        while not all(ready_file.exists() for ready_file in ready_files):
            for future in futures:
                if future.done():
                    future.result()  # raises the client's error
            time.sleep(0.1)
        connected = time.perf_counter() - began
        time.sleep(2)
        with_subscribers = rss_mb(api.pid)
        sent, tag = {}, uuid.uuid4().hex[:8]
        turns = asyncio.run(
            _sql(dsn, "SELECT count(*) FROM agent_runs WHERE created_at >= now() - interval '300 seconds'")
        )
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
            for number in range(options.events):
                customer = f"+1555{number:07d}"
                at = time.time()
                answer = http.post(
                    "/graphql",
                    json={
                        "query": INGEST,
                        "variables": {
                            "input": {
                                "channel": "SMS",
                                "idempotencyKey": f"live-{tag}-{number}",
                                "sender": customer,
                                "text": "What are your opening hours on Saturday?",
                                "occurredAt": datetime.now(UTC).isoformat(),
                            }
                        },
                    },
                ).json()
                assert answer["data"]["ingestEvent"]["__typename"] == "EventAccepted", answer
                sent[customer] = (at, turns + number + 1)
                time.sleep(options.interval)
        heard = [one for future in futures for one in future.result()]
        pool.shutdown()
        after = rss_mb(api.pid)
        conversation, metrics, missed_c, missed_m = _latencies(heard, sent)
        if os.environ.get("BENCH_DEBUG"):
            for customer, (at, turns_after) in sent.items():
                print(
                    customer,
                    turns_after,
                    sum(bool(one["conversation"].get(customer)) for one in heard),
                    heard[0]["conversation"].get(customer, [None])[0]
                    and heard[0]["conversation"][customer][0] - at,
                    [t for t in heard[0]["metrics"]][-3:],
                )
        expected = {
            name: sum(query in one["queries"] for one in heard) * len(sent)
            for name, query in zip(("conversationUpdated", "liveMetrics"), SUBSCRIBE, strict=False)
        }
        shape = (
            "each: conversationUpdated + liveMetrics"
            if options.both
            else "half conversationUpdated, half liveMetrics"
        )
        print(
            f"bench/live.py — {len(heard)} subscribers ({shape}) on one API "
            f"process, {len(sent)} events ingested {options.interval:g} s apart, 2 workers; "
            f"{os.cpu_count()} CPUs\n"
            f"  subscribers connected in {connected:.1f} s"
        )
        for name, values, missed in (
            ("conversationUpdated", conversation, missed_c),
            ("liveMetrics", metrics, missed_m),
        ):
            print(
                f"  ingest → {name:19s} p50 {pct(values, 50):7.1f} ms  p95 {pct(values, 95):7.1f} ms  "
                f"max {max(values, default=float('nan')):7.1f} ms  ({len(values)}/{expected[name]} "
                "delivered, "
                f"{missed} missed)"
            )
        print(
            f"  API RSS: idle {idle:.0f} MB, with {len(heard)} subscribers {with_subscribers:.0f} MB, "
            f"after they left {after:.0f} MB (goal: p95 ≤ 250 ms)"
        )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
