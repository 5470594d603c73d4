"""The judge's token budget per minute, shared by every worker through one Redis counter a minute.

A call reserves what it may cost before it is made (its request and the longest answer) and settles to what
the endpoint says it used afterwards, so calls running at once cannot overspend together. Over the budget the
call is not made: the verdict is skipped and counted as such, and the turn is not charged as bad.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

KEY_PREFIX = "agentops:quality:judge-tokens:"


class TokenBudget:
    def __init__(self, redis: aioredis.Redis, *, per_minute: int) -> None:
        self._redis, self.per_minute = redis, per_minute

    @staticmethod
    def _key(now: float | None = None) -> str:
        return f"{KEY_PREFIX}{int((now or time.time()) // 60)}"

    async def reserve(self, tokens: int) -> str | None:
        """Take `tokens` from this minute's budget; the minute's key, or None (nothing taken) when it would
        overrun.

        Raises RedisError when the counter cannot be reached (the caller skips the call).
        """
        key = self._key()
        async with self._redis.pipeline(transaction=False) as pipe:
            spent, _ = await pipe.incrby(key, tokens).expire(key, 120).execute()
        if spent > self.per_minute:
            await self._redis.decrby(key, tokens)
            return None
        return key

    async def settle(self, key: str, *, reserved: int, used: int) -> None:
        """Correct a reservation to what the call used (the endpoint's usage, when it reports one)."""
        if used and used != reserved:
            await self._redis.incrby(key, used - reserved)

    async def spent(self, *, at: float | None = None) -> int:
        """Tokens counted in the minute holding `at` (a Unix time; now by default)."""
        return int(await self._redis.get(self._key(at)) or 0)
