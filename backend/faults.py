"""Fault flags in Redis: a drill (or a test) can make a named step fail on every process at once."""

from __future__ import annotations

import redis.asyncio as aioredis

FAULT_PREFIX = "agentops:fault:"


class InjectedFault(RuntimeError):
    """Raised where a fault flag is set: the failure a drill asked for."""


def _remaining_key(point: str) -> str:
    return f"{FAULT_PREFIX}{point}:remaining"


async def raise_if_injected(redis: aioredis.Redis, point: str) -> None:
    """Fail at `point` while its flag is set (the flag's value is the message); a counted flag fails N times."""
    message = await redis.get(FAULT_PREFIX + point)
    if message is None:
        return
    if await redis.exists(_remaining_key(point)):
        if await redis.decr(_remaining_key(point)) < 0:
            await clear_fault(redis, point)
            return
    text = message.decode() if isinstance(message, bytes) else message
    raise InjectedFault(f"injected fault at {point}: {text}")


async def set_fault(
    redis: aioredis.Redis, point: str, *, message: str, ttl_seconds: int | None = None, times: int | None = None
) -> None:
    """Turn a fault on: for ttl_seconds, for the next `times` passes, or until cleared."""
    await redis.set(FAULT_PREFIX + point, message, ex=ttl_seconds)
    if times is not None:
        await redis.set(_remaining_key(point), times, ex=ttl_seconds)


async def clear_fault(redis: aioredis.Redis, point: str) -> None:
    """Turn a fault off."""
    await redis.delete(FAULT_PREFIX + point, _remaining_key(point))
