"""Ingest counters pushed to subscribers: one producer per process, running only while someone listens."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog
from saq import Queue
from tortoise import connections
from tortoise.exceptions import BaseORMException

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class IngestCounts:
    received: int
    processed: int
    dead: int
    queued: int

    @property
    def accepted(self) -> int:
        return self.received + self.processed + self.dead


async def read_counts(queue: Queue) -> IngestCounts:
    """Events by status (from PostgreSQL) and jobs waiting (from the queue)."""
    _, rows = await connections.get("default").execute_query(
        "SELECT status, count(*) AS n FROM ingest_events GROUP BY status"
    )
    by_status = {row["status"]: row["n"] for row in rows}
    try:
        queued = await queue.count("queued")
    except (aioredis.RedisError, OSError):
        queued = -1  # unknown while Redis is away; the event counts still tell the story
    return IngestCounts(
        received=by_status.get("RECEIVED", 0),
        processed=by_status.get("PROCESSED", 0),
        dead=by_status.get("DEAD", 0),
        queued=queued,
    )


class IngestStatsFeed:
    """Shares one polling loop among every local subscriber; the loop stops when the last one leaves."""

    def __init__(self, *, queue: Queue, interval_seconds: float) -> None:
        self._queue = queue
        self._interval = interval_seconds
        self._subscribers: set[asyncio.Queue[IngestCounts]] = set()
        self._producer: asyncio.Task[None] | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def running(self) -> bool:
        return self._producer is not None and not self._producer.done()

    async def subscribe(self) -> AsyncIterator[IngestCounts]:
        """Yield the counts now and then every interval, until the consumer stops."""
        inbox: asyncio.Queue[IngestCounts] = asyncio.Queue(maxsize=1)
        self._subscribers.add(inbox)
        if not self.running:
            self._producer = asyncio.create_task(self._produce(), name="ingest-stats-producer")
        try:
            while True:
                yield await inbox.get()
        finally:
            self._subscribers.discard(inbox)
            if not self._subscribers and self._producer is not None:
                self._producer.cancel()

    async def _produce(self) -> None:
        while self._subscribers:
            try:
                counts = await read_counts(self._queue)
            except (BaseORMException, OSError) as error:
                log.warning("ingest_stats.unavailable", error=str(error))
            else:
                for inbox in list(self._subscribers):
                    if inbox.full():
                        inbox.get_nowait()  # a slow subscriber gets the latest counts, not a backlog
                    inbox.put_nowait(counts)
            await asyncio.sleep(self._interval)

    async def close(self) -> None:
        if self._producer is not None:
            self._producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._producer
