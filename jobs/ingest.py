"""Ingest jobs: thin wrappers that take ids and call the turn pipeline and the ingest domain's services."""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from opentelemetry.trace import SpanKind

from backend.channels.delivery import replies as outbound
from backend.channels.delivery import service as delivery
from backend.core import faults
from backend.ingest import dead_letters, reconciler
from backend.telemetry.tracing import continue_trace, tracer
from backend.turns import pipeline
from jobs.beats import beating
from jobs.flags import job_faults

log = structlog.get_logger(__name__)
# Our own deadline fires this long before SAQ's timeout, so a slow attempt is recorded by us, not cut off by
# SAQ.
DEADLINE_MARGIN_SECONDS = 1.5


async def process_event(ctx: dict[str, Any], *, event_id: str, trace: dict[str, str] | None = None) -> int:
    """Append an accepted event to its conversation and answer it; after the last failed attempt it is
    DEAD."""
    job = ctx["job"]
    with (
        tracer.start_as_current_span(
            "process_event",
            context=continue_trace(trace),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "saq",
                "agentops.event.id": event_id,
                "agentops.job.attempt": job.attempts,
            },
        ),
        structlog.contextvars.bound_contextvars(event_id=event_id),
    ):
        return await _process_event(ctx, job=job, event_id=event_id)


def _deadline(job: Any, settings: Any) -> float:
    """When this attempt must be done: SAQ's timeout for the job, less a margin to record a late attempt."""
    budget = float(job.timeout or settings.process_timeout)
    return time.monotonic() + max(budget * 0.5, budget - DEADLINE_MARGIN_SECONDS)


async def _process_event(ctx: dict[str, Any], *, job: Any, event_id: str) -> int:
    async with beating(job):  # SAQ's sweep takes back a job whose beats stop: a killed worker's, in seconds
        return await _process_event_beating(ctx, job=job, event_id=event_id)


async def _process_event_beating(ctx: dict[str, Any], *, job: Any, event_id: str) -> int:
    settings = ctx["app_settings"]
    deadline = _deadline(job, settings)
    try:
        active = await job_faults(ctx)  # every fault point this job passes, read at most once a second
        await active.slow_down(faults.PROCESS_DELAY)
        await active.check(faults.PROCESS_EVENT)
        result = await pipeline.process_event(
            event_id=uuid.UUID(event_id),
            hub=ctx["hub"],
            redis=ctx["redis"],
            settings=settings,
            agent=ctx.get("agent"),
            deadline=deadline,
            # Only with the drill set: a commit with a hook to run before it needs a transaction of its own.
            before_commit=(lambda: active.check(faults.BEFORE_COMMIT))
            if faults.BEFORE_COMMIT in active
            else None,
            delivery_channels=frozenset(ctx.get("adapters", {})),
        )
    except pipeline.AttemptFailed:
        raise  # already recorded on the event whose turn failed; SAQ retries with backoff
    except Exception as error:  # recorded on the event (and as a dead letter at the end), then retried
        attempt, died = await dead_letters.record_failure(
            event_id=uuid.UUID(event_id), error=error, max_attempts=settings.process_attempts
        )
        log.warning("ingest.process_failed", event_id=event_id, attempt=attempt, dead=died, error=str(error))
        if died:
            return 0  # the dead letter holds the failure; SAQ need not keep retrying
        raise
    owed = [turn.reply_message_id for turn in result.turns if turn.delivery]  # the others were written FAILED
    if owed:
        await delivery.enqueue_deliveries(queue=ctx["queue"], settings=settings, message_ids=owed)
    return result.appended


async def reconcile(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue events left RECEIVED too long (after a Redis flush, a crash, a lost enqueue)."""
    settings = ctx["app_settings"]
    requeued = await reconciler.requeue_stale_events(queue=ctx["queue"], settings=settings)
    # Replies whose delivery job was lost (a Redis flush) or gave up while waiting to settle an unfinished
    # attempt.
    undelivered = await outbound.unfinished_deliveries(
        queue=ctx["queue"], older_than_seconds=settings.reconcile_stale_after_seconds
    )
    await delivery.enqueue_deliveries(queue=ctx["queue"], settings=settings, message_ids=undelivered)
    if requeued or undelivered:
        log.info("ingest.reconciled", requeued=requeued, undelivered=len(undelivered))
    return requeued
