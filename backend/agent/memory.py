"""What a model remembers of a thread: earlier messages with the tool calls and results behind each agent reply.

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
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": call.call_id, "type": "function",
             "function": {"name": call.name, "arguments": json.dumps(call.arguments, sort_keys=True)}}]})
        answer = call.result if call.result is not None else {"error": call.error or "no result"}
        messages.append({"role": "tool", "tool_call_id": call.call_id, "content": json.dumps(answer, sort_keys=True)})
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


async def load_thread(*, connection, conversation_id, trigger_message_id, limit: int) -> tuple[ThreadItem, ...]:
    """The last `limit` messages before the one a turn answers, each agent reply with its run's tool calls.

    Customer messages that arrived after the trigger belong to later turns and are left out.
    """
    from backend.agent.models import AgentRun, ToolCall
    from backend.conversations.models import Message, MessageDirection

    recent = await Message.filter(conversation_id=conversation_id).using_db(connection).order_by("-sequence").limit(limit + 1)
    trigger = next((message for message in recent if message.id == trigger_message_id), None)
    messages = [
        message for message in reversed(recent)
        if message.id != trigger_message_id
        and not (trigger and message.direction == MessageDirection.INBOUND and message.sequence > trigger.sequence)
    ][-limit:]
    replies = {message.id: message.sequence for message in messages if message.author.value == "AGENT"}
    calls_by_reply: dict[Any, list[RememberedCall]] = {}
    if replies:
        runs = await AgentRun.filter(reply_message_id__in=list(replies)).using_db(connection).values("id", "reply_message_id")
        reply_of_run = {run["id"]: run["reply_message_id"] for run in runs}
        if reply_of_run:
            for call in await ToolCall.filter(run_id__in=list(reply_of_run)).using_db(connection).order_by("position"):
                reply_id = reply_of_run[call.run_id]  # type: ignore[attr-defined]
                calls_by_reply.setdefault(reply_id, []).append(RememberedCall(
                    call_id=call_id(sequence=replies[reply_id], position=call.position), name=call.name,
                    arguments=call.arguments or {}, result=call.result, error=call.error))
    return tuple(
        ThreadItem(author=message.author.value, text=message.text, tool_calls=tuple(calls_by_reply.get(message.id, ())))
        for message in messages
    )
