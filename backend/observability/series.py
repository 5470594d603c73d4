"""Metric series read back: stored per-minute points, or wider steps recomputed from the runs themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import connections

from backend.agent.tools.registry import TOOLS
from backend.observability.models import MetricPoint
from backend.observability.rollup import GAUGE_NAMES, RUN_METRIC_NAMES, RUN_METRICS_SQL, TOOL_ERROR_PREFIX
from backend.quality.rollup import quality_metric_names

MAX_RANGE = timedelta(days=7)
# "The last 7 days" computed a moment before `to` defaults to now still fits.
RANGE_SLACK = timedelta(minutes=5)
MAX_STEP_SECONDS = 86400
CHANNELS = ("ALL", "SMS", "CHAT", "VOICE")
TOOL_METRIC_NAMES = tuple(TOOL_ERROR_PREFIX + name for name in sorted(TOOLS))
METRIC_NAMES = RUN_METRIC_NAMES + GAUGE_NAMES + TOOL_METRIC_NAMES + quality_metric_names()
# Wider steps over stored points: the peak backlog of the step, the mean of a tool's per-minute error rates
# (and of an evaluator's per-minute mean scores), the sum of the turns scored or skipped.
_STORED_STEPPED = """
SELECT name, date_bin($5::interval, bucket_start, TIMESTAMPTZ '2000-01-01') AS at,
       CASE WHEN name IN ('queue_depth', 'dead_letters') THEN max(value)
            WHEN starts_with(name, 'quality_scored:') OR starts_with(name, 'quality_skipped:') THEN sum(value)
            ELSE avg(value) END AS value
FROM metric_points
WHERE name = ANY($1::text[]) AND channel = $2 AND bucket_start >= $3 AND bucket_start < $4
GROUP BY 1, 2 ORDER BY 2
"""


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float


@dataclass(frozen=True)
class Series:
    name: str
    channel: str
    step_seconds: int
    points: list[Point]


async def _stored(
    names: list[str], *, start: datetime, end: datetime, channel: str, step: int
) -> dict[str, list[Point]]:
    if step == 60:
        rows = (
            await MetricPoint.filter(
                name__in=names, channel=channel, bucket_start__gte=start, bucket_start__lt=end
            )
            .order_by("bucket_start")
            .values("name", "bucket_start", "value")
        )
        return _group(rows, time_key="bucket_start")
    rows = await connections.get("default").execute_query_dict(
        _STORED_STEPPED, [names, channel, start, end, timedelta(seconds=step)]
    )
    return _group(rows, time_key="at")


async def _from_runs(
    names: list[str], *, start: datetime, end: datetime, channel: str, step: int
) -> dict[str, list[Point]]:
    """Run metrics over a wider step, recomputed from the runs: percentiles of the step's real
    distribution."""
    rows = await connections.get("default").execute_query_dict(
        RUN_METRICS_SQL, [start, end, timedelta(seconds=step)]
    )
    series: dict[str, list[Point]] = {name: [] for name in names}
    for row in sorted((row for row in rows if row["channel"] == channel), key=lambda row: row["minute"]):
        for name in names:
            series[name].append(Point(at=row["minute"], value=float(row[name] or 0)))
    return series


def _group(rows: list[dict], *, time_key: str) -> dict[str, list[Point]]:
    series: dict[str, list[Point]] = {}
    for row in rows:
        series.setdefault(row["name"], []).append(Point(at=row[time_key], value=row["value"]))
    return series


async def read_series(
    *, names: list[str], start: datetime, end: datetime, channel: str, step: int = 60
) -> list[Series]:
    """The points of each named metric in [start, end), oldest first."""
    from_runs = [name for name in names if name in RUN_METRIC_NAMES and step > 60]
    stored = [name for name in names if name not in from_runs]
    found: dict[str, list[Point]] = {}
    if stored:
        found.update(await _stored(stored, start=start, end=end, channel=channel, step=step))
    if from_runs:
        found.update(await _from_runs(from_runs, start=start, end=end, channel=channel, step=step))
    return [
        Series(name=name, channel=channel, step_seconds=step, points=found.get(name, [])) for name in names
    ]
