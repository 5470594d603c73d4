"""The first, short step of the pipeline: an accepted event becomes a message of its conversation, in order.

Under a per-thread advisory lock (held for this one short transaction only), every RECEIVED event of the
thread up to this one that has no message yet is appended, in acceptance order. So whichever job runs first, a
thread's messages follow acceptance order. The event stays RECEIVED until its answer commits (see
backend/turns/runtime.py): an appended but unanswered event is still owed a turn, and the reconciler still
finds it.

The step is one call of the database function `agentops_append_pending` (migration 0017): one round trip for
the read, the lock, the appends and the thread's next unanswered event. A wave of jobs starting together
shares the pool's few connections, and each round trip of each job waits its turn for one.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise import connections
from tortoise.transactions import in_transaction

_APPEND = "SELECT * FROM agentops_append_pending($1, $2)"
# The thread's earliest appended event still owed its answer, up to the job's own event in acceptance order.
_NEXT_UNANSWERED = """
SELECT e.id AS event_id, m.id AS message_id, m.text, m.conversation_id
FROM ingest_events own
JOIN ingest_events e ON e.channel = own.channel AND e.thread_key = own.thread_key
                      AND e.accepted_seq <= own.accepted_seq
JOIN messages m ON m.ingest_event_id = e.id
WHERE own.id = $1 AND e.status = 'RECEIVED'
ORDER BY e.accepted_seq
LIMIT 1
"""


@dataclass(frozen=True)
class Unanswered:
    event_id: uuid.UUID
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    text: str


@dataclass(frozen=True)
class Appended:
    received: bool  # False when the event is gone, answered or dead: nothing for this job to do
    conversation_id: (
        uuid.UUID | None
    )  # None only if the thread has no conversation (nothing was ever appended)
    count: int
    # The thread's earliest event still owed an answer, up to this one, as it stood when the append committed.
    first_unanswered: Unanswered | None = None


async def append_pending(
    *,
    event_id: uuid.UUID,
    done_when_appended: bool,
    before_commit: Callable[[], Awaitable[None]] | None = None,
) -> Appended:
    """Append the thread's unappended events up to `event_id`; with `done_when_appended` (no agent) they are
    PROCESSED.

    `before_commit` (fault injection) runs inside the append's transaction, after the appends.
    """
    if before_commit is None:
        rows = await connections.get("default").execute_query_dict(_APPEND, [event_id, done_when_appended])
    else:
        async with in_transaction() as connection:
            rows = await connection.execute_query_dict(_APPEND, [event_id, done_when_appended])
            await before_commit()
    row = rows[0]
    if row["event_status"] != "RECEIVED":
        return Appended(received=False, conversation_id=None, count=0)
    first = None
    if row["next_event_id"] is not None:
        first = Unanswered(
            event_id=row["next_event_id"],
            message_id=row["next_message_id"],
            conversation_id=row["conversation_id"],
            text=row["next_text"],
        )
    return Appended(
        received=True, conversation_id=row["conversation_id"], count=row["appended"], first_unanswered=first
    )


async def next_unanswered(*, event_id: uuid.UUID) -> Unanswered | None:
    """The thread's earliest appended event still waiting for its turn, up to `event_id` in acceptance
    order."""
    rows = await connections.get("default").execute_query_dict(_NEXT_UNANSWERED, [event_id])
    if not rows:
        return None
    row = rows[0]
    return Unanswered(
        event_id=row["event_id"],
        message_id=row["message_id"],
        conversation_id=row["conversation_id"],
        text=row["text"],
    )
