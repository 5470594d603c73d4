"""One agent turn: state and history in, a policy decision with recorded tool calls, a reply and a run out.

It runs inside the caller's transaction (the one that appended the inbound message), so a turn's writes —
booking, ticket, reply, run — commit together or not at all: a job killed mid-turn and retried starts clean.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend.agent.memory import load_thread
from backend.agent.models import AgentRun, RunStatus
from backend.agent.policies.base import Decision, Policy, TurnInput
from backend.agent.policies.openai import LLMError
from backend.agent.prompts import Prompt
from backend.agent.screening import SAFE_INPUT_REPLY, screen_input, screen_output
from backend.agent.tools.toolbox import ToolBox, ToolFailed
from backend.channels.enums import Channel
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.faults import POLICY as POLICY_FAULT
from backend.faults import POLICY_DELAY, InjectedFault, current_faults
from backend.guardrails.config import GuardrailConfig
from backend.observability.metrics import AGENT_TURN_SECONDS
from backend.observability.tracing import tracer
from backend.scheduling.models import BusinessHours, Service

log = structlog.get_logger(__name__)
RUN_COMPLETED = "run.completed"
HISTORY_MESSAGES = 20
FALLBACK_REPLY = "Sorry, something went wrong on our side. A member of our team will get back to you here shortly."


@dataclass(frozen=True)
class AgentSetup:
    """The deployment's choice of policy and prompt, recorded on every run."""

    policy: Policy
    prompt: Prompt
    timezone: str
    guardrails: GuardrailConfig


@dataclass(frozen=True)
class TurnOutcome:
    run_id: uuid.UUID
    conversation_id: uuid.UUID
    channel: Channel
    reply_message_id: uuid.UUID
    status: RunStatus
    reply: str
    latency_ms: float


async def _turn_input(connection: BaseDBAsyncClient, conversation: Conversation, *, text: str, trigger_id: uuid.UUID | None,
                      setup: AgentSetup, now: datetime) -> TurnInput:
    recent = (
        await Message.filter(conversation_id=conversation.id).using_db(connection).order_by("-sequence").limit(HISTORY_MESSAGES + 1)
    )
    history = [(message.author.value, message.text) for message in reversed(recent) if message.id != trigger_id]
    services = await Service.all().using_db(connection).order_by("name").values_list("name", flat=True)
    # Business-local wall-clock times: Tortoise hands TimeFields back zone-aware, which local comparisons reject.
    hours = {
        row.weekday: (row.opens_at.replace(tzinfo=None), row.closes_at.replace(tzinfo=None))
        for row in await BusinessHours.all().using_db(connection)
    }
    memory = await load_thread(connection=connection, conversation_id=conversation.id, trigger_message_id=trigger_id,
                               limit=HISTORY_MESSAGES)
    return TurnInput(
        text=text, channel=conversation.channel, customer=conversation.customer, history=history[-HISTORY_MESSAGES:],
        state=dict(conversation.agent_state or {}), now=now, services=list(services), hours=hours, prompt=setup.prompt,
        memory=memory,
    )


async def run_turn(
    *,
    connection: BaseDBAsyncClient,
    conversation_id: uuid.UUID,
    text: str,
    setup: AgentSetup,
    trigger_message_id: uuid.UUID | None = None,
    now: datetime | None = None,
    tool_overrides: dict[str, dict] | None = None,
) -> TurnOutcome | None:
    """Answer one customer message; None when a human owns the conversation and the agent stays silent."""
    with tracer.start_as_current_span(
        f"invoke_agent {setup.policy.name}",
        attributes={
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": setup.policy.name,
            "gen_ai.conversation.id": str(conversation_id),
            "agentops.prompt.version": setup.prompt.version,
        },
    ) as span:
        with structlog.contextvars.bound_contextvars(conversation_id=str(conversation_id)):
            try:
                outcome = await _answer(connection=connection, conversation_id=conversation_id, text=text,
                                        setup=setup, trigger_message_id=trigger_message_id, now=now,
                                        tool_overrides=tool_overrides)
            finally:
                structlog.contextvars.unbind_contextvars("run_id")  # bound by _answer once the run exists
        if outcome is not None:
            span.set_attribute("agentops.run.id", str(outcome.run_id))
            span.set_attribute("agentops.run.status", outcome.status.value)
        return outcome


async def _answer(
    *,
    connection: BaseDBAsyncClient,
    conversation_id: uuid.UUID,
    text: str,
    setup: AgentSetup,
    trigger_message_id: uuid.UUID | None,
    now: datetime | None,
    tool_overrides: dict[str, dict] | None,
) -> TurnOutcome | None:
    started = time.perf_counter()
    conversation = await Conversation.select_for_update().using_db(connection).get(id=conversation_id)
    if conversation.status == ConversationStatus.HANDED_OFF:
        return None
    now = (now or datetime.now(ZoneInfo(setup.timezone))).astimezone(ZoneInfo(setup.timezone))
    turn = await _turn_input(connection, conversation, text=text, trigger_id=trigger_message_id, setup=setup, now=now)
    run = await AgentRun.create(
        conversation_id=conversation_id, trigger_message_id=trigger_message_id, policy=setup.policy.name,
        prompt_name=setup.prompt.name, prompt_version=setup.prompt.version, status=RunStatus.OK, latency_ms=0,
        using_db=connection,
    )
    structlog.contextvars.bind_contextvars(run_id=str(run.id))  # every line of the turn names its run
    tools = ToolBox(connection=connection, run_id=run.id, conversation_id=conversation_id, customer=conversation.customer,
                    now=now, timezone=setup.timezone, guardrails=setup.guardrails, hours=turn.hours,
                    overrides=tool_overrides or {})
    error = None
    screened = await screen_input(connection=connection, config=setup.guardrails, text=text, run_id=run.id,
                                  conversation_id=conversation_id, trigger_message_id=trigger_message_id)
    if screened.blocked:
        decision = Decision(reply=SAFE_INPUT_REPLY, state=turn.state)
    else:
        try:
            # A savepoint: a policy or tool that fails takes its own writes with it, and the run is still recorded.
            async with in_transaction():
                await current_faults().slow_down(POLICY_DELAY)  # LATENCY_SPIKE and POLICY_ERROR drills
                await current_faults().check(POLICY_FAULT)
                decision = await setup.policy.respond(replace(turn, text=screened.text), tools)
        except Exception as failure:  # recorded on the run as FAILED, answered with the fallback reply
            # Expected failures (a drill, a tool outage, the model endpoint failing or an eval's cassette miss) say
            # what went wrong in their message; a traceback through the HTTP client would only bury it.
            if isinstance(failure, (InjectedFault, ToolFailed, LLMError)):
                log.warning("agent.turn_failed", conversation_id=str(conversation_id), run_id=str(run.id),
                            error=str(failure))
            else:
                log.exception("agent.turn_failed", conversation_id=str(conversation_id), run_id=str(run.id))
            error = f"{type(failure).__name__}: {failure}"[:2000]
            decision = Decision(reply=FALLBACK_REPLY, state=turn.state)
            if isinstance(failure, ToolFailed):  # the savepoint took the call's row with it; it is the evidence
                await tools.record(failure.call, position=failure.position)
    decision.reply = await screen_output(
        connection=connection, config=setup.guardrails, reply=decision.reply, channel=conversation.channel.value,
        customer=conversation.customer, run_id=run.id, conversation_id=conversation_id,
    )
    handed_off = any(call.name == "handoff_to_human" and (call.result or {}).get("handed_off") for call in tools.calls)
    status = RunStatus.FAILED if error else RunStatus.HANDED_OFF if handed_off else RunStatus.OK

    await conversation.refresh_from_db(using_db=connection)
    reply = await Message.create(
        conversation_id=conversation_id, sequence=conversation.message_count + 1, direction=MessageDirection.OUTBOUND,
        author=MessageAuthor.AGENT, text=decision.reply, delivery_status=DeliveryStatus.QUEUED, using_db=connection,
    )
    await Conversation.filter(id=conversation_id).using_db(connection).update(
        message_count=conversation.message_count + 1, last_message_at=datetime.now(ZoneInfo("UTC")),
        agent_state=decision.state if error is None else turn.state,
    )
    latency_ms = (time.perf_counter() - started) * 1000
    AGENT_TURN_SECONDS.labels(setup.policy.name, status.value).observe(latency_ms / 1000)
    await AgentRun.filter(id=run.id).using_db(connection).update(
        reply_message_id=reply.id, status=status, latency_ms=latency_ms,
        intent=decision.intent, model=decision.model, prompt_tokens=decision.prompt_tokens,
        completion_tokens=decision.completion_tokens, error=error,
    )
    return TurnOutcome(run_id=run.id, conversation_id=conversation_id, channel=conversation.channel,
                       reply_message_id=reply.id, status=status,
                       reply=decision.reply, latency_ms=latency_ms)
