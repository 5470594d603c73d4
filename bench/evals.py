"""Eval throughput: every shipped golden suite through the rules policy, in this process, on a bench database.

    .venv/bin/python bench/evals.py [--repeat 3] [--concurrency N] [--database agentops_bench_evals]

Prints cases/s per suite and overall, and the wall time of the whole run (goal: >= 100 cases/s on 2 cores),
then the resident memory of this process, the one that plays the cases (goal: <= 150 MB at its peak). Each
case runs as in production evals: real tools on real tables inside a rolled-back transaction, several at once
over the pool (AGENTOPS_EVAL_CONCURRENCY, or --concurrency; 1 plays them one after another).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg

from backend.agent.setup import build_agent
from backend.cli.orm import run_with_orm
from backend.db.database import server_dsn
from backend.evals import service
from backend.evals.playing import case_concurrency
from backend.evals.runner import prepare_eval_business
from backend.evals.sync import latest_suite, sync_suites
from backend.events.hub import SilentHub
from backend.settings import Settings

BENCH_DATABASE = "agentops_bench_evals"
GOAL_CASES_PER_SECOND = 100
GOAL_PEAK_RSS_MB = 150


def resident_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB (Linux /proc)."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def recreate(settings: Settings, database: str) -> None:
    admin = await asyncpg.connect(server_dsn(settings))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()


async def bench(settings: Settings, repeat: int) -> None:
    suites = await sync_suites()
    await prepare_eval_business()
    setup = build_agent(settings, policy="rules", prompt_version="v1")
    print(f"{'suite':<10} {'cases':>6} {'passed':>7} {'seconds':>8} {'cases/s':>8}")
    total_cases, started = 0, time.perf_counter()
    for _ in range(repeat):
        for synced in suites:
            suite = await latest_suite(synced.name)
            began = time.perf_counter()
            run = await service.run_suite_here(suite=suite, setup=setup, hub=SilentHub(), settings=settings)
            elapsed = time.perf_counter() - began
            total_cases += run.total
            print(
                f"{synced.name:<10} {run.total:>6} {run.passed:>7} {elapsed:>8.2f} "
                f"{run.total / elapsed:>8.1f}"
            )
    wall = time.perf_counter() - started
    rate = total_cases / wall
    verdict = "met" if rate >= GOAL_CASES_PER_SECOND else "NOT met"
    print(
        f"all suites x{repeat}: {total_cases} cases in {wall:.2f} s wall = {rate:.1f} cases/s "
        f"(goal >= {GOAL_CASES_PER_SECOND}: {verdict}); one process, {case_concurrency(settings)} case(s) "
        "at once "
        f"on a pool of {settings.database_pool_size}"
    )
    now, peak = resident_mb()
    verdict = "met" if peak <= GOAL_PEAK_RSS_MB else "NOT met"
    print(
        f"resident memory of this process: {now:.0f} MB now, {peak:.0f} MB peak "
        f"(goal <= {GOAL_PEAK_RSS_MB}: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database", default=BENCH_DATABASE, help="dropped and recreated (one per concurrent run)"
    )
    parser.add_argument("--concurrency", type=int, default=None, help="cases at once (default: the setting)")
    options = parser.parse_args()
    configured = Settings()
    url = str(configured.database_url).rsplit("/", 1)[0] + f"/{options.database}"
    update = {"database_url": type(configured.database_url)(url), "log_level": "WARNING"}
    if options.concurrency is not None:
        update["eval_concurrency"] = options.concurrency
    settings = configured.model_copy(update=update)
    asyncio.run(recreate(settings, options.database))
    run_with_orm(settings, lambda: bench(settings, options.repeat))


if __name__ == "__main__":
    main()
