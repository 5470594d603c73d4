"""Batch loads for conversations and messages, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise import connections

from backend.conversations.models import Conversation, Message
from backend.db.lookup import rows_by_id


async def load_conversations_by_id(ids: Sequence[uuid.UUID]) -> list[Conversation | None]:
    """Conversations in the order of `ids`, None where there is no such conversation."""
    return await rows_by_id(Conversation.all(), ids)


async def load_last_messages(conversation_ids: Sequence[uuid.UUID]) -> list[Message | None]:
    """The latest message of each conversation, in one query (DISTINCT ON uses the (conversation, sequence)
    index)."""
    connection = connections.get("default")
    _, rows = await connection.execute_query(
        "SELECT DISTINCT ON (conversation_id) id FROM messages"
        " WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, sequence DESC",
        [list(conversation_ids)],
    )
    messages = await Message.filter(id__in=[row["id"] for row in rows])
    by_conversation = {message.conversation_id: message for message in messages}  # type: ignore[attr-defined]
    return [by_conversation.get(conversation_id) for conversation_id in conversation_ids]


MessagePageKey = tuple[
    uuid.UUID, int, int
]  # (conversation id, page size, after this sequence; 0 = from the start)


async def load_message_pages(keys: Sequence[MessagePageKey]) -> list[tuple[list[Message], bool]]:
    """A page of each conversation's thread, one query per distinct (size, position) however many threads."""
    pages: dict[MessagePageKey, tuple[list[Message], bool]] = {}
    by_window: dict[tuple[int, int], list[uuid.UUID]] = {}
    for conversation_id, size, after in keys:
        by_window.setdefault((size, after), []).append(conversation_id)
    for (size, after), conversation_ids in by_window.items():
        # One extra row per thread tells whether it has a next page.
        _, numbered = await connections.get("default").execute_query(
            "SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id ORDER BY sequence) "
            "AS position"
            " FROM messages WHERE conversation_id = ANY($1::uuid[]) AND sequence > $2) numbered"
            " WHERE position <= $3",
            [conversation_ids, after, size + 1],
        )
        rows = await Message.filter(id__in=[row["id"] for row in numbered]).order_by(
            "conversation_id", "sequence"
        )
        grouped: dict[uuid.UUID, list[Message]] = {
            conversation_id: [] for conversation_id in conversation_ids
        }
        for row in rows:
            grouped[row.conversation_id].append(row)  # type: ignore[attr-defined]
        for conversation_id, messages in grouped.items():
            pages[(conversation_id, size, after)] = (messages[:size], len(messages) > size)
    return [pages[key] for key in keys]
