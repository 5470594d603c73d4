"""Chaos with zero loss: a steady stream of conversations while workers are SIGKILLed, Redis is flushed, the
API restarts and PostgreSQL stalls — then every accepted event is checked.

The product runs as it does in production: one `agentops api`, three `agentops worker` processes, PostgreSQL
(a fresh bench database) and a private Redis server of its own (FLUSHALL must not touch anyone else's data).
Replies go to a loopback provider process (bench/chaos_provider.py) that behaves like the real ones — the SMS
API delivers every POST, the chat/voice hooks honour our Idempotency-Key — answers each send a while after
accepting it (so SIGKILLed workers die mid-delivery), and counts per message id what it received and what
reached the customer. A client sends multi-turn conversations (bookings, tickets, handoffs) through the API in
batches and retries on errors with the same idempotency keys; an event counts as accepted once the API said
so.

At the end, with the chaos over and the reconciler given time to catch up, it prints the counts and exits 1
if any of these fails: every accepted event is PROCESSED or DEAD (and a DEAD one replays), none lost; one
inbound message per event; one agent run per inbound message; no slot booked twice; no reply delivered twice
at the provider; every reply SENT, FAILED or UNCERTAIN (none left QUEUED or SENDING: none silently lost);
every SENT reply reached the provider and no FAILED one did; each conversation's messages in acceptance order.

    python bench/chaos.py                 # 200 events over 60 s: 6 worker kills, a FLUSHALL, an API
                                          # restart, DB stalls
    python bench/chaos.py --short         # 70 events over 20 s, each kind of chaos once or twice (the
                                          # suite runs it)
    python bench/chaos.py --events 50000  # the same chaos spread over the time 50,000 events take to send

The faults and the processes they hit are in bench/chaos_faults.py, the checks in bench/chaos_checks.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.devservices.private_redis import start_private_redis
from bench.agent_load import conversations
from bench.chaos_checks import MUST_BE_ZERO, check, replay_dead, settle
from bench.chaos_faults import Product, chaos
from bench.harness import bench_environment, create_key, start, supervised
from tests.helpers import free_port, wait_for_http

DATABASE = "agentops_bench_chaos"
INGEST_EVENTS = (
    "mutation($input: IngestEventsInput!) { ingestEvents(input: $input) {"
    " ... on IngestEventsPayload { results { __typename } } } }"
)
BATCH = 100  # threads per group at most: one ingestEvents call carries one turn of each


# --- The client
# ----------------------------------------------------------------------------------------------


@dataclass
class Client:
    url: str
    key: str
    accepted: set = field(default_factory=set)
    retries: int = 0

    async def send(self, http: httpx.AsyncClient, events: list[dict], deadline: float) -> None:
        """At least once: whatever was not accepted is sent again (same keys) until the API accepts it."""
        waiting = list(events)
        while waiting and time.monotonic() < deadline:
            try:
                answer = await http.post(
                    self.url, json={"query": INGEST_EVENTS, "variables": {"input": {"events": waiting}}}
                )
                results = (
                    answer.json()["data"]["ingestEvents"]["results"] if answer.status_code == 200 else None
                )
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                results = None
            if results is not None:
                for sent, result in zip(waiting, results, strict=True):
                    if result["__typename"] == "EventAccepted":
                        self.accepted.add(sent["idempotencyKey"])
                waiting = [sent for sent in waiting if sent["idempotencyKey"] not in self.accepted]
            if waiting:
                self.retries += 1
                await asyncio.sleep(0.3)
        if waiting:
            raise RuntimeError(
                f"{len(waiting)} event(s) were never accepted, e.g. {waiting[0]['idempotencyKey']}"
            )

    async def run(self, *, threads: list[list[dict]], seconds: float) -> None:
        """Start groups of threads evenly over `seconds`, about two a second; each group sends its threads'
        turn k in one batch once turn k-1 was accepted, a second or so apart (order within a thread is
        acceptance order)."""
        size = min(BATCH, max(1, -(-len(threads) // max(1, int(seconds * 2)))))
        groups = [threads[start : start + size] for start in range(0, len(threads), size)]
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {self.key}"}, timeout=30) as http:
            deadline = (
                time.monotonic() + 3 * seconds + 600
            )  # chaos slows the API down: keep trying, as a client would

            async def group(number: int, members: list[list[dict]]) -> None:
                await asyncio.sleep(number * seconds / len(groups))
                for turn in range(max(len(thread) for thread in members)):
                    await self.send(
                        http, [thread[turn] for thread in members if turn < len(thread)], deadline
                    )
                    await asyncio.sleep(random.uniform(0.5, 1.5))

            await asyncio.gather(*(group(n, members) for n, members in enumerate(groups)))


# --- Set-up and main
# -------------------------------------------------------------------------------------------


def prepare(
    redis_url: str, provider_url: str, *, model_url: str | None, database: str
) -> tuple[dict, str, str]:
    model = {"agent_policy": "openai", "openai_base_url": model_url} if model_url else {}
    env, dsn = bench_environment(
        database,
        redis_url=redis_url,
        **model,
        rate_limit_per_sender_per_minute=100000,
        rate_limit_per_key_per_minute=10000000,
        # Five connections a process, as in the test suite: the bench shares its PostgreSQL server (100
        # clients).
        database_pool_size=5,
        reconcile_every_seconds=2,
        reconcile_stale_after_seconds=4,
        process_attempts=6,
        process_retry_delay_seconds=0.5,
        process_retry_max_delay_seconds=3,
        delivery_attempts=8,
        sms_api_base_url=provider_url,
        sms_account_sid="AC" + "0" * 32,
        sms_auth_token="chaos",
        sms_from_number="+15550009999",
        chat_delivery_url=f"{provider_url}/hooks/chat",
        voice_delivery_url=f"{provider_url}/hooks/voice",
    )
    key = create_key(env, "chaos", "admin")
    seed_the_business = (
        "from backend.cli.orm import run_with_orm; from backend.settings import get_settings; "
        "from backend.scheduling.seed import seed_business, business_today; s = get_settings(); "
        "run_with_orm(s, lambda: seed_business(timezone=s.business_timezone, today=business_today(s)))"
    )
    subprocess.run([sys.executable, "-c", seed_the_business], env=env, check=True, capture_output=True)
    return env, dsn, key


# (seconds of traffic at least, events, chaos as fractions of the traffic's time). Kills come often: with the
# provider answering each send a while after accepting it, each one lands on deliveries in flight.
PLANS = {
    "full": (
        60,
        200,
        [
            (0.08, "kill"),
            (0.2, "flushall"),
            (0.3, "kill-mid-delivery"),
            (0.4, "restart-api"),
            (0.45, "kill"),
            (0.5, "stall-db"),
            (0.6, "kill"),
            (0.7, "drop-db-connections"),
            (0.8, "kill"),
            (0.9, "kill-mid-delivery"),
        ],
    ),
    "short": (
        20,
        70,
        [
            (0.15, "kill"),
            (0.3, "flushall"),
            (0.45, "restart-api"),
            (0.55, "kill-mid-delivery"),
            (0.6, "stall-db"),
            (0.75, "kill"),
            (0.85, "drop-db-connections"),
        ],
    ),
}
MAX_ROUNDS = 4  # a long run repeats the plan, once per `seconds` of traffic, at most this often


def schedule(plan: list[tuple[float, str]], *, base: float, seconds: float) -> list[tuple[float, str]]:
    """The plan at absolute times, repeated once per `base` seconds of traffic (up to MAX_ROUNDS)."""
    rounds = max(1, min(MAX_ROUNDS, round(seconds / base)))
    span = seconds / rounds
    return [
        (round_ * span + fraction * span, action) for round_ in range(rounds) for fraction, action in plan
    ]


async def provider_stats(url: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        return (await http.get(f"{url}/stats")).json()


async def run(
    options, env: dict, dsn: str, key: str, product: Product, provider_url: str, redis_url: str
) -> int:
    base, default_events, plan = PLANS["short" if options.short else "full"]
    events = options.events or default_events
    seconds = max(base, events / options.rate)
    url = f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}/graphql"
    client = Client(url=url, key=key)
    threads = conversations(max(1, events // 5), 5, tag=f"chaos-{int(time.time())}")
    began = time.monotonic()
    traffic = asyncio.create_task(client.run(threads=threads, seconds=seconds))
    done = await chaos(product, dsn=dsn, redis_url=redis_url, plan=schedule(plan, base=base, seconds=seconds))
    await traffic
    sent_in = time.monotonic() - began
    # Nothing may stay undecided: waited for while the backlog drains, failed once it stops moving for 2
    # minutes (longer than the reconciler's rhythm, the sweep's, and an SMS waiting out an earlier attempt's
    # call).
    settled = await settle(dsn, client.accepted, stalled_after=120)
    replayed = await replay_dead(url, key, dsn) if settled else 0
    await settle(dsn, client.accepted, stalled_after=60)
    took = time.monotonic() - began
    figures = await check(dsn, client.accepted, await provider_stats(provider_url))
    kinds = Counter(action for action in (line.split()[-1] for line in done))
    print(
        f"bench/chaos.py ({'short' if options.short else 'full'}, {options.policy} policy): "
        f"{len(threads)} conversations × 5 turns = {len(threads) * 5} events sent over {sent_in:.0f} s, all "
        "settled "
        f"{took:.0f} s after the first; {os.cpu_count()} CPUs\n  chaos: "
        + "; ".join(done[:12])
        + (f"; … {len(done)} in all" if len(done) > 12 else "")
        + f"\n  chaos in all: {dict(kinds)} (worker SIGKILLs: {product.kills}, API restarts: "
        f"{product.restarts}, "
        f"processes that exited by themselves and were started again: {product.exits})"
        f"\n  replies SENDING at the moments workers were SIGKILLed: {product.sending_at_kills} (of which "
        f"{product.sending_at_all_kills} when every worker was killed at once)"
        f"\n  client retries after errors: {client.retries}; dead letters replayed: {replayed}"
    )
    failed = []
    for name, value in figures.items():
        flag = "  <-- must be 0" if name in MUST_BE_ZERO and value else ""
        print(f"  {name:58s} {value}{flag}")
        if flag:
            failed.append(name)
    print(
        "  RESULT: "
        + ("zero loss, zero duplicates, order kept" if not failed else "FAILED: " + ", ".join(failed))
    )
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the 20-second variant the test suite runs")
    parser.add_argument(
        "--events", type=int, default=0, help="events to send (default: 200, or 70 with --short)"
    )
    parser.add_argument(
        "--rate", type=float, default=50, help="events a second the client aims at (large runs)"
    )
    parser.add_argument(
        "--policy",
        choices=("rules", "openai"),
        default="rules",
        help="openai: the workers call the loopback model (agentops loopback-model) for every turn",
    )
    parser.add_argument(
        "--model-latency-ms", type=float, default=150, help="the loopback model's delay per call"
    )
    parser.add_argument(
        "--provider-latency-ms",
        type=float,
        default=800,
        help="how long the provider takes to answer a send it has accepted",
    )
    parser.add_argument("--database", default=DATABASE, help="the bench database (dropped and created again)")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logs = Path(tempfile.mkdtemp(prefix="bench-chaos-"))
    private_redis = start_private_redis(data_dir=logs / "redis")
    redis_url = urlsplit(private_redis.url())._replace(path="/0").geturl()
    started: list[subprocess.Popen] = []
    try:
        with supervised(started, logs):
            provider_port = free_port()
            provider_url = f"http://127.0.0.1:{provider_port}"
            start(
                [
                    sys.executable,
                    str(ROOT / "bench" / "chaos_provider.py"),
                    "--port",
                    str(provider_port),
                    "--latency-ms",
                    str(options.provider_latency_ms),
                ],
                dict(os.environ),
                logs / "provider.log",
                started,
            )
            wait_for_http(f"{provider_url}/stats", process=started[-1])
            model_url = None
            if (
                options.policy == "openai"
            ):  # a worker killed mid-turn is then killed while a model call is in flight
                model_port = free_port()
                start(
                    [
                        sys.executable,
                        "-m",
                        "backend.cli.main",
                        "loopback-model",
                        "--port",
                        str(model_port),
                        "--latency-ms",
                        str(options.model_latency_ms),
                    ],
                    dict(os.environ),
                    logs / "model.log",
                    started,
                )
                wait_for_http(f"http://127.0.0.1:{model_port}/v1/models", process=started[-1])
                model_url = f"http://127.0.0.1:{model_port}/v1"
            env, dsn, key = prepare(redis_url, provider_url, model_url=model_url, database=options.database)
            product = Product(env, logs, started)

            async def everything() -> int:
                await asyncio.to_thread(product.start_api)
                for _ in range(3):
                    product.start_worker()
                return await run(options, env, dsn, key, product, provider_url, redis_url)

            return asyncio.run(everything())
    finally:
        private_redis.stop()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
