"""One producer per process, shared by every local subscriber: the live counters' pattern.

The producer reads the current values every interval — and sooner when a hub event says something changed
(at most once per `min_gap`) — and hands each subscriber the latest value. It runs only while someone
listens: the last subscriber leaving stops it, so a closed client leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import structlog
from redis.exceptions import RedisError
from tortoise.exceptions import BaseORMException

log = structlog.get_logger(__name__)
T = TypeVar("T")


class SharedFeed(Generic[T]):
    def __init__(
        self,
        *,
        name: str,
        read: Callable[[], Awaitable[T]],
        interval_seconds: float,
        changes: Callable[[], AsyncIterator[Any]] | None = None,
        min_gap_seconds: float = 0.2,
    ) -> None:
        self._name = name
        self._read = read
        self._interval = interval_seconds
        self._changes = changes
        self._min_gap = min_gap_seconds
        self._subscribers: set[asyncio.Queue[T]] = set()
        self._producer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.reads = (
            0  # how many times the values were read: one per tick, whatever the number of subscribers
        )

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def running(self) -> bool:
        return self._producer is not None and not self._producer.done()

    async def subscribe(self) -> AsyncIterator[T]:
        """Yield the values now and then on every tick, until the consumer stops."""
        inbox: asyncio.Queue[T] = asyncio.Queue(maxsize=1)
        self._subscribers.add(inbox)
        if not self.running:
            self._producer = asyncio.create_task(self._produce(), name=f"{self._name}-producer")
        try:
            while True:
                yield await inbox.get()
        finally:
            self._subscribers.discard(inbox)
            if not self._subscribers and self._producer is not None:
                self._producer.cancel()

    async def _watch_changes(self) -> None:
        assert self._changes is not None
        async for _ in self._changes():
            self._wake.set()

    async def _produce(self) -> None:
        watcher = asyncio.create_task(self._watch_changes()) if self._changes else None
        try:
            while self._subscribers:
                await self._publish_once()
                await asyncio.sleep(self._min_gap)  # coalesce bursts of changes into one read
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), max(self._interval - self._min_gap, 0))
        finally:
            if watcher is not None:
                watcher.cancel()

    async def _publish_once(self) -> None:
        try:
            value = await self._read()
        except (BaseORMException, RedisError, OSError) as error:
            log.warning(f"{self._name}.unavailable", error=str(error))
            return
        self.reads += 1
        for inbox in list(self._subscribers):
            if inbox.full():
                inbox.get_nowait()  # a slow subscriber gets the latest values, not a backlog
            inbox.put_nowait(value)

    async def close(self) -> None:
        if self._producer is not None:
            self._producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._producer
