"""Batch loads for drills, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.db.lookup import rows_by_id
from backend.simulations.models import Simulation


async def load_simulations_by_id(ids: Sequence[uuid.UUID]) -> list[Simulation | None]:
    """Drills in the order of `ids`, None where there is no such drill."""
    return await rows_by_id(Simulation.all(), ids)
