"""Drill jobs: the scheduled end of a simulation, and its synthetic traffic."""

from __future__ import annotations

import uuid
from typing import Any

from backend.ingest.rate_limit import RateLimiter
from backend.ingest.service import IngestContext
from backend.simulations import service, traffic


async def finish_simulation(ctx: dict[str, Any], *, simulation_id: str) -> str | None:
    """Runs at the drill's end: clears its fault and records what it caused (a no-op if stopped before)."""
    simulation = await service.finish_simulation(
        simulation_id=uuid.UUID(simulation_id), redis=ctx["redis"], hub=ctx["hub"]
    )
    return simulation.status.value if simulation else None


async def generate_traffic(ctx: dict[str, Any], *, simulation_id: str) -> int:
    """Synthetic conversations through the real accept path for the drill's duration."""
    context = IngestContext(
        settings=ctx["app_settings"], queue=ctx["queue"], rate_limiter=RateLimiter(ctx["redis"])
    )
    return await traffic.generate_traffic(simulation_id=uuid.UUID(simulation_id), context=context)
