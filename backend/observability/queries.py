"""metrics(names, from, to, step, channel): series of rolled-up points, a point per minute or per step."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend.graphql.errors import BadUserInput
from backend.graphql.permissions import CanRead
from backend.graphql.time_range import check_range
from backend.observability.series import (
    CHANNELS,
    MAX_RANGE,
    MAX_STEP_SECONDS,
    METRIC_NAMES,
    RANGE_SLACK,
    read_series,
)
from backend.observability.types import MetricSeries


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
        found = await read_series(
            names=list(dict.fromkeys(names)), start=from_, end=end, channel=channel, step=step
        )
        return [MetricSeries.from_series(series) for series in found]
