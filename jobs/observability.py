"""The metrics rollup as a cron job (idempotent: a second worker running it writes the same points)."""

from __future__ import annotations

from typing import Any

from backend.incidents.service import sync_incidents
from backend.observability.rollup import rollup_metrics
from backend.observability.slo import evaluate_slos


async def rollup(ctx: dict[str, Any]) -> int:
    """Write metric points for every complete minute since the last rollup, then open or resolve incidents."""
    written = await rollup_metrics()
    statuses = await evaluate_slos(scale=ctx["app_settings"].slo_window_scale)
    await sync_incidents(statuses=statuses, hub=ctx.get("hub"))
    return written
