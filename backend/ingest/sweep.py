"""SAQ's sweep, without aborting jobs a worker has only just taken.

A worker takes a job in two steps: BLMOVE moves its id to the active list, then a second write marks the job
ACTIVE. SAQ's sweep (every few seconds, on one worker) aborts and retries every job in the active list that is
not marked ACTIVE — so a job caught between the two steps is run twice: seen at worker start as "Sweeping job
…" then "Retrying Job …" for jobs that were being picked up, and in bench/llm.py as turns cancelled mid-call.
Here a job found unmarked is only swept if the next sweep still finds it unmarked: a worker that died between
the two steps is still recovered, one sweep later.
"""

from __future__ import annotations

import logging
from typing import Any

from saq.job import Job, Status
from saq.queue.redis import RedisQueue

logger = logging.getLogger("saq")


# Job statuses someone here waits for on the job's pub/sub channel: the sweep, until a swept job is aborted or
# failed.
_AWAITED = {Status.ABORTING, Status.ABORTED, Status.FAILED}


class PatientSweepQueue(RedisQueue):
    """A Redis queue whose sweep gives a just-taken job until the next sweep to be marked ACTIVE.

    It also publishes a job's status change only when someone here waits for it. SAQ publishes every change
    (taken, finished) for `Job.refresh(until_complete)` / `Queue.apply` waiters; nothing here waits on those
    but the sweep, and two PUBLISH round trips a job are a tenth of a model turn's socket writes in a worker
    (bench/llm.py).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unmarked_last_sweep: set[bytes] = set()

    async def notify(self, job: Job) -> None:
        if job.status in _AWAITED:
            await super().notify(job)

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        if not self._cleanup_script:
            self._cleanup_script = self.redis.register_script(
                """
                local id_jobs = {}
                if redis.call('EXISTS', KEYS[1]) == 0 then
                    redis.call('SETEX', KEYS[1], ARGV[1], 1)
                    for i, v in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
                        id_jobs[i] = {v, redis.call('GET', v)}
                    end
                end
                return id_jobs
                """
            )
        id_jobs = await self._cleanup_script(keys=[self._sweep, self._active], args=[lock], client=self.redis)
        swept: list[bytes] = []
        unmarked: set[bytes] = set()
        for job_id, job_bytes in id_jobs:
            job = self.deserialize(job_bytes)
            if job is None:
                swept.append(job_id)
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.lrem(self._active, 0, job_id).zrem(self._incomplete, job_id).execute()
                logger.info("Sweeping missing job %s", job_id)
                continue
            if job.status == Status.QUEUED and job_id not in self._unmarked_last_sweep:
                unmarked.add(job_id)  # taken a moment ago, most likely: its worker is about to mark it
                continue
            if job.status != Status.ACTIVE or job.stuck:
                logger.info("Sweeping job %s", job.info(logger.isEnabledFor(logging.DEBUG)))
                swept.append(job_id)
                await self.abort(job, error=self.swept_error_message)
                try:
                    await job.refresh(abort)
                except TimeoutError:
                    logger.info("Could not abort job %s", job_id)
                if job.retryable:
                    await self.retry(job, error=self.swept_error_message)
                else:
                    await self.finish(job, Status.ABORTED, error=self.swept_error_message)
        if id_jobs:  # an empty answer means another worker holds the sweep lock: keep what we saw
            self._unmarked_last_sweep = unmarked
        return [job_id.decode("utf-8") for job_id in swept]
