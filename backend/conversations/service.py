"""Reading and changing conversations; writes publish `conversation.updated` after they commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery

from backend.channels.enums import Channel
from backend.conversations.models import Conversation, ConversationStatus, Message
from backend.db.keyset import Page, newest_first
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
    found = {message.id: message for message in await Message.filter(id__in=message_ids)}
    return [found.get(message_id) for message_id in message_ids]
