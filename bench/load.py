"""Load and scale: the read path over 100k conversations and 1M messages, a mixed workload, and overload.

    python bench/load.py [--conversations 100000] [--messages-per-conversation 10] [--seconds 8]

1. **Read path at scale.** Loads the conversations and messages with set-based INSERT … SELECT (seconds, not
   minutes), then times the dashboard's reads over HTTP against one `agentops api`: the conversations page
   unfiltered and with each filter, and a conversation's detail (thread, runs). Prints p50/p95 per request
   (goal p95 ≤ 50 ms) and the SQL statements each request sends, for a page of 5 and of 50 rows (in-process,
   counted at the driver: they must be equal — no N+1). Then `EXPLAIN (ANALYZE)` of the query behind each
   index the read path relies on, to show the index is the one used.
2. **Mixed workload.** Single-event ingest over HTTP alone, then with dashboard reads running beside it, and
   the raw asyncpg INSERT baseline of bench/ingest.py: events/s and the ratios.
3. **Overload** at about twice what the API accepts: 64 closed-loop senders against a per-key rate limit set
   to half of what the API accepted in a phase as long (the limit is a fixed window per minute); prints how
   many answers were accepted, how many were typed RateLimited refusals (with retryAfterSeconds), how many
   were 5xx (must be 0), and /healthz p95 meanwhile.

Recreates the database `agentops_bench_load` and flushes Redis index 7; nothing else is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.settings import Settings
from bench.harness import bench_environment, create_key, pct, rss_report, run_sql, start, supervised
from bench.ingest import SCRATCH
from bench.ingest_load import raw_load, raw_open
from bench.load_mixed import PAGE, ingest_for, overload, reads_beside
from tests.helpers import wait_for_http

DATABASE, REDIS_INDEX = "agentops_bench_load", 7

_CONVERSATIONS = """
INSERT INTO conversations (id, channel, thread_key, customer, status, message_count, created_at, updated_at,
                           last_message_at, agent_state, handed_off_at)
SELECT gen_random_uuid(), (ARRAY['SMS','SMS','CHAT','VOICE'])[1 + n % 4], 'load-' || n, '+1555' ||
    lpad(n::text, 7, '0'),
       CASE WHEN n % 20 = 0 THEN 'HANDED_OFF' WHEN n % 3 = 0 THEN 'CLOSED' ELSE 'OPEN' END, $2,
       at, at, at + ($2 - 1) * interval '1 minute', '{}', CASE WHEN n % 20 = 0 THEN at END
FROM (SELECT n, now() - interval '30 days' + n * (interval '30 days' / $1) AS at FROM generate_series(1, $1)
    AS n) s
"""
_MESSAGES = """
INSERT INTO messages (id, conversation_id, sequence, direction, author, text, created_at, delivery_attempts,
                      delivery_status)
SELECT gen_random_uuid(), c.id, k, CASE WHEN k % 2 = 1 THEN 'INBOUND' ELSE 'OUTBOUND' END,
       CASE WHEN k % 2 = 1 THEN 'CUSTOMER' ELSE 'AGENT' END,
       (ARRAY['Can I book a haircut tomorrow at 3pm?', 'We have 3pm or 4:15pm tomorrow. Which works for you?',
              'My order arrived damaged, I want a refund', 'I am sorry to hear that. I have opened a ticket.',
              'What are your opening hours on Saturday?', 'We are open 10am to 4pm on Saturday.'])[1 + abs(k +
                  hashtext(c.thread_key)) % 6]
       || CASE WHEN abs(hashtext(c.thread_key)) % 997 = 0 THEN ' (invoice 4417)' ELSE '' END,
       c.created_at + (k - 1) * interval '1 minute', CASE WHEN k % 2 = 0 THEN 1 ELSE 0 END,
       CASE WHEN k % 2 = 0 THEN 'SENT' END
FROM conversations c CROSS JOIN generate_series(1, $1) AS k
"""
DETAIL = """query($id: ID!) { node(id: $id) { ... on Conversation { id customer status
  messages(first: 50) { edges { node { sequence direction author text deliveryStatus } } }
  runs(first: 10) { status latencyMs toolCalls { name error } }
  bookings { startsAt } tickets { subject } } } }"""


def filters() -> dict[str, dict | None]:
    from datetime import UTC, datetime, timedelta

    day = datetime.now(UTC) - timedelta(days=15)
    return {
        "unfiltered": None,
        "channel=VOICE": {"channel": "VOICE"},
        "status=HANDED_OFF": {"status": "HANDED_OFF"},
        "customer": {"customer": "+15550054321"},
        "text ('invoice 4417')": {"text": "invoice 4417"},
        "active in a 1-day window": {
            "activeAfter": day.isoformat(),
            "activeBefore": (day + timedelta(days=1)).isoformat(),
        },
    }


# --- 1. Read path -----------------------------------------------------------------------------------------


async def load_rows(dsn: str, conversations: int, per_conversation: int) -> float:
    connection = await asyncpg.connect(dsn)
    began = time.perf_counter()
    try:
        await connection.execute(_CONVERSATIONS, conversations, per_conversation)
        await connection.execute(_MESSAGES, per_conversation)
        await connection.execute("ANALYZE conversations; ANALYZE messages")
    finally:
        await connection.close()
    return time.perf_counter() - began


def time_reads(base: str, key: str, *, repeat: int) -> list[tuple[str, list[float]]]:
    headers = {"Authorization": f"Bearer {key}"}
    results = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        first_page = http.post("/graphql", json={"query": PAGE, "variables": {"first": 20}}).json()
        ids = [edge["node"]["id"] for edge in first_page["data"]["conversations"]["edges"]]
        cases = [
            (f"conversations(first: 20) {name}", PAGE, {"first": 20, "filter": value})
            for name, value in filters().items()
        ]
        cases.append(
            (
                "conversations page 2 (cursor)",
                PAGE,
                {"first": 20, "after": first_page["data"]["conversations"]["pageInfo"]["endCursor"]},
            )
        )
        cases.append(("conversation detail (thread of 10, runs)", DETAIL, None))
        for name, query, variables in cases:
            timings = []
            for number in range(repeat + 3):
                body = {"query": query, "variables": variables or {"id": ids[number % len(ids)]}}
                began = time.perf_counter()
                answer = http.post("/graphql", json=body)
                elapsed = (time.perf_counter() - began) * 1000
                data = answer.json()
                if answer.status_code != 200 or data.get("errors"):
                    raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:300]}")
                if number >= 3:  # the first few warm the API's caches and pool
                    timings.append(elapsed)
            results.append((name, timings))
    return results


async def statements_per_request(settings: Settings, key: str) -> list[tuple[str, int, int]]:
    """SQL statements per request for pages of 5 and of 50 (in-process app, counted at the driver)."""
    import pytest
    from asgi_lifespan import LifespanManager

    from backend.api.app import create_app
    from tests.helpers import StatementCounter

    app = create_app(settings.model_copy(update={"log_level": "WARNING"}))
    rows = []
    async with LifespanManager(app, startup_timeout=60):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"Authorization": f"Bearer {key}"}
        ) as http:
            with pytest.MonkeyPatch.context() as patch:
                counter = StatementCounter(patch)
                for name, value in filters().items():
                    counts = []
                    for size in (5, 50):
                        await http.post(
                            "/graphql", json={"query": PAGE, "variables": {"first": size, "filter": value}}
                        )
                        counter.reset()
                        await http.post(
                            "/graphql", json={"query": PAGE, "variables": {"first": size, "filter": value}}
                        )
                        counts.append(len(counter.statements))
                    rows.append((f"conversations {name}", *counts))
    return rows


EXPLAINED = [  # (index, the query it serves)
    (
        "conversations (last_message_at, id): newest-first keyset page",
        "SELECT id FROM conversations ORDER BY last_message_at DESC, id DESC LIMIT 21",
    ),
    (
        "conversations (channel, last_message_at): channel filter",
        "SELECT id FROM conversations WHERE channel = 'VOICE' "
        "ORDER BY last_message_at DESC, id DESC LIMIT 21",
    ),
    (
        "conversations (status, last_message_at): status filter",
        "SELECT id FROM conversations WHERE status = 'HANDED_OFF' ORDER BY last_message_at DESC, id DESC "
        "LIMIT 21",
    ),
    (
        "conversations (customer): one customer's conversations",
        "SELECT id FROM conversations WHERE customer = '+15550054321'",
    ),
    (
        "messages (conversation_id, sequence): a thread, in order",
        "SELECT id FROM messages WHERE conversation_id = (SELECT id FROM conversations LIMIT 1) ORDER BY "
        "sequence LIMIT 51",
    ),
    (
        "messages text trigram (gin_trgm_ops): text search",
        "SELECT DISTINCT conversation_id FROM messages WHERE UPPER(CAST(text AS VARCHAR)) LIKE "
        "UPPER('%invoice 4417%')",
    ),
]


async def explain(dsn: str) -> list[tuple[str, str, float]]:
    connection = await asyncpg.connect(dsn)
    try:
        found = []
        for name, query in EXPLAINED:
            plan = [row[0] for row in await connection.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {query}")]
            scans = [line.strip() for line in plan if "Scan" in line]
            took = next(
                (float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")),
                0.0,
            )
            found.append((name, "; ".join(scans[:2]) or plan[0].strip(), took))
        return found
    finally:
        await connection.close()


# --- Main -------------------------------------------------------------------------------------------------


def prepare(rate_per_minute: int) -> tuple[dict, str, Settings]:
    env, dsn = bench_environment(
        DATABASE,
        redis_index=REDIS_INDEX,
        rate_limit_per_sender_per_minute=10**9,
        rate_limit_per_key_per_minute=rate_per_minute,
    )
    return env, dsn, Settings(database_url=dsn, redis_url=env["AGENTOPS_REDIS_URL"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per read")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"bench/load.py on {os.cpu_count()} CPUs; PostgreSQL and Redis on this machine")

    env, dsn, settings = prepare(rate_per_minute=10**9)
    reader = create_key(env, "reader", "read", "ingest")
    took = asyncio.run(load_rows(dsn, options.conversations, options.messages_per_conversation))
    print(
        f"\n1. Read path: loaded {options.conversations:,} conversations and "
        f"{options.conversations * options.messages_per_conversation:,} messages in {took:.1f} s"
    )
    logs, processes = Path(tempfile.mkdtemp(prefix="bench-load-")), []
    base = f"http://127.0.0.1:{env['AGENTOPS_API_PORT']}"
    with supervised(processes, logs):
        api = start([sys.executable, "-m", "backend.cli.main", "api"], env, logs / "api.log", processes)
        wait_for_http(f"{base}/healthz", process=api)
        print(f"  {'request':<52} {'p50 ms':>7} {'p95 ms':>7}  goal p95 <= 50 ms")
        for name, timings in time_reads(base, reader, repeat=options.repeat):
            p95 = pct(timings, 95)
            print(f"  {name:<52} {pct(timings, 50):7.1f} {p95:7.1f}  {'met' if p95 <= 50 else 'NOT met'}")
        print(f"  {'SQL statements per request':<52} {'5 rows':>7} {'50 rows':>7}")
        for name, small, large in asyncio.run(statements_per_request(settings, reader)):
            print(f"  {name:<52} {small:7d} {large:7d}  {'constant' if small == large else 'GROWS'}")
        print(f"  {'EXPLAIN ANALYZE: index → the plan PostgreSQL chose':<80} {'ms':>6}")
        for name, plan, ms in asyncio.run(explain(dsn)):
            print(f"  {name:<62}\n      {plan[:110]:<110} {ms:6.2f}")

        url = f"{base}/graphql"
        with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as clients:
            alone = clients.submit(
                ingest_for,
                url,
                reader,
                concurrency=16,
                seconds=options.seconds,
                tag=f"alone-{uuid.uuid4().hex[:6]}",
            ).result()
            reading = clients.submit(reads_beside, base, reader, options.seconds, 4)
            mixed = clients.submit(
                ingest_for,
                url,
                reader,
                concurrency=16,
                seconds=options.seconds,
                tag=f"mixed-{uuid.uuid4().hex[:6]}",
            ).result()
            reads_done = reading.result()
        asyncio.run(run_sql(dsn, SCRATCH))
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as baseline:
            baseline.submit(raw_open, dsn, 16).result()  # the pool lives in that one process
            raw = baseline.submit(
                raw_load, batch=0, concurrency=16, seconds=options.seconds, tag="raw"
            ).result()
        alone_rate, mixed_rate = alone["accepted"] / alone["wall"], mixed["accepted"] / mixed["wall"]
        raw_rate = raw["events"] / raw["wall"]
        print(
            "\n2. Mixed workload: ingestEvent x16 (one spawned client) with 4 readers of the "
            "conversations page "
            f"beside it\n  ingest alone {alone_rate:7.0f} events/s (p99 "
            f"{statistics.quantiles(alone['latencies'], n=100)[98] * 1000:.0f} ms); with reads "
            f"{mixed_rate:7.0f} "
            f"events/s and {reads_done / options.seconds:.0f} pages/s; raw INSERT x16 {raw_rate:7.0f} "
            "rows/s\n"
            f"  ratios: alone/raw {alone_rate / raw_rate:.2f}x, mixed/raw {mixed_rate / raw_rate:.2f}x, "
            f"mixed/alone {mixed_rate / alone_rate:.2f}x"
        )
        print(f"  {rss_report({'api': api.pid})}")
        processes.remove(api)
        api.terminate()
        api.wait(timeout=30)

        # 3. Overload: the limit is a fixed window per minute, so for a phase of a few seconds it is set to
        # half of what the API accepted in as long: past the middle of the phase every answer must be a
        # refusal.
        capacity = alone_rate
        limit = max(int(capacity * options.seconds / 2), 1)
        env["AGENTOPS_RATE_LIMIT_PER_KEY_PER_MINUTE"] = str(limit)
        api = start(
            [sys.executable, "-m", "backend.cli.main", "api"], env, logs / "api-limited.log", processes
        )
        wait_for_http(f"{base}/healthz", process=api)
        sender_key = create_key(
            env, "overloaded adapter", "ingest"
        )  # a window of its own, not the phases' above
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as clients:
            result = clients.submit(
                overload, url, sender_key, concurrency=64, seconds=options.seconds, health=f"{base}/healthz"
            ).result()
        offered = sum(result[name] for name in ("accepted", "rate_limited", "other_refusal", "5xx", "errors"))
        print(
            f"\n3. Overload: per-key limit {limit} events a minute (half of what the API accepted in "
            f"{options.seconds:g} s), 64 senders offering "
            f"{offered / options.seconds:.0f} requests/s\n  accepted {result['accepted']}, RateLimited "
            f"{result['rate_limited']}, other refusals {result['other_refusal']}, 5xx {result['5xx']} (must "
            "be 0), "
            f"transport errors {result['errors']}\n  accepted rate "
            f"{result['accepted'] / options.seconds:.0f}/s; "
            f"/healthz p50 {result['healthz_p50']:.1f} ms, p95 {result['healthz_p95']:.1f} ms"
        )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every process started here was stopped")
