"""One Redis pub/sub connection per process, fanned out in memory to every local subscriber."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "agentops:events:"
SUBSCRIBER_BUFFER = 1000


async def _drain(queue: asyncio.Queue[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    while True:
        yield await queue.get()


class SilentHub:
    """For processes nobody subscribes to (the CLI): publishing goes nowhere."""

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        return None


class EventHub:
    """Publishes events and lets many local subscribers share one pub/sub connection."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
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
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe(CHANNEL_PREFIX + "*")
            self._ready.set()
            async for message in pubsub.listen():
                if message.get("type") == "pmessage":
                    self._dispatch(message["channel"], message["data"])
        except (aioredis.ConnectionError, OSError) as error:
            # Subscribers stay registered; the next subscribe() restarts the listener.
            log.warning("event_hub.disconnected", error=str(error))
            self._ready.set()
        finally:
            with contextlib.suppress(aioredis.RedisError, OSError):
                await pubsub.aclose()

    def _dispatch(self, channel: bytes | str, data: bytes | str) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        topic = name.removeprefix(CHANNEL_PREFIX)
        payload = json.loads(data)
        for queue in self._subscribers.get(topic, ()):
            if queue.full():
                queue.get_nowait()  # a slow consumer loses its oldest event, never blocks the others
            queue.put_nowait(payload)

    async def close(self) -> None:
        """Stop listening (at process shutdown)."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
