"""A job's heartbeat while it runs: SAQ's sweep takes back a job whose beats stop (its worker was killed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)


async def _beat(job: Any) -> None:
    while True:
        await asyncio.sleep(max(1.0, job.heartbeat / 3))
        try:
            await job.update()
        except (aioredis.RedisError, OSError) as error:  # the next beat may get through
            log.warning("job.heartbeat_failed", function=job.function, error=str(error))


@contextlib.asynccontextmanager
async def beating(job: Any) -> AsyncIterator[None]:
    """Keep `job`'s heartbeat fresh inside the block (nothing to do for a job enqueued without one)."""
    task = asyncio.create_task(_beat(job)) if job.heartbeat else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
