"""One turn in flight per conversation, across every worker and replica, without a database lock held.

A lease is a Redis key holding a random token, set only if absent and expiring on its own: a worker killed
mid-turn frees its conversations after `ttl` seconds. While the turn runs the holder renews it; release and
renew only touch the key while it still holds the holder's token. Correctness never rests on the lease alone —
a turn commits only if the conversation's version is the one it read and its event is still unanswered — the
lease keeps turns of one conversation from being decided side by side and in the wrong order.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)
LEASE_PREFIX = "agentops:lease:conversation:"
POLL_SECONDS = 0.02

# Renew / release only while the key still holds our token (another holder's lease is left alone).
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
    "else return 0 end"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


# Commands that ride along in a lease's own round trips (a pipeline is passed in to queue them on).
Rider = Callable[[Any], None]


@dataclass
class Lease:
    key: str
    token: str
    lost: bool = (
        False  # a renewal found the key gone or someone else's (Redis flushed, or we stalled past the ttl)
    )
    # Queued on the release's round trip, before the release (e.g. the last turn's events): one round trip,
    # not two.
    on_release: list[Rider] = field(default_factory=list)


async def _try_take(
    redis: aioredis.Redis, key: str, token: str, ttl_ms: int, rider: Rider | None = None
) -> bool:
    if rider is None:
        return bool(await redis.set(key, token, nx=True, px=ttl_ms))
    async with redis.pipeline(transaction=False) as pipe:
        rider(pipe)
        pipe.set(key, token, nx=True, px=ttl_ms)
        return bool((await pipe.execute())[-1])


async def _release(redis: aioredis.Redis, lease: Lease) -> None:
    if not lease.on_release:
        await redis.eval(_RELEASE, 1, lease.key, lease.token)
        return
    async with redis.pipeline(transaction=False) as pipe:
        for rider in lease.on_release:
            rider(pipe)
        pipe.eval(_RELEASE, 1, lease.key, lease.token)
        await pipe.execute()


async def _keep_renewed(redis: aioredis.Redis, lease: Lease, ttl_ms: int) -> None:
    while True:
        await asyncio.sleep(ttl_ms / 3000)
        try:
            if not await redis.eval(_RENEW, 1, lease.key, lease.token, ttl_ms):
                lease.lost = True
                log.warning("turns.lease_lost", lease=lease.key)
                return
        except (
            aioredis.RedisError,
            OSError,
        ) as error:  # the next renewal may get through before the ttl runs out
            log.warning("turns.lease_renew_failed", lease=lease.key, error=str(error))


@contextlib.asynccontextmanager
async def conversation_lease(
    redis: aioredis.Redis,
    *,
    conversation_id: uuid.UUID,
    ttl_seconds: float,
    wait_until: float,
    first_try_with: Rider | None = None,
) -> AsyncIterator[Lease | None]:
    """Hold the conversation's lease for the block; None if it stayed taken until `wait_until`
    (time.monotonic()).

    `first_try_with` queues commands on the first attempt's round trip (they run whether or not the lease is
    free).
    """
    key, token, ttl_ms = f"{LEASE_PREFIX}{conversation_id}", secrets.token_hex(16), int(ttl_seconds * 1000)
    rider = first_try_with
    while not await _try_take(redis, key, token, ttl_ms, rider):
        rider = None
        if time.monotonic() >= wait_until:
            yield None
            return
        await asyncio.sleep(POLL_SECONDS)
    lease = Lease(key=key, token=token)
    renewing = asyncio.create_task(_keep_renewed(redis, lease, ttl_ms))
    try:
        yield lease
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            await asyncio.shield(_release(redis, lease))
        except (aioredis.RedisError, OSError) as error:  # it expires by itself; the riders were best effort
            log.warning("turns.lease_release_failed", lease=key, error=str(error))
