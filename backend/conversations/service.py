"""Reading and changing conversations; writes publish `conversation.updated` after they commit."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from backend.agent.models import AgentRun, RunStatus
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.core.enums import Channel
from backend.core.topics import CONVERSATION_UPDATED
from backend.db.keyset import Page, newest_first
from backend.db.lookup import rows_by_id
from backend.events.hub import EventHub


@dataclass(frozen=True)
class ConversationCriteria:
    channel: Channel | None = None
    status: ConversationStatus | None = None
    customer: str | None = None
    active_after: datetime | None = None
    active_before: datetime | None = None
    text: str | None = None
    handed_off: bool | None = None
    synthetic: bool | None = None


async def page_conversations(
    *, criteria: ConversationCriteria, first: int, after: str | None
) -> Page[Conversation]:
    """Conversations matching the criteria, most recent activity first."""
    query = Conversation.all()
    if criteria.channel:
        query = query.filter(channel=criteria.channel)
    if criteria.status:
        query = query.filter(status=criteria.status)
    if criteria.customer:
        query = query.filter(customer=criteria.customer)
    if criteria.active_after:
        query = query.filter(last_message_at__gte=criteria.active_after)
    if criteria.active_before:
        query = query.filter(last_message_at__lt=criteria.active_before)
    if criteria.text:
        matching = Message.filter(text__icontains=criteria.text).values("conversation_id")
        query = query.filter(id__in=Subquery(matching))
    if criteria.handed_off is not None:
        # Every handoff is an agent turn that ended HANDED_OFF, so returned conversations still count.
        handed_off = AgentRun.filter(status=RunStatus.HANDED_OFF).values("conversation_id")
        lookup = "id__in" if criteria.handed_off else "id__not_in"
        query = query.filter(**{lookup: Subquery(handed_off)})
    if criteria.synthetic is not None:
        query = query.filter(synthetic=criteria.synthetic)
    return await newest_first(query, time_field="last_message_at", first=first, after=after)


async def get_conversation(*, conversation_id: uuid.UUID) -> Conversation | None:
    """One conversation, read fresh from the database."""
    return await Conversation.get_or_none(id=conversation_id)


async def close_conversation(*, conversation_id: uuid.UUID, hub: EventHub) -> Conversation | None:
    """Mark a conversation CLOSED (idempotent); None when it does not exist."""
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        return None
    if conversation.status != ConversationStatus.CLOSED:
        conversation.status = ConversationStatus.CLOSED
        conversation.version += 1  # a turn in flight on the old state commits nothing: it is decided again
        await conversation.save(update_fields=["status", "version", "updated_at"])
        await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(conversation.id)})
    return conversation


async def get_messages(*, message_ids: list[uuid.UUID]) -> list[Message | None]:
    """Messages in the order of `message_ids`, None where missing."""
    return await rows_by_id(Message.all(), message_ids)


# The conversation's next sequence and the message at it, in one statement (one round trip in the caller's
# transaction). With $3 set, nothing is written unless the conversation is still at that version.
_APPEND = """
WITH conversation AS (
    UPDATE conversations SET message_count = message_count + 1, last_message_at = now(), updated_at = now(),
                             version = version + $2, agent_state = COALESCE($4::jsonb, agent_state)
    WHERE id = $1 AND ($3::int IS NULL OR version = $3)
    RETURNING id, message_count
)
INSERT INTO messages (id, conversation_id, sequence, direction, author, text, delivery_status, created_at,
                      delivery_attempts)
SELECT $5, conversation.id, conversation.message_count, $6, $7, $8, $9, now(), 0 FROM conversation
RETURNING *
"""


async def append_message(
    *,
    connection,
    conversation_id: uuid.UUID,
    direction: MessageDirection,
    author: MessageAuthor,
    text: str,
    delivery_status: DeliveryStatus | None = None,
    bump_version: bool = False,
    expected_version: int | None = None,
    agent_state: dict | None = None,
) -> Message | None:
    """Add a message at the end of the thread (its sequence is the conversation's next), in the caller's
    transaction.

    A customer's accepted event is appended by the database function `agentops_append_pending` instead
    (migration 0017, called by backend/turns/appending.py): the same numbering, in one round trip with the
    thread's lock.

    With `expected_version`, only while the conversation is still at that version (None otherwise): an agent
    turn commits its reply and its state (`agent_state`) this way, in one statement.
    """
    rows = await connection.execute_query_dict(
        _APPEND,
        [
            conversation_id,
            1 if bump_version else 0,
            expected_version,
            json.dumps(agent_state) if agent_state is not None else None,
            uuid.uuid4(),
            direction.value,
            author.value,
            text,
            delivery_status.value if delivery_status else None,
        ],
    )
    if not rows:
        return None
    return Message._init_from_db(**rows[0])


async def hand_off(*, connection, conversation_id: uuid.UUID, reason: str) -> None:
    """Give the conversation to a human: the agent stays silent until it is returned."""
    await (
        Conversation.filter(id=conversation_id)
        .using_db(connection)
        .update(
            status=ConversationStatus.HANDED_OFF, handed_off_at=datetime.now(UTC), handoff_reason=reason[:300]
        )
    )


async def append_human_reply(*, conversation_id: uuid.UUID, text: str, hub: EventHub) -> Message | None:
    """An operator's reply, queued for delivery like the agent's; None when the conversation does not
    exist."""
    async with in_transaction() as connection:
        if not await Conversation.filter(id=conversation_id).using_db(connection).exists():
            return None
        # A human speaking changes the thread under any agent turn in flight: it is decided again (version
        # bump).
        message = await append_message(
            connection=connection,
            conversation_id=conversation_id,
            direction=MessageDirection.OUTBOUND,
            author=MessageAuthor.HUMAN,
            text=text,
            delivery_status=DeliveryStatus.QUEUED,
            bump_version=True,
        )
    await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(conversation_id)})
    return message


async def return_to_agent(*, conversation_id: uuid.UUID, hub: EventHub) -> Conversation | None:
    """Give a handed-off conversation back to the agent, which answers the next customer message."""
    updated = await Conversation.filter(id=conversation_id, status=ConversationStatus.HANDED_OFF).update(
        status=ConversationStatus.OPEN, handed_off_at=None, handoff_reason=None, version=F("version") + 1
    )
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is not None and updated:
        await hub.publish(
            CONVERSATION_UPDATED, {"conversationId": str(conversation_id), "returnedToAgent": True}
        )
    return conversation
