"""The metrics rollup: per minute and channel, from the recorded runs — idempotent, and it catches up.

Percentiles come from the minute's real latency distribution (percentile_cont over the runs), never from
averages of averages. Each point is upserted on (name, channel, minute): running the rollup twice over the
same minutes writes the same values, and after downtime it resumes from the last minute it wrote.
Queue depth and open dead letters are samples of the moment the rollup runs, written on the last complete
minute: they cannot be recomputed for minutes that have passed, so a catch-up leaves gaps in those two.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from saq import Queue
from tortoise import connections

from backend.ingest.backlog import open_dead_letters, queue_depth
from backend.observability.models import MetricPoint
from backend.quality.rollup import quality_points

MAX_CATCH_UP = timedelta(days=7)

# One row per (bucket, channel), plus the ALL-channels rows, from agent runs and what they caused; buckets are
# minutes for the rollup, wider steps when `metrics` asks for them (computed from the runs: exact
# percentiles).
RUN_METRICS_SQL = """
WITH runs AS (
    SELECT date_bin($3::interval, r.created_at, TIMESTAMPTZ '2000-01-01') AS minute, c.channel, r.id,
        r.status, r.latency_ms
    FROM agent_runs r JOIN conversations c ON c.id = r.conversation_id
    WHERE r.created_at >= $1 AND r.created_at < $2
),
violations AS (
    SELECT v.run_id, count(*) AS n FROM guardrail_violations v JOIN runs ON runs.id = v.run_id
    GROUP BY v.run_id
),
tools AS (
    SELECT t.run_id, count(*) AS calls, count(*) FILTER (WHERE t.error IS NOT NULL) AS errors
    FROM tool_calls t JOIN runs ON runs.id = t.run_id GROUP BY t.run_id
)
SELECT runs.minute, COALESCE(runs.channel, 'ALL') AS channel,
       count(*) AS turns,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY runs.latency_ms) AS latency_p50_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY runs.latency_ms) AS latency_p95_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY runs.latency_ms) AS latency_p99_ms,
       avg((runs.status = 'FAILED')::int) AS failure_rate,
       avg((runs.status = 'HANDED_OFF')::int) AS handoff_rate,
       COALESCE(sum(violations.n), 0)::float / count(*) AS violation_rate,
       CASE WHEN COALESCE(sum(tools.calls), 0) = 0 THEN 0
            ELSE sum(tools.errors)::float / sum(tools.calls) END AS tool_error_rate
FROM runs
LEFT JOIN violations ON violations.run_id = runs.id
LEFT JOIN tools ON tools.run_id = runs.id
GROUP BY GROUPING SETS ((runs.minute, runs.channel), (runs.minute))
"""
RUN_METRIC_NAMES = (
    "turns",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "failure_rate",
    "handoff_rate",
    "violation_rate",
    "tool_error_rate",
)
# Per tool, across channels: "tool_error_rate:<tool>".
_TOOL_METRICS = """
SELECT date_trunc('minute', r.created_at) AS minute, t.name AS tool,
       avg((t.error IS NOT NULL)::int) AS error_rate
FROM tool_calls t JOIN agent_runs r ON r.id = t.run_id
WHERE r.created_at >= $1 AND r.created_at < $2
GROUP BY 1, 2
"""
TOOL_ERROR_PREFIX = "tool_error_rate:"
GAUGE_NAMES = ("queue_depth", "dead_letters")
_UPSERT = """
INSERT INTO metric_points (name, channel, bucket_start, value)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[])
ON CONFLICT (name, channel, bucket_start) DO UPDATE SET value = EXCLUDED.value
"""


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


async def _start(until: datetime) -> datetime:
    last = await MetricPoint.filter(name="turns", channel="ALL").order_by("-bucket_start").first()
    if last is not None:
        return (
            last.bucket_start
        )  # recompute the last minute too: runs may have committed after it was written
    first = await connections.get("default").execute_query_dict(
        "SELECT min(created_at) AS at FROM agent_runs"
    )
    earliest = first[0]["at"] or until
    return max(_minute(earliest), until - MAX_CATCH_UP)


async def rollup_metrics(
    *, now: datetime | None = None, since: datetime | None = None, queue: Queue | None = None
) -> int:
    """Write the points of every complete minute since the last rollup (or `since`); returns how many.

    With `queue`, also samples queue depth and open dead letters onto the last complete minute.
    """
    until = _minute(now or datetime.now(UTC))  # only complete minutes
    start = _minute(since) if since else await _start(until)
    connection = connections.get("default")
    names, channels, buckets, values = [], [], [], []

    def add(name: str, channel: str, bucket: datetime, value: float | None) -> None:
        names.append(name)
        channels.append(channel)
        buckets.append(bucket)
        values.append(float(value or 0))

    if start < until:
        for row in await connection.execute_query_dict(RUN_METRICS_SQL, [start, until, timedelta(minutes=1)]):
            for name in RUN_METRIC_NAMES:
                add(name, row["channel"], row["minute"], row[name])
        for row in await connection.execute_query_dict(_TOOL_METRICS, [start, until]):
            add(TOOL_ERROR_PREFIX + row["tool"], "ALL", row["minute"], row["error_rate"])
        for name, channel, minute, value in await quality_points(start=start, until=until):
            add(name, channel, minute, value)
    if queue is not None:
        depth = await queue_depth(queue)
        if depth is not None:
            add("queue_depth", "ALL", until - timedelta(minutes=1), depth)
        add("dead_letters", "ALL", until - timedelta(minutes=1), await open_dead_letters())
    if names:
        await connections.get("default").execute_query(_UPSERT, [names, channels, buckets, values])
    return len(names)
