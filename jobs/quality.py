"""Online evaluation crons: score the sampled turns in batches, and find flagged turns whose hand-over was
lost."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from backend.quality import service
from backend.quality.sampling import give_back, take_pending

log = structlog.get_logger(__name__)
BATCH = 200  # turns a batch reads and scores at once (one query, one insert)
DRAIN_SECONDS = 20.0  # a tick drains the list for at most this long; the next tick goes on
FLAGGED_LOOK_BACK = timedelta(minutes=10)
FLAGGED_SETTLE = timedelta(seconds=30)  # younger flagged runs are still on their way through the list


async def score_sampled(ctx: dict[str, Any]) -> int:
    """Cron, each second: score the turns waiting on the pending list, a batch at a time; returns verdicts
    stored.

    A batch that fails is put back on the list for the next tick (a verdict already stored is not written
    twice).
    """
    if not ctx["evaluators"]:
        return 0
    settings, stored, started = ctx["app_settings"], 0, time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        taken = await take_pending(ctx["redis"], count=BATCH)
        if not taken:
            break
        try:
            stored += await service.score_runs(
                runs=dict(taken),
                evaluators=ctx["evaluators"],
                judge=ctx.get("judge"),
                timezone=settings.business_timezone,
                hub=ctx["hub"],
            )
        except BaseException:
            await give_back(ctx["redis"], taken)
            raise
    return stored


async def rescore_flagged(ctx: dict[str, Any]) -> int:
    """Cron, each minute: flagged turns of the last minutes with no score (a Redis flush lost their
    hand-over)."""
    settings = ctx["app_settings"]
    if not ctx["evaluators"] or not settings.quality_score_flagged:
        return 0
    now = datetime.now(UTC)
    runs = await service.unscored_flagged_runs(
        since=now - FLAGGED_LOOK_BACK, until=now - FLAGGED_SETTLE, limit=500
    )
    if not runs:
        return 0
    log.info("quality.flagged_rescored", runs=len(runs))
    return await service.score_runs(
        runs=runs,
        evaluators=ctx["evaluators"],
        judge=ctx.get("judge"),
        timezone=settings.business_timezone,
        hub=ctx["hub"],
    )
