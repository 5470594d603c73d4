"""The first, short step of the pipeline: an accepted event becomes a message of its conversation, in order.

Under a per-thread advisory lock (held for this one short transaction only), every RECEIVED event of the thread
up to this one that has no message yet is appended, in acceptance order. So whichever job runs first, a thread's
messages follow acceptance order. The event stays RECEIVED until its answer commits (see backend/turns/runtime.py):
an appended but unanswered event is still owed a turn, and the reconciler still finds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise import connections
from tortoise.transactions import in_transaction

from backend.conversations.service import append_customer_message

_UNAPPENDED_IN_THREAD = """
SELECT e.id, e.channel, e.thread_key, e.sender, e.text, e.received_at FROM ingest_events e
WHERE e.channel = $1 AND e.thread_key = $2 AND e.status = 'RECEIVED' AND e.accepted_seq <= $3
  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ingest_event_id = e.id)
ORDER BY e.accepted_seq
FOR UPDATE OF e
"""
_CONVERSATION = "SELECT id FROM conversations WHERE channel = $1 AND thread_key = $2"
_MARK_PROCESSED = """
UPDATE ingest_events SET status = 'PROCESSED', processed_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])
"""
_NEXT_UNANSWERED = """
SELECT e.id AS event_id, m.id AS message_id, m.text, m.conversation_id FROM ingest_events e
JOIN messages m ON m.ingest_event_id = e.id
WHERE e.channel = $1 AND e.thread_key = $2 AND e.status = 'RECEIVED' AND e.accepted_seq <= $3
ORDER BY e.accepted_seq
LIMIT 1
"""


@dataclass(frozen=True)
class Appended:
    conversation_id: uuid.UUID | None  # None only if the thread has no conversation (nothing was ever appended)
    count: int


@dataclass(frozen=True)
class Unanswered:
    event_id: uuid.UUID
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    text: str


async def append_pending(
    *, event: dict, done_when_appended: bool, before_commit: Callable[[], Awaitable[None]] | None = None
) -> Appended:
    """Append the thread's unappended events up to `event`; with `done_when_appended` (no agent) they are PROCESSED."""
    async with in_transaction() as connection:
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [f"{event['channel']}:{event['thread_key']}"]
        )
        _, pending = await connection.execute_query(
            _UNAPPENDED_IN_THREAD, [event["channel"], event["thread_key"], event["accepted_seq"]]
        )
        conversation_id = None
        for row in pending:
            conversation_id, _ = await append_customer_message(
                connection=connection, channel=row["channel"], thread_key=row["thread_key"], customer=row["sender"],
                text=row["text"], ingest_event_id=row["id"], received_at=row["received_at"],
            )
        if done_when_appended and pending:
            await connection.execute_query(_MARK_PROCESSED, [[row["id"] for row in pending]])
        if before_commit is not None:
            await before_commit()
    if conversation_id is None:
        rows = await connections.get("default").execute_query_dict(_CONVERSATION, [event["channel"], event["thread_key"]])
        conversation_id = rows[0]["id"] if rows else None
    return Appended(conversation_id=conversation_id, count=len(pending))


async def next_unanswered(*, event: dict) -> Unanswered | None:
    """The thread's earliest appended event still waiting for its turn, up to `event` in acceptance order."""
    rows = await connections.get("default").execute_query_dict(
        _NEXT_UNANSWERED, [event["channel"], event["thread_key"], event["accepted_seq"]]
    )
    if not rows:
        return None
    row = rows[0]
    return Unanswered(event_id=row["event_id"], message_id=row["message_id"], conversation_id=row["conversation_id"],
                      text=row["text"])
