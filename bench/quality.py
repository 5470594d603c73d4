"""Online evaluation beside live traffic: ingest -> reply p95 with sampling off and at 100 %, scores/s beside
turns/s.

    .venv/bin/python bench/quality.py [--conversations 200] [--turns 5] [--workers 2] [--latency-seconds 15]
                                      [--latency-rate 0] [--rounds 1]

Recreates the database `agentops_bench_quality`, seeds the demo business (no demo conversations) and flushes
Redis index 10; nothing else is touched. Then, for AGENTOPS_QUALITY_SAMPLE_RATE=0 and =1 in turn (the rule
evaluators, the default online set; a fresh `agentops api` and `--workers` `agentops worker` processes for
each):

1. throughput: `--conversations` x `--turns` customer messages (bench/agent_load.py's flows) through
   ingestEvents, a round at a time; turns/s from the first request until every event is PROCESSED; with
   sampling, scores/s from the first request until every run has its scores (runs scored per second, and
   verdicts stored per second), the same from the first score to the last (the `score_sampled` cron drains the
   hand-over list each second), and how long after its turn a score was written.
2. latency: single ingestEvent mutations at one steady open-loop rate for both settings (`--latency-rate`,
   else half the turns/s measured with sampling off); from the client's send to the reply row written and to
   the run's runCompleted event reaching a websocket subscriber, p50/p95/p99.

`--rounds` repeats both settings, alternating (off, on, off, on …), to tell a real difference from drift. Load
comes from one spawned client process; every process started here is stopped on exit, Ctrl-C or error. Figures
from a shared machine are indicative: run it under `flock -x /tmp/agentops-cpu.lock`.
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
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.agent_load import HEARTBEATS, PRODUCT_QUEUE, conversations, open_loop, send_rounds
from bench.harness import (
    bench_environment,
    check_alive,
    create_key,
    pct,
    saq_idle,
    spawned_client,
    start,
    stop_all,
    supervised,
    wait_processed,
    wait_redis,
)
from tests.helpers import free_port, wait_for_http

DATABASE, REDIS_INDEX = "agentops_bench_quality", 10
# The runs of a phase: its events' idempotency keys share a tag.
RUNS_OF = (
    "FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
    " JOIN agent_runs r ON r.trigger_message_id = i.id WHERE e.idempotency_key LIKE $1"
)


def seed_business(env: dict) -> int:
    seeded = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "from backend.cli.orm import run_with_orm\n"
                "from backend.scheduling.seed import business_today, seed_business\n"
                "from backend.settings import get_settings\n"
                "s = get_settings()\n"
                "print(run_with_orm(s, lambda: seed_business(timezone=s.business_timezone, "
                "today=business_today(s))))"
            ),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(seeded.stdout.split()[-1])


def start_product(env: dict, *, rate: float, workers: int, logs: Path, started: list, label: str) -> dict:
    env = {**env, "AGENTOPS_QUALITY_SAMPLE_RATE": str(rate), "AGENTOPS_API_PORT": str(free_port())}
    agentops = [sys.executable, "-m", "backend.cli.main"]
    processes = {"api": start([*agentops, "api"], env, logs / f"api-{label}.log", started)}
    processes.update(
        {
            f"worker{i}": start([*agentops, "worker"], env, logs / f"worker{i}-{label}.log", started)
            for i in range(workers)
        }
    )
    wait_for_http(f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}/healthz", process=processes["api"])
    wait_redis(
        env["AGENTOPS_REDIS_URL"],
        lambda c: len(c.keys(HEARTBEATS)) >= workers,
        "workers starting",
        processes,
        logs,
    )
    processes["url"] = f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}/graphql"  # type: ignore[assignment]
    return processes


def stop_product(processes: dict, env: dict) -> None:
    import redis

    stop_all([process for name, process in processes.items() if name != "url"])
    client = redis.Redis.from_url(env["AGENTOPS_REDIS_URL"])
    stale = client.keys(HEARTBEATS)  # the stopped workers' heartbeats: the next setting waits for its own
    if stale:
        client.delete(*stale)
    client.close()


async def scores_done(dsn: str, pattern: str, runs: int, *, timeout: float = 150) -> dict:
    """Wait until every run of the phase has its backed_claims score; what the scores were and when."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            scored = await connection.fetchval(
                "SELECT count(DISTINCT s.run_id) "
                f"{RUNS_OF.replace('WHERE', 'JOIN eval_scores s ON s.run_id = r.id WHERE')}"
                " AND s.evaluator = 'backed_claims'",
                pattern,
            )
            if scored >= runs:
                break
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"only {scored}/{runs} runs scored after {timeout:.0f} s")
            await asyncio.sleep(0.1)
        scoped = RUNS_OF.replace("WHERE", "JOIN eval_scores s ON s.run_id = r.id WHERE")
        verdicts, first, last, lag_p50, lag_p95 = await connection.fetchrow(
            "SELECT count(*), extract(epoch FROM min(s.created_at))::float8, extract(epoch FROM "
            "max(s.created_at))::float8,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.created_at - r.created_at)),"
            " percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM s.created_at - "
            f"r.created_at)) {scoped}",
            pattern,
        )
        labels = dict(
            await connection.fetch(
                f"SELECT s.evaluator || ':' || s.label, count(*) {scoped} GROUP BY 1 ORDER BY 2 DESC", pattern
            )
        )
    finally:
        await connection.close()
    return {
        "verdicts": verdicts,
        "first": first,
        "last": last,
        "lag_p50": lag_p50 * 1000,
        "lag_p95": lag_p95 * 1000,
        "labels": labels,
    }


async def run_count(dsn: str, pattern: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(f"SELECT count(*) {RUNS_OF}", pattern)
    finally:
        await connection.close()


def throughput(
    options,
    client: ProcessPoolExecutor,
    url: str,
    key: str,
    dsn: str,
    processes: dict,
    logs: Path,
    tag: str,
    rate: float,
    first: int,
) -> float:
    threads = conversations(options.conversations, options.turns, tag=tag, first=first)
    rounds = [[thread[turn] for thread in threads] for turn in range(options.turns)]
    total = options.conversations * options.turns
    product = {name: process for name, process in processes.items() if name != "url"}
    future = client.submit(send_rounds, url, key, rounds, batch=100)
    finished = asyncio.run(wait_processed(dsn, f"{tag}-%", total, product, logs, client_future=future))
    sending = future.result()
    runs = asyncio.run(run_count(dsn, f"{tag}-%"))
    wall = finished - sending["began"]
    print(f"  turns: {runs} runs of {total} messages in {wall:5.1f} s = {runs / wall:6.1f} turns/s")
    if rate > 0:
        scored = asyncio.run(scores_done(dsn, f"{tag}-%", runs))
        span = scored["last"] - sending["began"]
        labels = ", ".join(f"{count} {label}" for label, count in list(scored["labels"].items())[:8])
        drained = max(scored["last"] - scored["first"], 1e-3)
        print(
            f"  scores: {runs} runs scored in {span:5.1f} s = {runs / span:6.1f} scored turns/s, "
            f"{scored['verdicts'] / span:6.1f} verdicts/s ({scored['verdicts']} verdicts), from the first "
            "request "
            f"to the last score; {runs / drained:6.1f} scored turns/s from the first score to the last (the "
            f"cron drains each second)\n  a score written p50 {scored['lag_p50']:.0f} ms, p95 "
            f"{scored['lag_p95']:.0f} ms after its turn; verdicts: {labels}"
        )
    return runs / wall


async def reply_rows(dsn: str, pattern: str) -> list:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch(
            "SELECT e.idempotency_key, r.id, extract(epoch FROM m.created_at)::float8"
            " FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
            " JOIN agent_runs r ON r.trigger_message_id = i.id JOIN messages m ON m.id = r.reply_message_id"
            " WHERE e.idempotency_key LIKE $1",
            pattern,
        )
    finally:
        await connection.close()


def latency(
    options,
    client: ProcessPoolExecutor,
    url: str,
    key: str,
    dsn: str,
    processes: dict,
    logs: Path,
    tag: str,
    rate: float,
    first: int,
) -> dict:
    count = max(int(rate * options.latency_seconds), 20)
    events = [thread[0] for thread in conversations(count + 1, 1, tag=tag, first=first, seed=11)]
    probe, events = events[0], events[1:]
    result = client.submit(open_loop, url, key, events, rate=rate, probe=probe).result()
    product = {name: process for name, process in processes.items() if name != "url"}
    asyncio.run(wait_processed(dsn, f"{tag}-%", count + 1, product, logs, timeout=60))
    sent, announced = result["sent"], result["announced"]
    written, seen = [], []
    for key_, run_id, written_at in asyncio.run(reply_rows(dsn, f"{tag}-%")):
        if key_ not in sent:
            continue  # the probe
        written.append((written_at - sent[key_]) * 1000)
        if str(run_id) in announced:
            seen.append((announced[str(run_id)] - sent[key_]) * 1000)
    print(
        f"  latency at {rate:.1f} events/s, {len(events)} single ingestEvent mutations over "
        f"{result['wall']:.1f} s:"
        f"\n    reply row written     p50 {pct(written, 50):7.1f}  p95 {pct(written, 95):7.1f}  "
        f"p99 {pct(written, 99):7.1f} ms"
        f"\n    runCompleted received p50 {pct(seen, 50):7.1f}  p95 {pct(seen, 95):7.1f}  p99 "
        f"{pct(seen, 99):7.1f} ms"
        + (f"  ({len(events) - len(seen)} never announced)" if len(seen) < len(events) else "")
    )
    return {"written": pct(written, 95), "announced": pct(seen, 95)}


def phases(
    options, client: ProcessPoolExecutor, env: dict, dsn: str, key: str, logs: Path, started: list
) -> None:
    run_id, latency_rate = uuid.uuid4().hex[:8], options.latency_rate
    results: dict[float, list[dict]] = {0.0: [], 1.0: []}
    first = 0
    for round_number in range(options.rounds):
        for rate in (0.0, 1.0):
            label = f"{'on' if rate else 'off'}{round_number}"
            print(
                f"\nSampling {'at 100 %' if rate else 'off'} (AGENTOPS_QUALITY_SAMPLE_RATE={rate:g}), round "
                f"{round_number + 1}: 1 api, {options.workers} workers"
            )
            processes = start_product(
                env, rate=rate, workers=options.workers, logs=logs, started=started, label=label
            )
            url = processes["url"]
            try:
                turns = throughput(
                    options, client, url, key, dsn, processes, logs, f"{run_id}-tp-{label}", rate, first
                )
                first += options.conversations
                wait_redis(
                    env["AGENTOPS_REDIS_URL"],
                    saq_idle(PRODUCT_QUEUE),
                    "the queue draining",
                    {n: p for n, p in processes.items() if n != "url"},
                    logs,
                    timeout=120,
                )
                if not latency_rate:
                    latency_rate = round(turns / 2, 1)
                found = latency(
                    options,
                    client,
                    url,
                    key,
                    dsn,
                    processes,
                    logs,
                    f"{run_id}-lat-{label}",
                    latency_rate,
                    first,
                )
                first += int(latency_rate * options.latency_seconds) + 50
                results[rate].append({**found, "turns": turns})
                check_alive({n: p for n, p in processes.items() if n != "url"}, logs)
            finally:
                stop_product(processes, env)
    print("\nSummary (median over rounds):")
    for rate, rows in results.items():
        middle = sorted(rows, key=lambda row: row["announced"])[len(rows) // 2]
        print(
            f"  sampling {'100 %' if rate else 'off  '}: {middle['turns']:6.1f} turns/s; ingest -> reply p95 "
            f"{middle['written']:7.1f} ms (row written), {middle['announced']:7.1f} ms (runCompleted "
            "received)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5, help="customer messages per conversation")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--latency-seconds", type=float, default=15.0)
    parser.add_argument(
        "--latency-rate", type=float, default=0, help="events/s; default half the turns/s, sampling off"
    )
    parser.add_argument("--rounds", type=int, default=1, help="how many times to measure off then on")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env, dsn = bench_environment(
        DATABASE,
        redis_index=REDIS_INDEX,
        rate_limit_per_sender_per_minute="1000000000",
        rate_limit_per_key_per_minute="1000000000",
    )
    for name in ("SMS_API_BASE_URL", "CHAT_DELIVERY_URL", "VOICE_DELIVERY_URL"):
        env.pop(f"AGENTOPS_{name}", None)  # replies are stored; their deliveries end FAILED "not configured"
    key = create_key(env, "bench", "ingest", "read")
    slots = seed_business(env)
    print(
        f"Demo business seeded ({slots} slots); {os.cpu_count()} cores; rule evaluators online "
        f"(backed_claims, booking_as_asked, guardrail_clean, handoff_as_asked, reply_length)."
    )
    logs = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    started: list[subprocess.Popen] = []
    with supervised(started, logs), spawned_client() as (client, _):
        phases(options, client, env, dsn, key, logs, started)
    shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
