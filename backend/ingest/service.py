"""Accepting events durably: rate-limit, INSERT … ON CONFLICT DO NOTHING, enqueue, answer.

The API never waits for processing; once the INSERT has committed the event is safe whatever fails next.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import redis.asyncio as aioredis
from opentelemetry.trace import SpanKind
from saq import Queue
from tortoise import connections

from backend.channels.enums import Channel
from backend.db.keyset import Page, newest_first
from backend.ingest.models import IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing, make_queue
from backend.ingest.rate_limit import Bucket, RateLimiter
from backend.ingest.schemas import IncomingEvent
from backend.observability.metrics import INGESTED
from backend.observability.tracing import tracer
from backend.settings import Settings


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
       occurred_at, metadata::jsonb, 'RECEIVED', 0, now(), $10::uuid
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::timestamptz[], $9::text[]) WITH ORDINALITY
     AS incoming(id, channel, idempotency_key, sender, external_conversation_id, thread_key, text,
                 occurred_at, metadata, position)
ORDER BY position  -- acceptance order within a batch is the order it was sent in
ON CONFLICT (channel, idempotency_key) DO NOTHING
RETURNING id, channel, idempotency_key
"""
_EXISTING = """
SELECT e.id, e.channel, e.idempotency_key FROM ingest_events e
JOIN unnest($1::text[], $2::text[]) AS wanted(channel, idempotency_key)
  ON e.channel = wanted.channel AND e.idempotency_key = wanted.idempotency_key
"""


@dataclass
class IngestContext:
    """What accepting needs from the running process."""

    settings: Settings
    queue: Queue
    rate_limiter: RateLimiter


def _buckets(event: IncomingEvent, *, api_key_id: uuid.UUID | None, settings: Settings) -> list[Bucket]:
    buckets = [Bucket(f"sender:{event.channel.value}:{event.sender}", settings.rate_limit_per_sender_per_minute)]
    if api_key_id is not None:
        buckets.append(Bucket(f"key:{api_key_id}", settings.rate_limit_per_key_per_minute))
    return buckets


async def _insert(events: list[IncomingEvent], *, api_key_id: uuid.UUID | None) -> list[Accepted]:
    """Insert new events and find the originals of duplicates, answering in input order."""
    connection = connections.get("default")
    ids = [uuid.uuid4() for _ in events]
    columns = [
        ids,
        [event.channel.value for event in events],
        [event.idempotency_key for event in events],
        [event.sender for event in events],
        [event.external_conversation_id for event in events],
        [event.thread_key for event in events],
        [event.text for event in events],
        [event.occurred_at for event in events],
        [json.dumps(event.metadata) for event in events],
        api_key_id,
    ]
    # execute_query_dict, not execute_query: Tortoise drops the rows of an INSERT … RETURNING in the latter.
    inserted = await connection.execute_query_dict(_INSERT, columns)
    new = {(row["channel"], row["idempotency_key"]): row["id"] for row in inserted}
    originals = dict(new)
    missing = {(event.channel.value, event.idempotency_key) for event in events} - new.keys()
    if missing:
        channels, keys = zip(*missing)
        existing = await connection.execute_query_dict(_EXISTING, [list(channels), list(keys)])
        originals.update({(row["channel"], row["idempotency_key"]): row["id"] for row in existing})

    answers, answered = [], set()
    for event in events:
        identity = (event.channel.value, event.idempotency_key)
        # The first mention of a new key in this call is the original; any other mention is a duplicate.
        answers.append(Accepted(event_id=originals[identity], duplicate=identity not in new or identity in answered))
        answered.add(identity)
    return answers


async def accept_events(
    *, events: list[IncomingEvent], api_key_id: uuid.UUID | None, context: IngestContext
) -> list[Accepted | Throttled]:
    """Accept validated events: each answer is Accepted (new or duplicate) or Throttled, in input order."""
    waits = await context.rate_limiter.retry_after(
        [_buckets(event, api_key_id=api_key_id, settings=context.settings) for event in events]
    )
    allowed = [event for event, wait in zip(events, waits) if wait is None]
    accepted = iter(await _insert(allowed, api_key_id=api_key_id) if allowed else [])
    answers: list[Accepted | Throttled] = [
        Throttled(retry_after_seconds=wait) if wait is not None else next(accepted) for wait in waits
    ]
    for event, answer in zip(events, answers):
        outcome = "rate_limited" if isinstance(answer, Throttled) else "duplicate" if answer.duplicate else "accepted"
        INGESTED.labels(event.channel.value, outcome).inc()
    new_ids = [answer.event_id for answer in answers if isinstance(answer, Accepted) and not answer.duplicate]
    if new_ids:
        with tracer.start_as_current_span("enqueue process_event", kind=SpanKind.PRODUCER,
                                          attributes={"messaging.system": "saq", "messaging.batch.message_count": len(new_ids)}):
            await enqueue_processing(queue=context.queue, settings=context.settings, event_ids=new_ids)
    return answers


Refusal = TypeVar("Refusal")


async def accept_checked(
    *, checked: list[IncomingEvent | Refusal], api_key_id: uuid.UUID | None, context: IngestContext
) -> list[Accepted | Throttled | Refusal]:
    """accept_events for the valid items of a batch; refusals stay in place, so answers keep the input's order."""
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


async def page_ingest_events(*, criteria: IngestEventCriteria, first: int, after: str | None) -> Page[IngestEvent]:
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
    try:
        yield IngestContext(settings=settings, queue=queue, rate_limiter=RateLimiter(redis))
    finally:
        await queue.disconnect()
        await redis.aclose()
