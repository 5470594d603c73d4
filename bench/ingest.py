"""Ingest throughput: ingestEvent(s) driven by `wrk` beside raw asyncpg INSERTs and the API's own floors, one
run.

    .venv/bin/python bench/ingest.py [--seconds 8] [--connections 32] [--batch-size 100]
                                     [--batch-connections 8] [--workers 2] [--events 5000]

Recreates the database `agentops_bench_ingest` and flushes Redis index 13 (nothing else is touched), starts
one `agentops api` with rate limits raised out of reach (the counters still run), and measures in one run:

- raw INSERT: asyncpg, one INSERT … ON CONFLICT DO NOTHING per statement into a scratch table of the same row
  shape, `--connections` tasks each on its own connection (from a spawned process) — the baseline;
- ingestEvent: the mutation over HTTP from `wrk` with `--connections` connections, every key new;
- refused: the same mutation with a blank text — full HTTP, authentication and Strawberry, refused by
  validation before the database or Redis: the floor of everything around the accept path;
- { __typename }: the smallest document through the whole app (middleware, authentication, GraphQL);
- raw executemany / ingestEvents: batches of `--batch-size` rows/events from `--batch-connections` clients;
- processing: `--events` events preloaded through the API, then `--workers` `agentop worker` processes.

HTTP load comes from `wrk` (C; a Lua script, bench/wrk_post.lua, builds each POST body and checks each
answer); p50/p99 are wrk's latency distribution. CPU is given per process (100% = one core) with the API's CPU
per request, and the RSS of the API and the workers (goal <= 150 MB each). `wrk` is the Debian package `wrk`:
when it is missing the bench installs it with apt-get when run as root, and otherwise says how.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (
    Cpu,
    backends,
    bench_environment,
    check_alive,
    create_key,
    rss_report,
    run_sql,
    spawned_client,
    start,
    supervised,
)
from bench.ingest_load import ensure_wrk, ingest_templates, raw_load, raw_open, run_wrk
from tests.helpers import wait_for_http
from tests.ingest.documents import INGEST_EVENTS, event

DATABASE, REDIS_INDEX = "agentops_bench_ingest", 13
GOAL_RATIO, LONG_RUN_RATIO, GOAL_P99_MS = 0.25, 0.5, 50.0
SCRATCH = """
DROP TABLE IF EXISTS bench_raw_events;
CREATE TABLE bench_raw_events (
    id uuid PRIMARY KEY, channel varchar(8) NOT NULL, idempotency_key varchar(200) NOT NULL,
    sender varchar(128) NOT NULL, text text NOT NULL, occurred_at timestamptz NOT NULL,
    metadata jsonb NOT NULL, status varchar(12) NOT NULL DEFAULT 'RECEIVED',
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, idempotency_key));
"""


# --- Phases -----------------------------------------------------------------------------------------------

COLUMNS = ("api", "pg", "redis", "clnt", "other")


def header(options: argparse.Namespace) -> None:
    print(
        f"{os.cpu_count()} cores; {options.seconds:g} s a phase. HTTP load from wrk ({options.connections} "
        f"connections, or {options.batch_connections} for batches) -> 1 `agentops api`; the baseline from "
        f"asyncpg in 1 spawned process.\nCPU (100% = 1 core): box = the whole machine; api = the API, pg = "
        f"PostgreSQL backends of the bench database, redis = the Redis server, clnt = the load generator\n"
        f"(wrk or the asyncpg process), other = the rest (other users of the machine, this process). "
        f"api ms/req = the API's CPU time per request. p50/p99 per request."
    )
    print(
        f"{'phase':<30} {'events/s':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}  {'box':>5} "
        + " ".join(f"{name:>5}" for name in COLUMNS)
        + f" {'api ms/req':>10}"
    )


def line(name: str, result: dict, cpu: Cpu, *, events: int) -> float:
    """Print one phase; returns events/s."""
    rate, requests = events / result["wall"], result["requests"] / result["wall"]
    api_ms = cpu.used["api"] / 100 / requests * 1000 if "api" in cpu.used and requests else float("nan")
    print(
        f"{name:<30} {rate:9.0f} {requests:8.0f} {result['p50_us'] / 1000:7.1f} "
        f"{result['p99_us'] / 1000:7.1f}"
        f"  {cpu.box:4.0f}% "
        + " ".join(f"{cpu.used[name]:4.0f}%" if name in cpu.used else "    -" for name in COLUMNS)
        + (f" {api_ms:10.3f}" if api_ms == api_ms else "")
        + cpu.noise()
    )
    return rate


def accept_phases(
    options: argparse.Namespace,
    wrk: str,
    client: ProcessPoolExecutor,
    client_pid: int,
    url: str,
    key: str,
    dsn: str,
    api_pid: int,
    redis_pid: int,
    scratch: Path,
) -> None:
    """Every HTTP phase beside its baseline, then the ratios and the goals."""
    run_id = uuid.uuid4().hex[:8]  # idempotency keys unique across phases and runs
    bodies = ingest_templates(scratch)
    shared = {"api": lambda: [api_pid], "pg": backends(dsn), "redis": lambda: [redis_pid]}

    runs = iter(range(1, 1000))

    def http(phase: str, *, items: int, marker: str, seconds: float, connections: int) -> tuple[dict, Cpu]:
        tag = f"{run_id}-{phase}{next(runs)}"  # warm-up and measured runs never share a key
        with Cpu(**shared) as cpu:
            result = run_wrk(
                wrk,
                url,
                key,
                bodies[phase],
                items=items,
                marker=marker,
                tag=tag,
                seconds=seconds,
                connections=connections,
            )
        # wrk has exited by the end of the phase: its CPU comes from this process's children's times.
        cpu.used["clnt"] = result["cpu_seconds"] / result["wall"] * 100
        cpu.used["other"] -= cpu.used["clnt"]
        return result, cpu

    def raw(tag: str, **load) -> tuple[dict, Cpu]:
        with Cpu(**shared, clnt=lambda: [client_pid]) as cpu:
            result = client.submit(raw_load, tag=f"{run_id}-{tag}", seconds=options.seconds, **load).result()
        del cpu.used["api"]  # the API idles through a baseline phase
        return result, cpu

    accepted, batch = '"duplicate":false', options.batch_size
    client.submit(raw_open, dsn, max(options.connections, options.batch_connections)).result()
    # Warm-ups, not measured: the API's key cache, pools and caches; PostgreSQL's and wrk's first runs.
    http("single", items=1, marker=accepted, seconds=2, connections=options.connections)
    http("batch", items=batch, marker=accepted, seconds=2, connections=options.batch_connections)
    header(options)
    result, cpu = raw("raw1", batch=0, concurrency=options.connections)
    base = line(f"raw INSERT x{options.connections}", result, cpu, events=result["events"])
    result, cpu = http(
        "single", items=1, marker=accepted, seconds=options.seconds, connections=options.connections
    )
    single = line(f"ingestEvent x{options.connections}", result, cpu, events=result["good"])
    single_p99, single_api_s = (
        result["p99_us"] / 1000,
        cpu.used["api"] / 100 / (result["requests"] / result["wall"]),
    )
    result, cpu = http(
        "refused",
        items=0,
        marker='"ValidationError"',
        seconds=options.seconds,
        connections=options.connections,
    )
    line("  refused by validation", result, cpu, events=0)
    refused_api_s = cpu.used["api"] / 100 / (result["requests"] / result["wall"])
    result, cpu = http(
        "typename",
        items=0,
        marker='"__typename":"Query"',
        seconds=options.seconds,
        connections=options.connections,
    )
    line("  { __typename }", result, cpu, events=0)
    result, cpu = raw("rawN", batch=batch, concurrency=options.batch_connections)
    batch_base = line(
        f"raw executemany {batch} x{options.batch_connections}", result, cpu, events=result["events"]
    )
    result, cpu = http(
        "batch", items=batch, marker=accepted, seconds=options.seconds, connections=options.batch_connections
    )
    batched = line(
        f"ingestEvents {batch} x{options.batch_connections}", result, cpu, events=result["good"] * batch
    )

    ratio = single / base
    print(
        f"ingestEvent / raw INSERT: {ratio:.3f}x (goal >= {GOAL_RATIO}x: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'};"
        f" long-run aim {LONG_RUN_RATIO}x); p99 {single_p99:.1f} ms (goal <= {GOAL_P99_MS:g} ms: "
        f"{'met' if single_p99 <= GOAL_P99_MS else 'NOT met'}).\n"
        f"API CPU per accepted event {single_api_s * 1e6:.0f} us, "
        f"per refused one {refused_api_s * 1e6:.0f} us:"
        f" the accept path itself costs {(single_api_s - refused_api_s) * 1e6:.0f} us.\n"
        f"ingestEvents / raw executemany: {batched / batch_base:.3f}x."
    )


def process_phase(
    dsn: str,
    env: dict,
    url: str,
    key: str,
    *,
    workers: int,
    expected: int,
    batch: int,
    logs: Path,
    processes: list,
    api_pid: int,
) -> None:
    """Preload `expected` events through the API, start workers, wait until every one is PROCESSED."""
    senders = max(expected // 5, 1)
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
        tag = uuid.uuid4().hex
        for first in range(0, expected, batch):
            events = [
                event(key=f"{tag}-{n}", sender=f"+1555{n % senders:07d}")
                for n in range(first, min(first + batch, expected))
            ]
            answer = http.post(url, json={"query": INGEST_EVENTS, "variables": {"input": {"events": events}}})
            results = answer.json()["data"]["ingestEvents"]["results"]
            if sum(result.get("duplicate") is False for result in results) != len(events):
                raise RuntimeError(f"preload refused events: {answer.text[:300]}")

    async def run() -> None:
        connection = await asyncpg.connect(dsn)
        began, done, dead = time.perf_counter(), 0, 0
        started = {
            f"worker{i}": start(
                [sys.executable, "-m", "backend.cli.main", "worker"], env, logs / f"worker{i}.log", processes
            )
            for i in range(workers)
        }
        with Cpu(workers=lambda: [process.pid for process in started.values()]) as cpu:
            while done < expected:
                check_alive(started, logs)  # a worker that cannot start must fail the run, not stall it
                if time.perf_counter() - began > 180:
                    raise RuntimeError(f"processing stopped at {done}/{expected} PROCESSED: timeout (180 s)")
                await asyncio.sleep(0.05)
                done, dead = await connection.fetchrow(
                    "SELECT count(*) FILTER (WHERE status = 'PROCESSED'), count(*) FILTER (WHERE status = "
                    "'DEAD')"
                    " FROM ingest_events"
                )
                if dead:  # failing events make the figures meaningless; the first one says why
                    problem = await connection.fetchval(
                        "SELECT error_type || ': ' || split_part(error_message,"
                        " E'\\n', 1) FROM dead_letters LIMIT 1"
                    )
                    raise RuntimeError(
                        f"processing failed: {dead} event(s) DEAD after every attempt: {problem}"
                    )
        wall = time.perf_counter() - began
        busy = await connection.fetchval(
            "SELECT extract(epoch FROM max(processed_at) - min(processed_at)) FROM ingest_events"
        )
        await connection.close()
        print(
            f"processing {expected} preloaded events (~{senders} threads), {workers} `agentops worker`: all "
            f"PROCESSED in {wall:.1f} s; CPU box {cpu.box:.0f}%, workers {cpu.used['workers']:.0f}%\n"
            f"  {done / wall:7.0f} events/s from worker start (boot included), "
            f"{done / max(float(busy or 0), 1e-3):.0f} events/s first to last processed_at\n"
            f"  {rss_report({'api': api_pid, **{name: p.pid for name, p in started.items()}})}"
        )

    asyncio.run(run())


# --- Processes and setup ---------------------------------------------------------------------------------


def start_process(command: list[str], env: dict, log: Path, processes: list) -> subprocess.Popen:
    """Start `agentops <command>` (as `python -m backend.cli.main`, right in any venv) and track it."""
    return start([sys.executable, "-m", "backend.cli.main", *command], env, log, processes)


def prepare() -> tuple[dict, str, str, str]:
    """Recreate the bench database, flush the bench Redis index, create an ingest key and the scratch table.

    Returns the environment for our `agentops` processes, the database DSN, the Redis URL and the key.
    """
    env, dsn = bench_environment(
        DATABASE,
        redis_index=REDIS_INDEX,
        # Out of reach: the bench measures the accept path, not refusals (the counters still run).
        rate_limit_per_sender_per_minute="1000000000",
        rate_limit_per_key_per_minute="1000000000",
    )
    key = create_key(env, "bench", "ingest")  # it also migrates the new database, so the API finds its schema
    asyncio.run(run_sql(dsn, SCRATCH))
    return env, dsn, env["AGENTOPS_REDIS_URL"], key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per phase")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections / baseline tasks")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--batch-connections", type=int, default=8, help="for the batch phases")
    parser.add_argument("--workers", type=int, default=2, help="`agentops worker` processes for processing")
    parser.add_argument("--events", type=int, default=5000, help="events preloaded for the processing phase")
    options = parser.parse_args()
    # Ctrl-C raises KeyboardInterrupt; make SIGTERM unwind the same way, so `finally` stops our processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk = ensure_wrk()

    env, dsn, redis_url, key = prepare()
    port, logs = env["AGENTOPS_API_PORT"], Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    processes: list[subprocess.Popen] = []
    with supervised(processes, logs):
        api = start_process(["api"], env, logs / "api.log", processes)
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=api)
        url = f"http://127.0.0.1:{port}/graphql"
        redis_pid = redis.Redis.from_url(redis_url).info("server")["process_id"]
        with spawned_client() as (client, client_pid):
            accept_phases(options, wrk, client, client_pid, url, key, dsn, api.pid, redis_pid, logs)
        print(rss_report({"api": api.pid}))
        # Processing sees only its own events: an empty table and queue, then a fixed preload via the API.
        asyncio.run(run_sql(dsn, "TRUNCATE ingest_events, conversations CASCADE"))
        redis.Redis.from_url(redis_url).flushdb()
        process_phase(
            dsn,
            env,
            url,
            key,
            workers=options.workers,
            expected=options.events,
            batch=options.batch_size,
            logs=logs,
            processes=processes,
            api_pid=api.pid,
        )
        check_alive({"api": api}, logs)
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
