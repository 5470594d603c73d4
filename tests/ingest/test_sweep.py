"""The queue's sweep spares a job a worker has just taken (in the active list, not yet marked ACTIVE) but
still recovers one whose worker died there, a sweep later — on real Redis."""

import uuid

from saq.job import Status

from backend.ingest.sweep import PatientSweepQueue


async def _taken_but_unmarked(queue: PatientSweepQueue) -> bytes:
    """What BLMOVE leaves before the worker's second write: the id in the active list, the job still
    QUEUED."""
    job = await queue.enqueue("process_event", key=str(uuid.uuid4()), retries=3, timeout=30)
    await queue.redis.lrem(queue._queued, 0, job.id)
    await queue.redis.lpush(queue._active, job.id)
    return job.id.encode()


async def test_a_job_just_taken_is_not_swept_but_a_stranded_one_is_swept_once_it_stays(test_settings):
    queue = PatientSweepQueue.from_url(str(test_settings.redis_url), name=f"sweep-{uuid.uuid4().hex[:8]}")
    try:
        stranded = await _taken_but_unmarked(queue)
        assert await queue.sweep(lock=1) == []  # first sighting: its worker may be marking it right now
        await queue.redis.delete(queue._sweep)
        assert await queue.sweep(lock=1) == [stranded.decode()]  # still unmarked a sweep later: retried
        job = await queue.job(stranded.decode().split(":")[-1])
        assert job.status == Status.QUEUED and job.attempts == 0  # back on the queue, nothing ran twice

        marked = await _taken_but_unmarked(queue)
        assert await queue.sweep(lock=1) == []
        stored = await queue.job(marked.decode().split(":")[-1])
        await stored.update(status=Status.ACTIVE, started=stored.queued, timeout=30)  # its worker marks it
        await queue.redis.delete(queue._sweep)
        assert await queue.sweep(lock=1) == []
    finally:
        await queue.disconnect()
