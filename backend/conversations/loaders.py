"""Batch loads for conversations and messages, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise import connections

from backend.conversations.models import Conversation, Message


async def load_conversations_by_id(ids: Sequence[uuid.UUID]) -> list[Conversation | None]:
    """Conversations in the order of `ids`, None where there is no such conversation."""
    found = {row.id: row for row in await Conversation.filter(id__in=list(ids))}
    return [found.get(conversation_id) for conversation_id in ids]


async def load_last_messages(conversation_ids: Sequence[uuid.UUID]) -> list[Message | None]:
    """The latest message of each conversation, in one query (DISTINCT ON uses the (conversation, sequence) index)."""
    connection = connections.get("default")
    _, rows = await connection.execute_query(
        "SELECT DISTINCT ON (conversation_id) id FROM messages"
        " WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, sequence DESC",
        [list(conversation_ids)],
    )
    messages = await Message.filter(id__in=[row["id"] for row in rows])
    by_conversation = {message.conversation_id: message for message in messages}  # type: ignore[attr-defined]
    return [by_conversation.get(conversation_id) for conversation_id in conversation_ids]
