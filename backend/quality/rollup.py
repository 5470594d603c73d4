"""Quality metrics per minute and channel, from the stored scores: rolled up with the others (rollup.py).

`quality:<evaluator>` is the mean score of the minute's scored turns (a pass-or-fail rule's mean is its pass
rate), `quality_scored:<evaluator>` how many were scored and `quality_skipped:<evaluator>` how many judge
calls were skipped. Scores are counted in the minute they were written, a few seconds after their turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise import connections

from backend.quality.definitions import catalogue

MEAN_PREFIX, SCORED_PREFIX, SKIPPED_PREFIX = "quality:", "quality_scored:", "quality_skipped:"
QUALITY_PREFIXES = (MEAN_PREFIX, SCORED_PREFIX, SKIPPED_PREFIX)

_BY_MINUTE = """
SELECT date_trunc('minute', s.created_at) AS minute, COALESCE(c.channel, 'ALL') AS channel, s.evaluator,
       avg(s.score) AS mean, count(s.score) AS scored, count(*) FILTER (WHERE s.score IS NULL) AS skipped
FROM eval_scores s JOIN conversations c ON c.id = s.conversation_id
WHERE s.created_at >= $1 AND s.created_at < $2
GROUP BY GROUPING SETS ((date_trunc('minute', s.created_at), c.channel, s.evaluator),
                        (date_trunc('minute', s.created_at), s.evaluator))
"""


def quality_metric_names() -> tuple[str, ...]:
    """The metric names of every evaluator on disk (those the `metrics` query accepts)."""
    return tuple(prefix + evaluator.name for evaluator in catalogue() for prefix in QUALITY_PREFIXES)


async def quality_points(*, start: datetime, until: datetime) -> Iterable[tuple[str, str, datetime, float]]:
    """(name, channel, minute, value) for every minute in [start, until) that has scores."""
    rows = await connections.get("default").execute_query_dict(_BY_MINUTE, [start, until])
    points = []
    for row in rows:
        name, channel, minute = row["evaluator"], row["channel"], row["minute"]
        if row["scored"]:
            points.append((MEAN_PREFIX + name, channel, minute, float(row["mean"])))
        points.append((SCORED_PREFIX + name, channel, minute, float(row["scored"])))
        points.append((SKIPPED_PREFIX + name, channel, minute, float(row["skipped"])))
    return points
