"""bench/ingest.py's load generators: `wrk` (installed when missing, its POST bodies, one run) and the raw
asyncpg INSERT baseline, which runs in the bench's spawned client process."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS, event

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_post.lua"
RAW_INSERT = """
INSERT INTO bench_raw_events (id, channel, idempotency_key, sender, text, occurred_at, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (channel, idempotency_key) DO NOTHING
"""
TEXT = "Can I book a haircut tomorrow at 3pm?"


# --- wrk ------------------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The path of `wrk`; installed with apt-get when missing and we are root, else a message saying how."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(
            "wrk is missing: installing the Debian package (apt-get update && apt-get install -y wrk) ...",
            flush=True,
        )
        subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit(
        "bench/ingest.py drives the API with wrk, which is not installed. On Debian or Ubuntu: "
        "`sudo apt-get update && sudo apt-get install -y wrk` (elsewhere, your package manager's `wrk`)."
    )


def template(directory: Path, name: str, *, head: str, item: str = "", tail: str) -> Path:
    """The three-line body template bench/wrk_post.lua reads (see that script)."""
    path = directory / f"{name}.tmpl"
    path.write_text(f"{head}\n{item}\n{tail}\n")
    return path


def ingest_templates(directory: Path) -> dict[str, Path]:
    """Bodies for each HTTP phase: new events, a refused one, { __typename }, a batch."""
    one = json.dumps(
        {
            "channel": "SMS",
            "idempotencyKey": "@KEY@",
            "sender": "@SENDER@",
            "text": TEXT,
            "occurredAt": datetime.now(UTC).isoformat(),
            "metadata": {"gateway": "bench"},
        }
    )
    single_head = json.dumps({"query": INGEST_EVENT})[:-1] + ', "variables": {"input": '
    batch_head = json.dumps({"query": INGEST_EVENTS})[:-1] + ', "variables": {"input": {"events": ['
    refused = json.dumps({"query": INGEST_EVENT, "variables": {"input": event(key="refused", text=" ")}})
    return {
        "single": template(directory, "single", head=single_head, item=one, tail="}}"),
        "refused": template(directory, "refused", head=refused, tail=""),
        "typename": template(directory, "typename", head=json.dumps({"query": "{ __typename }"}), tail=""),
        "batch": template(directory, "batch", head=batch_head, item=one, tail="]}}}"),
    }


def run_wrk(
    wrk: str,
    url: str,
    key: str,
    body: Path,
    *,
    items: int,
    marker: str,
    tag: str,
    seconds: float,
    connections: int,
) -> dict:
    """One wrk run; its summary (requests, good/bad answers, latency percentiles) and its own CPU seconds."""
    threads = min(connections, os.cpu_count() or 1)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        url,
        "--",
        str(body),
        str(items),
        marker,
        tag,
        f"Bearer {key}",
    ]
    before = os.times()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    after = os.times()
    lines = finished.stdout.splitlines()
    result = next((json.loads(line[11:]) for line in lines if line.startswith("WRK_RESULT ")), None)
    if finished.returncode != 0 or result is None:
        raise RuntimeError(
            f"wrk failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout}"
        )
    bad = next((line[8:] for line in lines if line.startswith("WRK_BAD ")), "")
    errors = sum(result[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    if result["bad"] or errors:
        raise RuntimeError(f"{tag}: {result['bad']} bad answers, {errors} socket errors; first: {bad}")
    result["wall"] = result["duration_us"] / 1e6
    result["cpu_seconds"] = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return result


# --- The raw asyncpg baseline, in a spawned process ---------------------------------------------------------

# The client process keeps one event loop and one pool for the whole run, so the baseline's PostgreSQL
# backends exist before a phase starts and after it ends: their CPU is counted under `pg`, like the API's.
_LOOP: asyncio.AbstractEventLoop | None = None
_POOL: asyncpg.Pool | None = None


def raw_open(dsn: str, size: int) -> None:
    """Open the baseline's pool (`size` connections) in the client process; entry point there."""
    global _LOOP, _POOL
    _LOOP = asyncio.new_event_loop()
    asyncio.set_event_loop(_LOOP)

    async def create() -> asyncpg.Pool:
        return await asyncpg.create_pool(dsn, min_size=size, max_size=size)

    _POOL = _LOOP.run_until_complete(create())


async def _raw_load(*, batch: int, concurrency: int, seconds: float, tag: str) -> dict:
    """INSERT one row per statement (batch=0) or executemany `batch` rows, each task on its own connection."""
    latencies, sent = [], 0

    async def one_task() -> None:
        nonlocal sent
        async with _POOL.acquire() as connection:  # held for the whole phase
            while time.perf_counter() < deadline:
                rows = [
                    (
                        uuid.uuid4(),
                        "SMS",
                        f"{tag}-{sent + i}",
                        f"+1555{random.randrange(10**7):07d}",
                        TEXT,
                        datetime.now(UTC),
                        '{"gateway": "bench"}',
                    )
                    for i in range(max(batch, 1))
                ]
                sent += len(rows)
                started = time.perf_counter()
                if batch:
                    await connection.executemany(RAW_INSERT, rows)
                else:
                    await connection.execute(RAW_INSERT, *rows[0])
                latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(*(one_task() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "events": sent,
        "requests": len(latencies),
        "wall": wall,
        "p50_us": cuts[49] * 1e6,
        "p99_us": cuts[98] * 1e6,
    }


def raw_load(**options) -> dict:
    """One baseline phase; entry point in the client process (after raw_open)."""
    return _LOOP.run_until_complete(_raw_load(**options))
