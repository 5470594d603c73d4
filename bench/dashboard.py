"""The dashboard under open tabs: its memory idle and with 50 sessions, and ingest → row-in-the-browser
latency.

One `agentops api`, one `agentops worker` and `agentops dashboard` (production build) on a bench database.
Chromium (Debian's, driven by playwright) opens 50 tabs on Overview in five browser profiles (one login each:
the other tabs of a profile find it logged in), each tab a live-feed session of its own. The
dashboard's memory is the RSS of its process tree once built (the Reflex server; the build's bun has exited),
measured idle (no tab), with every tab open, and after they closed. Then events are ingested one at a time
through the API, and a tab notes when each one's row appears in its conversation feed (one clock: one
machine).

    python bench/dashboard.py [--sessions 50] [--events 20] [--interval 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import psutil
import redis
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.db.database import server_dsn
from backend.settings import Settings
from bench.harness import pct, start, supervised
from tests.dashboard.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.helpers import free_port, wait_for_http

DATABASE, REDIS_INDEX = "agentops_bench_dashboard", 11
EMAIL, PASSWORD = "bench-operator@example.com", "bench-operator-pass"
INGEST = """mutation($input: IngestEventInput!) { ingestEvent(input: $input) { __typename } }"""
ROW_SHOWN = """sender => [...document.querySelectorAll('#conversation-feed .conversation-row')]
  .some(row => row.innerText.includes(sender))"""


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and every descendant, in MiB."""
    root = psutil.Process(pid)
    total = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total / 2**20


async def _sql(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def prepare() -> tuple[dict, str]:
    """A fresh bench database and Redis index, an operator to log in with, and an ingest key."""
    configured = Settings()
    server = configured.database_url.unicode_string().rsplit("/", 1)[0]
    settings = Settings(database_url=f"{server}/{DATABASE}")
    redis_url = urlsplit(str(settings.redis_url))._replace(path=f"/{REDIS_INDEX}").geturl()
    asyncio.run(_sql(server_dsn(settings), f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(_sql(server_dsn(settings), f'CREATE DATABASE "{DATABASE}"'))
    redis.Redis.from_url(redis_url).flushdb()
    api_port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AGENTOPS_DATABASE_URL": server_dsn(settings, database=DATABASE),
        "AGENTOPS_REDIS_URL": redis_url,
        "AGENTOPS_API_PORT": str(api_port),
        "AGENTOPS_LOG_LEVEL": "WARNING",
        "AGENTOPS_WORKER_METRICS_PORT": "0",
        "AGENTOPS_DASHBOARD_PORT": str(free_port()),
        "AGENTOPS_DASHBOARD_API_URL": f"http://127.0.0.1:{api_port}/graphql",
    }
    env.pop("AGENTOPS_DASHBOARD_API_KEY", None)
    cli = [sys.executable, "-m", "backend.cli.main"]
    subprocess.run([*cli, "migrate"], env=env, capture_output=True, check=True)
    subprocess.run(
        [*cli, "users", "create", "--email", EMAIL, "--role", "operator", "--password", PASSWORD],
        env=env,
        capture_output=True,
        check=True,
    )
    created = subprocess.run(
        [*cli, "keys", "create", "--name", "bench", "--scope", "ingest"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return env, created.stdout.strip().splitlines()[-1]


async def _open_tab(context, url: str, *, log_in: bool):
    """A tab on Overview: the profile's first one logs in, the others find the browser logged in already."""
    page = await context.new_page()
    if log_in:
        await page.goto(f"{url}/login")
        await page.fill("#login-email", EMAIL)
        await page.fill("#login-password", PASSWORD)
        await page.click("#login-submit")
    else:
        await page.goto(f"{url}/")
    await page.wait_for_selector("#user-email", timeout=60_000)
    return page


async def measure(url: str, api_url: str, key: str, dashboard_pid: int, options) -> dict:
    figures = {"idle": tree_rss_mb(dashboard_pid)}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        # Ten tabs per browser profile (one login each); every tab is a live-feed session of its own.
        contexts = [await browser.new_context() for _ in range((options.sessions + 9) // 10)]
        pages = []
        for number in range(options.sessions):
            pages.append(await _open_tab(contexts[number // 10], url, log_in=number % 10 == 0))
        await asyncio.sleep(3)
        figures["sessions"] = httpx.get(f"{url}/live-feed", timeout=5).json()["sessions"]
        figures["with_tabs"] = tree_rss_mb(dashboard_pid)

        watcher, latencies = pages[0], []
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
            for _ in range(options.events):
                sender = f"+1556{uuid.uuid4().int % 10**7:07d}"
                event = {
                    "channel": "SMS",
                    "idempotencyKey": f"bench-{uuid.uuid4()}",
                    "sender": sender,
                    "text": "Can I book a haircut tomorrow at 3pm?",
                    "occurredAt": datetime.now(UTC).isoformat(),
                }
                sent = time.perf_counter()
                http.post(api_url, json={"query": INGEST, "variables": {"input": event}}).raise_for_status()
                await watcher.wait_for_function(ROW_SHOWN, arg=sender, polling="raf", timeout=60_000)
                latencies.append((time.perf_counter() - sent) * 1000)
                await asyncio.sleep(options.interval)
        figures["latencies"] = latencies
        for context in contexts:
            await context.close()
        await browser.close()
    await asyncio.sleep(5)
    figures["after"] = tree_rss_mb(dashboard_pid)
    figures["feed_after"] = httpx.get(f"{url}/live-feed", timeout=5).json()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between ingested events")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env, key = prepare()
    logs, processes = Path(tempfile.mkdtemp(prefix="bench-dashboard-")), []
    api_url, url = env["AGENTOPS_DASHBOARD_API_URL"], f"http://127.0.0.1:{env['AGENTOPS_DASHBOARD_PORT']}"
    with supervised(processes, logs):
        api = start([sys.executable, "-m", "backend.cli.main", "api"], env, logs / "api.log", processes)
        start([sys.executable, "-m", "backend.cli.main", "worker"], env, logs / "worker.log", processes)
        wait_for_http(api_url.rsplit("/graphql", 1)[0] + "/healthz", process=api)
        dashboard = start(
            [sys.executable, "-m", "backend.cli.main", "dashboard"], env, logs / "dashboard.log", processes
        )
        wait_for_http(f"{url}/healthz", timeout=300, process=dashboard)
        time.sleep(5)  # the build's helpers have exited; the server has settled
        figures = asyncio.run(measure(url, api_url, key, dashboard.pid, options))

    latencies = figures["latencies"]
    print(
        f"dashboard memory (RSS of its process tree): idle {figures['idle']:.0f} MiB, "
        f"{options.sessions} tabs open ({figures['sessions']} live sessions) {figures['with_tabs']:.0f} MiB "
        f"(+{(figures['with_tabs'] - figures['idle']) / options.sessions:.2f} MiB per session), "
        f"after they closed {figures['after']:.0f} MiB"
    )
    print(f"live feed after the tabs closed: {figures['feed_after']}")
    print(
        f"ingest → row in the browser over {len(latencies)} events: p50 {pct(latencies, 50):.0f} ms, "
        f"p95 {pct(latencies, 95):.0f} ms, max {max(latencies):.0f} ms"
    )


if __name__ == "__main__":
    main()
