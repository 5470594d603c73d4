"""Turning an accepted event into a conversation message, in order, exactly once.

A worker takes a per-thread advisory lock, then appends every earlier RECEIVED event of that thread before
its own, in acceptance order. So whichever job runs first, a thread's messages follow acceptance order, and a
job whose event an earlier job already appended finds it PROCESSED and does nothing. The lock is per thread:
other conversations proceed in parallel.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend.agent.runtime import RUN_COMPLETED, AgentSetup, TurnOutcome, run_turn
from backend.conversations.service import CONVERSATION_UPDATED
from backend.events.hub import EventHub

_EVENT = "SELECT channel, thread_key, accepted_seq, status FROM ingest_events WHERE id = $1"
_PENDING_IN_THREAD = """
SELECT id, channel, thread_key, sender, text, received_at FROM ingest_events
WHERE channel = $1 AND thread_key = $2 AND status = 'RECEIVED' AND accepted_seq <= $3
ORDER BY accepted_seq
FOR UPDATE
"""
_UPSERT_CONVERSATION = """
INSERT INTO conversations (id, channel, thread_key, customer, status, message_count, created_at, updated_at,
                           last_message_at, agent_state)
VALUES ($1, $2, $3, $4, 'OPEN', 1, now(), now(), $5, '{}')
ON CONFLICT (channel, thread_key) DO UPDATE SET
    message_count = conversations.message_count + 1,
    updated_at = now(),
    last_message_at = GREATEST(conversations.last_message_at, EXCLUDED.last_message_at),
    -- a customer writing again reopens a closed conversation; a human keeps one handed off
    status = CASE WHEN conversations.status = 'CLOSED' THEN 'OPEN' ELSE conversations.status END
RETURNING id, message_count
"""
_APPEND_MESSAGE = """
INSERT INTO messages (id, conversation_id, sequence, direction, author, text, ingest_event_id, created_at,
                      delivery_attempts)
VALUES ($1, $2, $3, 'INBOUND', 'CUSTOMER', $4, $5, now(), 0)
"""
_MARK_PROCESSED = """
UPDATE ingest_events SET status = 'PROCESSED', processed_at = now(), attempts = attempts + 1 WHERE id = $1
"""


@dataclass(frozen=True)
class ProcessResult:
    appended: int
    conversation_ids: frozenset[uuid.UUID]
    turns: tuple[TurnOutcome, ...] = ()


async def _append(connection: BaseDBAsyncClient, event: dict) -> tuple[uuid.UUID, uuid.UUID]:
    # execute_query_dict: Tortoise's execute_query discards the rows an INSERT … RETURNING gives back.
    rows = await connection.execute_query_dict(
        _UPSERT_CONVERSATION,
        [uuid.uuid4(), event["channel"], event["thread_key"], event["sender"], event["received_at"]],
    )
    conversation_id, sequence = rows[0]["id"], rows[0]["message_count"]
    message_id = uuid.uuid4()
    await connection.execute_query(_APPEND_MESSAGE, [message_id, conversation_id, sequence, event["text"], event["id"]])
    await connection.execute_query(_MARK_PROCESSED, [event["id"]])
    return conversation_id, message_id


async def process_event(
    *,
    event_id: uuid.UUID,
    hub: EventHub,
    agent: AgentSetup | None = None,
    before_commit: Callable[[], Awaitable[None]] | None = None,
) -> ProcessResult:
    """Append the event (and any earlier pending event of its thread) and answer each, in one transaction.

    With `agent`, each appended message gets its agent turn inside the same transaction: the reply, the run
    and any booking commit together with the message they answer.
    """
    _, found = await connections.get("default").execute_query(_EVENT, [event_id])
    if not found or found[0]["status"] != "RECEIVED":
        return ProcessResult(appended=0, conversation_ids=frozenset())  # gone, done, or dead: nothing to do
    event = found[0]
    async with in_transaction() as connection:
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [f"{event['channel']}:{event['thread_key']}"]
        )
        _, pending = await connection.execute_query(
            _PENDING_IN_THREAD, [event["channel"], event["thread_key"], event["accepted_seq"]]
        )
        conversation_ids, turns = set(), []
        for row in pending:
            conversation_id, message_id = await _append(connection, dict(row))
            conversation_ids.add(conversation_id)
            if agent is not None:
                outcome = await run_turn(
                    connection=connection, conversation_id=conversation_id, text=row["text"], setup=agent,
                    trigger_message_id=message_id,
                )
                turns.extend([outcome] if outcome else [])
        if before_commit is not None:
            await before_commit()  # a fault drill can fail the job here, after every write, before the commit
    for conversation_id in conversation_ids:
        await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(conversation_id)})
    for turn in turns:
        await hub.publish(RUN_COMPLETED, {"runId": str(turn.run_id), "conversationId": str(turn.conversation_id)})
    return ProcessResult(appended=len(pending), conversation_ids=frozenset(conversation_ids), turns=tuple(turns))
