"""Throughput and latency of the API's GraphQL endpoint against a bare Starlette baseline, in one run.

    .venv/bin/python bench/graphql_api.py [--seconds 5] [--concurrency 16]

Starts `agentops api` on a bench database (`agentops_bench`, created and seeded here) and a bare Starlette
app under the same uvicorn, drives each with the same client load, and prints requests/s, p50/p95/p99 and
the ratio to the baseline. Uses the configured PostgreSQL/Redis (AGENTOPS_* variables).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.settings import Settings
from bench.harness import rss_report
from tests.helpers import free_port, wait_for_http

TYPENAME = "{ __typename }"
CONVERSATIONS = "{ conversations(first: 20) { edges { node { id customer status lastMessage { text } } } } }"


async def drive(url: str, body: dict, headers: dict, *, seconds: float, concurrency: int) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"bad answer: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return latencies


def report(name: str, latencies: list[float], seconds: float, baseline_rps: float | None) -> float:
    rps = len(latencies) / seconds
    cuts = statistics.quantiles(latencies, n=100)
    ratio = f"  {rps / baseline_rps:5.2f}x baseline" if baseline_rps else ""
    print(
        f"{name:<34} {rps:8.0f} req/s  p50 {cuts[49] * 1000:6.1f} ms  p95 {cuts[94] * 1000:6.1f} ms  "
        f"p99 {cuts[98] * 1000:6.1f} ms{ratio}"
    )
    return rps


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prepare_key(env: dict[str, str]) -> str:
    created = subprocess.run(
        [sys.executable, "-m", "backend.cli.main", "keys", "create", "--name", "bench", "--scope", "read"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "backend.cli.main", "seed"], env=env, check=True, capture_output=True
    )
    return created.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()

    configured = Settings()
    database = str(configured.database_url).rsplit("/", 1)[0] + "/agentops_bench"
    api_port, baseline_port = free_port(), free_port()
    env = {
        **os.environ,
        "AGENTOPS_DATABASE_URL": database,
        "AGENTOPS_API_PORT": str(api_port),
        "AGENTOPS_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    key = prepare_key(env)
    processes = [
        start([sys.executable, "-m", "backend.cli.main", "api"], env),
        start(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.baseline_app:app",
                "--port",
                str(baseline_port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env,
        ),
    ]
    try:
        wait_for_http(f"http://127.0.0.1:{api_port}/healthz", process=processes[0])
        wait_for_http(f"http://127.0.0.1:{baseline_port}/healthz", process=processes[1])
        print(
            f"{options.concurrency} concurrent clients, {options.seconds:.0f} s each, one uvicorn process "
            "per server"
        )

        def run(url, query, headers):
            return asyncio.run(
                drive(
                    url, {"query": query}, headers, seconds=options.seconds, concurrency=options.concurrency
                )
            )

        baseline = report(
            "baseline: bare Starlette JSON",
            run(f"http://127.0.0.1:{baseline_port}/graphql", TYPENAME, {}),
            options.seconds,
            None,
        )
        report(
            "graphql { __typename }",
            run(f"http://127.0.0.1:{api_port}/graphql", TYPENAME, {}),
            options.seconds,
            baseline,
        )
        report(
            "graphql conversations(first: 20)",
            run(f"http://127.0.0.1:{api_port}/graphql", CONVERSATIONS, {"Authorization": f"Bearer {key}"}),
            options.seconds,
            baseline,
        )
        print(rss_report({"api": processes[0].pid}))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
