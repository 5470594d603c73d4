"""One agent turn, in phases that never hold a database connection while the policy thinks.

1. load (backend/turns/loading.py) — one query: the conversation (its version, state, status), the thread the
   model remembers, the business's services and hours;
2. screen the input, then decide — the policy and its model calls run with no connection or lock held; each
   tool with a side effect commits on its own, keyed by (trigger, call position) (see ToolBox);
3. screen the reply, then commit (backend/turns/committing.py) — one short transaction: the conversation must
   still be at the version read in step 1 (else the turn is decided again on what changed), the trigger event
   must still be unanswered (else another attempt answered it first), then the reply, the run, its tool calls
   and guardrail hits are written. The common turn's commit is one statement (the function
   agentops_commit_turn, migrations 0017 and 0018).

Round trips are counted (tests/turns/test_round_trips.py): a wave of turns shares the pool's few connections.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import structlog
from tortoise import connections
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.transactions import in_transaction

from backend.agent.models import RunStatus
from backend.agent.policies.base import Decision, TurnInput
from backend.agent.policies.openai import LLMError, ModelUnavailable
from backend.agent.setup import AgentSetup, with_drilled_prompt
from backend.agent.tools.toolbox import ToolBox, ToolFailed
from backend.conversations.models import (
    ConversationStatus,
    DeliveryStatus,
)
from backend.core.enums import Channel
from backend.core.faults import POLICY as POLICY_FAULT
from backend.core.faults import POLICY_DELAY, InjectedFault, current_faults
from backend.guardrails.engine import Finding
from backend.guardrails.service import record_findings
from backend.telemetry.metrics import AGENT_TURN_SECONDS
from backend.telemetry.tracing import tracer
from backend.turns.committing import (
    ConversationChanged,
    calls_as_json,
    commit_silence,
    commit_turn,
    delivery_of,
    keep_only_redacted,
)
from backend.turns.loading import load_turn
from backend.turns.screening import SAFE_INPUT_REPLY, screen_input, screen_output

log = structlog.get_logger(__name__)
VERSION_RETRIES = 3
FALLBACK_REPLY = (
    "Sorry, something went wrong on our side. A member of our team will get back to you here shortly."
)
# Failures of the attempt, not of the turn's decision: the event is retried with backoff (and DEAD after the
# last attempt) rather than answered with the fallback reply — the model or the database may well be back next
# time.
ATTEMPT_FAILURES = (
    TimeoutError,
    ModelUnavailable,
    OperationalError,
    DBConnectionError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)


@dataclass(frozen=True)
class TurnOutcome:
    run_id: uuid.UUID
    conversation_id: uuid.UUID
    channel: Channel
    reply_message_id: uuid.UUID
    status: RunStatus
    reply: str
    latency_ms: float
    delivery: bool = True  # the reply was queued for the customer (a delivery job is owed)
    # What the turn committed, kept so a caller checking the turn (an eval case) need not read it back: the
    # tool calls as the JSON written with the run, the guardrail rules that fired (one per violation row), and
    # whether a handoff ran (the conversation is with a human now; an eval's frozen handoff answer hands
    # nothing off).
    calls_json: str = "[]"
    violations: tuple[str, ...] = ()
    handed_off: bool = False

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The turn's tool calls in call order, as stored: {name, arguments, result, error}."""
        return [
            {
                "name": call["name"],
                "arguments": call["arguments"],
                "result": call["result"],
                "error": call["error"],
            }
            for call in json.loads(self.calls_json)
        ]


async def run_turn(
    *,
    conversation_id: uuid.UUID,
    text: str,
    setup: AgentSetup,
    trigger_message_id: uuid.UUID | None = None,
    trigger_event_id: uuid.UUID | None = None,
    now: datetime | None = None,
    tool_overrides: dict[str, dict] | None = None,
    deadline: float | None = None,
    deliver: bool = True,
    delivery_channels: frozenset[Channel] | None = None,
    before_commit: Callable[[], Awaitable[None]] | None = None,
) -> TurnOutcome | None:
    """Answer one message; None when a human owns the conversation and the agent stays silent.

    `delivery_channels`: the channels with a delivery adapter; a reply on any other is written FAILED with the
    reason (None: every channel is taken as deliverable).

    Raises AlreadyAnswered when the trigger event was answered by another attempt meanwhile.
    """
    with (
        tracer.start_as_current_span(
            f"invoke_agent {setup.policy.name}",
            attributes={
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": setup.policy.name,
                "gen_ai.conversation.id": str(conversation_id),
                "agentops.prompt.version": setup.prompt.version,
            },
        ) as span,
        structlog.contextvars.bound_contextvars(conversation_id=str(conversation_id)),
    ):
        for conflict in range(VERSION_RETRIES + 1):
            try:
                outcome = await _turn(
                    conversation_id=conversation_id,
                    text=text,
                    setup=setup,
                    trigger_message_id=trigger_message_id,
                    trigger_event_id=trigger_event_id,
                    now=now,
                    tool_overrides=tool_overrides,
                    deadline=deadline,
                    deliver=deliver,
                    delivery_channels=delivery_channels,
                    before_commit=before_commit,
                )
                break
            except ConversationChanged:
                if conflict == VERSION_RETRIES:
                    raise
                log.debug("agent.turn_decided_again", conflict=conflict + 1)
            finally:
                structlog.contextvars.unbind_contextvars("run_id")  # bound by _turn once the run has an id
        if outcome is not None:
            span.set_attribute("agentops.run.id", str(outcome.run_id))
            span.set_attribute("agentops.run.status", outcome.status.value)
        return outcome


async def _decide(turn: TurnInput, *, setup: AgentSetup, tools: ToolBox) -> tuple[Decision, str | None]:
    """The policy's decision, or the fallback reply and the error when the decision itself failed."""
    try:
        await current_faults().slow_down(POLICY_DELAY)  # LATENCY_SPIKE and POLICY_ERROR drills
        await current_faults().check(POLICY_FAULT)
        return await setup.policy.respond(turn, tools), None
    except ATTEMPT_FAILURES:
        raise
    except Exception as failure:  # recorded on the run as FAILED, answered with the fallback reply
        # Expected failures (a drill, a tool outage, a model answering nonsense, an eval's cassette miss) say
        # what went wrong in their message; a traceback through the HTTP client would only bury it.
        if isinstance(failure, (InjectedFault, ToolFailed, LLMError)):
            log.warning("agent.turn_failed", error=str(failure))
        else:
            log.exception("agent.turn_failed")
        return Decision(reply=FALLBACK_REPLY, state=turn.state), f"{type(failure).__name__}: {failure}"[:2000]


async def _turn(
    *,
    conversation_id: uuid.UUID,
    text: str,
    setup: AgentSetup,
    trigger_message_id: uuid.UUID | None,
    trigger_event_id: uuid.UUID | None,
    now: datetime | None,
    tool_overrides: dict[str, dict] | None,
    deadline: float | None,
    deliver: bool,
    delivery_channels: frozenset[Channel] | None,
    before_commit: Callable[[], Awaitable[None]] | None,
) -> TurnOutcome | None:
    started = time.perf_counter()
    run_id = uuid.uuid4()
    setup = with_drilled_prompt(setup, current_faults())  # a PROMPT_REGRESSION drill's version, for this turn
    turn_key = str(trigger_event_id or trigger_message_id or run_id)
    loaded = await load_turn(conversation_id, turn_key, trigger_event_id, trigger_message_id)
    conversation = loaded.conversation
    if conversation.status == ConversationStatus.HANDED_OFF:
        await commit_silence(trigger_event_id=trigger_event_id, before_commit=before_commit)
        return None
    now = (now or datetime.now(ZoneInfo(setup.timezone))).astimezone(ZoneInfo(setup.timezone))
    memory = loaded.memory
    turn = TurnInput(
        text=text,
        channel=conversation.channel,
        customer=conversation.customer,
        history=[(item.author, item.text) for item in memory],
        state=dict(conversation.agent_state or {}),
        now=now,
        services=loaded.services,
        hours=loaded.hours,
        prompt=setup.prompt,
        memory=memory,
        deadline=deadline,
    )
    structlog.contextvars.bind_contextvars(run_id=str(run_id))  # every line of the turn names its run
    tools = ToolBox(
        turn_key=turn_key,
        run_id=run_id,
        conversation_id=conversation_id,
        customer=conversation.customer,
        now=now,
        timezone=setup.timezone,
        guardrails=setup.guardrails,
        hours=turn.hours,
        overrides=tool_overrides or {},
        earlier=loaded.earlier,
    )
    screened = screen_input(config=setup.guardrails, text=text)
    if screened.blocked:
        decision, error = Decision(reply=SAFE_INPUT_REPLY, state=turn.state), None
    else:
        decision, error = await _decide(replace(turn, text=screened.text), setup=setup, tools=tools)
    reply, checked = screen_output(
        config=setup.guardrails,
        reply=decision.reply,
        channel=conversation.channel.value,
        customer=conversation.customer,
    )
    handed_off = any(
        call.name == "handoff_to_human" and (call.result or {}).get("handed_off") for call in tools.calls
    )
    handed_over = any(
        call.name == "handoff_to_human" and not call.overridden and (call.result or {}).get("handed_off")
        for call in tools.calls
    )
    status = RunStatus.FAILED if error else RunStatus.HANDED_OFF if handed_off else RunStatus.OK
    findings: list[Finding] = [*screened.findings, *tools.findings, *checked.findings]
    redacted = screened.text != text and trigger_message_id is not None
    reply_message_id = uuid.uuid4()
    latency_ms = (time.perf_counter() - started) * 1000
    delivery_status, delivery_error = delivery_of(deliver, conversation.channel, delivery_channels)
    calls_json = calls_as_json(tools)
    record = [
        conversation_id,
        conversation.version,
        json.dumps(decision.state if error is None else turn.state),
        trigger_event_id,
        reply_message_id,
        reply,
        delivery_status and delivery_status.value,
        delivery_error,
        run_id,
        trigger_message_id,
        setup.policy.name,
        setup.prompt.name,
        setup.prompt.version,
        status.value,
        latency_ms,
        decision.intent,
        decision.model,
        decision.prompt_tokens,
        decision.completion_tokens,
        error,
        calls_json,
    ]
    if not findings and not redacted and before_commit is None:
        await commit_turn(
            connections.get("default"), record
        )  # the common turn: one statement, its own transaction
    else:
        async with in_transaction() as connection:
            await commit_turn(connection, record)
            if redacted:
                await keep_only_redacted(connection, trigger_message_id, screened.text)
            await record_findings(
                connection=connection,
                findings=findings,
                run_id=run_id,
                conversation_id=conversation_id,
                config_version=setup.guardrails.version,
            )
            if before_commit is not None:
                await (
                    before_commit()
                )  # a fault drill can fail the job here, after every write, before the commit
    AGENT_TURN_SECONDS.labels(setup.policy.name, status.value).observe(latency_ms / 1000)
    return TurnOutcome(
        run_id=run_id,
        conversation_id=conversation_id,
        channel=conversation.channel,
        reply_message_id=reply_message_id,
        status=status,
        reply=reply,
        latency_ms=latency_ms,
        delivery=delivery_status == DeliveryStatus.QUEUED,
        calls_json=calls_json,
        violations=tuple(finding.rule for finding in findings),
        handed_off=handed_over,
    )
