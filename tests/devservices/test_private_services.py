"""ensure_services starts private PostgreSQL/Redis only when the configured ones are down."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
import redis

from backend.devservices import ensure_services
from backend.devservices.probe import postgres_reachable, redis_reachable

# Port 1 on loopback: nothing listens there, so both probes fail fast.
UNREACHABLE_DATABASE_URL = "postgres://postgres@127.0.0.1:1/agentops_probe"
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/3"


def _port_answers(url: str) -> bool:
    """Return True if something accepts TCP connections at the URL's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


async def _create_database_and_select(url: str) -> int:
    """Create the URL's database on its server, then run SELECT 1 inside it."""
    database = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(url, database="postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT 1"))
    finally:
        await conn.close()


def test_starts_private_servers_when_configured_ones_are_down(tmp_path: Path) -> None:
    lines: list[str] = []
    with ensure_services(
        database_url=UNREACHABLE_DATABASE_URL,
        redis_url=UNREACHABLE_REDIS_URL,
        data_dir=tmp_path,
        log=lines.append,
    ) as endpoints:
        assert endpoints.started_postgres and endpoints.started_redis
        assert endpoints.database_url.endswith("/agentops_probe")
        assert endpoints.redis_url.endswith("/3")
        assert len(lines) == 2, lines

        assert asyncio.run(_create_database_and_select(endpoints.database_url)) == 1

        client = redis.Redis.from_url(endpoints.redis_url)
        try:
            assert client.ping()
            client.set("devservices-probe", "ok")
            assert client.get("devservices-probe") == b"ok"
        finally:
            client.close()

    assert not _port_answers(endpoints.database_url)
    assert not _port_answers(endpoints.redis_url)


def test_reuses_data_folder_and_stops_on_exception(tmp_path: Path) -> None:
    initialised_at: set[int] = set()
    for _ in range(2):  # the second start must reuse the cluster, not run initdb again
        with (
            pytest.raises(KeyboardInterrupt),
            ensure_services(
                database_url=UNREACHABLE_DATABASE_URL,
                redis_url=UNREACHABLE_REDIS_URL,
                data_dir=tmp_path,
                log=lambda line: None,
            ) as endpoints,
        ):
            assert postgres_reachable(endpoints.database_url)
            raise KeyboardInterrupt
        assert not _port_answers(endpoints.database_url)
        assert not _port_answers(endpoints.redis_url)
        initialised_at.add((tmp_path / "postgres" / "PG_VERSION").stat().st_mtime_ns)
    assert len(initialised_at) == 1


def test_uses_configured_servers_when_they_answer(tmp_path: Path) -> None:
    # The servers that "answer" are private ones started here, so the test holds on any machine.
    with ensure_services(
        database_url=UNREACHABLE_DATABASE_URL,
        redis_url=UNREACHABLE_REDIS_URL,
        data_dir=tmp_path / "outer",
        log=lambda _line: None,
    ) as running:
        lines: list[str] = []
        inner_dir = tmp_path / "inner"
        inner_dir.mkdir()
        with ensure_services(
            database_url=running.database_url,
            redis_url=running.redis_url,
            data_dir=inner_dir,
            log=lines.append,
        ) as endpoints:
            assert not endpoints.started_postgres and not endpoints.started_redis
            assert endpoints.database_url == running.database_url
            assert endpoints.redis_url == running.redis_url
        assert lines == []
        assert not any(inner_dir.iterdir())  # nothing was initialised either
        assert postgres_reachable(running.database_url) and redis_reachable(running.redis_url)
