"""Measuring helpers shared by the benches: percentiles, CPU accounting per process group, process checks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import asyncpg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def proc_ticks(pid: int) -> int:
    """CPU ticks a process has used: utime + stime, fields 14 and 15 counted after the ")" ending its name."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(stat[11]) + int(stat[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def busy_ticks() -> int:
    """Busy ticks of the whole machine: everything but idle and iowait."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4]


RSS_GOAL_MB = 150  # per product process (issue #17): the API and each worker


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident memory now, its peak so far) of a live process, in MB (VmRSS and VmHWM); NaN when it is
    gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return float("nan"), float("nan")
    kb = {
        line.split(":")[0]: int(line.split()[1])
        for line in status.splitlines()
        if line.startswith(("VmRSS:", "VmHWM:"))
    }
    return kb.get("VmRSS", 0) / 1024, kb.get("VmHWM", 0) / 1024


def rss_report(pids: dict[str, int]) -> str:
    """One line: each named process's RSS now and at its peak, against the goal."""
    parts = []
    for name, pid in pids.items():
        now, peak = rss_mb(pid)
        verdict = "ok" if peak <= RSS_GOAL_MB else "OVER"
        parts.append(f"{name} {now:.0f} MB (peak {peak:.0f} MB, {verdict})")
    return f"RSS (goal <= {RSS_GOAL_MB} MB each): " + ", ".join(parts)


GROUPS = ("wrk", "api", "pg", "redis", "clnt", "other")
NOISY = 15  # % of a core used by `other` above which a phase's figures are flagged


class Cpu:
    """CPU% over a `with` block (100% = one core): the machine, each group of processes, and everything else.

    Groups are callables giving pids at the start and at the end (PostgreSQL backends come and go with the
    pools); `other` is the machine minus every group: other users of the box, other databases' backends, the
    bench process itself.
    """

    def __init__(self, **groups) -> None:
        self.groups = groups

    def __enter__(self) -> Self:
        self.before = {name: {pid: proc_ticks(pid) for pid in pids()} for name, pids in self.groups.items()}
        self.began, self.box_before = time.perf_counter(), busy_ticks()
        return self

    def __exit__(self, *_) -> None:
        self.wall = wall = time.perf_counter() - self.began
        self.box = (busy_ticks() - self.box_before) / TICK / wall * 100
        self.used = {
            name: sum(proc_ticks(pid) - self.before[name].get(pid, 0) for pid in pids()) / TICK / wall * 100
            for name, pids in self.groups.items()
        }
        self.used["other"] = self.box - sum(self.used.values())

    def columns(self) -> str:
        return f"{self.box:4.0f}% " + " ".join(
            f"{self.used[name]:4.0f}%" if name in self.used else "    -" for name in GROUPS
        )

    def per_event(self, events: int) -> str:
        """Milliseconds of CPU an event cost the machine and each group: what a rate can afford."""
        scale = self.wall * 10 / max(events, 1)  # percent of a core x seconds / events, in ms
        return (
            f"{self.box * scale:.1f} ms of machine CPU an event ("
            + ", ".join(f"{name} {self.used[name] * scale:.1f}" for name in GROUPS if name in self.used)
            + ")"
        )

    def noise(self) -> str:
        """A warning line when something else took a real share of the machine (the figures understate)."""
        if self.used["other"] < NOISY:
            return ""
        return (
            f"\n  WARNING: other processes used {self.used['other']:.0f}% of the machine during this "
            f"phase; its figures understate the product. Rerun on a quiet machine."
        )


def backends(dsn: str):
    """The pids of the PostgreSQL backends connected to the bench database, as a callable for Cpu."""

    async def fetch() -> list[int]:
        connection = await asyncpg.connect(dsn)
        try:
            return [
                row[0]
                for row in await connection.fetch(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ]
        finally:
            await connection.close()

    return lambda: asyncio.run(fetch())


def product_groups(processes: dict) -> dict:
    return {
        "wrk": lambda: [p.pid for name, p in processes.items() if name.startswith("worker")],
        "api": lambda: [processes["api"].pid],
    }


def check_alive(processes: dict[str, subprocess.Popen], logs: Path) -> None:
    """A process that exited must fail the run, not stall it; its log says why."""
    for name, process in processes.items():
        if process.poll() is not None:
            log = (logs / f"{name}.log").read_text(errors="replace").strip().splitlines()
            raise RuntimeError(f"{name} exited {process.returncode}; its log ends:\n" + "\n".join(log[-5:]))


async def wait_processed(
    dsn: str,
    pattern: str,
    expected: int,
    processes: dict,
    logs: Path,
    *,
    timeout: float = 150,
    client_future=None,
) -> float:
    """Poll until `expected` events whose key is LIKE `pattern` are PROCESSED; returns when (time.time())."""
    connection = await asyncpg.connect(dsn)
    try:
        began = time.perf_counter()
        while True:
            done, dead = await connection.fetchrow(
                "SELECT count(*) FILTER (WHERE status = 'PROCESSED'), count(*) FILTER (WHERE status = 'DEAD')"
                " FROM ingest_events WHERE idempotency_key LIKE $1",
                pattern,
            )
            if done >= expected:
                return time.time()
            if dead:
                problem = await connection.fetchval(
                    "SELECT error_type || ': ' || split_part(error_message,"
                    " E'\\n', 1) FROM dead_letters LIMIT 1"
                )
                raise RuntimeError(f"{dead} event(s) DEAD after every attempt: {problem}")
            check_alive(processes, logs)
            if client_future is not None and client_future.done() and client_future.exception():
                raise client_future.exception()
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"only {done}/{expected} events PROCESSED after {timeout:.0f} s")
            await asyncio.sleep(0.05)
    finally:
        await connection.close()


def wait_redis(redis_url: str, ready, what: str, processes: dict, logs: Path, timeout: float = 60) -> None:
    """Poll Redis until `ready(client)`; fail early if one of `processes` exits."""
    client, deadline = redis.Redis.from_url(redis_url), time.monotonic() + timeout
    try:
        while not ready(client):
            check_alive(processes, logs)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")
            time.sleep(0.05)
    finally:
        client.close()


def saq_workers(name: str):
    """How many live SAQ workers a queue has: each registers a stats entry that expires (saq's queue.info)."""
    return lambda client: client.zcount(f"saq:{name}:stats", time.time() * 1000, "+inf")


def saq_idle(name: str):
    return lambda client: client.llen(f"saq:{name}:queued") == 0 and client.llen(f"saq:{name}:active") == 0


# --- Phases ------------------------------------------------------------------------------------------------


def start(command: list[str], env: dict, log: Path, started: list) -> subprocess.Popen:
    """Start a process, its stderr to `log`, and track it for stop_all."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"), cwd=ROOT)
    started.append(process)
    return process


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM every process we started, then SIGKILL any still there after the grace period."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=25)  # a SAQ worker finishes its running jobs before exiting
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def supervised(started: list[subprocess.Popen], logs: Path) -> Iterator[None]:
    """On failure name the processes that died (their logs say why); always stop every process started."""
    try:
        yield
    except BaseException:
        for process in started:
            if process.poll() not in (None, 0, -signal.SIGTERM):
                print(f"{process.args[1:5]} exited {process.returncode}; logs in {logs}", file=sys.stderr)
        raise
    finally:
        stop_all(started)


@contextlib.contextmanager
def spawned_client() -> Iterator[tuple[ProcessPoolExecutor, int]]:
    """The load generator: one process of its own (spawned, not forked: it starts without this process's event
    loops or connections) and its pid, for the CPU columns. A load still running there when the bench fails
    would hold up the executor's exit, so the process is killed first."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as client:
        pid = client.submit(os.getpid).result()
        try:
            yield client, pid
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            raise


# --- A bench's own database and Redis index ----------------------------------------------------------------


async def run_sql(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def bench_environment(
    database: str, *, redis_index: int | None = None, redis_url: str | None = None, **settings: str
) -> tuple[dict, str]:
    """Recreate `database` on the configured server, flush the bench's Redis, and the env for `agentops`
    processes.

    Redis is index `redis_index` of the configured server, or `redis_url` (a private server) as given.
    `settings` are extra AGENTOPS_* variables (without the prefix, lower case). Returns (env, dsn).
    """
    from backend.db.database import server_dsn
    from backend.settings import Settings
    from tests.helpers import free_port

    configured = Settings()
    server = configured.database_url.unicode_string().rsplit("/", 1)[0]
    bench = Settings(database_url=f"{server}/{database}")
    dsn = server_dsn(bench, database=database)
    asyncio.run(run_sql(server_dsn(bench), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    asyncio.run(run_sql(server_dsn(bench), f'CREATE DATABASE "{database}"'))
    if redis_url is None:
        redis_url = urlsplit(str(bench.redis_url))._replace(path=f"/{redis_index}").geturl()
        redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AGENTOPS_DATABASE_URL": dsn,
        "AGENTOPS_REDIS_URL": redis_url,
        "AGENTOPS_API_PORT": str(free_port()),
        "AGENTOPS_LOG_LEVEL": "WARNING",
        "AGENTOPS_WORKER_METRICS_PORT": "0",
        **{f"AGENTOPS_{name.upper()}": str(value) for name, value in settings.items()},
    }
    return env, dsn


def create_key(env: dict, name: str, *scopes: str) -> str:
    """`agentops keys create` in the bench's environment (it also migrates the fresh database); the secret."""
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.cli.main",
            "keys",
            "create",
            "--name",
            name,
            *[arg for scope in scopes for arg in ("--scope", scope)],
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return created.stdout.strip().splitlines()[-1]
