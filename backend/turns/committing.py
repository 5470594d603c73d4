"""A turn's last phase: the reply, the run and its tool calls written at once — or nothing, saying why
(backend/turns/runtime.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

from tortoise.transactions import in_transaction

from backend.agent.tools.toolbox import ToolBox
from backend.channels.delivery.service import undeliverable_reason
from backend.conversations.models import DeliveryStatus, Message
from backend.core.enums import Channel
from backend.ingest.models import IngestEvent

# The turn's commit, in one round trip (migration 0017): checks the trigger still waits and the conversation
# is at the version read, then writes the reply (with its delivery status and, on a channel with no adapter,
# the reason it is FAILED: migration 0018) and the state, the answered mark, the run and its tool calls ($21,
# JSON).
COMMIT_TURN = (
    "SELECT agentops_commit_turn($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
    " $16, $17, $18, $19, $20, $21::jsonb) AS outcome"
)


class ConversationChanged(Exception):
    """The conversation moved to another version while the turn was being decided."""


class AlreadyAnswered(Exception):
    """The trigger event is no longer waiting for an answer: another attempt committed one first."""


def delivery_of(
    deliver: bool, channel: Channel, channels: frozenset[Channel] | None
) -> tuple[DeliveryStatus | None, str | None]:
    """The reply's delivery status and error as written: none (not for the customer), QUEUED, or FAILED at
    once."""
    if not deliver:
        return None, None
    if channels is not None and channel not in channels:
        return DeliveryStatus.FAILED, undeliverable_reason(channel)
    return DeliveryStatus.QUEUED, None


async def commit_turn(connection, record: list) -> None:
    """The reply, the state, the answered mark, the run and its tool calls — or nothing, raising why."""
    rows = await connection.execute_query_dict(COMMIT_TURN, record)
    if rows[0]["outcome"] == "changed":
        raise ConversationChanged(str(record[0]))
    if rows[0]["outcome"] == "answered":
        raise AlreadyAnswered(str(record[3]))


def calls_as_json(tools: ToolBox) -> str:
    return json.dumps(
        [
            {
                "position": call.position,
                "name": call.name,
                "arguments": call.arguments or {},
                "result": call.result,
                "error": call.error,
                "latency_ms": call.latency_ms,
            }
            for call in tools.calls
        ]
    )


async def mark_answered(connection, event_id: uuid.UUID) -> None:
    marked = await connection.execute_query_dict(
        "UPDATE ingest_events SET status = 'PROCESSED', processed_at = now(), attempts = attempts + 1"
        " WHERE id = $1 AND status = 'RECEIVED' RETURNING id",
        [event_id],
    )
    if not marked:
        raise AlreadyAnswered(str(event_id))


async def keep_only_redacted(connection, message_id: uuid.UUID, text: str) -> None:
    message = await Message.get(id=message_id).using_db(connection)
    await Message.filter(id=message_id).using_db(connection).update(text=text)
    if message.ingest_event_id is not None:  # type: ignore[attr-defined]
        await IngestEvent.filter(id=message.ingest_event_id).using_db(connection).update(text=text)  # type: ignore[attr-defined]


async def commit_silence(
    *, trigger_event_id: uuid.UUID | None, before_commit: Callable[[], Awaitable[None]] | None
) -> None:
    """A human owns the conversation: the event is done, with no run and no reply."""
    if trigger_event_id is None:
        return
    async with in_transaction() as connection:
        await mark_answered(connection, trigger_event_id)
        if before_commit is not None:
            await before_commit()
