"""Online evaluation: score one committed turn with the enabled evaluators (backend/quality)."""

from __future__ import annotations

import uuid
from typing import Any

from backend.quality import service
from backend.quality.models import ScoreTrigger


async def score_run(ctx: dict[str, Any], *, run_id: str, trigger: str) -> int:
    """Score one agent run (enqueued after its turn committed, see backend/quality/sampling.py)."""
    settings = ctx["app_settings"]
    return await service.score_run(run_id=uuid.UUID(run_id), trigger=ScoreTrigger(trigger),
                                   evaluators=ctx["evaluators"], judge=ctx.get("judge"),
                                   timezone=settings.business_timezone, hub=ctx["hub"])
