"""Runs the agent's tools inside the turn's transaction and records one ToolCall row per call.

A call's side effect is keyed "<run id>:<position>": a retried turn that makes the same call finds what the
first attempt made instead of making it again.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError as PydanticValidationError
from tortoise.backends.base.client import BaseDBAsyncClient

from backend.agent.models import ToolCall
from backend.agent.tools.registry import TOOLS, ToolContext

log = structlog.get_logger(__name__)


@dataclass
class RecordedCall:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    latency_ms: float


@dataclass
class ToolBox:
    connection: BaseDBAsyncClient
    run_id: uuid.UUID
    conversation_id: uuid.UUID | None
    customer: str
    now: datetime
    timezone: str
    calls: list[RecordedCall] = field(default_factory=list)

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run a tool; the answer is its result, or {"error": …} for bad arguments or an expected refusal."""
        position = len(self.calls) + 1
        started = time.perf_counter()
        result: dict[str, Any] | None = None
        error: str | None = None
        tool = TOOLS.get(name)
        if tool is None:
            error = f"unknown tool {name!r}"
        else:
            try:
                parsed = tool.arguments.model_validate(arguments)
            except PydanticValidationError as problem:
                first = problem.errors()[0]
                error = f"invalid arguments: {'.'.join(map(str, first['loc'])) or 'arguments'}: {first['msg']}"
            else:
                context = ToolContext(
                    connection=self.connection,
                    idempotency_key=f"{self.run_id}:{position}",
                    conversation_id=self.conversation_id,
                    customer=self.customer,
                    now=self.now,
                    timezone=self.timezone,
                )
                result = await tool.run(parsed, context)
        latency_ms = (time.perf_counter() - started) * 1000
        recorded = RecordedCall(name=name, arguments=arguments, result=result, error=error, latency_ms=latency_ms)
        self.calls.append(recorded)
        await ToolCall.create(
            run_id=self.run_id, position=position, name=name, arguments=arguments, result=result, error=error,
            latency_ms=latency_ms, using_db=self.connection,
        )
        return result if result is not None else {"error": error}
