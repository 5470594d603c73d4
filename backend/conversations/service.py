"""Reading and changing conversations; writes publish `conversation.updated` after they commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend.agent.models import AgentRun, RunStatus
from backend.channels.enums import Channel
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.db.keyset import Page, newest_first
from backend.db.lookup import rows_by_id
from backend.events.hub import EventHub

CONVERSATION_UPDATED = "conversation.updated"


@dataclass(frozen=True)
class ConversationCriteria:
    channel: Channel | None = None
    status: ConversationStatus | None = None
    customer: str | None = None
    active_after: datetime | None = None
    active_before: datetime | None = None
    text: str | None = None
    handed_off: bool | None = None


async def page_conversations(*, criteria: ConversationCriteria, first: int, after: str | None) -> Page[Conversation]:
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
        await conversation.save(update_fields=["status", "updated_at"])
        await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(conversation.id)})
    return conversation


async def get_messages(*, message_ids: list[uuid.UUID]) -> list[Message | None]:
    """Messages in the order of `message_ids`, None where missing."""
    return await rows_by_id(Message.all(), message_ids)


async def hand_off(*, connection, conversation_id: uuid.UUID, reason: str) -> None:
    """Give the conversation to a human: the agent stays silent until it is returned."""
    await Conversation.filter(id=conversation_id).using_db(connection).update(
        status=ConversationStatus.HANDED_OFF, handed_off_at=datetime.now(UTC), handoff_reason=reason[:300]
    )


async def append_human_reply(*, conversation_id: uuid.UUID, text: str, hub: EventHub) -> Message | None:
    """An operator's reply, queued for delivery like the agent's; None when the conversation does not exist."""
    async with in_transaction() as connection:
        conversation = await Conversation.select_for_update().using_db(connection).get_or_none(id=conversation_id)
        if conversation is None:
            return None
        message = await Message.create(
            conversation_id=conversation_id, sequence=conversation.message_count + 1,
            direction=MessageDirection.OUTBOUND, author=MessageAuthor.HUMAN, text=text,
            delivery_status=DeliveryStatus.QUEUED, using_db=connection,
        )
        await Conversation.filter(id=conversation_id).using_db(connection).update(
            message_count=conversation.message_count + 1, last_message_at=datetime.now(UTC)
        )
    await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(conversation_id)})
    return message


async def return_to_agent(*, conversation_id: uuid.UUID, hub: EventHub) -> Conversation | None:
    """Give a handed-off conversation back to the agent, which answers the next customer message."""
    updated = await Conversation.filter(id=conversation_id, status=ConversationStatus.HANDED_OFF).update(
        status=ConversationStatus.OPEN, handed_off_at=None, handoff_reason=None
    )
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is not None and updated:
        await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(conversation_id), "returnedToAgent": True})
    return conversation
