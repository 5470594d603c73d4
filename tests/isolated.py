"""A product of its own for tests that must own every worker: a fresh database and a private Redis server.

The suite's session workers share the test database and Redis index; a test that counts every attempt of every
job, or SIGKILLs the one worker holding a job, cannot have them take jobs beside its own processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from tests.conftest import TEST_DATABASE
from tests.helpers import free_port, spawn_agentops, wait_for_http, wait_for_workers


@dataclass
class Isolated:
    env: dict[str, str]
    dsn: str
    redis_url: str
    logs: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start_worker(self, name: str, **settings: str) -> subprocess.Popen:
        """`agentops worker` on this product's database and Redis; settings are AGENTOPS_* overrides."""
        process = spawn_agentops("worker", log_path=self.logs / f"{name}.log", env={**self.env, **settings})
        self.processes.append(process)
        return process

    def wait_for_workers(self, processes: list[subprocess.Popen]) -> None:
        wait_for_workers(self.redis_url, processes)

    def start_api(self) -> str:
        port = free_port()
        process = spawn_agentops(
            "api", log_path=self.logs / f"api-{port}.log", env={**self.env, "AGENTOPS_API_PORT": str(port)}
        )
        self.processes.append(process)
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process)
        return f"http://127.0.0.1:{port}"

    def agentops(self, *arguments: str) -> str:
        """Run an `agentops` command to completion in this product's environment; its standard output."""
        done = subprocess.run(
            [sys.executable, "-m", "backend.cli.main", *arguments],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


async def _recreate(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def isolated_product(
    test_settings, *, name: str, logs: Path, **settings: str
) -> AsyncIterator[Isolated]:
    """A fresh database `<test database>_<name>` and a private Redis server; every process started is
    stopped."""
    from backend.devservices.private_redis import start_private_redis

    server = str(test_settings.database_url).rsplit("/", 1)[0]
    database = f"{TEST_DATABASE}_{name}"
    await _recreate(f"{server}/postgres", database)
    redis_server = start_private_redis(data_dir=logs / "redis")
    env = {
        **os.environ,
        "AGENTOPS_DATABASE_URL": f"{server}/{database}",
        "AGENTOPS_REDIS_URL": redis_server.url(),
        **{f"AGENTOPS_{key.upper()}": str(value) for key, value in settings.items()},
    }
    product = Isolated(env=env, dsn=f"{server}/{database}", redis_url=redis_server.url(), logs=logs)
    try:
        await asyncio.to_thread(product.agentops, "migrate")
        yield product
    finally:
        await asyncio.to_thread(_stop, product.processes)
        redis_server.stop()


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
