"""What a worker's log says about failures: an expected retry of an event's turn is one WARNING line with the
event, the attempt and the reason (no SAQ traceback); a truly unexpected failure keeps its traceback; SAQ's
per-job lines (Enqueuing, Processing, Finished, Retrying) wait for DEBUG.

A real SAQ worker runs in this process on a queue of its own, with the worker's job function, and the
product's log configuration writes JSON lines to a buffer.
"""

import asyncio
import io
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis.asyncio as aioredis
from saq import Queue, Worker

from backend.agent.setup import build_agent
from backend.events.hub import SilentHub
from backend.ingest.models import IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing
from backend.telemetry.logs import configure_logging
from jobs.ingest import process_event
from tests.agent.helpers import open_business
from tests.helpers import free_port, wait_until
from tests.turns.support import accept

SAQ_PER_JOB = ("Enqueuing", "Processing", "Finished", "Retrying")


@contextmanager
def product_logs(*, level: str) -> Iterator[io.StringIO]:
    """The product's logging, to a buffer, for the duration; the suite's own logging afterwards."""
    root, saq = logging.getLogger(), logging.getLogger("saq")
    saved = root.handlers[:], root.level, saq.level
    buffer = io.StringIO()
    configure_logging(level=level, json=True, stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], _, _ = saved
        root.setLevel(saved[1])
        saq.setLevel(saved[2])


async def exploding(ctx) -> None:
    raise RuntimeError("nobody saw this coming")


async def _run_worker(test_settings, redis, queue, *, until) -> None:
    async def startup(ctx):
        ctx.update(
            redis=redis,
            hub=SilentHub(),
            queue=queue,
            app_settings=test_settings,
            adapters={},
            agent=build_agent(test_settings, policy="openai"),
        )

    worker = Worker(
        queue,
        functions=[process_event, exploding],
        concurrency=4,
        startup=startup,
        dequeue_timeout=0.5,
        timers={"schedule": 1, "abort": 1, "sweep": 60, "worker_info": 5},
    )
    task = asyncio.create_task(worker.start())
    try:
        await until()
    finally:
        await worker.stop()
        task.cancel()


async def test_an_expected_retry_is_one_warning_line_and_a_surprise_keeps_its_traceback(
    app, test_settings, monkeypatch
):
    await open_business()
    # Nothing listens there: every model call fails at once, each attempt of the turn fails and is retried.
    monkeypatch.setattr(test_settings, "openai_base_url", f"http://127.0.0.1:{free_port()}/v1")
    redis = aioredis.Redis.from_url(str(test_settings.redis_url))
    queue = Queue.from_url(str(test_settings.redis_url), name=f"retry-logs-{uuid.uuid4().hex[:8]}")
    try:
        with product_logs(level="INFO") as buffer:
            (event_id,) = await accept(test_settings, redis, queue, ("+15550710001", "Can I book a haircut?"))
            await enqueue_processing(queue=queue, settings=test_settings, event_ids=[event_id])
            surprise = await queue.enqueue("exploding", retries=2, retry_delay=0.1, timeout=10)

            async def settled():
                event = await IngestEvent.get(id=event_id)
                await surprise.refresh()
                return event.status == IngestStatus.DEAD and surprise.status == "failed" or None

            await _run_worker(
                test_settings,
                redis,
                queue,
                until=lambda: wait_until(settled, timeout=40, message="the event dead, the job failed"),
            )
    finally:
        await queue.disconnect()
        await redis.aclose()

    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    about_event = [
        record
        for record in records
        if record.get("event_id") == str(event_id) and record["level"] in ("warning", "error", "critical")
    ]
    # One WARNING line per failed attempt, saying which event, which attempt of how many, and why; nothing
    # else about it at WARNING or above.
    assert [(r["event"], r["level"], r.get("attempt")) for r in about_event] == [
        ("ingest.process_failed", "warning", attempt)
        for attempt in range(1, test_settings.process_attempts + 1)
    ]
    assert all(
        r["attempts"] == test_settings.process_attempts and "ModelUnavailable" in r["error"]
        for r in about_event
    )
    assert [r["dead"] for r in about_event][-1] is True
    # Nothing else about its job: no SAQ traceback for an expected retry.
    assert not [r for r in records if "exception" in r and r.get("job_function") == "process_event"]
    assert not [r for r in records if "Error processing job" in r["event"]]

    # The unexpected failure: one ERROR line per attempt, with the job and the traceback.
    failures = [r for r in records if r.get("job_function") == "exploding"]
    assert [(r["event"], r["level"], r["attempt"]) for r in failures] == [
        ("job.failed", "error", 1),
        ("job.failed", "error", 2),
    ]
    assert all(
        "Traceback" in r["exception"] and "RuntimeError: nobody saw this coming" in r["exception"]
        for r in failures
    )

    # Per-job lines are DEBUG: at INFO, none of them.
    assert not [r for r in records if r["logger"] == "saq" and r["event"].startswith(SAQ_PER_JOB)]


async def test_at_debug_the_per_job_lines_are_there(app, test_settings):
    redis = aioredis.Redis.from_url(str(test_settings.redis_url))
    queue = Queue.from_url(str(test_settings.redis_url), name=f"retry-logs-{uuid.uuid4().hex[:8]}")
    try:
        with product_logs(level="DEBUG") as buffer:
            job = await queue.enqueue("exploding", retries=1, timeout=10)

            async def failed():
                await job.refresh()
                return job.status == "failed" or None

            await _run_worker(test_settings, redis, queue, until=lambda: wait_until(failed, timeout=20))
    finally:
        await queue.disconnect()
        await redis.aclose()
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    per_job = {
        r["event"].split()[0] for r in records if r["logger"] == "saq" and r["event"].startswith(SAQ_PER_JOB)
    }
    assert per_job == {"Enqueuing", "Processing", "Finished"} and all(
        r["level"] == "debug" for r in records if r["logger"] == "saq" and r["event"].startswith(SAQ_PER_JOB)
    )
