"""Cheap, synchronous checks that a PostgreSQL or Redis server answers."""

from __future__ import annotations

import asyncio

import asyncpg
import redis


def postgres_reachable(url: str, *, timeout: float = 2.0) -> bool:
    """Return True if the PostgreSQL server named by `url` accepts a login."""

    async def _connect() -> None:
        # The `postgres` maintenance database always exists, so a target
        # database that has not been created yet still counts as reachable.
        conn = await asyncpg.connect(url, database="postgres", timeout=timeout)
        await conn.close()

    try:
        # A fresh loop per call: callers run before any application loop exists.
        asyncio.run(_connect())
    except asyncpg.InvalidCatalogNameError:
        return True  # the server answered and let us in; it just lacks `postgres`
    # OSError covers refused connections, unknown hosts and (since 3.11) TimeoutError.
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False
    return True


def redis_reachable(url: str, *, timeout: float = 2.0) -> bool:
    """Return True if the Redis server named by `url` answers PING."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except (OSError, redis.RedisError):
        return False
    finally:
        client.close()
