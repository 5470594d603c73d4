"""agentRespond: run the agent now, on a conversation or a scripted one, optionally as a dry run.

A dry run uses the real tools on the real tables inside a transaction that is rolled back at the end: the
reply and the tool calls are real, but nothing is booked, stored or sent. Evals use the same isolation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.agent.models import ToolCall
from backend.agent.runtime import AgentSetup, TurnOutcome, run_turn
from backend.channels.enums import Channel
from backend.conversations.models import Conversation, Message, MessageAuthor, MessageDirection

PLAYGROUND_CUSTOMER = "playground"


@dataclass
class PlaygroundTurn:
    customer_text: str
    outcome: TurnOutcome | None
    tool_calls: list[ToolCall] = field(default_factory=list)


class _RollBack(Exception):
    """Raised to undo a dry run's writes once its results are read."""


async def respond(
    *, setup: AgentSetup, texts: list[str], conversation_id: uuid.UUID | None, dry_run: bool
) -> list[PlaygroundTurn] | None:
    """Each text as a customer message, answered in order; None when the conversation does not exist."""
    turns: list[PlaygroundTurn] = []
    try:
        async with in_transaction() as connection:
            if conversation_id is None:
                conversation = await Conversation.create(
                    channel=Channel.CHAT, thread_key=f"playground-{uuid.uuid4()}", customer=PLAYGROUND_CUSTOMER,
                    last_message_at=datetime.now(UTC), using_db=connection,
                )
            else:
                conversation = await Conversation.select_for_update().using_db(connection).get_or_none(id=conversation_id)
                if conversation is None:
                    return None
            for text in texts:
                await conversation.refresh_from_db(using_db=connection)
                inbound = await Message.create(
                    conversation_id=conversation.id, sequence=conversation.message_count + 1,
                    direction=MessageDirection.INBOUND, author=MessageAuthor.CUSTOMER, text=text, using_db=connection,
                )
                await Conversation.filter(id=conversation.id).using_db(connection).update(
                    message_count=conversation.message_count + 1
                )
                outcome = await run_turn(connection=connection, conversation_id=conversation.id, text=text, setup=setup,
                                         trigger_message_id=inbound.id)
                calls = await ToolCall.filter(run_id=outcome.run_id).using_db(connection).order_by("position") if outcome else []
                turns.append(PlaygroundTurn(customer_text=text, outcome=outcome, tool_calls=list(calls)))
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return turns
