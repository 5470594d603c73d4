"""A probing loopback model and in-process event intake for the turn pipeline's tests.

Events are accepted through the real ingest service onto a queue of the test's own (the suite's workers never
see them); the test then runs the pipeline itself, or its own SAQ worker on that queue.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from saq import Queue
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.ingest.rate_limit import RateLimiter
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.service import IngestContext, accept_events
from backend.settings import Settings

Hook = Callable[[dict[str, Any]], Awaitable[None]]


def _round(body: dict[str, Any]) -> int:
    """How many tool rounds this turn already had: assistant tool calls after the last user message."""
    last_user = max(index for index, message in enumerate(body["messages"]) if message["role"] == "user")
    return sum(1 for message in body["messages"][last_user:] if message.get("tool_calls"))


@dataclass
class ProbingModel:
    """Answers each turn with check_availability(service, the coming week) then words; runs `hook` inside
    every call."""

    service: str = "haircut"
    latency: float = 0.0
    hook: Hook | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    hang_on: str | None = None  # a customer text containing this gets no answer until `release()`
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Let hanging calls end (the server can then stop: it waits for requests in flight)."""
        self.released.set()

    def app(self) -> Starlette:
        async def completions(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(body)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                last_user = [message for message in body["messages"] if message["role"] == "user"][-1][
                    "content"
                ]
                if self.hang_on and self.hang_on in last_user:
                    await self.released.wait()
                if self.hook is not None:
                    await self.hook(body)
                await asyncio.sleep(self.latency)
            finally:
                self.in_flight -= 1
            if _round(body) == 0 and body.get("tools"):
                today = date.fromisoformat(body["messages"][0]["content"].split("Today is ")[1].split()[1])
                message = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": f"call_probe_{len(self.requests)}",
                            "type": "function",
                            "function": {
                                "name": "check_availability",
                                "arguments": json.dumps(
                                    {
                                        "service": self.service,
                                        "date_from": today.isoformat(),
                                        "date_to": (today + timedelta(days=6)).isoformat(),
                                    }
                                ),
                            },
                        }
                    ],
                }
            else:
                message = {"role": "assistant", "content": f"Noted: {last_user[:40]}"}
            return JSONResponse(
                {
                    "id": f"chatcmpl-{len(self.requests)}",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
                }
            )

        return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


async def accept(
    settings: Settings, redis: aioredis.Redis, queue: Queue, *messages: tuple[str, str]
) -> list[uuid.UUID]:
    """Accept (sender, text) SMS events through the ingest service onto `queue`; their ids, in order."""
    limits = IngestLimits.from_settings(settings)
    events = [
        IncomingEvent.model_validate(
            {
                "channel": "SMS",
                "idempotency_key": f"turns-{uuid.uuid4()}",
                "sender": sender,
                "text": text,
                "occurred_at": datetime.now(UTC).isoformat(),
            },
            context={"limits": limits},
        )
        for sender, text in messages
    ]
    context = IngestContext(settings=settings, queue=queue, rate_limiter=RateLimiter(redis))
    return [
        answer.event_id for answer in await accept_events(events=events, api_key_id=None, context=context)
    ]
