"""The model path's throughput: agent turns/s with the openai policy against a loopback model of fixed
latency.

    .venv/bin/python bench/llm.py [--conversations 100] [--concurrency 100] [--pool 10] [--latency-ms 1000]
                                  [--rounds 2] [--waves 3] [--warm-up-waves 1]

Recreates the database `agentops_bench_llm`, seeds the demo business (no demo conversations) and flushes Redis
index 5; nothing else is touched. Starts `agentops loopback-model --behaviour rounds:R --latency-ms L` (each
turn makes R model calls: R-1 check_availability rounds, then a reply), one `agentops api` and ONE
`agentops worker` with AGENTOPS_AGENT_POLICY=openai, AGENTOPS_WORKER_CONCURRENCY=--concurrency and
AGENTOPS_DATABASE_POOL_SIZE=--pool.

After one warm-up turn and --warm-up-waves full waves (printed, not counted: a running worker has its
connections to the database and the model open already), each wave sends --conversations new conversations at
once (ingestEvents, 100 events a request, all requests concurrent) and waits until every event has its
completed agent run. Per wave and overall it prints:
- turns/s: turns ÷ (first event accepted, ingest_events.received_at → the last run seen committed);
- the model-bound ideal, min(N, concurrency) ÷ (rounds × latency), the ratio of the two and the goal (≥ 0.8×);
- the most model calls in flight at once (the loopback model's own counter);
- the most database connections in use (pg_stat_activity of the bench database, state active or idle in
  transaction, sampled every ~20 ms; the bench's own connections left out; the API's ingest included);
- p50/p95 of agent_runs.latency_ms (inside the turn), and of accepted → reply written (queueing included);
- CPU (100% = one core) of the machine, the worker, the API, the model and PostgreSQL.

A model call should hold no database connection: when it does, turns/s is capped at about
pool ÷ (rounds × latency), whatever the worker's concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.agent_load import HEARTBEATS, PRODUCT_QUEUE
from bench.harness import (
    Cpu,
    backends,
    bench_environment,
    check_alive,
    create_key,
    pct,
    rss_report,
    saq_idle,
    start,
    supervised,
    wait_redis,
)
from bench.llm_wave import wave
from tests.helpers import free_port, wait_for_http

DATABASE, REDIS_INDEX = "agentops_bench_llm", 5
GOAL_RATIO = 0.8


# --- Setup -----------------------------------------------------------------------------------------------


def prepare(options, model_url: str) -> tuple[dict, str, str]:
    """The bench database and Redis index, an ingest key, the demo business; the env, DSN and key."""
    env, dsn = bench_environment(
        DATABASE,
        redis_index=REDIS_INDEX,
        agent_policy="openai",
        openai_base_url=model_url,
        openai_model="loopback",
        worker_concurrency=options.concurrency,
        database_pool_size=options.pool,
        rate_limit_per_sender_per_minute=10**9,
        rate_limit_per_key_per_minute=10**9,
        # Turns queue for a pool connection today; a timeout or retry would hide that in the figures.
        process_timeout_seconds=600,
        openai_timeout_seconds=120,
    )
    # Delivery URLs stay unset: replies are stored and their deliveries end FAILED "not configured".
    for name in ("SMS_API_BASE_URL", "CHAT_DELIVERY_URL", "VOICE_DELIVERY_URL"):
        env.pop(f"AGENTOPS_{name}", None)
    key = create_key(env, "bench-llm", "ingest")  # also migrates the fresh database
    seed = (
        "from backend.cli.orm import run_with_orm; from backend.settings import get_settings; "
        "from backend.scheduling.seed import seed_business, business_today; s = get_settings(); "
        "run_with_orm(s, lambda: seed_business(timezone=s.business_timezone, today=business_today(s)))"
    )
    subprocess.run([sys.executable, "-c", seed], env=env, check=True, capture_output=True, cwd=ROOT)
    return env, dsn, key


# --- Printing --------------------------------------------------------------------------------------------

HEADER = (
    f"{'':<8} {'turns/s':>7} {'ideal':>6} {'ratio':>6} {'wall s':>6} {'model':>6} {'db':>4} "
    f"{'turn p50':>8} {'p95':>6} {'reply p50':>9} {'p95':>6}   CPU box wrk api model pg"
)


def line(label: str, figures: dict, ideal: float, cpu: dict | None) -> str:
    rate = figures["turns"] / figures["wall"]
    usage = (
        ("   " + " ".join(f"{cpu[name]:3.0f}%" for name in ("box", "wrk", "api", "llm", "pg"))) if cpu else ""
    )
    return (
        f"{label:<8} {rate:7.1f} {ideal:6.1f} {rate / ideal:5.2f}x {figures['wall']:6.2f} "
        f"{figures['in_flight']:6d} {figures['connections']:4d} {pct(figures['turn_ms'], 50):8.0f} "
        f"{pct(figures['turn_ms'], 95):6.0f} {pct(figures['reply_ms'], 50):9.0f} "
        f"{pct(figures['reply_ms'], 95):6.0f}{usage}"
    )


def overall(waves: list[dict]) -> dict:
    return {
        "turns": sum(w["turns"] for w in waves),
        "wall": sum(w["wall"] for w in waves),
        "in_flight": max(w["in_flight"] for w in waves),
        "connections": max(w["connections"] for w in waves),
        "turn_ms": [v for w in waves for v in w["turn_ms"]],
        "reply_ms": [v for w in waves for v in w["reply_ms"]],
        "model_calls": sum(w["model_calls"] for w in waves),
        "statuses": sum((Counter(w["statuses"]) for w in waves), Counter()),
    }


# --- Main ------------------------------------------------------------------------------------------------


def measure(options, env: dict, dsn: str, key: str, model: str, processes: dict, logs: Path) -> None:
    url = f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}/graphql"
    run_id = uuid.uuid4().hex[:8]
    latency = options.latency_ms / 1000
    ideal = min(options.conversations, options.concurrency) / (options.rounds * latency)
    # Warm-up, not counted: a worker's first turns pay for imports, the pool's first connections and one new
    # connection to the model per call in flight; a worker that has been running has all of those. One turn
    # first, then (--warm-up-waves) full waves, printed as such.
    asyncio.run(
        wave(
            argparse.Namespace(**{**vars(options), "conversations": 1}),
            tag=f"{run_id}-warm",
            url=url,
            key=key,
            dsn=dsn,
            model=model,
            processes=processes,
            logs=logs,
        )
    )
    wait_redis(env["AGENTOPS_REDIS_URL"], saq_idle(PRODUCT_QUEUE), "the queue draining", processes, logs)
    warm_ups = []
    for number in range(1, options.warm_up_waves + 1):
        warm_ups.append(
            asyncio.run(
                wave(
                    options,
                    tag=f"{run_id}-u{number}",
                    url=url,
                    key=key,
                    dsn=dsn,
                    model=model,
                    processes=processes,
                    logs=logs,
                )
            )
        )
        wait_redis(env["AGENTOPS_REDIS_URL"], saq_idle(PRODUCT_QUEUE), "the queue draining", processes, logs)
    print(
        f"{options.conversations} new conversations a wave, sent at once; {options.workers} worker "
        "process(es) "
        f"(concurrency {options.concurrency} in all, database pool {options.pool} each); model: "
        f"{options.rounds} call(s) a turn, "
        f"{options.latency_ms:g} ms each.\nideal = min(conversations, concurrency) / (rounds x latency) = "
        f"{ideal:.1f} turns/s; model = most model calls in flight; db = most database connections in use; "
        f"turn = agent_runs.latency_ms; reply = accepted -> reply written (ms)."
    )
    print(HEADER)
    for number, figures in enumerate(warm_ups, start=1):
        print(line(f"warm-up{number}", figures, ideal, None) + "   (not counted)")
    groups = {
        "wrk": lambda: [process.pid for name, process in processes.items() if name.startswith("worker")],
        "api": lambda: [processes["api"].pid],
        "llm": lambda: [processes["model"].pid],
        "pg": backends(dsn),
    }
    waves = []
    for number in range(1, options.waves + 1):
        with Cpu(**groups) as cpu:
            figures = asyncio.run(
                wave(
                    options,
                    tag=f"{run_id}-w{number}",
                    url=url,
                    key=key,
                    dsn=dsn,
                    model=model,
                    processes=processes,
                    logs=logs,
                )
            )
        waves.append(figures)
        print(line(f"wave {number}", figures, ideal, {"box": cpu.box, **cpu.used}) + cpu.noise())
        # Deliveries (one job per reply) drain before the next wave starts.
        wait_redis(env["AGENTOPS_REDIS_URL"], saq_idle(PRODUCT_QUEUE), "the queue draining", processes, logs)
    total = overall(waves)
    print(line("overall", total, ideal, None))
    ratio = total["turns"] / total["wall"] / ideal
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(total["statuses"].items()))
    print(
        f"runs: {statuses}; {total['model_calls']} model calls "
        f"({total['model_calls'] / max(total['turns'], 1):.2f} a turn)"
    )
    print(
        f"turns/s / model-bound ideal {ratio:.2f}x: goal >= {GOAL_RATIO}x "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}"
        f"; most model calls in flight {total['in_flight']} (of "
        f"{min(options.conversations, options.concurrency)}"
        f" possible), most database connections in use {total['connections']} (pool {options.pool} per "
        "process)"
    )
    print(rss_report({name: process.pid for name, process in processes.items() if name != "model"}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100, help="new conversations (turns) a wave")
    parser.add_argument("--concurrency", type=int, default=100, help="AGENTOPS_WORKER_CONCURRENCY")
    parser.add_argument("--pool", type=int, default=10, help="AGENTOPS_DATABASE_POOL_SIZE")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing --concurrency (e.g. 2: one per core, concurrency/2 each)",
    )
    parser.add_argument("--latency-ms", type=float, default=1000, help="each model call's latency")
    parser.add_argument("--rounds", type=int, default=2, help="model calls a turn (rounds-1 tool rounds)")
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument(
        "--warm-up-waves", type=int, default=1, help="full waves run first, printed, not counted"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds a wave may take")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    model_port = free_port()
    model = f"http://127.0.0.1:{model_port}"
    env, dsn, key = prepare(options, f"{model}/v1")
    logs = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    started: list[subprocess.Popen] = []
    agentops = [sys.executable, "-m", "backend.cli.main"]
    with supervised(started, logs):
        processes = {
            "model": start(
                [
                    *agentops,
                    "loopback-model",
                    "--port",
                    str(model_port),
                    "--behaviour",
                    f"rounds:{options.rounds}",
                    "--latency-ms",
                    str(options.latency_ms),
                ],
                env,
                logs / "model.log",
                started,
            ),
            "api": start([*agentops, "api"], env, logs / "api.log", started),
        }
        share = {"AGENTOPS_WORKER_CONCURRENCY": str(max(1, options.concurrency // options.workers))}
        for number in range(options.workers):
            name = "worker" if number == 0 else f"worker{number + 1}"
            processes[name] = start([*agentops, "worker"], {**env, **share}, logs / f"{name}.log", started)
        wait_for_http(f"{model}/stats", process=processes["model"])
        wait_for_http(f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}/healthz", process=processes["api"])
        wait_redis(
            env["AGENTOPS_REDIS_URL"],
            lambda client: bool(client.keys(HEARTBEATS)),
            "the worker starting",
            processes,
            logs,
        )
        measure(options, env, dsn, key, model, processes, logs)
        check_alive(processes, logs)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
