"""Fixed-window rate limits in Redis, shared by every API replica.

One INCRBY per distinct bucket per call (a batch from one key counts once, by its size), pipelined; a window's
key expires on its own. Fixed windows allow a burst of
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


@dataclass(frozen=True)
class Bucket:
    name: str
    limit: int


class RateLimiter:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

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
        pipeline = self._redis.pipeline(transaction=False)
        for name, count in demand.items():
            key = f"{KEY_PREFIX}{name}:{window}"
            pipeline.incrby(key, count)
            pipeline.expire(key, WINDOW_SECONDS * 2)
        try:
            replies = await pipeline.execute()
        except (aioredis.RedisError, OSError) as error:
            log.warning("rate_limit.unavailable", error=str(error))
            return [None] * len(buckets_per_request)
        # Where each bucket stood before this call; requests then count in the order they were given.
        counted = {name: total - demand[name] for name, total in zip(demand, replies[0::2])}
        answers: list[int | None] = []
        for buckets in buckets_per_request:
            over = False
            for bucket in buckets:
                counted[bucket.name] += 1
                over = over or counted[bucket.name] > bucket.limit
            answers.append(wait if over else None)
        return answers
