"""The loopback model's Starlette app: chat completions (and a judge's grades), the model list, and call
counters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.loopback import chat
from backend.loopback.judge import asks_for_a_grade, grade_answer
from backend.loopback.replay import rules_answer
from backend.loopback.rounds import rounds_behaviour

Behaviour = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass
class Stats:
    calls: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


def behaviour_named(spec: str) -> Behaviour:
    """`rules` or `rounds:N`."""
    if spec == "rules":
        return rules_answer
    kind, _, rounds = spec.partition(":")
    if kind == "rounds" and rounds.isdigit():
        return rounds_behaviour(int(rounds))
    raise ValueError(f"unknown behaviour {spec!r} (known: rules, rounds:N)")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error"}}, status_code=status)


def create_loopback_app(*, latency_ms: float = 0, behaviour: str = "rules") -> Starlette:
    """An OpenAI-compatible model server answering with `behaviour`, each call taking `latency_ms`."""
    if latency_ms < 0:
        raise ValueError("latency_ms must be >= 0")
    answer = behaviour_named(behaviour)
    stats = Stats()

    async def completions(request: Request) -> JSONResponse:
        stats.calls += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            try:
                body = await request.json()
            except json.JSONDecodeError:
                return _error(400, "the body is not JSON")
            if not isinstance(body, dict):
                return _error(400, "the body must be a JSON object")
            # A sleep, not work: hundreds of calls wait at once, as they would on a remote model.
            await asyncio.sleep(latency_ms / 1000)
            try:
                message = grade_answer(body) if asks_for_a_grade(body) else await answer(body)
            except chat.BadRequest as problem:
                return _error(400, str(problem))
            return JSONResponse(chat.completion(body=body, message=message))
        finally:
            stats.in_flight -= 1

    async def models(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": f"loopback-{behaviour}", "object": "model", "created": 0, "owned_by": "agentops"}
                ],
            }
        )

    async def read_stats(_: Request) -> JSONResponse:
        return JSONResponse(asdict(stats))

    async def reset_stats(_: Request) -> JSONResponse:
        # Calls still in flight stay counted: they are the floor of the next measurement.
        stats.calls, stats.max_in_flight = 0, stats.in_flight
        return JSONResponse(asdict(stats))

    application = Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/stats", read_stats, methods=["GET"]),
            Route("/stats/reset", reset_stats, methods=["POST"]),
        ]
    )
    application.state.stats = stats
    return application
