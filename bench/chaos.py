"""Chaos with zero loss: a steady stream of conversations while workers are SIGKILLed, Redis is flushed, the API
restarts and PostgreSQL stalls — then every accepted event is checked.

The product runs as it does in production: one `agentops api`, three `agentops worker` processes, PostgreSQL
(a fresh bench database) and a private Redis server of its own (FLUSHALL must not touch anyone else's data).
Replies go to a loopback provider that honours idempotency keys, as real SMS/chat providers do, and counts
every attempt. A client sends multi-turn conversations (bookings, tickets, handoffs) through the API and
retries on errors with the same idempotency key; an event counts as accepted once the API said so.

At the end, with the chaos over and the reconciler given time to catch up, it prints the counts and exits 1
if any of these fails: every accepted event is PROCESSED or DEAD (and a DEAD one replays), none lost; one
inbound message per event; one agent run per inbound message; no slot booked twice; no message delivered
twice to a customer; every SENT reply reached the provider; each conversation's messages in acceptance order.

    python bench/chaos.py            # 60 s of traffic, 4 worker kills, a FLUSHALL, an API restart, 2 DB stalls
    python bench/chaos.py --short    # 20 s, the same kinds of chaos once or twice (the test suite runs this)
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

import asyncpg
import httpx
import redis
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.devservices.private_redis import start_private_redis
from bench.agent_load import conversations
from bench.harness import bench_environment, create_key, start, supervised
from tests.helpers import free_port, wait_for_http

DATABASE = "agentops_bench_chaos"
INGEST = "mutation($input: IngestEventInput!) { ingestEvent(input: $input) { __typename } }"
REPLAY = "mutation { replayDeadLetters(input: {}) { __typename } }"


# --- The loopback provider -----------------------------------------------------------------------------------

@dataclass
class Provider:
    """Accepts SMS/chat/voice sends; a repeated idempotency key is answered again, never delivered again."""

    attempts: Counter = field(default_factory=Counter)  # per message id
    delivered: Counter = field(default_factory=Counter)  # per message id: what reached the customer

    def app(self) -> Starlette:
        async def receive(request: Request) -> JSONResponse:
            key = request.headers.get("idempotency-key") or request.headers.get("i-twilio-idempotency-token")
            await request.body()
            self.attempts[key] += 1
            if key not in self.delivered:
                self.delivered[key] += 1
            return JSONResponse({"sid": f"SM{key}", "id": key}, status_code=201)

        return Starlette(routes=[Route("/2010-04-01/Accounts/{sid}/Messages.json", receive, methods=["POST"]),
                                 Route("/hooks/{channel}", receive, methods=["POST"])])


# --- The client ----------------------------------------------------------------------------------------------

@dataclass
class Client:
    url: str
    key: str
    accepted: set = field(default_factory=set)
    retries: int = 0

    async def send(self, http: httpx.AsyncClient, event: dict, deadline: float) -> None:
        """At least once: the same payload again after any failure, until the API accepts it."""
        while time.monotonic() < deadline:
            try:
                answer = await http.post(self.url, json={"query": INGEST, "variables": {"input": event}})
                kind = answer.json()["data"]["ingestEvent"]["__typename"] if answer.status_code == 200 else None
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                kind = None
            if kind == "EventAccepted":
                self.accepted.add(event["idempotencyKey"])
                return
            self.retries += 1
            await asyncio.sleep(0.3)
        raise RuntimeError(f"event {event['idempotencyKey']} was never accepted")

    async def run(self, *, threads: list[list[dict]], seconds: float) -> None:
        """Start threads evenly over `seconds`; each sends its turns in order, a second or so apart."""
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {self.key}"}, timeout=10) as http:
            deadline = time.monotonic() + seconds + 120

            async def conversation(number: int, turns: list[dict]) -> None:
                await asyncio.sleep(number * seconds / len(threads))
                for event in turns:
                    await self.send(http, event, deadline)
                    await asyncio.sleep(random.uniform(0.5, 1.5))

            await asyncio.gather(*(conversation(n, turns) for n, turns in enumerate(threads)))


# --- Chaos -----------------------------------------------------------------------------------------------------

class Product:
    def __init__(self, env: dict, logs: Path, started: list) -> None:
        self.env, self.logs, self.started = env, logs, started
        self.workers: list[subprocess.Popen] = []
        self.api: subprocess.Popen | None = None
        self.kills = self.restarts = 0

    def start_api(self) -> None:
        self.api = start([sys.executable, "-m", "backend.cli.main", "api"], self.env,
                         self.logs / f"api-{self.restarts}.log", self.started)
        wait_for_http(f"http://127.0.0.1:{self.env['AGENTOPS_API_PORT']}/healthz", process=self.api)

    def start_worker(self) -> None:
        self.workers.append(start([sys.executable, "-m", "backend.cli.main", "worker"], self.env,
                                  self.logs / f"worker-{len(self.workers)}.log", self.started))

    def kill_a_worker(self) -> None:
        victim = next(worker for worker in self.workers if worker.poll() is None)
        victim.send_signal(signal.SIGKILL)  # mid-job: no shutdown, no cleanup
        victim.wait()
        self.kills += 1
        self.start_worker()

    def restart_api(self) -> None:
        assert self.api is not None
        self.api.send_signal(signal.SIGKILL)
        self.api.wait()
        self.restarts += 1
        self.start_api()


async def stall_postgres(dsn: str, seconds: float) -> None:
    """Every reader and writer of ingest_events and conversations waits: a database that stops answering."""
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await connection.execute("LOCK TABLE ingest_events, conversations IN ACCESS EXCLUSIVE MODE")
            await asyncio.sleep(seconds)
    finally:
        await connection.close()


async def drop_connections(dsn: str) -> int:
    """Every connection of the product to its database is cut (a failover, a restarted proxy)."""
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await connection.close()


async def chaos(product: Product, *, dsn: str, redis_url: str, plan: list[tuple[float, str]]) -> list[str]:
    began, done = time.monotonic(), []
    for at, action in plan:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - began)))
        if action == "kill":
            await asyncio.to_thread(product.kill_a_worker)
        elif action == "flushall":
            redis.Redis.from_url(redis_url).flushall()
        elif action == "restart-api":
            await asyncio.to_thread(product.restart_api)
        elif action == "stall-db":
            await stall_postgres(dsn, 3.0)
        elif action == "drop-db-connections":
            await drop_connections(dsn)
        done.append(f"{time.monotonic() - began:5.1f}s {action}")
    return done


# --- Checking --------------------------------------------------------------------------------------------------

async def settle(dsn: str, accepted: set, timeout: float) -> None:
    """Wait until every accepted event is final and every reply's delivery is decided."""
    connection = await asyncpg.connect(dsn)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            pending = await connection.fetchval(
                "SELECT count(*) FROM ingest_events WHERE status = 'RECEIVED' AND idempotency_key = ANY($1)",
                list(accepted))
            queued = await connection.fetchval("SELECT count(*) FROM messages WHERE delivery_status = 'QUEUED'")
            if not pending and not queued:
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"not settled after {timeout:.0f} s: {pending} event(s) RECEIVED, {queued} reply(ies) QUEUED")
    finally:
        await connection.close()


async def check(dsn: str, accepted: set, provider: Provider) -> dict:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT idempotency_key, status FROM ingest_events WHERE idempotency_key = ANY($1)",
                                      list(accepted))
        status = Counter(row["status"] for row in rows)
        figures = {
            "accepted": len(accepted),
            "processed": status["PROCESSED"], "dead": status["DEAD"],
            "lost": len(accepted) - len(rows),
            "not final": status["RECEIVED"],
            "duplicate inbound messages": await connection.fetchval(
                "SELECT count(*) FROM (SELECT ingest_event_id FROM messages WHERE direction = 'INBOUND'"
                " GROUP BY 1 HAVING count(*) > 1) d"),
            "processed events without a message": await connection.fetchval(
                "SELECT count(*) FROM ingest_events e WHERE status = 'PROCESSED'"
                " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ingest_event_id = e.id)"),
            "messages answered twice": await connection.fetchval(
                "SELECT count(*) FROM (SELECT trigger_message_id FROM agent_runs WHERE trigger_message_id IS NOT NULL"
                " GROUP BY 1 HAVING count(*) > 1) d"),
            "slots booked twice": await connection.fetchval(
                "SELECT count(*) FROM (SELECT slot_id FROM bookings WHERE status = 'CONFIRMED'"
                " GROUP BY 1 HAVING count(*) > 1) d"),
            "bookings": await connection.fetchval("SELECT count(*) FROM bookings"),
            # A turn retried after a kill must reuse what its first attempt booked or opened, never make another:
            # an effect no committed run answered with is one made twice.
            "bookings no committed run made": await connection.fetchval(
                "SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM tool_calls c"
                " WHERE c.result->>'booking_id' = b.id::text)"),
            "tickets no committed run opened": await connection.fetchval(
                "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM tool_calls c"
                " WHERE c.result->>'ticket_id' = t.id::text)"),
            "tickets": await connection.fetchval("SELECT count(*) FROM tickets"),
            "replies": await connection.fetchval("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'"),
            "replies sent": await connection.fetchval(
                "SELECT count(*) FROM messages WHERE direction = 'OUTBOUND' AND delivery_status = 'SENT'"),
            "replies delivered twice": sum(1 for count in provider.delivered.values() if count > 1),
            "send attempts repeated (absorbed by idempotency keys)": sum(
                count - 1 for count in provider.attempts.values() if count > 1),
            "SENT replies the provider never got": len(
                {str(row["id"]) for row in await connection.fetch(
                    "SELECT id FROM messages WHERE direction = 'OUTBOUND' AND delivery_status = 'SENT'")}
                - set(provider.delivered)),
            "conversations out of order": await connection.fetchval(
                "SELECT count(DISTINCT conversation_id) FROM (SELECT m.conversation_id, e.accepted_seq,"
                " lag(e.accepted_seq) OVER (PARTITION BY m.conversation_id ORDER BY m.sequence) AS previous"
                " FROM messages m JOIN ingest_events e ON e.id = m.ingest_event_id) o"
                " WHERE previous > accepted_seq"),
        }
    finally:
        await connection.close()
    return figures


MUST_BE_ZERO = ("lost", "not final", "duplicate inbound messages", "processed events without a message",
                "messages answered twice", "slots booked twice", "bookings no committed run made",
                "tickets no committed run opened", "replies delivered twice",
                "SENT replies the provider never got", "conversations out of order")


async def replay_dead(url: str, key: str, dsn: str) -> int:
    """DEAD events must be replayable: replay them all and wait until they are processed."""
    connection = await asyncpg.connect(dsn)
    try:
        dead = await connection.fetchval("SELECT count(*) FROM ingest_events WHERE status = 'DEAD'")
        if not dead:
            return 0
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
            await http.post(url, json={"query": REPLAY})
        deadline = time.monotonic() + 60
        while await connection.fetchval("SELECT count(*) FROM ingest_events WHERE status <> 'PROCESSED'"):
            if time.monotonic() > deadline:
                raise RuntimeError("replayed dead letters were not processed within 60 s")
            await asyncio.sleep(0.5)
        return dead
    finally:
        await connection.close()


# --- Set-up and main -------------------------------------------------------------------------------------------

def prepare(redis_url: str, provider_port: int, *, model_url: str | None) -> tuple[dict, str, str]:
    provider = f"http://127.0.0.1:{provider_port}"
    model = {"agent_policy": "openai", "openai_base_url": model_url} if model_url else {}
    env, dsn = bench_environment(
        DATABASE, redis_url=redis_url, **model, rate_limit_per_sender_per_minute=100000, rate_limit_per_key_per_minute=1000000,
        reconcile_every_seconds=2, reconcile_stale_after_seconds=4, process_attempts=6,
        process_retry_delay_seconds=0.5, process_retry_max_delay_seconds=3, delivery_attempts=8,
        sms_api_base_url=provider, sms_account_sid="AC" + "0" * 32, sms_auth_token="chaos",
        sms_from_number="+15550009999", chat_delivery_url=f"{provider}/hooks/chat",
        voice_delivery_url=f"{provider}/hooks/voice")
    key = create_key(env, "chaos", "admin")
    seed_the_business = ("from backend.cli.orm import run_with_orm; from backend.settings import get_settings; "
                         "from backend.scheduling.seed import seed_business, business_today; s = get_settings(); "
                         "run_with_orm(s, lambda: seed_business(timezone=s.business_timezone, today=business_today(s)))")
    subprocess.run([sys.executable, "-c", seed_the_business], env=env, check=True, capture_output=True)
    return env, dsn, key


PLANS = {
    "full": (60, 40, [(6, "kill"), (12, "flushall"), (18, "kill"), (24, "restart-api"), (30, "stall-db"),
                      (36, "kill"), (42, "drop-db-connections"), (48, "kill")]),
    "short": (20, 14, [(3, "kill"), (6, "flushall"), (9, "restart-api"), (12, "stall-db"), (15, "kill"),
                       (17, "drop-db-connections")]),
}


async def run(options, env: dict, dsn: str, key: str, product: Product, provider: Provider, redis_url: str) -> int:
    seconds, threads_count, plan = PLANS["short" if options.short else "full"]
    url = f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}/graphql"
    client = Client(url=url, key=key)
    threads = conversations(threads_count, 5, tag=f"chaos-{int(time.time())}")
    began = time.monotonic()
    traffic = asyncio.create_task(client.run(threads=threads, seconds=seconds))
    done = await chaos(product, dsn=dsn, redis_url=redis_url, plan=plan)
    await traffic
    sent_in = time.monotonic() - began
    await settle(dsn, client.accepted, timeout=180)
    replayed = await replay_dead(url, key, dsn)
    await settle(dsn, client.accepted, timeout=60)
    figures = await check(dsn, client.accepted, provider)
    print(f"bench/chaos.py ({'short' if options.short else 'full'}, {options.policy} policy): "
          f"{len(threads)} conversations × 5 turns over "
          f"{sent_in:.0f} s; {os.cpu_count()} CPUs\n  chaos: " + "; ".join(done) +
          f"\n  client retries after errors: {client.retries}; dead letters replayed: {replayed}")
    failed = []
    for name, value in figures.items():
        flag = "  <-- must be 0" if name in MUST_BE_ZERO and value else ""
        print(f"  {name:55s} {value}{flag}")
        if flag:
            failed.append(name)
    print("  RESULT: " + ("zero loss, zero duplicates, order kept" if not failed else "FAILED: " + ", ".join(failed)))
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the 20-second variant the test suite runs")
    parser.add_argument("--policy", choices=("rules", "openai"), default="rules",
                        help="openai: the workers call the loopback model (agentops loopback-model) for every turn")
    parser.add_argument("--model-latency-ms", type=float, default=150, help="the loopback model's delay per call")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logs = Path(tempfile.mkdtemp(prefix="bench-chaos-"))
    private_redis = start_private_redis(data_dir=logs / "redis")
    redis_url = urlsplit(private_redis.url())._replace(path="/0").geturl()
    provider, provider_port = Provider(), free_port()
    started: list[subprocess.Popen] = []
    try:
        model_url = None
        if options.policy == "openai":  # a worker killed mid-turn is then killed while a model call is in flight
            model_port = free_port()
            start([sys.executable, "-m", "backend.cli.main", "loopback-model", "--port", str(model_port),
                   "--latency-ms", str(options.model_latency_ms)], dict(os.environ), logs / "model.log", started)
            wait_for_http(f"http://127.0.0.1:{model_port}/v1/models", process=started[-1])
            model_url = f"http://127.0.0.1:{model_port}/v1"
        env, dsn, key = prepare(redis_url, provider_port, model_url=model_url)
        product = Product(env, logs, started)

        async def everything() -> int:
            server = uvicorn.Server(uvicorn.Config(provider.app(), host="127.0.0.1", port=provider_port,
                                                   log_level="warning", lifespan="off"))
            serving = asyncio.create_task(server.serve())
            try:
                await asyncio.to_thread(product.start_api)
                for _ in range(3):
                    product.start_worker()
                return await run(options, env, dsn, key, product, provider, redis_url)
            finally:
                server.should_exit = True
                await serving

        with supervised(started, logs):
            return asyncio.run(everything())
    finally:
        private_redis.stop()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
