"""`agentops up` as a newcomer starts it, for browser tests: a fresh database, no delivery endpoint, its
banner read.

Its own product (database `<test database>_up`, a private Redis that `up` starts itself, its own ports), so
its demo data and its workers never meet the suite's. With the openai policy it answers through `agentops
loopback-model`, started here first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.conftest import TEST_DATABASE
from tests.helpers import free_port, wait_for_http

# What a newcomer's shell does not have: the suite's fake provider endpoints, its log format, its test
# settings.
NOT_A_NEWCOMERS = (
    "AGENTOPS_LOG_",
    "AGENTOPS_SMS_",
    "AGENTOPS_CHAT_DELIVERY",
    "AGENTOPS_VOICE_DELIVERY",
    "AGENTOPS_INCIDENT_",
    "AGENTOPS_ENVIRONMENT",
    "AGENTOPS_SLO_",
    "AGENTOPS_DASHBOARD_",
)
UP_READY_SECONDS = 600  # a first dashboard build installs its JavaScript dependencies


@dataclass(frozen=True)
class RunningUp:
    api: str
    dashboard: str
    graphiql_link: str
    api_key: str
    email: str
    password: str
    policy: str
    log: Path


async def _fresh_database(server: str, name: str) -> None:
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _read_banner(log: Path, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + UP_READY_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Press Ctrl-C" in text:
            return text
        if process.poll() is not None:
            raise AssertionError(f"agentops up exited with {process.returncode}:\n{text[-4000:]}")
        time.sleep(0.5)
    raise AssertionError(f"agentops up printed no banner in {UP_READY_SECONDS}s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def running_up(test_settings, tmp_path: Path, *, policy: str = "rules") -> Iterator[RunningUp]:
    """`agentops up` until the block ends, then Ctrl-C (SIGINT to its process group), as a person stops it."""
    server = str(test_settings.database_url).rsplit("/", 1)[0]
    database = f"{TEST_DATABASE}_up"
    asyncio.run(_fresh_database(server, database))
    api_port, dashboard_port = free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith(NOT_A_NEWCOMERS)}
    env |= {
        "AGENTOPS_DATABASE_URL": f"{server}/{database}",
        "AGENTOPS_REDIS_URL": "redis://127.0.0.1:1/0",  # nothing answers there: `up` starts a private Redis
        "AGENTOPS_DATA_DIR": str(tmp_path / "data"),
        "AGENTOPS_API_PORT": str(api_port),
        "AGENTOPS_DASHBOARD_PORT": str(dashboard_port),
        "AGENTOPS_WORKER_METRICS_PORT": "0",
        "AGENTOPS_LOG_JSON": "true",
    }
    helpers: list[subprocess.Popen] = []
    if policy == "openai":
        model_port = free_port()
        helpers.append(
            subprocess.Popen(
                [sys.executable, "-m", "backend.cli.main", "loopback-model", "--port", str(model_port)],
                stdout=(tmp_path / "model.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_for_http(f"http://127.0.0.1:{model_port}/v1/models", process=helpers[0])
        env |= {
            "AGENTOPS_AGENT_POLICY": "openai",
            "AGENTOPS_OPENAI_BASE_URL": f"http://127.0.0.1:{model_port}/v1",
        }
    log = tmp_path / "up.log"
    with log.open("wb") as output:
        up = subprocess.Popen(
            [sys.executable, "-m", "backend.cli.main", "up"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        banner = _read_banner(log, up)
        email, password = re.search(r"Dashboard login    : (\S+) / (\S+)", banner).groups()
        yield RunningUp(
            api=f"http://127.0.0.1:{api_port}",
            dashboard=f"http://127.0.0.1:{dashboard_port}",
            graphiql_link=re.search(r"GraphiQL           : (\S+)", banner).group(1),
            api_key=re.search(r"Demo admin API key : (\S+)", banner).group(1),
            email=email,
            password=password,
            policy=policy,
            log=log,
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
        for helper in helpers:
            helper.terminate()
            helper.wait(timeout=30)
