"""Ingest throughput: ingestEvent(s) over HTTP and end-to-end processing, beside raw asyncpg baselines.

    .venv/bin/python bench/ingest.py [--seconds 8] [--concurrency 32] [--batch-size 100] [--workers 2]

Recreates the database `agentops_bench_ingest` and flushes Redis index 13 (nothing else is touched), starts
`agentops api` with rate limits raised out of reach, and in one run measures: single-event mutations/s with
p50/p99, batch events/s, and events/s processed by `agentops worker` subprocesses. Beside the first two it
measures plain asyncpg INSERT / executemany into a scratch table of the same row shape, same database, same
concurrency. HTTP load comes from a separate, spawned client process (asyncio + httpx) so that generating it
does not share an event loop or a GIL with anything measured; all processes still share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.db.database import server_dsn
from backend.settings import Settings
from bench.harness import TICK, start, supervised
from tests.helpers import free_port, wait_for_http
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS, event

DATABASE, REDIS_INDEX = "agentops_bench_ingest", 13
SCRATCH = """
DROP TABLE IF EXISTS bench_raw_events;
CREATE TABLE bench_raw_events (
    id uuid PRIMARY KEY, channel varchar(8) NOT NULL, idempotency_key varchar(200) NOT NULL,
    sender varchar(128) NOT NULL, text text NOT NULL, occurred_at timestamptz NOT NULL,
    metadata jsonb NOT NULL, status varchar(12) NOT NULL DEFAULT 'RECEIVED',
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, idempotency_key));
"""
RAW_INSERT = """
INSERT INTO bench_raw_events (id, channel, idempotency_key, sender, text, occurred_at, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (channel, idempotency_key) DO NOTHING
"""


# --- Load: HTTP from a child process, raw asyncpg from this one ------------------------------------------

async def _http_load(url: str, key: str, *, batch: int, concurrency: int, seconds: float, total: int,
                     senders: int, tag: str) -> dict:
    """`concurrency` tasks post ingestEvent (batch=0) or ingestEvents(`batch`), for `seconds` or `total`."""
    headers, latencies, counts = {"Authorization": f"Bearer {key}"}, [], {"sent": 0, "accepted": 0}
    deadline = time.perf_counter() + seconds if seconds else float("inf")

    def one(n: int) -> dict:  # many senders: separate rate-limit buckets and conversation threads
        return event(key=f"{tag}-{n}", sender=f"+1555{random.randrange(senders):07d}")

    async def one_client() -> None:
        # A client (one keep-alive connection) per task: one shared pool of 32 costs far more client CPU.
        async with httpx.AsyncClient(timeout=30) as client:
            while time.perf_counter() < deadline and (not total or counts["sent"] < total):
                first = counts["sent"]
                size = min(max(batch, 1), total - first) if total else max(batch, 1)
                counts["sent"] += size
                if batch:
                    body = {"query": INGEST_EVENTS, "variables": {"input": {"events": [
                        one(first + i) for i in range(size)]}}}
                else:
                    body = {"query": INGEST_EVENT, "variables": {"input": one(first)}}
                started = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                data = response.json() if response.status_code == 200 else {}
                if "data" not in data or data.get("errors"):
                    raise RuntimeError(f"bad answer: {response.status_code} {response.text[:300]}")
                answer = data["data"]["ingestEvents" if batch else "ingestEvent"]
                results = answer.get("results", [answer])  # a refusal counts as sent, not accepted
                counts["accepted"] += sum(r["__typename"] == "EventAccepted" and not r["duplicate"]
                                          for r in results)

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    return {**counts, "wall": wall, "latencies": latencies, "cpu": (time.process_time() - cpu) / wall * 100}


def http_load(url: str, key: str, **options) -> dict:
    """Entry point in the client process."""
    return asyncio.run(_http_load(url, key, **options))


async def raw_load(dsn: str, *, batch: int, concurrency: int, seconds: float, tag: str) -> dict:
    """INSERT one row per statement (batch=0) or executemany `batch` rows, each task on its own connection."""
    latencies, sent = [], 0
    async with asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency) as pool:

        async def one_task() -> None:
            nonlocal sent
            async with pool.acquire() as connection:  # held for the whole phase
                while time.perf_counter() < deadline:
                    rows = [(uuid.uuid4(), "SMS", f"{tag}-{sent + i}", f"+1555{random.randrange(10**7):07d}",
                             "Can I book a haircut tomorrow at 3pm?", datetime.now(UTC),
                             '{"gateway": "test"}') for i in range(max(batch, 1))]
                    sent += len(rows)
                    started = time.perf_counter()
                    if batch:
                        await connection.executemany(RAW_INSERT, rows)
                    else:
                        await connection.execute(RAW_INSERT, *rows[0])
                    latencies.append(time.perf_counter() - started)

        began, cpu = time.perf_counter(), time.process_time()
        deadline = began + seconds
        await asyncio.gather(*(one_task() for _ in range(concurrency)))
        wall = time.perf_counter() - began
    cpu = (time.process_time() - cpu) / wall * 100
    return {"accepted": sent, "wall": wall, "latencies": latencies, "cpu": cpu}


# --- Measuring and printing -----------------------------------------------------------------------------

def cpu_ticks(pids: list[int]) -> tuple[int, int]:
    """(busy ticks of the whole machine, ticks used by `pids`); CPU% over a phase is the difference of two."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    own = 0
    for pid in pids:
        try:  # utime and stime are fields 14 and 15, counted after the ")" that closes the command name
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            own += int(stat[11]) + int(stat[12])
        except (FileNotFoundError, IndexError):
            pass
    return sum(fields) - fields[3] - fields[4], own  # busy = everything but idle and iowait


def measured(work, pids: list[int]) -> tuple[dict, float, float]:
    """Run `work()`; its result, the machine's CPU% and `pids`' CPU% over that time (100% = one core)."""
    before, began = cpu_ticks(pids), time.perf_counter()
    result = work()
    after, wall = cpu_ticks(pids), time.perf_counter() - began
    return result, (after[0] - before[0]) / TICK / wall * 100, (after[1] - before[1]) / TICK / wall * 100


def row(name: str, result: dict, box: float, api: float | None, baseline: float = 0, goal: float = 0
        ) -> float:
    """Print one line of the table; returns events/s."""
    rate, cuts = result["accepted"] / result["wall"], statistics.quantiles(result["latencies"], n=100)
    ratio = f"{rate / baseline:5.2f}x" if baseline else ""
    verdict = f">= {goal:.2f}x {'met' if rate / baseline >= goal else 'NOT met'}" if baseline else ""
    api_text = f"{api:4.0f}%" if api is not None else "    -"
    print(f"{name:<28} {rate:9.0f} {cuts[49] * 1000:7.1f} {cuts[98] * 1000:7.1f}  {box:4.0f}% {api_text} "
          f"{result['cpu']:4.0f}%  {ratio:>6}  {verdict}")
    return rate


def accept_phases(options: argparse.Namespace, client: ProcessPoolExecutor, url: str, key: str, dsn: str,
                  api_pid: int) -> None:
    """Single and batch mutations over HTTP, each right after its asyncpg baseline, printed as a table."""
    run_id = uuid.uuid4().hex[:8]  # idempotency keys unique across phases and runs

    def http(tag: str, seconds: float, **load) -> dict:
        return client.submit(http_load, url, key, senders=10**7, tag=f"{run_id}-{tag}", seconds=seconds,
                             total=0, **load).result()

    def raw(tag: str, **load) -> dict:
        return asyncio.run(raw_load(dsn, tag=f"{run_id}-{tag}", seconds=options.seconds, **load))

    single = {"batch": 0, "concurrency": options.concurrency}
    many = {"batch": options.batch_size, "concurrency": options.batch_concurrency}
    http("warm1", 1.5, **single)  # warm-ups, not measured: the API's key cache and pool, the client's imports
    http("warm2", 1.5, **many)
    print(f"HTTP load: 1 spawned client process (asyncio + httpx, a connection per client task) -> 1 "
          f"`agentops api` process. Baseline: asyncpg from the bench process. {os.cpu_count()} cores, "
          f"{options.seconds:g} s a phase.\nCPU columns: box = whole machine incl. PostgreSQL, Redis and "
          f"other users (200% = 2 cores), api = the API process, clnt = the load generator.")
    print(f"{'phase':<28} {'events/s':>9} {'p50 ms':>7} {'p99 ms':>7}  {'box':>5} {'api':>5} {'clnt':>5}  "
          f"{'ratio':>6}  goal (API / baseline)")
    result, box, _ = measured(lambda: raw("raw1", **single), [])
    base = row(f"raw INSERT x{options.concurrency}", result, box, None)
    result, box, api = measured(lambda: http("single", options.seconds, **single), [api_pid])
    row(f"ingestEvent x{options.concurrency}", result, box, api, base, 0.5)
    single_p99 = statistics.quantiles(result["latencies"], n=100)[98] * 1000
    result, box, _ = measured(lambda: raw("rawN", **many), [])
    base = row(f"raw executemany {options.batch_size} x{options.batch_concurrency}", result, box, None)
    result, box, api = measured(lambda: http("batch", options.seconds, **many), [api_pid])
    row(f"ingestEvents {options.batch_size} x{options.batch_concurrency}", result, box, api, base, 0.25)
    print(f"ingestEvent p99 {single_p99:.1f} ms: goal <= 50 ms {'met' if single_p99 <= 50 else 'NOT met'}. "
          f"Batch latencies are per request of {options.batch_size} events.")


def process_phase(dsn: str, env: dict, *, workers: int, expected: int, logs: Path, processes: list) -> None:
    """Start workers on the preloaded queue, poll until every event is PROCESSED, print rates."""

    async def run() -> None:
        connection = await asyncpg.connect(dsn)
        began, done, dead = time.perf_counter(), 0, 0
        started = [start_process(["worker"], env, logs / f"worker{i}.log", processes)
                   for i in range(workers)]
        before = cpu_ticks(pids := [process.pid for process in started])
        while done < expected:
            # A worker that cannot start (bad configuration, broken import) must fail the run, not stall it.
            exited = [index for index, process in enumerate(started) if process.poll() is not None]
            if exited or time.perf_counter() - began > 120:
                index = exited[0] if exited else 0
                log = (logs / f"worker{index}.log").read_text(errors="replace").strip()
                why = f"worker{index} exited {started[index].returncode}" if exited else "timeout (120 s)"
                raise RuntimeError(f"processing stopped at {done}/{expected} PROCESSED, {dead} DEAD: {why}; "
                                   f"its log ends:\n" + "\n".join(log.splitlines()[-3:]))
            await asyncio.sleep(0.05)
            done, dead = await connection.fetchrow(
                "SELECT count(*) FILTER (WHERE status = 'PROCESSED'), count(*) FILTER (WHERE status = 'DEAD')"
                " FROM ingest_events")
            if dead:  # failing events make the figures meaningless; the first one says why, no need to wait
                problem = await connection.fetchval("SELECT error_type || ': ' || split_part(error_message,"
                                                    " E'\\n', 1) FROM dead_letters LIMIT 1")
                raise RuntimeError(f"processing failed: {dead} event(s) DEAD after every attempt: {problem}")
        wall, after = time.perf_counter() - began, cpu_ticks(pids)
        busy, overall = await connection.fetchrow(
            "SELECT extract(epoch FROM max(processed_at) - min(processed_at)),"
            " extract(epoch FROM max(processed_at) - min(received_at)) FROM ingest_events")
        await connection.close()
        box, used = ((now - then) / TICK / wall * 100 for now, then in zip(after, before))
        print(f"processing {expected} preloaded events (~{expected // 5} threads), {workers} `agentops "
              f"worker`: all PROCESSED in {wall:.1f} s; CPU box {box:.0f}%, workers {used:.0f}%\n"
              f"  {done / wall:7.0f} events/s from worker start (worker boot included)\n"
              f"  {done / max(float(busy or 0), 1e-3):7.0f} events/s first to last processed_at (steady)\n"
              f"  {done / max(float(overall or 0), 1e-3):7.0f} events/s accepted->processed (first "
              f"received_at to last processed_at: preload, boot and processing)")

    asyncio.run(run())


# --- Processes and setup ---------------------------------------------------------------------------------

def start_process(command: list[str], env: dict, log: Path, processes: list) -> subprocess.Popen:
    """Start `agentops <command>` (as `python -m backend.cli.main`, right in any venv) and track it."""
    return start([sys.executable, "-m", "backend.cli.main", *command], env, log, processes)


async def sql(dsn: str, statement: str) -> None:
    """Run one statement (or script) on a database."""
    connection = await asyncpg.connect(dsn)
    await connection.execute(statement)
    await connection.close()


def prepare() -> tuple[dict, str, str, str]:
    """Recreate the bench database, flush the bench Redis index, create an ingest key and the scratch table.

    Returns the environment for our `agentops` processes, the database DSN, the Redis URL and the key.
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
           # Out of reach: the bench measures the accept path, not refusals (the INCRs still run).
           "AGENTOPS_RATE_LIMIT_PER_SENDER_PER_MINUTE": "1000000000",
           "AGENTOPS_RATE_LIMIT_PER_KEY_PER_MINUTE": "1000000000"}
    # `keys create` also migrates the new database, so the API finds its schema there.
    created = subprocess.run([sys.executable, "-m", "backend.cli.main", "keys", "create", "--name", "bench",
                              "--scope", "ingest"], env=env, capture_output=True, text=True, check=True)
    asyncio.run(sql(dsn, SCRATCH))
    return env, dsn, redis_url, created.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per HTTP/baseline phase")
    parser.add_argument("--concurrency", type=int, default=32, help="clients for the single-event phases")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--batch-concurrency", type=int, default=8, help="clients for the batch phases")
    parser.add_argument("--workers", type=int, default=2, help="`agentops worker` processes for processing")
    parser.add_argument("--events", type=int, default=5000, help="events preloaded for the processing phase")
    options = parser.parse_args()
    # Ctrl-C raises KeyboardInterrupt; make SIGTERM unwind the same way, so `finally` stops our processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env, dsn, redis_url, key = prepare()
    port, logs = env["AGENTOPS_API_PORT"], Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    processes: list[subprocess.Popen] = []
    with supervised(processes, logs):
        api = start_process(["api"], env, logs / "api.log", processes)
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=api)
        url = f"http://127.0.0.1:{port}/graphql"
        # spawn, not fork: the client starts clean, without this process's event loops or connections.
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as client:
            accept_phases(options, client, url, key, dsn, api.pid)
            # Processing sees only its own events: an empty table and queue, then a fixed preload via the API.
            asyncio.run(sql(dsn, "TRUNCATE ingest_events, conversations CASCADE"))
            redis.Redis.from_url(redis_url).flushdb()
            preload = client.submit(http_load, url, key, senders=max(options.events // 5, 1),
                                    tag=uuid.uuid4().hex, seconds=0, total=options.events,
                                    batch=options.batch_size, concurrency=options.batch_concurrency).result()
        if preload["accepted"] != options.events:
            raise RuntimeError(f"preload accepted {preload['accepted']} of {options.events} events")
        process_phase(dsn, env, workers=options.workers, expected=options.events, logs=logs,
                      processes=processes)
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
