"""Committed turns for the quality tests: the real agent answers, in this process, and the run is stored."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.agent.setup import AgentSetup
from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.turns.runtime import TurnOutcome
from backend.turns.sandbox import sandboxed_turn


async def committed_turn(
    text: str, *, customer: str, setup: AgentSetup, channel: Channel = Channel.SMS
) -> TurnOutcome:
    """`customer` says `text` (in their conversation, made if new) and the agent's answer is committed."""
    conversation = await Conversation.get_or_none(customer=customer, channel=channel)
    if conversation is None:
        conversation = await Conversation.create(
            channel=channel, thread_key=customer, customer=customer, last_message_at=datetime.now(UTC)
        )
    _, outcome = await sandboxed_turn(conversation_id=conversation.id, text=text, setup=setup)
    assert outcome is not None
    return outcome
