"""The event hub: a quiet subscription keeps working, and subscribers share the reads an event needs."""

import asyncio

import redis.asyncio as aioredis

from backend.events.hub import EventHub, once_per_event


async def _collect(hub: EventHub, topic: str, count: int, reads: list) -> list[dict]:
    heard = []
    async for event in hub.subscribe(topic):
        heard.append(await once_per_event(event, "row", lambda: _read(reads)))
        if len(heard) == count:
            return heard
    return heard


async def _read(reads: list) -> str:
    reads.append(1)
    await asyncio.sleep(0.05)  # the other subscribers arrive while the first read is in flight
    return "the row"


async def test_a_subscription_outlives_a_quiet_spell_longer_than_the_read_timeout(test_settings):
    # The shared client times reads out after 5 s; the listener must not die when nothing is published.
    redis = aioredis.Redis.from_url(str(test_settings.redis_url), socket_timeout=2)
    hub = EventHub(redis)
    reads: list = []
    listening = asyncio.create_task(_collect(hub, "quiet-test", 1, reads))
    await asyncio.sleep(4)  # twice the read timeout, not a word
    await EventHub(redis).publish("quiet-test", {"n": 1})
    assert await asyncio.wait_for(listening, timeout=10) == ["the row"]
    await hub.close()
    await redis.aclose()


async def test_many_subscribers_of_one_event_share_one_read(test_settings):
    redis = aioredis.Redis.from_url(str(test_settings.redis_url))
    hub = EventHub(redis)
    reads: list = []
    subscribers = [asyncio.create_task(_collect(hub, "shared-test", 2, reads)) for _ in range(25)]
    await asyncio.sleep(0.3)
    for number in range(2):
        await hub.publish("shared-test", {"n": number})
    results = await asyncio.wait_for(asyncio.gather(*subscribers), timeout=10)
    assert results == [["the row", "the row"]] * 25
    assert len(reads) == 2  # one read per event, not one per subscriber
    await hub.close()
    await redis.aclose()
