"""The one queue seam: keyed jobs on the SAQ queue for facts already safe in PostgreSQL.

Every domain that enqueues goes through `enqueue_keyed`: ingest (events), delivery (replies), incident
notifications, evals (chunks of a run) and drills (their end and their traffic). A Redis failure is logged
with what was not enqueued, never raised, because the row is already committed and a reconciler enqueues
whatever stays unfinished (or, for an eval run, the caller marks it failed). The job key makes a second
enqueue of an unfinished job a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
import structlog
from redis.exceptions import NoScriptError
from saq import Queue
from saq.job import Job, Status
from saq.utils import now

log = structlog.get_logger(__name__)

# SAQ's own enqueue script (saq/queue/redis.py, RedisQueue._enqueue), byte for byte: same SHA, same behaviour.
_SAQ_ENQUEUE = """
                if not redis.call('ZSCORE', KEYS[1], KEYS[2]) and redis.call('EXISTS', KEYS[4]) == 0 then
                    redis.call('SET', KEYS[2], ARGV[1])
                    redis.call('ZADD', KEYS[1], ARGV[2], KEYS[2])
                    if ARGV[2] == '0' then redis.call('RPUSH', KEYS[3], KEYS[2]) end
                    return 1
                else
                    return nil
                end
                """


@dataclass(frozen=True)
class JobOptions:
    """How SAQ runs one kind of job: attempts in all, per-attempt timeout, backoff, heartbeat (0: none)."""

    function: str
    retries: int
    timeout: float
    retry_delay: float
    retry_backoff: float
    heartbeat: int = 0


async def enqueue_keyed(
    *,
    queue: Queue,
    options: JobOptions,
    jobs: Mapping[str, dict[str, Any]],
    failure_event: str,
    scheduled: int = 0,
) -> int:
    """Enqueue one job per key (kwargs as given) in one Redis round trip; returns how many were newly
    enqueued.

    A Redis failure is logged as `failure_event` with the keys and the error, and those jobs are skipped:
    their rows are in PostgreSQL and the reconciler picks them up. `scheduled` (epoch seconds; 0: now) holds
    the jobs back until then.
    """
    if not jobs:
        return 0
    built = []
    for key, kwargs in jobs.items():
        job = Job(
            function=options.function,
            key=key,
            retries=options.retries,
            timeout=options.timeout,
            retry_delay=options.retry_delay,
            retry_backoff=options.retry_backoff,
            heartbeat=options.heartbeat,
            scheduled=scheduled,
            kwargs=kwargs,
        )
        # What Queue.enqueue sets before its script runs; the script itself is SAQ's own (see _pipelined).
        job.queue, job.queued, job.status = queue, now(), Status.QUEUED
        await queue._before_enqueue(job)  # type: ignore[attr-defined]
        built.append(job)
    try:
        replies = await _pipelined(queue, built)
    except (aioredis.RedisError, OSError) as error:
        log.warning(failure_event, job_keys=list(jobs), error=str(error))
        return 0
    return sum(1 for reply in replies if reply)


async def _pipelined(queue: Queue, jobs: list[Job]) -> list[Any]:
    """SAQ's enqueue script for each job, all in one pipeline (one round trip instead of one per job).

    The script (RedisQueue._enqueue's: add to `incomplete` and `queued` unless the key is already there) is
    sent by its SHA; a Redis that lost its scripts (restarted, SCRIPT FLUSH) gets it loaded and the pipeline
    sent again, which is harmless because the script skips a job already enqueued.
    """
    if queue._enqueue_script is None:  # type: ignore[attr-defined]
        queue._enqueue_script = queue.redis.register_script(_SAQ_ENQUEUE)  # type: ignore[attr-defined]
    script = queue._enqueue_script  # type: ignore[attr-defined]
    for attempt in (1, 2):
        pipeline = queue.redis.pipeline(transaction=False)
        for job in jobs:
            pipeline.evalsha(
                script.sha,
                4,
                queue._incomplete,
                job.id,
                queue._queued,  # type: ignore[attr-defined]
                job.abort_id,
                queue.serialize(job),
                job.scheduled,
            )
        replies = await pipeline.execute(raise_on_error=False)
        missing = any(isinstance(reply, NoScriptError) for reply in replies)
        if not missing:
            errors = [reply for reply in replies if isinstance(reply, Exception)]
            if errors:
                raise errors[0]
            return replies
        if attempt == 1:
            await queue.redis.script_load(_SAQ_ENQUEUE)
    raise aioredis.RedisError("SAQ's enqueue script could not be loaded")


async def unfinished_keys(*, queue: Queue, keys: Iterable[str]) -> set[str]:
    """Which of these job keys are queued, scheduled or running right now (SAQ's `incomplete` set).

    A reconciler asks this before it re-reads the database: a job still unfinished will do the work itself,
    and one that finished between the reconciler's first read and its enqueue must not be started a second
    time.
    """
    keys = list(keys)
    if not keys:
        return set()
    scores = await queue.redis.zmscore(queue._incomplete, [queue.job_id(key) for key in keys])  # type: ignore[attr-defined]
    return {key for key, score in zip(keys, scores, strict=True) if score is not None}
