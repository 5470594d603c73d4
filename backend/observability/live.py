"""liveMetrics: the agent's health right now, over a sliding window, from one producer per API process.

The values are recomputed every few seconds, and soon after a turn completes anywhere (the hub's run events),
so a dashboard sees a failure within a fraction of a second without every open tab querying the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from saq import Queue
from strawberry.types import Info
from tortoise import connections

from backend.core.topics import RUN_COMPLETED
from backend.events.feed import SharedFeed
from backend.events.hub import EventHub
from backend.graphql.permissions import CanRead
from backend.ingest.backlog import open_dead_letters, queue_depth
from backend.settings import Settings

_WINDOW = """
SELECT count(*) AS turns,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_p95_ms,
       coalesce(avg((status = 'FAILED')::int), 0) AS failure_rate,
       coalesce(avg((status = 'HANDED_OFF')::int), 0) AS handoff_rate,
       (SELECT count(*) FROM incidents WHERE status <> 'RESOLVED') AS open_incidents
FROM agent_runs WHERE created_at >= $1
"""


@strawberry.type(name="LiveMetrics", description="The agent's health over the last `windowSeconds`.")
class LiveValues:
    at: datetime
    window_seconds: int
    turns: int
    turns_per_minute: float
    latency_p95_ms: float | None
    failure_rate: float
    handoff_rate: float
    open_incidents: int
    queue_depth: int = strawberry.field(description="Jobs waiting; -1 while Redis is unreachable.")
    dead_letters: int


async def read_live_values(*, queue: Queue, window_seconds: int) -> LiveValues:
    now = datetime.now(UTC)
    rows = await connections.get("default").execute_query_dict(
        _WINDOW, [now - timedelta(seconds=window_seconds)]
    )
    row = rows[0]
    depth = await queue_depth(queue)
    return LiveValues(
        at=now,
        window_seconds=window_seconds,
        turns=row["turns"],
        turns_per_minute=row["turns"] * 60 / window_seconds,
        latency_p95_ms=row["latency_p95_ms"],
        failure_rate=float(row["failure_rate"]),
        handoff_rate=float(row["handoff_rate"]),
        open_incidents=row["open_incidents"],
        queue_depth=-1 if depth is None else depth,
        dead_letters=await open_dead_letters(),
    )


def live_metrics_feed(*, queue: Queue, hub: EventHub, settings: Settings) -> SharedFeed[LiveValues]:
    def run_events() -> AsyncIterator[dict[str, Any]]:
        return hub.subscribe(RUN_COMPLETED)

    return SharedFeed(
        name="live_metrics",
        interval_seconds=settings.live_metrics_interval_seconds,
        changes=run_events,
        read=lambda: read_live_values(queue=queue, window_seconds=settings.live_metrics_window_seconds),
    )


@strawberry.type
class LiveMetricsQueries:
    @strawberry.field(
        permission_classes=[CanRead], description="The live values now (what liveMetrics pushes)."
    )
    async def current_metrics(self, info: Info) -> LiveValues:
        services = info.context.services
        return await read_live_values(
            queue=services.ingest.queue, window_seconds=services.settings.live_metrics_window_seconds
        )


@strawberry.type
class LiveMetricsSubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="The live values, every few seconds and soon after each turn.",
    )
    async def live_metrics(self, info: Info) -> AsyncIterator[LiveValues]:
        async for values in info.context.services.live_metrics.subscribe():
            yield values
