"""Reading committed turns as evaluators see them, in one query for any number of runs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise import connections

from backend.core.enums import Channel
from backend.quality.subject import ThreadLine, ToolUse, TurnSubject

EARLIER_MESSAGES = (
    11  # the thread before the customer's message an evaluator reads (the judge is shown fewer)
)
EARLIER_RUNS = 10  # whose tool calls back a claim about how things stand

# The run, its channel, the customer's message and the reply as stored (redacted by the guardrails), its tool
# calls and guardrail hits, the thread before it, the tool calls of the conversation's earlier runs, the
# services (dates and services in the customer's words are read against them) and which evaluators already
# scored it.
_TURNS = """
SELECT r.id, r.conversation_id, r.status, r.created_at, c.channel, COALESCE(t.text, '') AS customer_text,
       m.text AS reply,
       (SELECT json_agg(json_build_object('name', name, 'arguments', arguments, 'result', result,
                                          'error', error)
                        ORDER BY position) FROM tool_calls WHERE run_id = r.id)::text AS tools,
       (SELECT json_agg(rule) FROM guardrail_violations WHERE run_id = r.id)::text AS violations,
       (SELECT json_agg(json_build_object('author', h.author, 'text', h.text, 'at', h.created_at)
                 ORDER BY h.sequence)
          FROM (SELECT author, text, created_at, sequence FROM messages
                 WHERE conversation_id = r.conversation_id AND sequence < COALESCE(t.sequence, m.sequence)
                 ORDER BY sequence DESC LIMIT $2) h)::text AS earlier,
       (SELECT json_agg(json_build_object('name', tc.name, 'arguments', tc.arguments, 'result', tc.result,
                                          'error', tc.error) ORDER BY e.created_at, tc.position)
          FROM (SELECT id, created_at FROM agent_runs WHERE conversation_id = r.conversation_id
                  AND created_at < r.created_at ORDER BY created_at DESC LIMIT $3) e
          JOIN tool_calls tc ON tc.run_id = e.id)::text AS earlier_tools,
       (SELECT array_agg(name ORDER BY name) FROM services) AS services,
       (SELECT array_agg(s.evaluator || '@' || s.version) FROM eval_scores s WHERE s.run_id = r.id) AS scored
FROM agent_runs r JOIN conversations c ON c.id = r.conversation_id
LEFT JOIN messages t ON t.id = r.trigger_message_id
LEFT JOIN messages m ON m.id = r.reply_message_id
WHERE r.id = ANY($1::uuid[])
"""


@dataclass(frozen=True)
class StoredTurn:
    run_id: uuid.UUID
    conversation_id: uuid.UUID
    subject: TurnSubject
    scored: frozenset[str]  # "<evaluator>@<version>" already stored for this run (a retried job skips them)


def _uses(text: str | None) -> tuple[ToolUse, ...]:
    return tuple(
        ToolUse(
            name=call["name"],
            arguments=call.get("arguments") or {},
            result=call.get("result"),
            error=call.get("error"),
        )
        for call in json.loads(text or "[]")
    )


async def load_turns(run_ids: Sequence[uuid.UUID], *, timezone: str) -> list[StoredTurn]:
    """The runs that exist among `run_ids` (a run deleted meanwhile is left out), as evaluators see them."""
    rows = await connections.get("default").execute_query_dict(
        _TURNS, [list(run_ids), EARLIER_MESSAGES, EARLIER_RUNS]
    )
    zone = ZoneInfo(timezone)
    turns = []
    for row in rows:
        earlier = tuple(
            ThreadLine(
                author=line["author"],
                text=line["text"],
                at=datetime.fromisoformat(line["at"]).astimezone(zone),
            )
            for line in json.loads(row["earlier"] or "[]")
        )
        subject = TurnSubject(
            channel=Channel(row["channel"]),
            customer_text=row["customer_text"],
            reply=row["reply"],
            tools=_uses(row["tools"]),
            earlier_tools=_uses(row["earlier_tools"]),
            now=row["created_at"].astimezone(zone),
            violations=tuple(json.loads(row["violations"] or "[]")),
            failed=row["status"] == "FAILED",
            earlier=earlier,
            services=tuple(row["services"] or ()),
        )
        turns.append(
            StoredTurn(
                run_id=row["id"],
                conversation_id=row["conversation_id"],
                subject=subject,
                scored=frozenset(row["scored"] or ()),
            )
        )
    return turns
