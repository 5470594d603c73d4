"""Putting accepted events on the SAQ queue: the job key is the event id, so an event is queued at most
once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from saq import Queue

from backend.ingest.sweep import PatientSweepQueue
from backend.jobqueue import JobOptions, enqueue_keyed
from backend.settings import Settings
from backend.telemetry.tracing import trace_carrier

QUEUE_NAME = "agentops"
PROCESS_EVENT_JOB = "process_event"


def make_queue(settings: Settings) -> Queue:
    """The queue API processes enqueue to and workers take from (its sweep spares jobs being taken, see
    sweep.py)."""
    # SAQ caps a queue's concurrent Redis operations at 20 by default: a worker running 100 jobs would queue
    # behind it.
    return PatientSweepQueue.from_url(str(settings.redis_url), name=QUEUE_NAME, max_concurrent_ops=200)


def processing_options(settings: Settings) -> JobOptions:
    """process_event's retries, timeout, backoff and heartbeat."""
    # A job whose worker was killed is taken back after this long without a beat (jobs/ingest.py beats while
    # it runs), not only after the whole timeout — minutes when every model round is budgeted.
    return JobOptions(
        function=PROCESS_EVENT_JOB,
        retries=settings.process_attempts,
        timeout=settings.process_timeout,
        retry_delay=settings.process_retry_delay_seconds,
        retry_backoff=settings.process_retry_max_delay_seconds,
        heartbeat=int(settings.turn_lease_seconds),
    )


async def enqueue_processing(
    *,
    queue: Queue,
    settings: Settings,
    event_ids: Iterable[uuid.UUID],
    traces: Mapping[uuid.UUID, dict[str, str]] | None = None,
) -> int:
    """Enqueue process_event for each id (in one Redis round trip); returns how many were enqueued.

    Each job continues the trace of the request that accepted its event: `traces[event_id]` when given (a
    group commit carries several requests), else the current one. A Redis failure is logged, not raised: the
    events are already safe in PostgreSQL and the reconciler enqueues whatever stays RECEIVED.
    """
    carrier = trace_carrier() if traces is None else {}
    jobs = {
        str(event_id): {
            "event_id": str(event_id),
            "trace": (carrier if traces is None else traces.get(event_id)) or None,
        }
        for event_id in event_ids
    }
    return await enqueue_keyed(
        queue=queue, options=processing_options(settings), jobs=jobs, failure_event="ingest.enqueue_failed"
    )
