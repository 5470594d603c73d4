"""Runs the agent's tools inside the turn's transaction and records one ToolCall row per call.

A call's side effect is keyed "<run id>:<position>": a retried turn that makes the same call finds what the
first attempt made instead of making it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time
from time import perf_counter
from typing import Any

import structlog
from pydantic import ValidationError as PydanticValidationError
from tortoise.backends.base.client import BaseDBAsyncClient

from backend.agent.models import ToolCall
from backend.agent.tools.registry import TOOLS, Tool, ToolContext
from backend.faults import current_faults, tool_point
from backend.guardrails.config import GuardrailConfig
from backend.guardrails.engine import check_tool
from backend.guardrails.service import record_findings
from backend.observability.metrics import TOOL_CALLS
from backend.observability.tracing import tracer
from backend.scheduling.service import slot_details

log = structlog.get_logger(__name__)


@dataclass
class RecordedCall:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    latency_ms: float


class ToolFailed(RuntimeError):
    """A tool crashed or is down (not a refusal): the turn fails, and the call is kept as evidence."""

    def __init__(self, call: RecordedCall, position: int) -> None:
        super().__init__(call.error)
        self.call, self.position = call, position


@dataclass
class ToolBox:
    connection: BaseDBAsyncClient
    run_id: uuid.UUID
    conversation_id: uuid.UUID | None
    customer: str
    now: datetime
    timezone: str
    guardrails: GuardrailConfig | None = None
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)
    # Evals may freeze a tool's answer: the call is still screened and recorded, the tool itself does not run.
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)

    async def call(self, name: str, arguments: dict[str, Any], *, call_id: str | None = None) -> dict[str, Any]:
        """Run a tool; the answer is its result, or {"error": …} for bad arguments or an expected refusal."""
        with tracer.start_as_current_span(
            f"execute_tool {name}",
            attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name,
                        "gen_ai.tool.call.id": f"{self.run_id}:{len(self.calls) + 1}"},
        ) as span:
            answer = await self._call(name, arguments)
            if "error" in answer:
                span.set_attribute("error.type", "tool_error")
            return answer

    async def _call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        position = len(self.calls) + 1
        started = perf_counter()
        result: dict[str, Any] | None = None
        error: str | None = None
        crash: Exception | None = None
        tool = TOOLS.get(name)
        if tool is None:
            error = f"unknown tool {name!r}"
        elif blocked := await self._screen(tool, arguments):
            error = blocked
        elif name in self.overrides:
            result = dict(self.overrides[name])
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
                try:
                    await current_faults().check(tool_point(name))  # a TOOL_OUTAGE drill
                    result = await tool.run(parsed, context)
                except Exception as failure:  # noqa: BLE001 - any crash is an outage of this tool
                    crash, error = failure, f"tool failed: {type(failure).__name__}: {failure}"[:2000]
        latency_ms = (perf_counter() - started) * 1000
        TOOL_CALLS.labels(name if name in TOOLS else "unknown", "error" if error or (result or {}).get("error") else "ok").inc()
        recorded = RecordedCall(name=name, arguments=arguments, result=result, error=error, latency_ms=latency_ms)
        self.calls.append(recorded)
        await self.record(recorded, position=position)
        if crash is not None:
            raise ToolFailed(recorded, position) from crash
        return result if result is not None else {"error": error}

    async def record(self, call: RecordedCall, *, position: int) -> None:
        """Store one call as a ToolCall row."""
        await ToolCall.create(
            run_id=self.run_id, position=position, name=call.name, arguments=call.arguments, result=call.result,
            error=call.error, latency_ms=call.latency_ms, using_db=self.connection,
        )

    async def _screen(self, tool: Tool, arguments: dict[str, Any]) -> str | None:
        """Run the TOOL guardrails; the reason when they block the call (the hits are recorded either way)."""
        if self.guardrails is None:
            return None
        slot_start = None
        if tool.name == "book_appointment":
            try:
                slot = await slot_details(connection=self.connection, slot_id=uuid.UUID(str(arguments.get("slot_id"))))
            except ValueError:
                slot = None  # a malformed id: the schema rule reports it
            slot_start = slot.starts_at if slot else None
        result = check_tool(tool.name, arguments, config=self.guardrails,
                            json_schema=tool.json_schema()["function"]["parameters"], now=self.now, hours=self.hours,
                            slot_start=slot_start)
        await record_findings(connection=self.connection, findings=result.findings, run_id=self.run_id,
                              conversation_id=self.conversation_id, config_version=self.guardrails.version)
        if result.blocked:
            reasons = "; ".join(finding.message for finding in result.findings if finding.action.value == "BLOCK")
            return f"blocked by guardrail: {reasons}"
        return None
