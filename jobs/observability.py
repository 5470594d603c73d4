"""The metrics rollup as a cron job (idempotent: a second worker running it writes the same points)."""

from __future__ import annotations

from typing import Any

from backend.observability.rollup import rollup_metrics


async def rollup(ctx: dict[str, Any]) -> int:
    """Write metric points for every complete minute since the last rollup."""
    return await rollup_metrics()
