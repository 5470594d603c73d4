"""Bounded time: a model that never answers, or whose rounds outlast the job, fails the attempt; the attempt
is recorded, retried with backoff, and after the last one the event is DEAD, replayable, and its thread goes
on.

A real SAQ worker runs in this process on a queue of the test's own, with the worker's job function.
"""

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis
from saq import Queue, Worker

from backend.agent.setup import build_agent
from backend.events.hub import SilentHub
from backend.ingest.dead_letters import replay_dead_letter
from backend.ingest.models import DeadLetter, IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing
from backend.turns import pipeline
from jobs.ingest import process_event
from tests.agent.helpers import open_business
from tests.fake_provider import serve
from tests.helpers import free_port, wait_until
from tests.turns.support import ProbingModel, accept


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    yield client
    await client.aclose()


async def _model(test_settings, monkeypatch, probing: ProbingModel):
    context = serve(probing.app(), free_port())
    base = await context.__aenter__()
    monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
    return context


async def _died(event_id):
    event = await IngestEvent.get(id=event_id)
    return event if event.status == IngestStatus.DEAD else None


async def test_a_model_that_never_answers_makes_the_event_dead_and_the_thread_goes_on(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    monkeypatch.setattr(test_settings, "openai_timeout_seconds", 0.5)
    monkeypatch.setattr(test_settings, "process_timeout_seconds", 3)
    probing = ProbingModel(hang_on="HANG")
    model = await _model(test_settings, monkeypatch, probing)
    try:
        async for queue in _worker(test_settings, redis):
            stuck, later = await accept(
                test_settings,
                redis,
                queue,
                ("+15550700001", "HANG on a second"),
                ("+15550700001", "are you there?"),
            )
            await enqueue_processing(queue=queue, settings=test_settings, event_ids=[stuck, later])
            dead = await wait_until(
                lambda stuck=stuck: _died(stuck), timeout=40, message="the hanging event to die"
            )
            assert dead.attempts == test_settings.process_attempts and "timed out" in dead.last_error
            letter = await DeadLetter.get(event_id=stuck)
            assert (
                letter.attempts == test_settings.process_attempts and letter.error_type == "ModelUnavailable"
            )
            # The later message of the same thread was not stuck behind it.
            answered = await wait_until(
                lambda later=later: _processed(later), timeout=20, message="the later message answered"
            )
            assert answered
    finally:
        probing.release()
        await model.__aexit__(None, None, None)


async def _processed(event_id):
    return (await IngestEvent.get(id=event_id)).status == IngestStatus.PROCESSED or None


async def _worker(test_settings, redis):
    queue = Queue.from_url(str(test_settings.redis_url), name=f"bounded-{uuid.uuid4().hex[:8]}")

    async def startup(ctx):
        ctx.update(
            redis=redis,
            hub=SilentHub(),
            queue=queue,
            app_settings=test_settings,
            adapters={},
            agent=build_agent(test_settings, policy="openai"),
        )

    running = Worker(
        queue,
        functions=[process_event],
        concurrency=4,
        startup=startup,
        dequeue_timeout=0.5,
        timers={"schedule": 1, "abort": 1, "sweep": 60, "worker_info": 5},
    )
    task = asyncio.create_task(running.start())
    try:
        yield queue
    finally:
        await running.stop()
        task.cancel()
        await queue.disconnect()


async def test_rounds_that_outlast_the_job_fail_each_attempt_until_dead_then_a_replay_answers(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    # Each call answers in 2 s, under its 3 s timeout, but two calls a turn outlast a 5 s job (our deadline
    # 3.5 s). The first call ends 1.5 s before the deadline: room for a busy machine to still reach the second
    # call.
    monkeypatch.setattr(test_settings, "openai_timeout_seconds", 3.0)
    monkeypatch.setattr(test_settings, "process_timeout_seconds", 5)
    probing = ProbingModel(latency=2.0)
    model = await _model(test_settings, monkeypatch, probing)
    try:
        async for queue in _worker(test_settings, redis):
            (event_id,) = await accept(
                test_settings, redis, queue, ("+15550700002", "any haircut this week?")
            )
            await enqueue_processing(queue=queue, settings=test_settings, event_ids=[event_id])
            dead = await wait_until(
                lambda event_id=event_id: _died(event_id), timeout=40, message="the slow event to die"
            )
            assert dead.attempts == test_settings.process_attempts and "timed out" in dead.last_error
            # Rounds outlasted the job: attempts reached their second call (each would, on a quiet machine; a
            # busy one can stretch a first call past its own timeout) and none got further.
            assert (
                test_settings.process_attempts < len(probing.requests) <= 2 * test_settings.process_attempts
            )
            # Replayable: with a model fast enough, the replay answers it.
            probing.latency = 0.0
            letter = await DeadLetter.get(event_id=event_id)
            _, replayed = await replay_dead_letter(
                dead_letter_id=letter.id, queue=queue, settings=test_settings
            )
            assert replayed
            assert await wait_until(
                lambda event_id=event_id: _processed(event_id),
                timeout=20,
                message="the replayed event answered",
            )
    finally:
        probing.release()
        await model.__aexit__(None, None, None)


async def test_an_attempt_cancelled_mid_turn_is_recorded_on_its_event(app, test_settings, redis, monkeypatch):
    await open_business()
    probing = ProbingModel(hang_on="HANG")
    model = await _model(test_settings, monkeypatch, probing)
    queue = Queue.from_url(str(test_settings.redis_url), name=f"bounded-{uuid.uuid4().hex[:8]}")
    try:
        (event_id,) = await accept(test_settings, redis, queue, ("+15550700003", "HANG in there"))
        attempt = asyncio.create_task(
            pipeline.process_event(
                event_id=event_id,
                hub=SilentHub(),
                redis=redis,
                settings=test_settings,
                agent=build_agent(test_settings, policy="openai"),
            )
        )

        async def calling():
            return probing.in_flight == 1 or None

        await wait_until(calling, timeout=10, message="the model call in flight")
        attempt.cancel()  # what SAQ does at its timeout, or a stopping worker after its grace period
        with pytest.raises(asyncio.CancelledError):
            await attempt
        event = await IngestEvent.get(id=event_id)
        assert (
            event.status == IngestStatus.RECEIVED and event.attempts == 1 and "cancelled" in event.last_error
        )
    finally:
        probing.release()
        await queue.disconnect()
        await model.__aexit__(None, None, None)
