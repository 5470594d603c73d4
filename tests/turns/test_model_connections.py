"""A model endpoint that drops connections: a request on a connection the server closed is sent again once, at
once, instead of failing the attempt (which would cost the customer a retry's backoff); a server that keeps
dropping them fails the attempt as ModelUnavailable."""

import asyncio
import json
import uuid

import pytest
import redis.asyncio as aioredis
from saq import Queue

from backend.agent.setup import build_agent
from backend.events.hub import SilentHub
from backend.ingest.models import IngestEvent, IngestStatus
from backend.turns import pipeline
from tests.agent.helpers import open_business
from tests.helpers import free_port
from tests.turns.support import accept

ANSWER = json.dumps(
    {
        "id": "c",
        "object": "chat.completion",
        "model": "m",
        "usage": {},
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Hello from the model"},
            }
        ],
    }
)


class DroppingModel:
    """Speaks just enough HTTP/1.1: closes the connection without an answer for the first `drops` requests."""

    def __init__(self, drops: int) -> None:
        self.drops, self.requests = drops, 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                await reader.readexactly(length)
                self.requests += 1
                if self.requests <= self.drops:
                    return  # as a server closing an idle keep-alive connection does: no answer at all
                body = ANSWER.encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    yield client
    await client.aclose()


async def _turn_against(model: DroppingModel, test_settings, redis, monkeypatch):
    port = free_port()
    server = await asyncio.start_server(model.serve, "127.0.0.1", port)
    monkeypatch.setattr(test_settings, "openai_base_url", f"http://127.0.0.1:{port}/v1")
    queue = Queue.from_url(str(test_settings.redis_url), name=f"drops-{uuid.uuid4().hex[:8]}")
    agent = build_agent(test_settings, policy="openai")
    try:
        (event_id,) = await accept(test_settings, redis, queue, ("+15550800001", "hello?"))
        try:
            result = await pipeline.process_event(
                event_id=event_id, hub=SilentHub(), redis=redis, settings=test_settings, agent=agent
            )
        except pipeline.AttemptFailed as failed:
            result = failed
    finally:
        await agent.policy.aclose()
        server.close()
        await queue.disconnect()
    return event_id, result


async def test_a_dropped_connection_is_retried_once_and_the_turn_answers(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    model = DroppingModel(drops=1)
    event_id, result = await _turn_against(model, test_settings, redis, monkeypatch)
    assert [turn.reply for turn in result.turns] == ["Hello from the model"] and model.requests == 2
    event = await IngestEvent.get(id=event_id)
    assert event.status == IngestStatus.PROCESSED and event.attempts == 1


async def test_a_server_that_keeps_dropping_fails_the_attempt_as_model_unavailable(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    model = DroppingModel(drops=10)
    event_id, result = await _turn_against(model, test_settings, redis, monkeypatch)
    assert isinstance(result, pipeline.AttemptFailed) and "chat completion failed" in str(result)
    assert model.requests == 2  # the first try and one retry, no more
    event = await IngestEvent.get(id=event_id)
    assert (
        event.status == IngestStatus.RECEIVED
        and event.attempts == 1
        and "chat completion failed" in event.last_error
    )
