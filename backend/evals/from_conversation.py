"""Production to golden: a real conversation becomes a case, its tool results frozen and its replies expected."""

from __future__ import annotations

import hashlib
import json
import uuid

from tortoise.transactions import in_transaction

from backend.agent.models import AgentRun, ToolCall
from backend.conversations.models import Conversation, Message, MessageDirection
from backend.evals.golden import GoldenCase
from backend.evals.models import EvalCase, EvalSuite
from backend.evals.sync import latest_suite


async def case_from_conversation(*, conversation_id: uuid.UUID, name: str) -> GoldenCase | None:
    """The golden case a conversation makes: each customer turn with the agent's tools (results frozen) and reply."""
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        return None
    inbound = await Message.filter(conversation_id=conversation_id, direction=MessageDirection.INBOUND).order_by("sequence")
    runs = {run.trigger_message_id: run for run in await AgentRun.filter(conversation_id=conversation_id)}  # type: ignore[attr-defined]
    replies = {m.id: m.text for m in await Message.filter(conversation_id=conversation_id, direction=MessageDirection.OUTBOUND)}
    turns = []
    for message in inbound:
        run = runs.get(message.id)
        if run is None:
            turns.append({"customer": message.text, "expect": {"silent": True}})
            continue
        calls = await ToolCall.filter(run_id=run.id).order_by("position")
        turns.append({
            "customer": message.text,
            "tool_results": {call.name: call.result for call in calls if call.result is not None},
            "expect": {"tools": [{"name": call.name} for call in calls],
                       "reply_contains": [replies[run.reply_message_id]] if run.reply_message_id in replies else []},  # type: ignore[attr-defined]
        })
    if not turns:
        return None
    return GoldenCase.model_validate({
        "name": name, "description": f"From conversation {conversation_id} ({conversation.channel.value}).",
        "channel": conversation.channel, "customer": conversation.customer, "turns": turns,
        "now": inbound[0].created_at.isoformat(),
    })


async def add_case_to_suite(*, suite_name: str, case: GoldenCase) -> EvalSuite:
    """A new version of the suite: the newest version's cases plus this one."""
    previous = await latest_suite(suite_name)
    cases = await EvalCase.filter(suite=previous).order_by("name") if previous else []
    definition = case.model_dump(mode="json")
    version = hashlib.sha256(((previous.version if previous else "") + json.dumps(definition, sort_keys=True)).encode()).hexdigest()
    kept = [old for old in cases if old.name != case.name]
    async with in_transaction():
        suite = await EvalSuite.create(name=suite_name, version=version, case_count=len(kept) + 1, source="created")
        await EvalCase.bulk_create(
            [EvalCase(suite=suite, name=old.name, definition=old.definition, known_gap=old.known_gap) for old in kept]
            + [EvalCase(suite=suite, name=case.name, definition=definition)]
        )
    return suite
