"""One Redis pub/sub connection per process, fanned out in memory to every local subscriber.

Every local subscriber of a topic receives the same HubEvent object, so work that depends only on the event —
reading the changed row, its nested fields — can be done once for all of them (`once_per_event`) instead of
once per subscriber: with a thousand dashboards open, one read per change rather than a thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "agentops:events:"
SUBSCRIBER_BUFFER = 1000
RECONNECT_SECONDS = 1.0
T = TypeVar("T")


class HubEvent(dict):
    """An event's payload, plus what subscribers computed from it once for all of them."""

    __slots__ = ("shared",)

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload)
        self.shared: dict[str, Any] = {}  # name -> a Future (once_per_event) or an object (shared_per_event)


async def once_per_event(event: dict[str, Any], name: str, compute: Callable[[], Awaitable[T]]) -> T:
    """`compute()` once per event and name, its result shared by every subscriber that asks (single
    flight)."""
    if not isinstance(event, HubEvent):
        return await compute()
    if name not in event.shared:
        event.shared[name] = asyncio.ensure_future(compute())
    return await asyncio.shield(event.shared[name])  # one subscriber leaving must not cancel the others' read


def shared_per_event(event: dict[str, Any], name: str, make: Callable[[], T]) -> T:
    """One object per event and name (e.g. the DataLoaders every subscriber resolves nested fields with)."""
    if not isinstance(event, HubEvent):
        return make()
    if name not in event.shared:
        event.shared[name] = make()
    return event.shared[name]


async def _drain(queue: asyncio.Queue[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    while True:
        yield await queue.get()


class SilentHub:
    """For processes nobody subscribes to (the CLI): publishing goes nowhere."""

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        return None

    async def publish_many(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        return None

    def add_publishes(self, pipe: Any, events: list[tuple[str, dict[str, Any]]]) -> None:
        return None


class EventHub:
    """Publishes events and lets many local subscribers share one pub/sub connection."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        # The listener blocks on a read until something is published: a client of its own, without the read
        # timeout of the shared one (which would end a quiet subscription after a few seconds).
        self._listen_redis = aioredis.Redis(
            connection_pool=aioredis.ConnectionPool(
                **{
                    **redis.connection_pool.connection_kwargs,
                    "socket_timeout": None,
                    "socket_keepalive": True,
                }
            )
        )
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Send an event to every process; call it only after the write it describes has committed.

        Best effort: the database already holds the change, and live views re-read it; a Redis outage must
        not turn a committed write into a failed request or a retried job.
        """
        try:
            await self._redis.publish(CHANNEL_PREFIX + topic, json.dumps(payload, default=str))
        except (aioredis.RedisError, OSError) as error:
            log.warning("event_hub.publish_failed", topic=topic, error=str(error))

    async def publish_many(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """`publish` for several (topic, payload) events at once, in order, in one round trip."""
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                self.add_publishes(pipe, events)
                await pipe.execute()
        except (aioredis.RedisError, OSError) as error:
            log.warning("event_hub.publish_failed", topics=[topic for topic, _ in events], error=str(error))

    def add_publishes(self, pipe: Any, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Queue `events` on someone else's pipeline (its round trip carries them; its caller owns the
        errors)."""
        for topic, payload in events:
            pipe.publish(CHANNEL_PREFIX + topic, json.dumps(payload, default=str))

    async def subscribe(self, topic: str) -> AsyncIterator[dict[str, Any]]:
        """Yield events of a topic until the consumer stops iterating."""
        async with self.listening(topic) as events:
            async for event in events:
                yield event

    @contextlib.asynccontextmanager
    async def listening(self, topic: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Receive a topic's events from the moment this is entered.

        For a snapshot-then-changes stream: read the snapshot inside the block, and nothing published after
        the read is missed.
        """
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=SUBSCRIBER_BUFFER)
        self._subscribers.setdefault(topic, set()).add(queue)
        try:
            await self._ensure_listening()
            yield _drain(queue)
        finally:
            self._subscribers.get(topic, set()).discard(queue)

    @property
    def subscriber_count(self) -> int:
        return sum(len(queues) for queues in self._subscribers.values())

    async def _ensure_listening(self) -> None:
        if self._listener is None or self._listener.done():
            self._ready.clear()
            self._listener = asyncio.create_task(self._listen(), name="event-hub-listener")
        await self._ready.wait()

    async def _listen(self) -> None:
        # Runs while the process lives: a dropped connection is re-made, and subscribers stay registered.
        while True:
            pubsub = self._listen_redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self._dispatch(message["channel"], message["data"])
            except (aioredis.RedisError, OSError) as error:
                log.warning("event_hub.disconnected", error=str(error), retry_in_seconds=RECONNECT_SECONDS)
                self._ready.set()  # subscribe() must not wait for Redis to come back
            finally:
                with contextlib.suppress(aioredis.RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _dispatch(self, channel: bytes | str, data: bytes | str) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        topic = name.removeprefix(CHANNEL_PREFIX)
        payload = HubEvent(json.loads(data))
        for queue in self._subscribers.get(topic, ()):
            if queue.full():
                queue.get_nowait()  # a slow consumer loses its oldest event, never blocks the others
            queue.put_nowait(payload)

    async def close(self) -> None:
        """Stop listening (at process shutdown)."""
        if self._listener is not None:
            self._listener.cancel()
            # redis-py may turn the cancellation of a blocked read into its own TimeoutError.
            with contextlib.suppress(asyncio.CancelledError, aioredis.RedisError, OSError):
                await self._listener
        await self._listen_redis.aclose()
