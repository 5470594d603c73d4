"""The turn's phases with a real model on loopback: no connection or lock held while the model thinks, memory
of earlier tool calls, a turn decided again when the conversation changed underneath, one turn at a time per
thread."""

import asyncio
import uuid

import asyncpg
import pytest
import redis.asyncio as aioredis
from saq import Queue

from backend.agent.models import AgentRun
from backend.agent.setup import build_agent
from backend.conversations.models import Conversation, Message, MessageAuthor
from backend.conversations.service import append_human_reply
from backend.events.hub import CHANNEL_PREFIX, EventHub, SilentHub
from backend.ingest.models import IngestEvent, IngestStatus
from backend.turns import pipeline
from tests.agent.helpers import open_business
from tests.fake_provider import serve
from tests.helpers import free_port
from tests.turns.support import ProbingModel, accept


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    yield client
    await client.aclose()


@pytest.fixture
async def model(test_settings, monkeypatch):
    """A probing model on a real port; the openai policy points at it."""
    probing = ProbingModel()
    async with serve(probing.app(), free_port()) as base:
        monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
        yield probing


async def _process(event_id, settings, redis, agent):
    return await pipeline.process_event(
        event_id=event_id, hub=SilentHub(), redis=redis, settings=settings, agent=agent
    )


async def test_no_connection_lock_or_transaction_is_held_while_the_model_thinks(
    app, test_settings, redis, model
):
    await open_business()
    dsn = str(test_settings.database_url).replace("postgres://", "postgresql://")
    probe = await asyncpg.connect(dsn, server_settings={"application_name": "turn-probe"})
    seen: list[tuple[int, bool]] = []

    async def look(body):
        open_transactions = await probe.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name <> 'turn-probe' AND state LIKE 'idle in transaction%'"
        )
        async with (
            probe.transaction()
        ):  # the conversation's row can be locked by anyone: the turn holds no lock
            locked = await probe.fetch("SELECT id FROM conversations FOR UPDATE NOWAIT")
        seen.append((open_transactions, bool(locked)))

    model.hook = look
    queue = Queue.from_url(str(test_settings.redis_url), name=f"phases-{uuid.uuid4().hex[:8]}")
    agent = build_agent(test_settings, policy="openai")
    try:
        for number in range(3):  # one at a time, so an open transaction could only be the thinking turn's own
            (event_id,) = await accept(
                test_settings, redis, queue, (f"+1555020{number:04d}", "any haircut today?")
            )
            result = await _process(event_id, test_settings, redis, agent)
            assert [turn.status.value for turn in result.turns] == ["OK"]
    finally:
        await probe.close()
        await queue.disconnect()
    assert len(seen) == 6 and all(open_transactions == 0 and locked for open_transactions, locked in seen), (
        seen
    )


async def test_the_model_remembers_its_earlier_tool_calls_and_their_results(app, test_settings, redis, model):
    await open_business()
    queue = Queue.from_url(str(test_settings.redis_url), name=f"phases-{uuid.uuid4().hex[:8]}")
    agent = build_agent(test_settings, policy="openai")
    for text in ("what haircuts do you have today?", "the second one please"):
        (event_id,) = await accept(test_settings, redis, queue, ("+15550300001", text))
        await _process(event_id, test_settings, redis, agent)
    await queue.disconnect()

    second_turn = model.requests[2]["messages"]
    roles = [message["role"] for message in second_turn]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "user"]
    call = second_turn[2]["tool_calls"][0]
    assert call["function"]["name"] == "check_availability" and call["id"] == "call_2_1"
    assert second_turn[3]["tool_call_id"] == "call_2_1"
    assert '"slots"' in second_turn[3]["content"]  # the result the model saw a turn ago, not a summary of it
    assert second_turn[4]["content"].startswith("Noted: what haircuts")


async def test_a_memory_budget_keeps_the_newest_and_drops_the_oldest_whole(
    app, test_settings, redis, model, monkeypatch
):
    await open_business()
    monkeypatch.setattr(test_settings, "openai_memory_tokens", 1100)
    queue = Queue.from_url(str(test_settings.redis_url), name=f"phases-{uuid.uuid4().hex[:8]}")
    agent = build_agent(test_settings, policy="openai")
    for number in range(4):
        (event_id,) = await accept(test_settings, redis, queue, ("+15550300002", f"message number {number}"))
        await _process(event_id, test_settings, redis, agent)
    await queue.disconnect()

    last = model.requests[-2]["messages"]  # the fourth turn's first call
    texts = [message.get("content") or "" for message in last]
    assert texts[-1] == "message number 3" and "message number 0" not in " ".join(texts)
    # Whole items only: no tool result without the assistant call that asked for it.
    for index, message in enumerate(last):
        if message["role"] == "tool":
            assert last[index - 1]["tool_calls"][0]["id"] == message["tool_call_id"]


async def test_a_turn_is_decided_again_when_a_human_replied_while_the_model_thought(
    app, test_settings, redis, model
):
    await open_business()
    queue = Queue.from_url(str(test_settings.redis_url), name=f"phases-{uuid.uuid4().hex[:8]}")
    (event_id,) = await accept(test_settings, redis, queue, ("+15550400001", "do you have a haircut today?"))
    interrupted = []

    async def human_replies(body):
        if not interrupted:
            interrupted.append(True)
            conversation = await Conversation.get(customer="+15550400001")
            await append_human_reply(
                conversation_id=conversation.id, text="Hi, Sam from the salon here!", hub=SilentHub()
            )

    model.hook = human_replies
    result = await _process(event_id, test_settings, redis, build_agent(test_settings, policy="openai"))
    await queue.disconnect()

    assert len(result.turns) == 1 and len(model.requests) == 4  # decided twice, committed once
    assert any(
        message.get("content") == "Hi, Sam from the salon here!" for message in model.requests[2]["messages"]
    )
    assert await AgentRun.all().count() == 1
    authors = [message.author for message in await Message.all().order_by("sequence")]
    assert authors == [MessageAuthor.CUSTOMER, MessageAuthor.HUMAN, MessageAuthor.AGENT]


async def test_one_turn_at_a_time_per_conversation_in_acceptance_order(app, test_settings, redis, model):
    await open_business()
    model.latency = 0.2
    queue = Queue.from_url(str(test_settings.redis_url), name=f"phases-{uuid.uuid4().hex[:8]}")
    texts = ["first question", "second question", "third question"]
    event_ids = await accept(test_settings, redis, queue, *(("+15550500001", text) for text in texts))
    agent = build_agent(test_settings, policy="openai")
    # Three jobs of one thread at once, the last first: the lease lets one decide at a time, in acceptance
    # order.
    await asyncio.gather(
        *(_process(event_id, test_settings, redis, agent) for event_id in reversed(event_ids))
    )
    await queue.disconnect()

    assert model.most_in_flight == 1
    assert await IngestEvent.filter(status=IngestStatus.PROCESSED).count() == 3
    runs = await AgentRun.all().order_by("created_at").prefetch_related("trigger_message", "reply_message")
    assert [run.trigger_message.text for run in runs] == texts
    assert [run.reply_message.text for run in runs] == [f"Noted: {text}" for text in texts]


async def test_hub_publishes_the_customer_message_before_the_answer(app, test_settings, redis, model):
    queue = Queue.from_url(str(test_settings.redis_url), name=f"phases-{uuid.uuid4().hex[:8]}")
    (event_id,) = await accept(test_settings, redis, queue, ("+15550600001", "hello"))
    listener = redis.pubsub(ignore_subscribe_messages=True)
    await listener.psubscribe(CHANNEL_PREFIX + "*")  # what a live view receives, in the order it receives it
    try:
        await pipeline.process_event(
            event_id=event_id,
            hub=EventHub(redis),
            redis=redis,
            settings=test_settings,
            agent=build_agent(test_settings, policy="openai"),
        )
        await queue.disconnect()
        published, deadline = [], asyncio.get_running_loop().time() + 5
        while len(published) < 3 and asyncio.get_running_loop().time() < deadline:
            message = await listener.get_message(
                timeout=1
            )  # None also for the subscription's own confirmation
            if message is not None:
                published.append(message["channel"].decode().removeprefix(CHANNEL_PREFIX))
    finally:
        await listener.aclose()
    assert published == ["conversation.updated", "conversation.updated", "run.completed"]
