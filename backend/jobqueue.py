"""Putting keyed jobs on the SAQ queue for facts already safe in PostgreSQL (events, replies, notifications).

One helper for every domain that enqueues: a Redis failure is logged with what was not enqueued, never raised,
because the row is already committed and a reconciler enqueues whatever stays unfinished. The job key makes a
second enqueue of an unfinished job a no-op.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
import structlog
from saq import Queue

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class JobOptions:
    """How SAQ runs one kind of job: attempts in all, per-attempt timeout, backoff, heartbeat (0: none)."""

    function: str
    retries: int
    timeout: float
    retry_delay: float
    retry_backoff: float
    heartbeat: int = 0


async def enqueue_keyed(*, queue: Queue, options: JobOptions, jobs: Mapping[str, dict[str, Any]],
                        failure_event: str) -> int:
    """Enqueue one job per key (kwargs as given); returns how many were newly enqueued.

    A Redis failure is logged as `failure_event` with the key and the error, and that job is skipped: its row is
    in PostgreSQL and the reconciler picks it up.
    """

    async def enqueue_one(key: str, kwargs: dict[str, Any]) -> bool:
        try:
            job = await queue.enqueue(
                options.function, key=key, retries=options.retries, timeout=options.timeout,
                retry_delay=options.retry_delay, retry_backoff=options.retry_backoff,
                heartbeat=options.heartbeat, **kwargs,
            )
        except (aioredis.RedisError, OSError) as error:
            log.warning(failure_event, job_key=key, error=str(error))
            return False
        return job is not None

    return sum(await asyncio.gather(*(enqueue_one(key, kwargs) for key, kwargs in jobs.items())))


async def unfinished_keys(*, queue: Queue, keys: Iterable[str]) -> set[str]:
    """Which of these job keys are queued, scheduled or running right now (SAQ's `incomplete` set).

    A reconciler asks this before it re-reads the database: a job still unfinished will do the work itself, and one
    that finished between the reconciler's first read and its enqueue must not be started a second time.
    """
    keys = list(keys)
    if not keys:
        return set()
    scores = await queue.redis.zmscore(queue._incomplete, [queue.job_id(key) for key in keys])  # type: ignore[attr-defined]
    return {key for key, score in zip(keys, scores, strict=True) if score is not None}
