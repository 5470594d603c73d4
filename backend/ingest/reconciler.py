"""The reconciler: whatever stays RECEIVED too long is enqueued again, so a lost queue loses no event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from saq import Queue

from backend.ingest.models import IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing
from backend.settings import Settings

BATCH = 5000


async def requeue_stale_events(*, queue: Queue, settings: Settings) -> int:
    """Enqueue events RECEIVED longer than the threshold (a no-op for those still queued); returns how many."""
    cutoff = datetime.now(UTC) - timedelta(seconds=settings.reconcile_stale_after_seconds)
    stale = (
        await IngestEvent.filter(status=IngestStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("accepted_seq")
        .limit(BATCH)
        .values_list("id", flat=True)
    )
    if not stale:
        return 0
    return await enqueue_processing(queue=queue, settings=settings, event_ids=stale)
