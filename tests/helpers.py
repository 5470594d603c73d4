"""Small helpers shared by tests."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import httpx
import websockets


async def graphql(
    client: httpx.AsyncClient, query: str, *, key: str | None = None, variables: dict | None = None
) -> httpx.Response:
    """POST a GraphQL document, with a bearer key when given."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def subscribe(
    base_url: str, key: str, query: str, variables: dict | None = None
) -> websockets.ClientConnection:
    """Open a graphql-transport-ws connection to the API at `base_url` and start one subscription (id "1")."""
    socket = await websockets.connect(
        base_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    payload = {"query": query, "variables": variables or {}}
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return socket


async def next_payload(socket: websockets.ClientConnection, *, timeout: float = 20) -> dict:
    """The payload of the subscription's next message (pings skipped)."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=timeout))
        if message["type"] == "next":
            return message["payload"]
        assert message["type"] == "ping", message


async def next_data(socket: websockets.ClientConnection, *, timeout: float = 20) -> dict:
    """The `data` of the subscription's next result."""
    return (await next_payload(socket, timeout=timeout))["data"]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn_agentops(command: str, *, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `agentops <command>` as its own process, with this environment plus `env`, output to
    `log_path`."""
    with log_path.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "backend.cli.main", command],
            env={**os.environ, **(env or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def stop_processes(processes: Iterable[subprocess.Popen], *, timeout: float = 30.0) -> None:
    """SIGTERM every process, then wait for each: workers finish their jobs, APIs close their sockets."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        process.wait(timeout=timeout)


def wait_for_workers(redis_url: str, processes: list[subprocess.Popen], *, timeout: float = 60.0) -> None:
    """Block until every worker process has written its heartbeat; fail early if one exits."""
    import redis as sync_redis

    from jobs.heartbeat import HEARTBEAT_PREFIX

    client = sync_redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = {
                key.decode().rsplit(":", 1)[-1] for key in client.scan_iter(match=HEARTBEAT_PREFIX + "*")
            }
            if {str(process.pid) for process in processes} <= alive:
                return
            if any(process.poll() is not None for process in processes):
                raise RuntimeError("a worker exited at start; see its log")
            time.sleep(0.2)
    finally:
        client.close()
    raise TimeoutError(f"workers did not report a heartbeat within {timeout}s")


def wait_for_http(url: str, *, timeout: float = 60.0, process=None) -> None:
    """Block until `url` answers 200; fail early if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


async def wait_until(predicate, *, timeout: float = 60.0, interval: float = 0.2, message: str = "condition"):
    """Await `predicate()` until it returns something truthy; fail after `timeout` seconds."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"{message} did not happen within {timeout}s")


class StatementCounter:
    """Counts SQL statements sent through Tortoise's asyncpg client while active (instrumentation, not a
    mock)."""

    def __init__(self, monkeypatch) -> None:
        from tortoise.backends.asyncpg.client import AsyncpgDBClient

        self.statements: list[str] = []
        for name in (
            "execute_query",
            "execute_query_dict",
            "execute_insert",
            "execute_many",
            "execute_script",
        ):
            original = getattr(AsyncpgDBClient, name)

            def counted(client, query, *args, _original=original, **kwargs):
                self.statements.append(query)
                return _original(client, query, *args, **kwargs)

            monkeypatch.setattr(AsyncpgDBClient, name, counted)

    def reset(self) -> None:
        self.statements.clear()


_LISTENING = {"SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "PING"}


def _command_names(packed: bytes) -> list[str]:
    """The command names in a RESP request (a pipeline packs several): the first bulk string of each array."""
    names, lines, index = [], packed.split(b"\r\n"), 0
    while index < len(lines):
        if lines[index].startswith(b"*") and index + 2 < len(lines):
            names.append(lines[index + 2].decode(errors="replace").upper())
            index += 1 + 2 * int(lines[index][1:])
        else:
            index += 1
    return names


async def row_counts() -> dict[str, int]:
    """Rows in every table the tests empty, in one statement: compare before and after to prove nothing
    changed."""
    from tortoise import connections

    from tests.conftest import TABLES

    query = " UNION ALL ".join(f"SELECT '{table}' AS name, count(*) AS rows FROM {table}" for table in TABLES)
    rows = await connections.get("default").execute_query_dict(query)
    return {row["name"]: row["rows"] for row in rows}


class RedisRoundTrips:
    """Records each write redis-py's asyncio client makes to a server while active: one per round trip (a
    command or a whole pipeline). Instrumentation of the real client, not a mock; `touching(text)` keeps the
    round trips whose commands mention `text` (a key prefix), so the app's background Redis traffic does not
    blur a count."""

    def __init__(self, monkeypatch) -> None:
        from redis.asyncio.connection import AbstractConnection

        self.sent: list[bytes] = []
        original = AbstractConnection.send_packed_command

        async def recorded(connection, command, *args, **kwargs):
            if not isinstance(command, (bytes, str)):
                command = list(command)  # an iterable of chunks: kept to be sent as it is, read once here
            chunks = [command] if isinstance(command, (bytes, str)) else command
            self.sent.append(
                b"".join(chunk.encode() if isinstance(chunk, str) else bytes(chunk) for chunk in chunks)
            )
            return await original(connection, command, *args, **kwargs)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", recorded)

    def touching(self, text: str) -> list[bytes]:
        return [sent for sent in self.sent if text.encode() in sent]

    @property
    def commands(self) -> list[list[str]]:
        """Per round trip, the command names it carried; a subscriber's own traffic (another test's listener
        being closed) left out."""
        return [names for names in map(_command_names, self.sent) if not set(names) <= _LISTENING]

    def reset(self) -> None:
        self.sent.clear()
