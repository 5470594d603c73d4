"""The faults bench/chaos.py injects, on a schedule while the client sends: workers SIGKILLed (one at a time,
or all at once mid-delivery), the API killed and restarted, Redis flushed, PostgreSQL stalled and its
connections cut."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import redis

from bench.harness import start
from tests.helpers import wait_for_http

START_ATTEMPTS = 5  # an API that exits while starting is started again this often


class Product:
    """The product's processes (one API, the workers): started, supervised and killed here."""

    def __init__(self, env: dict, logs: Path, started: list) -> None:
        self.env, self.logs, self.started = env, logs, started
        self.workers: list[subprocess.Popen] = []
        self.api: subprocess.Popen | None = None
        self.kills = self.restarts = self.exits = 0
        self.gone: set[int] = set()  # pids of workers killed here or already replaced
        self.sending_at_kills = 0  # replies SENDING (with a provider, or about to be) as workers were killed
        self.sending_at_all_kills = 0

    def start_api(self) -> None:
        """Start the API; one that exits while starting (a shared database refusing clients) is started again,
        as a process supervisor would."""
        for attempt in range(START_ATTEMPTS):
            self.api = start(
                [sys.executable, "-m", "backend.cli.main", "api"],
                self.env,
                self.logs / f"api-{self.restarts}-{attempt}.log",
                self.started,
            )
            try:
                wait_for_http(f"http://127.0.0.1:{self.env['AGENTOPS_API_PORT']}/healthz", process=self.api)
                return
            except RuntimeError:
                self.exits += 1
                time.sleep(2)
        raise RuntimeError(f"the API did not start in {START_ATTEMPTS} attempts; logs in {self.logs}")

    def start_worker(self) -> None:
        self.workers.append(
            start(
                [sys.executable, "-m", "backend.cli.main", "worker"],
                self.env,
                self.logs / f"worker-{len(self.workers)}.log",
                self.started,
            )
        )

    def supervise(self) -> None:
        """A worker that exited by itself (refused at start by a full database, say) is started again."""
        for worker in list(self.workers):
            if worker.poll() is not None and worker.pid not in self.gone:
                self.gone.add(worker.pid)
                self.exits += 1
                self.start_worker()

    def kill_a_worker(self) -> None:
        self.supervise()
        victim = next(worker for worker in self.workers if worker.poll() is None)
        self.gone.add(victim.pid)
        victim.send_signal(signal.SIGKILL)  # mid-job: no shutdown, no cleanup
        victim.wait()
        self.kills += 1
        self.start_worker()

    def kill_every_worker(self) -> None:
        self.supervise()
        alive = [worker for worker in self.workers if worker.poll() is None]
        self.gone.update(worker.pid for worker in alive)
        for victim in alive:
            victim.send_signal(signal.SIGKILL)
        for victim in alive:
            victim.wait()
            self.kills += 1
            self.start_worker()

    def restart_api(self) -> None:
        assert self.api is not None
        self.api.send_signal(signal.SIGKILL)
        self.api.wait()
        self.restarts += 1
        self.start_api()


async def replies_sending(dsn: str) -> int:
    """How many replies are SENDING now (0 when the database does not answer within a few seconds: it is
    stalled, or its connections were just cut — this probe must not stop the chaos)."""
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError):
        return 0
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM messages WHERE delivery_status = 'SENDING'", timeout=5
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return 0
    finally:
        await connection.close()


async def stall_postgres(dsn: str, seconds: float) -> None:
    """Every reader and writer of ingest_events and conversations waits: a database that stops answering."""
    connection = await asyncpg.connect(dsn)
    try:
        for attempt in range(5):
            try:
                async with connection.transaction():
                    await connection.execute(
                        "LOCK TABLE ingest_events, conversations IN ACCESS EXCLUSIVE MODE"
                    )
                    await asyncio.sleep(seconds)
                return
            except asyncpg.DeadlockDetectedError:  # a busy product holds one table and wants the other: again
                await asyncio.sleep(0.2 * (attempt + 1))
    finally:
        await connection.close()


async def drop_connections(dsn: str) -> int:
    """Every connection of the product to its database is cut (a failover, a restarted proxy)."""
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()


async def chaos(product: Product, *, dsn: str, redis_url: str, plan: list[tuple[float, str]]) -> list[str]:
    began, done = time.monotonic(), []
    for at, action in plan:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - began)))
        await asyncio.to_thread(product.supervise)
        if action == "kill":
            product.sending_at_kills += await replies_sending(dsn)
            await asyncio.to_thread(product.kill_a_worker)
        elif action == "kill-mid-delivery":  # every worker at once, the moment replies are with the provider
            waited = time.monotonic() + 15
            while not (sending := await replies_sending(dsn)) and time.monotonic() < waited:
                await asyncio.sleep(0.05)
            product.sending_at_kills += sending
            product.sending_at_all_kills += sending
            await asyncio.to_thread(product.kill_every_worker)
        elif action == "flushall":
            redis.Redis.from_url(redis_url).flushall()
        elif action == "restart-api":
            await asyncio.to_thread(product.restart_api)
        elif action in ("stall-db", "drop-db-connections"):
            try:
                await (stall_postgres(dsn, 3.0) if action == "stall-db" else drop_connections(dsn))
            except (
                OSError,
                TimeoutError,
                asyncpg.PostgresError,
            ) as error:  # said, not hidden: it did not happen
                action = f"{action}-not-done({type(error).__name__})"
        done.append(f"{time.monotonic() - began:5.1f}s {action}")
    return done
