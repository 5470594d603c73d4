"""agentRespond: run the agent now, on a conversation or a scratch one, by default as a dry run.

A dry run plays the real turns on the real tables in a sandbox that is rolled back (backend/turns/sandbox.py):
the reply and the tool calls are real, but nothing is booked, stored or sent. Kept (dryRun false), the
operator's messages are stored as the operator's — never as the customer's — and the replies are only sent to
the customer when the operator asks for it explicitly (`deliver`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from backend.agent.models import ToolCall
from backend.agent.setup import AgentSetup
from backend.conversations.models import Conversation, MessageAuthor
from backend.core.enums import Channel
from backend.turns.runtime import TurnOutcome
from backend.turns.sandbox import sandbox, sandboxed_turn

PLAYGROUND_CUSTOMER = "playground"


@dataclass
class PlaygroundTurn:
    customer_text: str
    outcome: TurnOutcome | None
    tool_calls: list[ToolCall] = field(default_factory=list)


async def respond(
    *,
    setup: AgentSetup,
    texts: list[str],
    conversation_id: uuid.UUID | None,
    dry_run: bool,
    deliver: bool = False,
) -> list[PlaygroundTurn] | None:
    """Each text answered in order; None when the conversation does not exist."""
    turns: list[PlaygroundTurn] = []
    async with sandbox(keep=not dry_run):
        if conversation_id is None:
            conversation = await Conversation.create(
                channel=Channel.CHAT,
                thread_key=f"playground-{uuid.uuid4()}",
                customer=PLAYGROUND_CUSTOMER,
                last_message_at=datetime.now(UTC),
            )
        else:
            conversation = await Conversation.get_or_none(id=conversation_id)
            if conversation is None:
                return None
        for text in texts:
            _, outcome = await sandboxed_turn(
                conversation_id=conversation.id,
                text=text,
                setup=setup,
                author=MessageAuthor.OPERATOR,
                deliver=deliver and not dry_run,
            )
            calls = await ToolCall.filter(run_id=outcome.run_id).order_by("position") if outcome else []
            turns.append(PlaygroundTurn(customer_text=text, outcome=outcome, tool_calls=list(calls)))
    return turns
