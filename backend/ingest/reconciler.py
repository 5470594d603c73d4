"""The reconciler: whatever stays RECEIVED too long is enqueued again, so a lost queue loses no event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from saq import Queue

from backend.ingest.models import IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing
from backend.jobqueue import unfinished_keys
from backend.settings import Settings

BATCH = 5000


async def requeue_stale_events(*, queue: Queue, settings: Settings) -> int:
    """Enqueue events RECEIVED longer than the threshold whose job is not queued or running; returns how many.

    Read, ask Redis, read again: an event whose job finished between the first read and the enqueue would
    otherwise get a second job (seen as a second run of a PROCESSED event while a deep queue drains). Its job
    is no longer unfinished at the second step, so the second read sees it PROCESSED and leaves it alone; an
    event whose job finished without answering it (deferred, failed for SAQ but not for us) is still RECEIVED
    there and goes back on the queue.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=settings.reconcile_stale_after_seconds)
    stale = (
        await IngestEvent.filter(status=IngestStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("accepted_seq")
        .limit(BATCH)
        .values_list("id", flat=True)
    )
    if not stale:
        return 0
    busy = await unfinished_keys(queue=queue, keys=[str(event_id) for event_id in stale])
    idle = [event_id for event_id in stale if str(event_id) not in busy]
    if not idle:
        return 0
    still_received = set(
        await IngestEvent.filter(id__in=idle, status=IngestStatus.RECEIVED).values_list("id", flat=True)
    )
    return await enqueue_processing(
        queue=queue,
        settings=settings,
        event_ids=[event_id for event_id in idle if event_id in still_received],
    )
