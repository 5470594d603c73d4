"""Accepting events durably: rate-limit, INSERT … ON CONFLICT DO NOTHING, enqueue, answer.

The API never waits for processing; once the INSERT has committed the event is safe whatever fails next.
Concurrent accepts in one process share that work (group_commit.py): one rate-limit call, one INSERT and one
pipeline of enqueues for every request that arrived together, each request answered on its own.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import redis.asyncio as aioredis
from opentelemetry.trace import SpanKind
from saq import Queue
from tortoise import connections

from backend.core.enums import Channel
from backend.db.keyset import Page, newest_first
from backend.ingest.group_commit import GroupCommit, Waiting
from backend.ingest.models import IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing, make_queue
from backend.ingest.rate_limit import Bucket, RateLimiter
from backend.ingest.schemas import IncomingEvent
from backend.settings import Settings
from backend.telemetry.metrics import INGESTED
from backend.telemetry.tracing import trace_carrier, tracer


@dataclass(frozen=True)
class Accepted:
    event_id: uuid.UUID
    duplicate: bool


@dataclass(frozen=True)
class Throttled:
    retry_after_seconds: int


_INSERT = """
INSERT INTO ingest_events (id, channel, idempotency_key, sender, external_conversation_id, thread_key, text,
                           occurred_at, metadata, status, attempts, received_at, api_key_id)
SELECT id, channel, idempotency_key, sender, external_conversation_id, thread_key, text,
       occurred_at, metadata::jsonb, 'RECEIVED', 0, now(), api_key_id
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::timestamptz[], $9::text[], $10::uuid[]) WITH ORDINALITY
     AS incoming(id, channel, idempotency_key, sender, external_conversation_id, thread_key, text,
                 occurred_at, metadata, api_key_id, position)
ORDER BY position  -- acceptance order within a group is the order its requests and their events came in
ON CONFLICT (channel, idempotency_key) DO NOTHING
RETURNING id, channel, idempotency_key
"""
_EXISTING = """
SELECT e.id, e.channel, e.idempotency_key FROM ingest_events e
JOIN unnest($1::text[], $2::text[]) AS wanted(channel, idempotency_key)
  ON e.channel = wanted.channel AND e.idempotency_key = wanted.idempotency_key
"""


@dataclass(frozen=True)
class Submitter:
    """What a group's flush needs to know about the request an event came with."""

    api_key_id: uuid.UUID | None
    trace: dict[str, str]  # the request's trace context, continued by the event's processing job


@dataclass
class IngestContext:
    """What accepting needs from the running process, with the process's group commit (group_commit.py)."""

    settings: Settings
    queue: Queue
    rate_limiter: RateLimiter
    group_commit: GroupCommit[IncomingEvent, Accepted | Throttled] = field(init=False)

    def __post_init__(self) -> None:
        self.group_commit = GroupCommit(
            flush=lambda group: _accept_group(group, context=self),
            max_events=self.settings.ingest_group_max_events,
            wait_seconds=self.settings.ingest_group_wait_ms / 1000,
        )

    async def close(self) -> None:
        """Commit and answer whatever is waiting (the process is stopping)."""
        await self.group_commit.close()


def _buckets(event: IncomingEvent, *, api_key_id: uuid.UUID | None, settings: Settings) -> list[Bucket]:
    buckets = [
        Bucket(f"sender:{event.channel.value}:{event.sender}", settings.rate_limit_per_sender_per_minute)
    ]
    if api_key_id is not None:
        buckets.append(Bucket(f"key:{api_key_id}", settings.rate_limit_per_key_per_minute))
    return buckets


async def _insert(events: list[tuple[IncomingEvent, uuid.UUID | None]]) -> list[Accepted]:
    """Insert new events (each with its API key) and find the originals of duplicates, answering in input
    order."""
    connection = connections.get("default")
    ids = [uuid.uuid4() for _ in events]
    columns = [
        ids,
        [event.channel.value for event, _ in events],
        [event.idempotency_key for event, _ in events],
        [event.sender for event, _ in events],
        [event.external_conversation_id for event, _ in events],
        [event.thread_key for event, _ in events],
        [event.text for event, _ in events],
        [event.occurred_at for event, _ in events],
        [json.dumps(event.metadata) for event, _ in events],
        [api_key_id for _, api_key_id in events],
    ]
    # execute_query_dict, not execute_query: Tortoise drops the rows of an INSERT … RETURNING in the latter.
    inserted = await connection.execute_query_dict(_INSERT, columns)
    new = {(row["channel"], row["idempotency_key"]): row["id"] for row in inserted}
    originals = dict(new)
    missing = {(event.channel.value, event.idempotency_key) for event, _ in events} - new.keys()
    if missing:
        channels, keys = zip(*missing, strict=False)
        existing = await connection.execute_query_dict(_EXISTING, [list(channels), list(keys)])
        originals.update({(row["channel"], row["idempotency_key"]): row["id"] for row in existing})

    answers, answered = [], set()
    for event, _ in events:
        identity = (event.channel.value, event.idempotency_key)
        # The first mention of a new key in this group is the original; any other mention is a duplicate.
        answers.append(
            Accepted(event_id=originals[identity], duplicate=identity not in new or identity in answered)
        )
        answered.add(identity)
    return answers


async def _accept_group(
    group: list[Waiting[IncomingEvent, Accepted | Throttled]], *, context: IngestContext
) -> list[list[Accepted | Throttled]]:
    """One group commit: rate-limit every event, INSERT the allowed ones, enqueue the new ones; answers per
    request."""
    settings = context.settings
    events = [(event, waiting.extra) for waiting in group for event in waiting.items]
    waits = await context.rate_limiter.retry_after(
        [_buckets(event, api_key_id=submitter.api_key_id, settings=settings) for event, submitter in events]
    )
    allowed = [
        (event, submitter.api_key_id)
        for (event, submitter), wait in zip(events, waits, strict=False)
        if wait is None
    ]
    accepted = iter(await _insert(allowed) if allowed else [])
    answers: list[Accepted | Throttled] = [
        Throttled(retry_after_seconds=wait) if wait is not None else next(accepted) for wait in waits
    ]
    outcomes: Counter[tuple[str, str]] = Counter()
    traces: dict[uuid.UUID, dict[str, str]] = {}
    for (event, submitter), answer in zip(events, answers, strict=False):
        if isinstance(answer, Throttled):
            outcomes[event.channel.value, "rate_limited"] += 1
        elif answer.duplicate:
            outcomes[event.channel.value, "duplicate"] += 1
        else:
            outcomes[event.channel.value, "accepted"] += 1
            traces[answer.event_id] = submitter.trace
    for labels, count in outcomes.items():
        INGESTED.labels(*labels).inc(count)
    if traces:
        with tracer.start_as_current_span(
            "enqueue process_event",
            kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "saq", "messaging.batch.message_count": len(traces)},
        ):
            await enqueue_processing(queue=context.queue, settings=settings, event_ids=traces, traces=traces)
    per_request, position = [], 0
    for waiting in group:
        per_request.append(answers[position : position + len(waiting.items)])
        position += len(waiting.items)
    return per_request


async def accept_events(
    *, events: list[IncomingEvent], api_key_id: uuid.UUID | None, context: IngestContext
) -> list[Accepted | Throttled]:
    """Accept validated events: each answer is Accepted (new or duplicate) or Throttled, in input order.

    The events join the process's current group (group_commit.py); the answers come once its INSERT committed.
    """
    if not events:
        return []
    return await context.group_commit.submit(events, Submitter(api_key_id=api_key_id, trace=trace_carrier()))


Refusal = TypeVar("Refusal")


async def accept_checked(
    *, checked: list[IncomingEvent | Refusal], api_key_id: uuid.UUID | None, context: IngestContext
) -> list[Accepted | Throttled | Refusal]:
    """accept_events for the valid items of a batch; refusals stay in place, so answers keep the input's
    order."""
    valid = [item for item in checked if isinstance(item, IncomingEvent)]
    if len(valid) < len(checked):
        INGESTED.labels("unknown", "invalid").inc(len(checked) - len(valid))
    answers = iter(await accept_events(events=valid, api_key_id=api_key_id, context=context) if valid else [])
    return [next(answers) if isinstance(item, IncomingEvent) else item for item in checked]


async def accept_event(
    *, event: IncomingEvent, api_key_id: uuid.UUID | None, context: IngestContext
) -> Accepted | Throttled:
    """accept_events for one event."""
    (answer,) = await accept_events(events=[event], api_key_id=api_key_id, context=context)
    return answer


@dataclass(frozen=True)
class IngestEventCriteria:
    status: IngestStatus | None = None
    channel: Channel | None = None
    received_after: datetime | None = None
    received_before: datetime | None = None


async def page_ingest_events(
    *, criteria: IngestEventCriteria, first: int, after: str | None
) -> Page[IngestEvent]:
    """Accepted events matching the criteria, newest first."""
    query = IngestEvent.all()
    if criteria.status:
        query = query.filter(status=criteria.status)
    if criteria.channel:
        query = query.filter(channel=criteria.channel)
    if criteria.received_after:
        query = query.filter(received_at__gte=criteria.received_after)
    if criteria.received_before:
        query = query.filter(received_at__lt=criteria.received_before)
    return await newest_first(query, time_field="received_at", first=first, after=after)


@asynccontextmanager
async def standalone_context(settings: Settings) -> AsyncIterator[IngestContext]:
    """An IngestContext for a process without the API's services (the CLI's seed)."""
    redis = aioredis.Redis.from_url(str(settings.redis_url), socket_connect_timeout=2)
    queue = make_queue(settings)
    context = IngestContext(settings=settings, queue=queue, rate_limiter=RateLimiter(redis))
    try:
        yield context
    finally:
        await context.close()
        await queue.disconnect()
        await redis.aclose()
