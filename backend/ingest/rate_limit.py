"""Fixed-window rate limits in Redis, shared by every API replica.

One call counts every distinct bucket of a group of requests at once (a batch from one key counts once, by its
size): a small Lua script runs INCRBY per bucket and sets a new window's expiry, in one round trip and one
command for the client to pack and parse — what group commit (group_commit.py) needs to count a whole group
cheaply. A window's key expires on its own. Fixed windows allow a burst of
up to twice the limit across a window edge, which is acceptable for shielding the database from a runaway
adapter; what matters is that every replica counts in the same place.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)
WINDOW_SECONDS = 60
KEY_PREFIX = "agentops:ratelimit:"
# KEYS: the window keys; ARGV: what to add to each, then the expiry. Returns each key's new total.
_COUNT = """
local ttl = ARGV[#ARGV]
local totals = {}
for i, key in ipairs(KEYS) do
    local total = redis.call('INCRBY', key, ARGV[i])
    if total == tonumber(ARGV[i]) then redis.call('EXPIRE', key, ttl) end
    totals[i] = total
end
return totals
"""


@dataclass(frozen=True)
class Bucket:
    name: str
    limit: int


class RateLimiter:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._count = redis.register_script(_COUNT)

    async def retry_after(self, buckets_per_request: list[list[Bucket]]) -> list[int | None]:
        """Count each request against its buckets; per request, the seconds to wait or None if allowed.

        When Redis cannot be reached the requests are allowed: refusing customer messages because a counter
        is unavailable would lose more than it protects.
        """
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        wait = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        demand: dict[str, int] = {}
        for buckets in buckets_per_request:
            for bucket in buckets:
                demand[bucket.name] = demand.get(bucket.name, 0) + 1
        keys = [f"{KEY_PREFIX}{name}:{window}" for name in demand]
        try:
            # The client given, not the one registered: tests swap in a Redis that is down.
            totals = await self._count(
                keys=keys, args=[*demand.values(), WINDOW_SECONDS * 2], client=self._redis
            )
        except (aioredis.RedisError, OSError) as error:
            log.warning("rate_limit.unavailable", error=str(error))
            return [None] * len(buckets_per_request)
        # Where each bucket stood before this call; requests then count in the order they were given.
        counted = {name: total - demand[name] for name, total in zip(demand, totals, strict=False)}
        answers: list[int | None] = []
        for buckets in buckets_per_request:
            over = False
            for bucket in buckets:
                counted[bucket.name] += 1
                over = over or counted[bucket.name] > bucket.limit
            answers.append(wait if over else None)
        return answers
