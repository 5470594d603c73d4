"""metrics(names, from, to, channel): series of rolled-up points, one per minute."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend.graphql.errors import BadUserInput
from backend.graphql.permissions import CanRead
from backend.graphql.time_range import check_range
from backend.observability.models import MetricPoint
from backend.observability.rollup import RUN_METRIC_NAMES

MAX_RANGE = timedelta(days=7)
CHANNELS = ("ALL", "SMS", "CHAT", "VOICE")


@strawberry.type
class MetricValue:
    at: datetime
    value: float


@strawberry.type(description="One metric on one channel over time (a point per minute that had turns).")
class MetricSeries:
    name: str
    channel: str
    points: list[MetricValue]


async def read_series(*, names: list[str], start: datetime, end: datetime, channel: str) -> list[MetricSeries]:
    """The points of each named metric in [start, end), oldest first."""
    rows = await MetricPoint.filter(name__in=names, channel=channel, bucket_start__gte=start, bucket_start__lt=end
                                    ).order_by("bucket_start")
    by_name: dict[str, list[MetricValue]] = {name: [] for name in names}
    for row in rows:
        by_name[row.name].append(MetricValue(at=row.bucket_start, value=row.value))
    return [MetricSeries(name=name, channel=channel, points=points) for name, points in by_name.items()]


@strawberry.type
class MetricsQueries:
    @strawberry.field(permission_classes=[CanRead], description=f"Metric series; names: {', '.join(RUN_METRIC_NAMES)}.")
    async def metrics(
        self, info: Info, names: list[str], from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime | None = None, channel: str = "ALL",
    ) -> list[MetricSeries]:
        end = to or datetime.now(from_.tzinfo)
        check_range(from_, end, start_field="from", end_field="to")
        if end - from_ > MAX_RANGE:
            raise BadUserInput("The range may span at most 7 days.", field="to")
        unknown = sorted(set(names) - set(RUN_METRIC_NAMES))
        if unknown or not names:
            raise BadUserInput(f"Unknown metric name(s): {', '.join(unknown) or '(none given)'}.", field="names")
        if channel not in CHANNELS:
            raise BadUserInput(f"'channel' must be one of {', '.join(CHANNELS)}.", field="channel")
        return await read_series(names=names, start=from_, end=end, channel=channel)
