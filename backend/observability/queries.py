"""metrics(names, from, to, step, channel): series of rolled-up points, a point per minute or per step."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info
from tortoise import connections

from backend.agent.tools.registry import TOOLS
from backend.graphql.errors import BadUserInput
from backend.graphql.permissions import CanRead
from backend.graphql.time_range import check_range
from backend.observability.models import MetricPoint
from backend.observability.rollup import GAUGE_NAMES, RUN_METRIC_NAMES, RUN_METRICS_SQL, TOOL_ERROR_PREFIX
from backend.quality.rollup import quality_metric_names

MAX_RANGE = timedelta(days=7)
RANGE_SLACK = timedelta(
    minutes=5
)  # "the last 7 days" computed a moment before `to` defaults to now still fits
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


@strawberry.type
class MetricValue:
    at: datetime
    value: float


@strawberry.type(
    description="One metric on one channel over time (a point per minute or step that had data)."
)
class MetricSeries:
    name: str
    channel: str
    step_seconds: int
    points: list[MetricValue]


async def _stored(
    names: list[str], *, start: datetime, end: datetime, channel: str, step: int
) -> dict[str, list[MetricValue]]:
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
) -> dict[str, list[MetricValue]]:
    """Run metrics over a wider step, recomputed from the runs: percentiles of the step's real
    distribution."""
    rows = await connections.get("default").execute_query_dict(
        RUN_METRICS_SQL, [start, end, timedelta(seconds=step)]
    )
    series: dict[str, list[MetricValue]] = {name: [] for name in names}
    for row in sorted((row for row in rows if row["channel"] == channel), key=lambda row: row["minute"]):
        for name in names:
            series[name].append(MetricValue(at=row["minute"], value=float(row[name] or 0)))
    return series


def _group(rows: list[dict], *, time_key: str) -> dict[str, list[MetricValue]]:
    series: dict[str, list[MetricValue]] = {}
    for row in rows:
        series.setdefault(row["name"], []).append(MetricValue(at=row[time_key], value=row["value"]))
    return series


async def read_series(
    *, names: list[str], start: datetime, end: datetime, channel: str, step: int = 60
) -> list[MetricSeries]:
    """The points of each named metric in [start, end), oldest first."""
    from_runs = [name for name in names if name in RUN_METRIC_NAMES and step > 60]
    stored = [name for name in names if name not in from_runs]
    found: dict[str, list[MetricValue]] = {}
    if stored:
        found.update(await _stored(stored, start=start, end=end, channel=channel, step=step))
    if from_runs:
        found.update(await _from_runs(from_runs, start=start, end=end, channel=channel, step=step))
    return [
        MetricSeries(name=name, channel=channel, step_seconds=step, points=found.get(name, []))
        for name in names
    ]


@strawberry.type
class MetricsQueries:
    @strawberry.field(
        permission_classes=[CanRead], description=f"Metric series; names: {', '.join(METRIC_NAMES)}."
    )
    async def metrics(
        self,
        info: Info,
        names: list[str],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime | None = None,
        channel: str = "ALL",
        step: Annotated[
            int,
            strawberry.argument(
                description="Seconds per point: 60 (stored minutes) or a multiple of 60 up to 86400."
            ),
        ] = 60,
    ) -> list[MetricSeries]:
        end = to or datetime.now(from_.tzinfo)
        check_range(from_, end, start_field="from", end_field="to")
        if end - from_ > MAX_RANGE + RANGE_SLACK:
            raise BadUserInput("The range may span at most 7 days.", field="to")
        unknown = sorted(set(names) - set(METRIC_NAMES))
        if unknown or not names:
            raise BadUserInput(
                f"Unknown metric name(s): {', '.join(unknown) or '(none given)'}.", field="names"
            )
        if channel not in CHANNELS:
            raise BadUserInput(f"'channel' must be one of {', '.join(CHANNELS)}.", field="channel")
        if step % 60 or not 60 <= step <= MAX_STEP_SECONDS:
            raise BadUserInput("'step' must be a multiple of 60 seconds, from 60 to 86400.", field="step")
        return await read_series(
            names=list(dict.fromkeys(names)), start=from_, end=end, channel=channel, step=step
        )
