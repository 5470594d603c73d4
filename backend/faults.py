"""Fault flags in Redis: a drill (or a test) can make a named step fail on every process at once."""

from __future__ import annotations

import redis.asyncio as aioredis

FAULT_PREFIX = "agentops:fault:"


class InjectedFault(RuntimeError):
    """Raised where a fault flag is set: the failure a drill asked for."""


async def raise_if_injected(redis: aioredis.Redis, point: str) -> None:
    """Fail at `point` while its flag is set (the flag's value is the message)."""
    message = await redis.get(FAULT_PREFIX + point)
    if message is not None:
        raise InjectedFault(f"injected fault at {point}: {message.decode() if isinstance(message, bytes) else message}")


async def set_fault(redis: aioredis.Redis, point: str, *, message: str, ttl_seconds: int | None = None) -> None:
    """Turn a fault on (for ttl_seconds, or until cleared)."""
    await redis.set(FAULT_PREFIX + point, message, ex=ttl_seconds)


async def clear_fault(redis: aioredis.Redis, point: str) -> None:
    """Turn a fault off."""
    await redis.delete(FAULT_PREFIX + point)
