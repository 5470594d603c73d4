"""Ingest counters pushed to subscribers: one producer per process, running only while someone listens."""

from __future__ import annotations

from dataclasses import dataclass

from saq import Queue
from tortoise import connections

from backend.events.feed import SharedFeed
from backend.ingest.backlog import queue_depth


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
    depth = await queue_depth(queue)
    queued = (
        -1 if depth is None else depth
    )  # unknown while Redis is away; the event counts still tell the story
    return IngestCounts(
        received=by_status.get("RECEIVED", 0),
        processed=by_status.get("PROCESSED", 0),
        dead=by_status.get("DEAD", 0),
        queued=queued,
    )


def ingest_stats_feed(*, queue: Queue, interval_seconds: float) -> SharedFeed[IngestCounts]:
    """The ingest counters, read once per interval for every local subscriber."""
    return SharedFeed(name="ingest_stats", read=lambda: read_counts(queue), interval_seconds=interval_seconds)
