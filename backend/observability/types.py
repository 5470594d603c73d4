"""Metric series in GraphQL."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.observability.series import Series


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

    @classmethod
    def from_series(cls, series: Series) -> MetricSeries:
        return cls(
            name=series.name,
            channel=series.channel,
            step_seconds=series.step_seconds,
            points=[MetricValue(at=point.at, value=point.value) for point in series.points],
        )
