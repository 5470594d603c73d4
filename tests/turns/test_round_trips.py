"""What one turn costs in database statements: a wave of turns shares the pool's few connections, so every
round trip of every turn waits for one. The counts are the design (backend/turns/*.py says which statement
does what); a change that adds one should change this test on purpose."""

import uuid

import pytest
import redis.asyncio as aioredis
from saq import Queue

from backend.agent.setup import build_agent
from backend.conversations.models import DeliveryStatus, Message
from backend.core.enums import Channel
from backend.events.hub import EventHub, SilentHub
from backend.turns import pipeline
from tests.agent.helpers import open_business
from tests.fake_provider import serve
from tests.helpers import RedisRoundTrips, StatementCounter, free_port
from tests.turns.support import ProbingModel, accept

# The lease's two: taken (carrying the append's event), released (carrying the turn's events).
PIPELINE_REDIS_ROUND_TRIPS = 2
# append (one function call) + load (one query) + commit (one function call: the reply at the version read,
# the answered mark, the run and its tool calls). With no BEGIN or COMMIT: each call is its own transaction.
PIPELINE_STATEMENTS = 3


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    yield client
    await client.aclose()


async def _count_one_turn(
    test_settings,
    redis,
    monkeypatch,
    agent,
    text: str,
    trips: list | None = None,
    hub=None,
    delivery_channels=None,
) -> tuple[list[str], object]:
    queue = Queue.from_url(str(test_settings.redis_url), name=f"trips-{uuid.uuid4().hex[:8]}")
    try:
        (event_id,) = await accept(
            test_settings, redis, queue, (f"+1555090{uuid.uuid4().int % 10000:04d}", text)
        )
        counter = StatementCounter(monkeypatch)
        if trips is not None:
            trips.append(RedisRoundTrips(monkeypatch))
        result = await pipeline.process_event(
            event_id=event_id,
            hub=hub or SilentHub(),
            redis=redis,
            settings=test_settings,
            agent=agent,
            delivery_channels=delivery_channels,
        )
    finally:
        await queue.disconnect()
    return counter.statements, result


async def test_a_turn_without_tools_costs_three_statements(app, test_settings, redis, monkeypatch):
    await open_business()
    statements, result = await _count_one_turn(
        test_settings, redis, monkeypatch, build_agent(test_settings), "hello"
    )
    assert [turn.status.value for turn in result.turns] == ["OK"]
    assert len(statements) == PIPELINE_STATEMENTS, statements


async def test_a_model_turn_with_a_tool_call_adds_only_the_tools_own_reads(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    probing = ProbingModel()  # check_availability, then words
    async with serve(probing.app(), free_port()) as base:
        monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
        agent = build_agent(test_settings, policy="openai")
        statements, result = await _count_one_turn(
            test_settings, redis, monkeypatch, agent, "any haircut today?"
        )
    assert [turn.status.value for turn in result.turns] == ["OK"] and len(probing.requests) == 2
    pipeline_statements = [
        sql for sql in statements if "slots" not in sql.lower() and "bookings" not in sql.lower()
    ]
    assert len(pipeline_statements) == PIPELINE_STATEMENTS, statements
    assert len(statements) - len(pipeline_statements) <= 2, statements  # check_availability: its read(s)


async def test_a_turn_costs_two_redis_round_trips_its_events_riding_on_the_lease(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    trips: list[RedisRoundTrips] = []
    statements, result = await _count_one_turn(
        test_settings,
        redis,
        monkeypatch,
        build_agent(test_settings),
        "hello",
        trips=trips,
        hub=EventHub(redis),
    )
    assert [turn.status.value for turn in result.turns] == ["OK"]
    # The turn drawn for online evaluation (the suite samples every turn) rides on the release as well: no
    # trip added.
    assert trips[0].commands == [["PUBLISH", "SET"], ["PUBLISH", "PUBLISH", "RPUSH", "EVAL"]]


async def test_a_reply_with_no_delivery_endpoint_is_written_failed_with_its_reason_by_the_commit(
    app, test_settings, redis, monkeypatch
):
    await open_business()
    statements, result = await _count_one_turn(
        test_settings,
        redis,
        monkeypatch,
        build_agent(test_settings),
        "hello",
        delivery_channels=frozenset({Channel.CHAT}),
    )  # an SMS thread
    (turn,) = result.turns
    assert len(statements) == PIPELINE_STATEMENTS and not turn.delivery
    reply = await Message.get(id=turn.reply_message_id)
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert reply.delivery_error.startswith("no delivery endpoint configured for SMS")
    assert (
        "AGENTOPS_SANDBOX_DELIVERY=true" in reply.delivery_error
    )  # it says how to get replies out in a demo

    _, result = await _count_one_turn(
        test_settings,
        redis,
        monkeypatch,
        build_agent(test_settings),
        "hello",
        delivery_channels=frozenset({Channel.SMS}),
    )
    (turn,) = result.turns
    assert (
        turn.delivery
        and (await Message.get(id=turn.reply_message_id)).delivery_status == DeliveryStatus.QUEUED
    )
