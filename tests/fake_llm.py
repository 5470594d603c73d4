"""A loopback OpenAI-compatible chat-completions server that answers from a script, for the openai policy's
tests.

Each scripted step is a function of the request body (so a step can pick a slot id out of the tool results
the policy sent back) returning either tool calls or a final text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Step = Callable[[dict[str, Any]], dict[str, Any]]


def tool_call(name: str, arguments: Callable[[dict[str, Any]], dict[str, Any]] | dict[str, Any]) -> Step:
    """A step answering with one tool call; `arguments` may be computed from the request."""

    def step(body: dict[str, Any]) -> dict[str, Any]:
        values = arguments(body) if callable(arguments) else arguments
        call = {
            "id": f"call_{len(body['messages'])}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(values)},
        }
        return {"role": "assistant", "content": None, "tool_calls": [call]}

    return step


def say(text: Callable[[dict[str, Any]], str] | str) -> Step:
    """A step answering with a final message."""
    return lambda body: {"role": "assistant", "content": text(body) if callable(text) else text}


def last_tool_result(body: dict[str, Any]) -> dict[str, Any]:
    """The result of the most recent tool call the policy sent back."""
    tool_messages = [message for message in body["messages"] if message["role"] == "tool"]
    return json.loads(tool_messages[-1]["content"])


@dataclass
class ScriptedLLM:
    script: list[Step] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def completions(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(body)
            if not self.script:
                return JSONResponse({"error": {"message": "script exhausted"}}, status_code=500)
            message = self.script.pop(0)(body)
            return JSONResponse(
                {
                    "id": f"chatcmpl-{len(self.requests)}",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": message,
                            "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 100 + len(json.dumps(body)) // 4,
                        "completion_tokens": 20,
                        "total_tokens": 120 + len(json.dumps(body)) // 4,
                    },
                }
            )

        return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])
