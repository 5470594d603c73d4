"""Agent turns end to end (ingest -> worker -> rules policy -> reply) beside a SAQ no-op baseline, in one run.

    .venv/bin/python bench/agent.py [--conversations 400] [--turns 5] [--noop-jobs 10000]
                                    [--latency-seconds 15] [--latency-rate 0]

Recreates the database `agentops_bench_agent`, seeds the demo business (services, staff, hours, slots; no
demo conversations) and flushes Redis index 14; nothing else is touched. Then, on this machine:

1. SAQ no-op jobs/s: two `python -m saq bench.noop_worker.settings` workers (the product worker's concurrency,
   dequeue timeout and timers; a job that does nothing) drain `--noop-jobs` jobs enqueued as fast as possible.
2. agent turns/s: one `agentops api` and two `agentops worker`; `--conversations` x `--turns` customer
   messages (bookings, availability, problems, thanks; fixed seed) go in through ingestEvents, a round of
   one message per conversation at a time so each thread keeps its order; timed from the first request until
   every event is PROCESSED (its turn commits in the same transaction) and every reply is stored.
3. turns/s / no-op jobs/s, beside the goal (>= 0.25).
4. latency at half the measured turns/s: single ingestEvent mutations at a steady rate (open loop), each a new
   conversation; for each, the time from the client's send to (a) the mutation's answer, (b) the worker's
   transaction start (ingest_events.processed_at), (c) the reply row written (messages.created_at, set just
   before the commit) and (d) the run's `runCompleted` event reaching a websocket subscriber (after the
   commit: what a live client sees). The goal (p95 <= 100 ms) is judged on (d). One clock: same machine.

Load (HTTP, websocket, SAQ enqueues) comes from one spawned client process; every process started here is
stopped on exit, Ctrl-C or error.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import shutil
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
from typing import Self
from urllib.parse import urlsplit

import asyncpg
import httpx
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.db.database import server_dsn
from backend.settings import Settings
from bench.ingest import TICK, sql, stop_all
from bench.noop_worker import QUEUE_NAME as NOOP_QUEUE
from tests.helpers import free_port, wait_for_http
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS

DATABASE, REDIS_INDEX = "agentops_bench_agent", 14
PRODUCT_QUEUE = "agentops"
HEARTBEATS = "agentops:worker:heartbeat:*"
RUNS = "subscription { runCompleted { id } }"
GOAL_RATIO, GOAL_P95_MS = 0.25, 100.0

# --- Customer texts: five-message conversations, fixed seed ------------------------------------------------
# A conversation asks for a person or a manager only in its last message: after a handoff the agent is
# silent, and every message sent here is meant to get its reply.
NAMES = ["Maria", "Maria Lopez", "James Okafor", "Priya Natarajan", "Tom Becker", "Aiko Tanaka",
         "Fatima Haddad", "Lucas Moreau", "Chloe Nguyen", "Daniel Kim", "Sofia Rossi"]
DAYS = ["tomorrow", "on Friday", "next Tuesday", "on Thursday", "this Saturday", "on Monday", "on Wednesday"]
TIMES = ["3pm", "10:30", "9am", "11am", "2:30pm", "noon", "4pm", "15:30"]
SERVICES = ["haircut", "beard trim", "color touch-up", "dental cleaning", "eye exam", "massage"]
ORDERS = ["A-10293", "A-10817", "B-20455", "C-31007", "A-11942"]
FLOWS = [  # (weight, channels, five turns)
    (4, ("SMS", "CHAT"), ["can I book a {service} {day} at {time}? I'm {first}",
                          "ok {time2} works for me then", "{name}", "Great, thanks!",
                          "What are your opening hours on Saturday?"]),
    (3, ("SMS",), ["Do you have anything for a {service} {day}?", "Anything in the afternoon?",
                   "{time2} works for me", "It's {name}", "Thanks so much, see you soon!"]),
    (2, ("CHAT",), ["My order {order} arrived damaged, the box was crushed.",
                    "I'd like a replacement please.", "Also, are you open {day}?", "Thanks for the help",
                    "can I book a {service} {day} at {time}? name is {name}"]),
    (2, ("SMS", "CHAT"), ["What are your opening hours {day}?", "Ok, I'd like to book a {service} then",
                          "{day} please", "{time}", "{name}"]),
    (2, ("VOICE",), ["hi um yeah i'm calling to book a {service} for {day}", "uh {time} if you have it",
                     "it's {name}", "thank you", "oh and i was charged twice for my last visit"]),
    (1, ("SMS", "CHAT"), ["I need to reschedule my {service} to {day}", "Anything around {time}?", "{name}",
                          "The booking page keeps giving me an error when I pick a day.",
                          "Can I talk to a real person please?"]),
    (1, ("CHAT", "SMS"), ["Hello!", "I was charged twice for my last visit.", "Can you look into it please?",
                          "Thanks", "This is the third time. Unacceptable, I want to speak to a manager."]),
]


def conversations(count: int, turns: int, *, tag: str, first: int = 0, seed: int = 20260501
                  ) -> list[list[dict]]:
    """`count` conversations of `turns` IngestEventInputs each (a flow, repeated if `turns` > 5).

    Conversation numbers start at `first`: phases use separate ranges, so no two share a sender or thread.
    """
    rng, threads = random.Random(seed), []
    flows = [flow for weight, *flow in FLOWS for _ in range(weight)]
    for number in range(first, first + count):
        channels, texts = rng.choice(flows)
        channel, name = rng.choice(channels), rng.choice(NAMES)
        fill = {"service": rng.choice(SERVICES), "day": rng.choice(DAYS), "time": rng.choice(TIMES),
                "time2": rng.choice(TIMES), "name": name, "first": name.split()[0],
                "order": rng.choice(ORDERS)}
        sender = f"user-{number}" if channel == "CHAT" else f"+1555{number:07d}"
        threads.append([{
            "channel": channel, "idempotencyKey": f"{tag}-{number}-{turn}", "sender": sender,
            "text": texts[turn % len(texts)].format(**fill), "occurredAt": datetime.now(UTC).isoformat(),
            "metadata": {"source": "bench"},
            **({"externalConversationId": f"{channel.lower()}-{number}"} if channel != "SMS" else {}),
        } for turn in range(turns)])
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
            accepted += sum(await asyncio.gather(*(post(events[start:start + batch])
                                                   for start in range(0, len(events), batch))))
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
    socket = await websockets.connect(url.replace("http", "ws", 1), subprotocols=["graphql-transport-ws"],
                                      max_size=None)
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
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    try:
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:

            async def send(event: dict) -> None:
                started = time.perf_counter()
                sent[event["idempotencyKey"]] = time.time()
                body = {"query": INGEST_EVENT, "variables": {"input": event}}
                answer = await _post(client, url, key, body)
                if answer["ingestEvent"]["__typename"] != "EventAccepted":
                    raise RuntimeError(f"refused: {answer}")
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
    return {"sent": sent, "answered": answered, "announced": dict(announced), "lags": lags, "wall": wall,
            "resent": RESENT[0]}


def open_loop(url: str, key: str, events: list[dict], **options) -> dict:
    return asyncio.run(_open_loop(url, key, events, **options))


# --- Measuring and printing -----------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def proc_ticks(pid: int) -> int:
    """CPU ticks a process has used: utime + stime, fields 14 and 15 counted after the ")" ending its name."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(stat[11]) + int(stat[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def busy_ticks() -> int:
    """Busy ticks of the whole machine: everything but idle and iowait."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4]


GROUPS = ("wrk", "api", "pg", "redis", "clnt", "other")
NOISY = 15  # % of a core used by `other` above which a phase's figures are flagged


class Cpu:
    """CPU% over a `with` block (100% = one core): the machine, each group of processes, and everything else.

    Groups are callables giving pids at the start and at the end (PostgreSQL backends come and go with the
    pools); `other` is the machine minus every group: other users of the box, other databases' backends, the
    bench process itself.
    """

    def __init__(self, **groups) -> None:
        self.groups = groups

    def __enter__(self) -> Self:
        self.before = {name: {pid: proc_ticks(pid) for pid in pids()} for name, pids in self.groups.items()}
        self.began, self.box_before = time.perf_counter(), busy_ticks()
        return self

    def __exit__(self, *_) -> None:
        wall = time.perf_counter() - self.began
        self.box = (busy_ticks() - self.box_before) / TICK / wall * 100
        self.used = {name: sum(proc_ticks(pid) - self.before[name].get(pid, 0) for pid in pids())
                     / TICK / wall * 100 for name, pids in self.groups.items()}
        self.used["other"] = self.box - sum(self.used.values())

    def columns(self) -> str:
        return f"{self.box:4.0f}% " + " ".join(f"{self.used[name]:4.0f}%" if name in self.used else "    -"
                                               for name in GROUPS)

    def noise(self) -> str:
        """A warning line when something else took a real share of the machine (the figures understate)."""
        if self.used["other"] < NOISY:
            return ""
        return (f"\n  WARNING: other processes used {self.used['other']:.0f}% of the machine during this "
                f"phase; its figures understate the product. Rerun on a quiet machine.")


def backends(dsn: str):
    """The pids of the PostgreSQL backends connected to the bench database, as a callable for Cpu."""

    async def fetch() -> list[int]:
        connection = await asyncpg.connect(dsn)
        try:
            return [row[0] for row in await connection.fetch(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        finally:
            await connection.close()

    return lambda: asyncio.run(fetch())


def product_groups(processes: dict) -> dict:
    return {"wrk": lambda: [p.pid for name, p in processes.items() if name.startswith("worker")],
            "api": lambda: [processes["api"].pid]}


def check_alive(processes: dict[str, subprocess.Popen], logs: Path) -> None:
    """A process that exited must fail the run, not stall it; its log says why."""
    for name, process in processes.items():
        if process.poll() is not None:
            log = (logs / f"{name}.log").read_text(errors="replace").strip().splitlines()
            raise RuntimeError(f"{name} exited {process.returncode}; its log ends:\n" + "\n".join(log[-5:]))


async def wait_processed(dsn: str, pattern: str, expected: int, processes: dict, logs: Path, *,
                         timeout: float = 150, client_future=None) -> float:
    """Poll until `expected` events whose key is LIKE `pattern` are PROCESSED; returns when (time.time())."""
    connection = await asyncpg.connect(dsn)
    try:
        began = time.perf_counter()
        while True:
            done, dead = await connection.fetchrow(
                "SELECT count(*) FILTER (WHERE status = 'PROCESSED'), count(*) FILTER (WHERE status = 'DEAD')"
                " FROM ingest_events WHERE idempotency_key LIKE $1", pattern)
            if done >= expected:
                return time.time()
            if dead:
                problem = await connection.fetchval("SELECT error_type || ': ' || split_part(error_message,"
                                                    " E'\\n', 1) FROM dead_letters LIMIT 1")
                raise RuntimeError(f"{dead} event(s) DEAD after every attempt: {problem}")
            check_alive(processes, logs)
            if client_future is not None and client_future.done() and client_future.exception():
                raise client_future.exception()
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"only {done}/{expected} events PROCESSED after {timeout:.0f} s")
            await asyncio.sleep(0.05)
    finally:
        await connection.close()


def wait_redis(redis_url: str, ready, what: str, processes: dict, logs: Path, timeout: float = 60) -> None:
    """Poll Redis until `ready(client)`; fail early if one of `processes` exits."""
    client, deadline = redis.Redis.from_url(redis_url), time.monotonic() + timeout
    try:
        while not ready(client):
            check_alive(processes, logs)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")
            time.sleep(0.05)
    finally:
        client.close()


def saq_workers(name: str):
    """How many live SAQ workers a queue has: each registers a stats entry that expires (saq's queue.info)."""
    return lambda client: client.zcount(f"saq:{name}:stats", time.time() * 1000, "+inf")


def saq_idle(name: str):
    return lambda client: client.llen(f"saq:{name}:queued") == 0 and client.llen(f"saq:{name}:active") == 0


# --- Phases ------------------------------------------------------------------------------------------------

def noop_phase(options, client: ProcessPoolExecutor, env: dict, redis_url: str, logs: Path, started: list,
               shared: dict) -> float:
    """No-op workers drain `--noop-jobs` jobs enqueued by the client; prints and returns jobs/s."""
    workers = {f"noop{i}": start([sys.executable, "-m", "saq", "bench.noop_worker.settings"], env,
                                 logs / f"noop{i}.log", started) for i in range(options.workers)}
    wait_redis(redis_url, lambda c: saq_workers(NOOP_QUEUE)(c) >= options.workers, "no-op workers starting",
               workers, logs)
    client.submit(enqueue_noops, redis_url, total=200, concurrency=20).result()  # warm-up, not measured
    with Cpu(wrk=lambda: [process.pid for process in workers.values()], **shared) as cpu:
        result = client.submit(enqueue_noops, redis_url, total=options.noop_jobs, concurrency=20).result()
    check_alive(workers, logs)
    stop_all(list(workers.values()))
    wall = result["done"] - result["began"]
    rate = options.noop_jobs / wall
    print(f"{'SAQ no-op jobs':<27} {rate:8.0f} jobs/s  {wall:5.1f}  {cpu.columns()}\n"
          f"  {options.noop_jobs} jobs enqueued by 20 client tasks (all in after "
          f"{result['enqueued'] - result['began']:.1f} s), timed from the first enqueue until none is "
          f"incomplete" + cpu.noise())
    return rate


def turns_phase(options, client: ProcessPoolExecutor, url: str, key: str, dsn: str, processes: dict,
                logs: Path, run_id: str, shared: dict) -> dict:
    """Warm up, then send every conversation's messages round by round and wait for every turn."""
    warm = [thread[:1] for thread in conversations(20, 1, tag=f"{run_id}-warm", first=9_000_000, seed=7)]
    client.submit(send_rounds, url, key, [[thread[0] for thread in warm]], batch=options.batch_size).result()
    asyncio.run(wait_processed(dsn, f"{run_id}-warm-%", len(warm), processes, logs))

    tag, total = f"{run_id}-tp", options.conversations * options.turns
    threads = conversations(options.conversations, options.turns, tag=tag)
    rounds = [[thread[turn] for thread in threads] for turn in range(options.turns)]
    with Cpu(**product_groups(processes), **shared) as cpu:
        future = client.submit(send_rounds, url, key, rounds, batch=options.batch_size)
        finished = asyncio.run(wait_processed(dsn, f"{tag}-%", total, processes, logs, client_future=future))
        sending = future.result()
    if sending["accepted"] != total:
        raise RuntimeError(f"accepted {sending['accepted']} of {total} events")
    summary = asyncio.run(turn_summary(dsn, f"{tag}-%"))
    wall = finished - sending["began"]
    rate = summary["runs"] / wall
    print(f"{'agent turns (rules policy)':<27} {rate:8.1f} turns/s {wall:5.1f}  {cpu.columns()}\n"
          f"  {total} messages in {options.conversations} conversations, ingestEvents "
          f"x{options.batch_size}, a round at a time (all accepted after "
          f"{sending['sent'] - sending['began']:.1f} s), timed from the first request until every event is "
          f"PROCESSED" + cpu.noise())
    summary["rate"], summary["wall"] = rate, wall
    return summary


async def turn_summary(dsn: str, pattern: str) -> dict:
    """What the turns of a phase did, from the database."""
    connection = await asyncpg.connect(dsn)
    try:
        scope = ("FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
                 " LEFT JOIN agent_runs r ON r.trigger_message_id = i.id"
                 " LEFT JOIN messages m ON m.id = r.reply_message_id WHERE e.idempotency_key LIKE $1")
        events, runs, replies, span, turn_p50, turn_p95 = await connection.fetchrow(
            "SELECT count(*), count(r.id), count(m.id),"
            " extract(epoch FROM max(m.created_at) - min(e.received_at))::float8,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY r.latency_ms),"
            f" percentile_cont(0.95) WITHIN GROUP (ORDER BY r.latency_ms) {scope}", pattern)
        statuses = dict(await connection.fetch(f"SELECT r.status, count(*) {scope} GROUP BY 1", pattern))
        intents = dict(await connection.fetch(f"SELECT r.intent, count(*) {scope} GROUP BY 1 ORDER BY 2 DESC",
                                              pattern))
        calls = scope.replace(" WHERE", " JOIN tool_calls t ON t.run_id = r.id WHERE")
        tools = dict(await connection.fetch(f"SELECT t.name, count(*) {calls} GROUP BY 1 ORDER BY 2 DESC",
                                            pattern))
        booked = await connection.fetchval(
            f"SELECT count(*) {calls} AND t.name = 'book_appointment' AND (t.result ->> 'booked')::boolean",
            pattern)
    finally:
        await connection.close()
    return {"events": events, "runs": runs, "replies": replies, "span": span or 0, "turn_p50": turn_p50 or 0,
            "turn_p95": turn_p95 or 0, "statuses": statuses, "intents": intents, "tools": tools,
            "booked": booked}


def latency_phase(options, client: ProcessPoolExecutor, url: str, key: str, dsn: str, rate: float, why: str,
                  processes: dict, logs: Path, run_id: str, shared: dict) -> float:
    tag = f"{run_id}-lat"
    count = max(int(rate * options.latency_seconds), 20)
    events = [thread[0] for thread in conversations(count + 1, 1, tag=tag, first=5_000_000, seed=11)]
    probe, events = events[0], events[1:]
    with Cpu(**product_groups(processes), **shared) as cpu:
        result = client.submit(open_loop, url, key, events, rate=rate, probe=probe).result()
    asyncio.run(wait_processed(dsn, f"{tag}-%", count + 1, processes, logs, timeout=30))
    rows = asyncio.run(latency_rows(dsn, f"{tag}-%"))
    sent, announced = result["sent"], result["announced"]
    stages = {"answered": [seconds * 1000 for seconds in result["answered"]], "inserted": [], "processed": [],
              "written": [], "announced": []}
    turn_ms = []
    for key_, received_at, processed_at, run, turn, written in rows:
        if key_ not in sent:
            continue  # the probe
        stages["inserted"].append((received_at - sent[key_]) * 1000)
        stages["processed"].append((processed_at - sent[key_]) * 1000)
        if run is not None:
            turn_ms.append(turn)
            stages["written"].append((written - sent[key_]) * 1000)
            if str(run) in announced:
                stages["announced"].append((announced[str(run)] - sent[key_]) * 1000)
    missing = len(events) - len(stages["announced"])
    print(f"\nLatency at {rate:.1f} events/s ({why}): {len(events)} single ingestEvent mutations, "
          f"open loop over {result['wall']:.1f} s, each a new conversation; client send lag p99 "
          f"{pct(result['lags'], 99) * 1000:.1f} ms"
          + (f"; {result['resent']} request(s) resent after a dropped connection" if result["resent"] else "")
          + f".\nCPU over the phase:  box {cpu.box:.0f}%, "
          + ", ".join(f"{name} {cpu.used[name]:.0f}%" for name in GROUPS) + "." + cpu.noise())
    print(f"{'from the client sending the mutation to':<58} " +
          " ".join(f"{name:>7}" for name in ("p50 ms", "p95 ms", "p99 ms", "max ms")))
    labels = {"answered": "its answer (EventAccepted)",
              "inserted": "the event's INSERT (ingest_events.received_at)",
              "processed": "worker transaction start (ingest_events.processed_at)",
              "written": "the reply row written (messages.created_at, pre-commit)",
              "announced": "runCompleted received by a websocket subscriber"}
    for stage, label in labels.items():
        values = stages[stage]
        print(f"  {label:<56} {pct(values, 50):7.1f} {pct(values, 95):7.1f} {pct(values, 99):7.1f} "
              f"{max(values, default=float('nan')):7.1f}")
    print(f"  {'(inside run_turn: agent_runs.latency_ms)':<56} {pct(turn_ms, 50):7.1f} "
          f"{pct(turn_ms, 95):7.1f} {pct(turn_ms, 99):7.1f} {max(turn_ms, default=float('nan')):7.1f}")
    if cpu.box >= 95 * (os.cpu_count() or 1):
        print("  The machine was CPU-bound over the phase: these latencies are mostly queueing, and grow "
              "with the phase's length;\n  try a lower --latency-rate to find where the goal holds.")
    p95 = pct(stages["announced"], 95)
    print(f"ingest -> reply p95 {p95:.1f} ms (runCompleted received): goal <= {GOAL_P95_MS:.0f} ms "
          f"{'met' if p95 <= GOAL_P95_MS and not missing else 'NOT met'}"
          + (f"; {missing} run(s) never announced within 20 s" if missing else ""))
    return p95


async def latency_rows(dsn: str, pattern: str) -> list:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch(
            "SELECT e.idempotency_key, extract(epoch FROM e.received_at)::float8,"
            " extract(epoch FROM e.processed_at)::float8, r.id, r.latency_ms,"
            " extract(epoch FROM m.created_at)::float8"
            " FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
            " LEFT JOIN agent_runs r ON r.trigger_message_id = i.id"
            " LEFT JOIN messages m ON m.id = r.reply_message_id WHERE e.idempotency_key LIKE $1", pattern)
    finally:
        await connection.close()


# --- Processes and setup ---------------------------------------------------------------------------------

def start(command: list[str], env: dict, log: Path, started: list) -> subprocess.Popen:
    """Start a process, its stderr to `log`, and track it for stop_all."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"), cwd=ROOT)
    started.append(process)
    return process


def prepare() -> tuple[dict, str, str, str, int]:
    """Recreate the bench database, flush the bench Redis index, create a key, seed the demo business.

    Returns the environment for our processes, the database DSN, the Redis URL, the key and the slots seeded.
    """
    configured = Settings()
    server = configured.database_url.unicode_string().rsplit("/", 1)[0]
    settings = Settings(database_url=f"{server}/{DATABASE}")
    dsn = server_dsn(settings, database=DATABASE)
    redis_url = urlsplit(str(settings.redis_url))._replace(path=f"/{REDIS_INDEX}").geturl()
    asyncio.run(sql(server_dsn(settings), f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(sql(server_dsn(settings), f'CREATE DATABASE "{DATABASE}"'))
    redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AGENTOPS_DATABASE_URL": dsn,
           "AGENTOPS_REDIS_URL": redis_url, "AGENTOPS_API_PORT": str(free_port()),
           "AGENTOPS_LOG_LEVEL": "WARNING",
           # Out of reach: the bench measures turns, not refusals (the INCRs still run).
           "AGENTOPS_RATE_LIMIT_PER_SENDER_PER_MINUTE": "1000000000",
           "AGENTOPS_RATE_LIMIT_PER_KEY_PER_MINUTE": "1000000000"}
    # Delivery URLs stay unset: replies are stored and their deliveries end FAILED "not configured".
    for name in ("SMS_API_BASE_URL", "CHAT_DELIVERY_URL", "VOICE_DELIVERY_URL"):
        env.pop(f"AGENTOPS_{name}", None)
    # `keys create` also migrates the new database. ingest to send, read to subscribe to runCompleted.
    created = subprocess.run([sys.executable, "-m", "backend.cli.main", "keys", "create", "--name", "bench",
                              "--scope", "ingest", "--scope", "read"],
                             env=env, capture_output=True, text=True, check=True)
    # The business only (services, staff, hours, slots): `agentops seed` would also send demo conversations.
    seeded = subprocess.run([sys.executable, "-c", (
        "from backend.cli.orm import run_with_orm\n"
        "from backend.scheduling.seed import business_today, seed_business\n"
        "from backend.settings import get_settings\n"
        "s = get_settings()\n"
        "print(run_with_orm(s, lambda: seed_business(timezone=s.business_timezone,"
        " today=business_today(s))))")],
        env=env, capture_output=True, text=True, check=True)
    return env, dsn, redis_url, created.stdout.strip().splitlines()[-1], int(seeded.stdout.split()[-1])


def phases(options, client: ProcessPoolExecutor, client_pid: int, env: dict, dsn: str, redis_url: str,
           key: str, slots: int, logs: Path, started: list) -> None:
    """The four measurements, printed as they complete."""
    port, concurrency = env["AGENTOPS_API_PORT"], Settings().worker_concurrency  # what each worker reads
    url, run_id = f"http://127.0.0.1:{port}/graphql", uuid.uuid4().hex[:8]
    redis_pid = redis.Redis.from_url(redis_url).info("server")["process_id"]
    shared = {"pg": backends(dsn), "redis": lambda: [redis_pid], "clnt": lambda: [client_pid]}
    print(f"{options.workers} worker processes (concurrency {concurrency} each) in both phases, "
          f"1 `agentops api`, load from 1 spawned client process; {os.cpu_count()} cores. Demo "
          f"business seeded ({slots} slots), delivery URLs unset.\nCPU (100% = 1 core): box = the "
          f"whole machine; wrk = the worker processes, api = the API, pg = PostgreSQL backends of "
          f"the bench database, redis = the Redis server,\nclnt = the load generator, other = the "
          f"rest of the box (other users, this process).")
    print(f"{'phase':<27} {'rate':>8} {'unit':<7} {'wall s':>5}  {'box':>4}  " +
          " ".join(f"{name:>5}" for name in GROUPS))
    noop = noop_phase(options, client, env, redis_url, logs, started, shared)
    agentops = [sys.executable, "-m", "backend.cli.main"]
    processes = {"api": start([*agentops, "api"], env, logs / "api.log", started)}
    processes.update({f"worker{i}": start([*agentops, "worker"], env, logs / f"worker{i}.log",
                                          started) for i in range(options.workers)})
    wait_for_http(f"http://127.0.0.1:{port}/healthz", process=processes["api"])
    wait_redis(redis_url, lambda c: len(c.keys(HEARTBEATS)) >= options.workers, "workers starting",
               processes, logs)
    summary = turns_phase(options, client, url, key, dsn, processes, logs, run_id, shared)
    statuses = ", ".join(f"{count} {status}" for status, count in summary["statuses"].items())
    intents = ", ".join(f"{count} {intent}" for intent, count in summary["intents"].items())
    tools = ", ".join(f"{count} {name}" for name, count in summary["tools"].items())
    print(f"  runs: {statuses}; {summary['events'] - summary['runs']} message(s) unanswered; "
          f"{summary['booked']} booked\n  intents: {intents}\n  tool calls: {tools}\n"
          f"  inside run_turn p50 {summary['turn_p50']:.1f} ms, p95 {summary['turn_p95']:.1f} ms; "
          f"first received_at -> last reply written {summary['span']:.1f} s "
          f"({summary['runs'] / max(summary['span'], 1e-3):.1f} turns/s)")
    ratio = summary["rate"] / noop
    print(f"{'turns/s / no-op jobs/s':<27} {ratio:8.3f}   goal >= {GOAL_RATIO:.2f}: "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}")
    # Delivery jobs (one per reply) run after; the latency phase starts on an idle queue.
    wait_redis(redis_url, saq_idle(PRODUCT_QUEUE), "the queue draining", processes, logs)
    rate, why = ((options.latency_rate, "--latency-rate") if options.latency_rate
                 else (summary["rate"] / 2, "half the turns/s above"))
    latency_phase(options, client, url, key, dsn, rate, why, processes, logs, run_id, shared)
    check_alive(processes, logs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--turns", type=int, default=5, help="customer messages per conversation")
    parser.add_argument("--batch-size", type=int, default=100, help="events per ingestEvents request")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (product and no-op)")
    parser.add_argument("--noop-jobs", type=int, default=10000)
    parser.add_argument("--latency-seconds", type=float, default=15.0)
    parser.add_argument("--latency-rate", type=float, default=0, help="events/s; default half the turns/s")
    options = parser.parse_args()
    # Ctrl-C raises KeyboardInterrupt; make SIGTERM unwind the same way, so `finally` stops our processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env, dsn, redis_url, key, slots = prepare()
    logs = Path(tempfile.mkdtemp(prefix="bench-agent-"))
    started: list[subprocess.Popen] = []
    try:
        # spawn, not fork: the client starts clean, without this process's event loops or connections.
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as client:
            client_pid = client.submit(os.getpid).result()
            try:
                phases(options, client, client_pid, env, dsn, redis_url, key, slots, logs, started)
            except BaseException:
                # A load still running in the client would hold up the executor's exit: end it now.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(client_pid, signal.SIGKILL)
                raise
        shutil.rmtree(logs, ignore_errors=True)
    except BaseException:
        for process in started:  # a process that died says why in its log
            if process.poll() not in (None, 0, -signal.SIGTERM):
                print(f"{process.args[1:4]} exited {process.returncode}; logs in {logs}", file=sys.stderr)
        raise
    finally:
        stop_all(started)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
