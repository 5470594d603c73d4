"""What a model remembers of a thread: earlier messages with the tool calls and results behind each agent
reply.

Rendered in the chat-completions format — an assistant message per tool call, then its `tool` result, then the
reply — so a model can refer to a slot it offered a turn ago. A token budget keeps the newest items and drops
the oldest first, whole items only (a tool result never loses the call that asked for it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backend.agent.policies.base import TurnInput

# Who wrote a message → the chat role a model reads it as. An operator trying the agent speaks as the user.
ROLES = {"CUSTOMER": "user", "OPERATOR": "user", "AGENT": "assistant", "HUMAN": "assistant"}
CHARS_PER_TOKEN = 4  # a deliberate over-estimate for English text and JSON; no tokenizer needed offline


@dataclass(frozen=True)
class RememberedCall:
    call_id: str
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class ThreadItem:
    author: str  # CUSTOMER, AGENT, HUMAN or OPERATOR
    text: str
    tool_calls: tuple[RememberedCall, ...] = field(default=())


def call_id(*, sequence: int, position: int) -> str:
    """A stable id for a remembered call: the same thread renders the same request (cassettes rely on it)."""
    return f"call_{sequence}_{position}"


def _rendered(item: ThreadItem) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for call in item.tool_calls:
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call.call_id,
                        "type": "function",
                        "function": {
                            "name": call.name,
                            "arguments": json.dumps(call.arguments, sort_keys=True),
                        },
                    }
                ],
            }
        )
        answer = call.result if call.result is not None else {"error": call.error or "no result"}
        messages.append(
            {"role": "tool", "tool_call_id": call.call_id, "content": json.dumps(answer, sort_keys=True)}
        )
    messages.append({"role": ROLES.get(item.author, "user"), "content": item.text})
    return messages


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """A cheap upper estimate of the tokens these messages cost."""
    return sum(len(json.dumps(message)) for message in messages) // CHARS_PER_TOKEN + 1


def within_budget(items: tuple[ThreadItem, ...], *, budget_tokens: int) -> list[dict[str, Any]]:
    """The newest items that fit the budget, rendered oldest first."""
    kept: list[list[dict[str, Any]]] = []
    used = 0
    for item in reversed(items):
        rendered = _rendered(item)
        cost = estimate_tokens(rendered)
        if used + cost > budget_tokens:
            break
        kept.append(rendered)
        used += cost
    return [message for rendered in reversed(kept) for message in rendered]


def model_messages(turn: TurnInput, *, budget_tokens: int) -> list[dict[str, Any]]:
    """System prompt, the remembered thread within the budget, then the message this turn answers."""
    system = turn.prompt.render(timezone=str(turn.now.tzinfo), today=turn.now.strftime("%A %Y-%m-%d %H:%M"))
    current = {"role": "user", "content": turn.text}
    room = budget_tokens - estimate_tokens([{"role": "system", "content": system}, current])
    history = within_budget(turn.memory, budget_tokens=max(0, room))
    return [{"role": "system", "content": system}, *history, current]


def thread_sql(*, conversation: str, trigger: str, limit: str) -> str:
    """A scalar subquery (JSON text) of the last `limit` messages before the one a turn answers, oldest first,
    each agent reply with its run's tool calls; read with `parse_thread`. Arguments name the query's
    parameters ("$1").

    Customer messages that arrived after the trigger belong to later turns and are left out. A subquery, not a
    query of its own: the turn reads it in the same round trip as the rest of what it needs.
    """
    return f"""(
SELECT json_agg(json_build_object(
           'author', m.author, 'text', m.text,
           'calls', (SELECT json_agg(json_build_object('sequence', m.sequence, 'position', t.position,
                                                       'name', t.name, 'arguments', t.arguments,
                                                       'result', t.result, 'error', t.error)
                                     ORDER BY t.position)
                     FROM agent_runs r JOIN tool_calls t ON t.run_id = r.id
                     WHERE m.author = 'AGENT' AND r.reply_message_id = m.id))
       ORDER BY m.sequence)
FROM (SELECT id, sequence, author, text FROM messages
      WHERE conversation_id = {conversation} AND id IS DISTINCT FROM {trigger}::uuid
        AND NOT (direction = 'INBOUND'
                 AND sequence > COALESCE((SELECT sequence FROM messages WHERE id = {trigger}::uuid),
                                         2147483647))
      ORDER BY sequence DESC LIMIT {limit}::int) m
)::text"""


def parse_thread(raw: str | None) -> tuple[ThreadItem, ...]:
    """The items of `thread_sql`'s answer."""
    return tuple(
        ThreadItem(
            author=item["author"],
            text=item["text"],
            tool_calls=tuple(
                RememberedCall(
                    call_id=call_id(sequence=call["sequence"], position=call["position"]),
                    name=call["name"],
                    arguments=call["arguments"] or {},
                    result=call["result"],
                    error=call["error"],
                )
                for call in item["calls"] or ()
            ),
        )
        for item in json.loads(raw or "[]")
    )
