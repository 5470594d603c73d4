"""Production to golden: a real conversation becomes a case, its tool results frozen and its replies expected
(or, where an evaluator scored a reply low online, that evaluator passing)."""

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
from backend.quality.definitions import load_evaluator
from backend.quality.models import EvalScore


async def case_from_conversation(*, conversation_id: uuid.UUID, name: str) -> GoldenCase | None:
    """The golden case a conversation makes: each customer turn with the agent's tools (results frozen) and
    reply."""
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        return None
    inbound = await Message.filter(
        conversation_id=conversation_id, direction=MessageDirection.INBOUND
    ).order_by("sequence")
    runs = {run.trigger_message_id: run for run in await AgentRun.filter(conversation_id=conversation_id)}  # type: ignore[attr-defined]
    replies = {
        m.id: m.text
        for m in await Message.filter(conversation_id=conversation_id, direction=MessageDirection.OUTBOUND)
    }
    failed = await _failed_scores(conversation_id)
    turns = []
    for message in inbound:
        run = runs.get(message.id)
        if run is None:
            turns.append({"customer": message.text, "expect": {"silent": True}})
            continue
        calls = await ToolCall.filter(run_id=run.id).order_by("position")
        expect: dict = {"tools": [{"name": call.name} for call in calls]}
        if run.id in failed:
            # An evaluator failed this reply: the case expects what it should have been (the evaluator
            # passing), not the reply it got, so it fails until the agent is fixed.
            expect["evaluators"] = failed[run.id]
        elif run.reply_message_id in replies:  # type: ignore[attr-defined]
            expect["reply_contains"] = [replies[run.reply_message_id]]  # type: ignore[attr-defined]
        turns.append(
            {
                "customer": message.text,
                "tool_results": {call.name: call.result for call in calls if call.result is not None},
                "expect": expect,
            }
        )
    if not turns:
        return None
    return GoldenCase.model_validate(
        {
            "name": name,
            "description": f"From conversation {conversation_id} ({conversation.channel.value}).",
            "channel": conversation.channel,
            "customer": conversation.customer,
            "turns": turns,
            "now": inbound[0].created_at.isoformat(),
        }
    )


async def _failed_scores(conversation_id: uuid.UUID) -> dict[uuid.UUID, dict[str, dict]]:
    """Per run, the rule evaluators that failed it (online evaluation), as golden expectations of a passing
    score.

    A judge's low grade drops the reply from the case too, but is not expected back: its grade would need a
    recording (fixtures/cassettes/evaluators/) before the case could replay offline.
    """
    failed: dict[uuid.UUID, dict[str, dict]] = {}
    for score in await EvalScore.filter(conversation_id=conversation_id, passed=False):
        expectations = failed.setdefault(score.run_id, {})  # type: ignore[attr-defined]
        if score.kind == "rule":
            evaluator = load_evaluator(score.evaluator, score.version)
            expectations[evaluator.key] = {"min_score": evaluator.pass_at}
    return failed


async def add_case_to_suite(*, suite_name: str, case: GoldenCase) -> EvalSuite:
    """A new version of the suite: the newest version's cases plus this one."""
    previous = await latest_suite(suite_name)
    cases = await EvalCase.filter(suite=previous).order_by("name") if previous else []
    definition = case.model_dump(mode="json")
    version = hashlib.sha256(
        ((previous.version if previous else "") + json.dumps(definition, sort_keys=True)).encode()
    ).hexdigest()
    kept = [old for old in cases if old.name != case.name]
    async with in_transaction():
        suite = await EvalSuite.create(
            name=suite_name, version=version, case_count=len(kept) + 1, source="created"
        )
        await EvalCase.bulk_create(
            [
                EvalCase(suite=suite, name=old.name, definition=old.definition, known_gap=old.known_gap)
                for old in kept
            ]
            + [EvalCase(suite=suite, name=case.name, definition=definition)]
        )
    return suite
