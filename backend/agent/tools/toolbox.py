"""Runs the agent's tools for one turn, holding no database connection between calls.

Every call's answer is kept in `tool_effects` under "<trigger>:<call position>", where the trigger is the
event (or message) the turn answers. A tool with a side effect (see `Tool.side_effect`) runs in its own short
transaction together with that row, and with the rows of the reads before it (a read only matters to a retry
when an effect followed it: the retry must decide that effect on what the first attempt saw). A turn retried
after a crash, a timeout or a version conflict is answered at each position with what its earlier attempt got
(loaded once, `earlier`), so it decides the same way and never books, cancels or opens a ticket twice. The
calls and their guardrail hits are kept in memory and written with the run when the turn commits.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time
from time import perf_counter
from typing import Any

import asyncpg
import structlog
from pydantic import ValidationError as PydanticValidationError
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.agent.models import ToolEffect
from backend.agent.tools.registry import TOOLS, Tool, ToolContext
from backend.core.faults import current_faults, tool_point
from backend.guardrails.config import GuardrailConfig
from backend.guardrails.engine import Finding, check_tool
from backend.scheduling.service import slot_details
from backend.telemetry.metrics import TOOL_CALLS
from backend.telemetry.tracing import tracer

log = structlog.get_logger(__name__)
_KEEP_ANSWER = """
INSERT INTO tool_effects (key, turn_key, position, tool, arguments, result, created_at)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, now())
ON CONFLICT (key) DO NOTHING
"""


async def earlier_answers(*, turn_key: str) -> dict[int, tuple[str, dict[str, Any]]]:
    """What earlier attempts of this turn got from their tools, by call position (empty on a first
    attempt)."""
    rows = await ToolEffect.filter(turn_key=turn_key).values("position", "tool", "result")
    return {row["position"]: (row["tool"], row["result"]) for row in rows}


@dataclass
class RecordedCall:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    latency_ms: float
    position: int = 0
    repeated: bool = False  # answered from an earlier attempt's effect
    overridden: bool = False  # an eval's frozen answer: the tool itself did not run


class ToolFailed(RuntimeError):
    """A tool crashed or is down (not a refusal): the turn fails, and the call is kept as evidence."""

    def __init__(self, call: RecordedCall, position: int) -> None:
        super().__init__(call.error)
        self.call, self.position = call, position


@dataclass
class ToolBox:
    # What a side effect is keyed by: the trigger event's id in production, the trigger message's in a
    # sandbox.
    turn_key: str
    run_id: uuid.UUID
    conversation_id: uuid.UUID | None
    customer: str
    now: datetime
    timezone: str
    guardrails: GuardrailConfig | None = None
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)
    # Evals may freeze a tool's answer: the call is still screened and recorded, the tool itself does not run.
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What an earlier attempt of this turn got, by call position: {position: (tool name, answer)}.
    earlier: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Reads not stored yet: they go in with the next side effect's transaction, or nowhere if none follows.
    unsaved_reads: list[list[Any]] = field(default_factory=list)

    async def call(
        self, name: str, arguments: dict[str, Any], *, call_id: str | None = None
    ) -> dict[str, Any]:
        """Run a tool; the answer is its result, or {"error": …} for bad arguments or an expected refusal."""
        with tracer.start_as_current_span(
            f"execute_tool {name}",
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": name,
                "gen_ai.tool.call.id": call_id or f"{self.run_id}:{len(self.calls) + 1}",
            },
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
        repeated = overridden = False
        tool = TOOLS.get(name)
        if tool is None:
            error = f"unknown tool {name!r}"
        elif blocked := await self._screen(tool, arguments):
            error = blocked
        elif name in self.overrides:
            result, overridden = dict(self.overrides[name]), True
        else:
            try:
                parsed = tool.arguments.model_validate(arguments)
            except PydanticValidationError as problem:
                first = problem.errors()[0]
                error = (
                    f"invalid arguments: {'.'.join(map(str, first['loc'])) or 'arguments'}: {first['msg']}"
                )
            else:
                try:
                    await current_faults().check(tool_point(name))  # a TOOL_OUTAGE drill
                    result, repeated = await self._run(tool, parsed, arguments, position=position)
                except asyncpg.TransactionRollbackError:
                    # A deadlock or serialization failure is not an outage of the tool: the database rolled
                    # its effect back and asks for another try, so the attempt fails (and is retried) as a
                    # whole.
                    raise
                except Exception as failure:  # noqa: BLE001 - any crash is an outage of this tool
                    crash, error = failure, f"tool failed: {type(failure).__name__}: {failure}"[:2000]
        latency_ms = (perf_counter() - started) * 1000
        TOOL_CALLS.labels(
            name if name in TOOLS else "unknown", "error" if error or (result or {}).get("error") else "ok"
        ).inc()
        recorded = RecordedCall(
            name=name,
            arguments=arguments,
            result=result,
            error=error,
            latency_ms=latency_ms,
            position=position,
            repeated=repeated,
            overridden=overridden,
        )
        self.calls.append(recorded)
        if crash is not None:
            raise ToolFailed(recorded, position) from crash
        return result if result is not None else {"error": error}

    def _context(self, connection, position: int) -> ToolContext:
        return ToolContext(
            connection=connection,
            idempotency_key=f"{self.turn_key}:{position}",
            conversation_id=self.conversation_id,
            customer=self.customer,
            now=self.now,
            timezone=self.timezone,
        )

    async def _run(
        self, tool: Tool, parsed: Any, arguments: dict[str, Any], *, position: int
    ) -> tuple[dict[str, Any], bool]:
        """The tool's answer, and whether it came from an earlier attempt of this turn."""
        if position in self.earlier:
            return self._as_before(tool, position), True
        key = f"{self.turn_key}:{position}"
        if not tool.side_effect:
            result = await tool.run(parsed, self._context(connections.get("default"), position))
            self.unsaved_reads.append(
                [key, self.turn_key, position, tool.name, json.dumps(arguments), json.dumps(result)]
            )
            return result, False
        async with in_transaction() as connection:
            # Two attempts of one turn (a lease that expired under a stalled worker) queue here, not side by
            # side.
            await connection.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))", [key])
            found = await ToolEffect.filter(key=key).using_db(connection).first()
            if found is not None:
                self.earlier[position] = (found.tool, found.result)
                return self._as_before(tool, position), True
            result = await tool.run(parsed, self._context(connection, position))
            await connection.execute_many(
                _KEEP_ANSWER,
                [
                    *self.unsaved_reads,
                    [key, self.turn_key, position, tool.name, json.dumps(arguments), json.dumps(result)],
                ],
            )
        self.unsaved_reads.clear()
        return result, False

    def _as_before(self, tool: Tool, position: int) -> dict[str, Any]:
        name, answer = self.earlier[position]
        log.debug("agent.tool_answer_reused", tool=tool.name, position=position)
        if name != tool.name:
            # A model that chose differently on the retry is told what this step already did.
            return {
                "error": f"an earlier attempt of this turn already ran {name} at this step",
                "earlier_result": answer,
            }
        return dict(answer)

    async def _screen(self, tool: Tool, arguments: dict[str, Any]) -> str | None:
        """Run the TOOL guardrails; the reason when they block the call (the hits are kept for the run)."""
        if self.guardrails is None:
            return None
        slot_start = None
        if "slot_id" in arguments:  # booking or moving to a slot: its start is checked against business hours
            try:
                slot = await slot_details(
                    connection=connections.get("default"), slot_id=uuid.UUID(str(arguments.get("slot_id")))
                )
            except ValueError:
                slot = None  # a malformed id: the schema rule reports it
            slot_start = slot.starts_at if slot else None
        result = check_tool(
            tool.name,
            arguments,
            config=self.guardrails,
            json_schema=tool.json_schema()["function"]["parameters"],
            now=self.now,
            hours=self.hours,
            slot_start=slot_start,
        )
        self.findings.extend(result.findings)
        if result.blocked:
            reasons = "; ".join(
                finding.message for finding in result.findings if finding.action.value == "BLOCK"
            )
            return f"blocked by guardrail: {reasons}"
        return None
