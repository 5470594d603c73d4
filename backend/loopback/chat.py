"""The chat-completions format as the loopback model reads and writes it: turns in, a completion out."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

CHARS_PER_TOKEN = 4  # the usage figures are estimates: there is no tokenizer here


class BadRequest(ValueError):
    """The body is not a chat-completions request this server can answer."""


@dataclass
class Turn:
    """One customer message and what followed it: tool rounds (results in order) and text replies."""

    text: str
    tool_rounds: int = 0  # assistant messages carrying tool calls
    results: list[dict[str, Any]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    system: str
    turns: list[Turn]  # oldest first; the last one is the turn being answered


def text_of(message: dict[str, Any]) -> str:
    """A message's text, whether `content` is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def _result(content: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except json.JSONDecodeError:
        return {"error": content}
    return value if isinstance(value, dict) else {"result": value}


def conversation(body: dict[str, Any]) -> Conversation:
    """Split a request's messages into the system prompt and turns, each starting at a `user` message."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(message, dict) for message in messages):
        raise BadRequest("`messages` must be a list of message objects")
    system, turns = "", []
    for message in messages:
        role = message.get("role")
        if role == "system" and not system:
            system = text_of(message)
        elif role == "user":
            turns.append(Turn(text=text_of(message)))
        elif not turns:
            continue  # a thread trimmed to a budget can start mid-turn: nothing to attach it to
        elif role == "assistant" and message.get("tool_calls"):
            turns[-1].tool_rounds += 1
        elif role == "assistant":
            turns[-1].replies.append(text_of(message))
        elif role == "tool":
            turns[-1].results.append(_result(text_of(message)))
    if not turns:
        raise BadRequest("no `user` message to answer")
    return Conversation(system=system, turns=turns)


def offers_tools(body: dict[str, Any]) -> bool:
    """Whether the caller allows tool calls this round (the openai policy's last round does not)."""
    return bool(body.get("tools")) and body.get("tool_choice") != "none"


def call_id(*, turn: int, position: int) -> str:
    """A tool call's id from where it stands: the same request gets the same id."""
    return f"call_t{turn}_{position}"


def tool_call(*, call: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """An assistant message asking for one tool call."""
    function = {"name": name, "arguments": json.dumps(arguments, default=str)}
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call, "type": "function", "function": function}],
    }


def say(text: str) -> dict[str, Any]:
    """An assistant message answering in words."""
    return {"role": "assistant", "content": text}


def completion(*, body: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """The chat.completion object for `message`; its id is a digest of the request, like the answer."""
    request = json.dumps(body, sort_keys=True, default=str)
    prompt_tokens = len(request) // CHARS_PER_TOKEN + 1
    completion_tokens = len(json.dumps(message, default=str)) // CHARS_PER_TOKEN + 1
    return {
        "id": "chatcmpl-" + hashlib.sha256(request.encode()).hexdigest()[:24],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model") or "loopback"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
