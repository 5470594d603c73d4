"""A turn's first phase: all it reads before it decides, in one round trip (backend/turns/runtime.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import time as clock_time

from tortoise import connections

from backend.agent.memory import ThreadItem, parse_thread, thread_sql
from backend.conversations.models import Conversation, ConversationStatus
from backend.core.enums import Channel
from backend.turns.committing import AlreadyAnswered

HISTORY_MESSAGES = 20

# What a turn reads before it decides, in one round trip: the conversation, the services and opening hours it
# is told about (business-local wall-clock times), what an earlier attempt of this turn got from its tools,
# whether its trigger event is still owed an answer (the pipeline may have learned of it before taking the
# lease), and the thread the policy remembers. A wave of turns shares the pool's few connections: every round
# trip counts.
LOAD_TURN = (
    """
SELECT c.status, c.version, c.customer, c.channel, c.agent_state::text AS agent_state,
       (SELECT array_agg(name ORDER BY name) FROM services) AS services,
       (SELECT json_agg(json_build_object('weekday', weekday, 'opens', opens_at::time::text,
                                          'closes', closes_at::time::text)) FROM business_hours)::text
               AS hours,
       (SELECT json_agg(json_build_object('position', position, 'tool', tool, 'result', result))
          FROM tool_effects WHERE turn_key = $2)::text AS earlier,
       (SELECT status FROM ingest_events WHERE id = $3) AS trigger_status,
       """
    + thread_sql(conversation="$1", trigger="$4", limit="$5")
    + """ AS thread
FROM conversations c WHERE c.id = $1
"""
)


@dataclass(frozen=True)
class Loaded:
    conversation: Conversation
    services: list[str]
    hours: dict
    earlier: dict[int, tuple[str, dict]]
    memory: tuple[
        ThreadItem, ...
    ]  # the thread before the message this turn answers (backend/agent/memory.py)


async def load_turn(
    conversation_id: uuid.UUID,
    turn_key: str,
    trigger_event_id: uuid.UUID | None,
    trigger_message_id: uuid.UUID | None,
) -> Loaded:
    rows = await connections.get("default").execute_query_dict(
        LOAD_TURN, [conversation_id, turn_key, trigger_event_id, trigger_message_id, HISTORY_MESSAGES]
    )
    if not rows:
        raise LookupError(f"no conversation {conversation_id}")
    row = rows[0]
    if trigger_event_id is not None and row["trigger_status"] != "RECEIVED":
        raise AlreadyAnswered(
            str(trigger_event_id)
        )  # answered (or dead) before this turn began: nothing to decide
    conversation = Conversation(
        id=conversation_id,
        status=ConversationStatus(row["status"]),
        version=row["version"],
        customer=row["customer"],
        channel=Channel(row["channel"]),
        agent_state=json.loads(row["agent_state"] or "{}"),
    )
    hours = {
        item["weekday"]: (clock_time.fromisoformat(item["opens"]), clock_time.fromisoformat(item["closes"]))
        for item in json.loads(row["hours"] or "[]")
    }
    earlier = {
        item["position"]: (item["tool"], item["result"]) for item in json.loads(row["earlier"] or "[]")
    }
    return Loaded(
        conversation=conversation,
        services=list(row["services"] or []),
        hours=hours,
        earlier=earlier,
        memory=parse_thread(row["thread"]),
    )
