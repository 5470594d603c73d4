"""A worker reads the fault flags at most once a second, yet a drill started or stopped is seen by its next
job."""

import asyncio

import pytest
import redis.asyncio as aioredis

from backend.core import faults
from backend.core.faults import FAULTS_CHANGED, FAULTS_KEY, POLICY, FaultFlags, clear_fault, set_fault
from tests.helpers import wait_until


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    await client.delete(FAULTS_KEY)
    yield client
    await client.delete(FAULTS_KEY)
    await client.aclose()


@pytest.fixture
def reads(monkeypatch):
    """How many times the flags hash is read (the real read, counted)."""
    count = [0]
    real = faults.load_faults

    async def counted(redis):
        count[0] += 1
        return await real(redis)

    monkeypatch.setattr(faults, "load_faults", counted)
    return count


async def _watching(redis) -> None:
    async def subscribed():
        return dict(await redis.pubsub_numsub(FAULTS_CHANGED)).get(FAULTS_CHANGED.encode(), 0) >= 1

    await wait_until(subscribed, timeout=5, interval=0.02, message="the flags watcher subscribing")
    await asyncio.sleep(
        0.1
    )  # and past its own re-read on subscribing (a change may have come before it listened)


async def test_many_jobs_share_one_read_of_the_flags(redis, reads):
    flags = FaultFlags(redis, max_age_seconds=60)
    try:
        for _ in range(50):
            assert not await flags.current()
        assert reads[0] == 1
    finally:
        await flags.close()


async def test_a_drill_started_or_stopped_is_seen_at_once_not_after_the_kept_read_expires(redis, reads):
    flags = FaultFlags(redis, max_age_seconds=60)
    try:
        assert not await flags.current()
        await _watching(redis)

        await set_fault(redis, POLICY, message="policy down")

        async def flagged():
            return POLICY in await flags.current()

        await wait_until(flagged, timeout=5, interval=0.02, message="the new flag being seen")

        await clear_fault(redis, POLICY)

        async def lifted():
            return POLICY not in await flags.current()

        await wait_until(lifted, timeout=5, interval=0.02, message="the cleared flag being dropped")
    finally:
        await flags.close()


async def test_a_flag_written_without_an_announcement_is_seen_once_the_kept_read_is_old(redis):
    flags = FaultFlags(redis, max_age_seconds=0.3)
    try:
        assert not await flags.current()
        await _watching(redis)
        assert not await flags.current()
        await redis.hset(FAULTS_KEY, POLICY, '{"message": "set behind our back"}')  # no announcement
        assert POLICY not in await flags.current()  # the kept read
        await asyncio.sleep(0.35)
        assert POLICY in await flags.current()
    finally:
        await flags.close()


async def test_a_flag_that_expires_stops_at_its_expiry_even_from_a_kept_read(redis):
    flags = FaultFlags(redis, max_age_seconds=60)
    try:
        await set_fault(redis, POLICY, message="short drill", ttl_seconds=0.3)
        assert POLICY in await flags.current()
        await asyncio.sleep(0.35)
        assert POLICY not in await flags.current()
    finally:
        await flags.close()
