"""The worker's heartbeat: a Redis key with a TTL per worker, so operators can see who is alive."""

from __future__ import annotations

import asyncio
import os
import socket

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)
HEARTBEAT_PREFIX = "agentops:worker:heartbeat:"


def worker_name() -> str:
    """A name unique to this worker process."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def beat_forever(*, redis: aioredis.Redis, name: str, interval_seconds: int) -> None:
    """Refresh this worker's heartbeat key until cancelled; a key that expires means the worker is gone."""
    while True:
        try:
            await redis.set(HEARTBEAT_PREFIX + name, "alive", ex=interval_seconds * 3)
        except (aioredis.RedisError, OSError) as error:
            log.warning("worker.heartbeat_failed", error=str(error))
        await asyncio.sleep(interval_seconds)


async def alive_workers(redis: aioredis.Redis) -> list[str]:
    """Names of the workers whose heartbeat has not expired."""
    keys = [key async for key in redis.scan_iter(match=HEARTBEAT_PREFIX + "*", count=100)]
    return sorted(
        (key.decode() if isinstance(key, bytes) else key).removeprefix(HEARTBEAT_PREFIX) for key in keys
    )
