"""The backlog right now: jobs waiting in the queue and dead letters not replayed (for /metrics, the rollup,
live)."""

from __future__ import annotations

import redis.asyncio as aioredis
from saq import Queue
from tortoise import connections

_OPEN_DEAD_LETTERS = (
    "SELECT count(*) AS n FROM dead_letters d JOIN ingest_events e ON e.id = d.event_id "
    "WHERE e.status = 'DEAD'"
)


async def open_dead_letters() -> int:
    """Dead letters whose event is still DEAD (a replayed one no longer counts)."""
    rows = await connections.get("default").execute_query_dict(_OPEN_DEAD_LETTERS)
    return rows[0]["n"]


async def queue_depth(queue: Queue) -> int | None:
    """Jobs waiting; None while Redis is unreachable."""
    try:
        return await queue.count("queued")
    except (aioredis.RedisError, OSError):
        return None
