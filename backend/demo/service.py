"""Reseeding a running demo: what `agentops seed` does, callable from the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from backend.demo.eval_history import seed_eval_history
from backend.demo.ops_history import seed_ops_history
from backend.demo.seed import seed_demo
from backend.ingest.service import IngestContext
from backend.scheduling.seed import business_today, seed_business


@dataclass(frozen=True)
class ReseedSummary:
    slots_added: int
    events_accepted: int
    eval_runs: int
    history_conversations: int


async def reseed_demo(*, context: IngestContext) -> ReseedSummary:
    """Top up the bookable slots, send a fresh round of demo conversations, and fill in any missing
    history."""
    settings = context.settings
    slots = await seed_business(timezone=settings.business_timezone, today=business_today(settings))
    # A new round label each time: the same idempotency keys would only be found as duplicates.
    round_label = datetime.now(UTC).strftime("r%Y%m%d%H%M%S%f")
    accepted = await seed_demo(context=context, round_label=round_label)
    runs = await seed_eval_history(settings=settings)
    history = await seed_ops_history(timezone=settings.business_timezone)
    return ReseedSummary(
        slots_added=slots, events_accepted=accepted, eval_runs=runs, history_conversations=history
    )
