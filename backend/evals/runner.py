"""Replaying one golden case through the real agent, isolated like agentRespond's dry run.

The real tools run on the real tables inside a transaction that is rolled back: nothing an eval books,
opens or sends survives it. The clock is frozen at EVAL_NOW; the demo business's slots for those weeks
are created beforehand (they stay: nobody else books in 2030).
"""

from __future__ import annotations

import time as clock
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from backend.agent.setup import AgentSetup
from backend.conversations.models import Conversation
from backend.evals.evaluator_expectations import evaluator_misses
from backend.evals.expectations import TurnRecord, check_turn
from backend.evals.given import create_given, given_misses
from backend.evals.golden import EVAL_NOW, EVAL_TIMEZONE, GoldenCase
from backend.scheduling.models import Booking, BookingStatus
from backend.scheduling.seed import business_seeded, seed_business
from backend.tickets.models import Ticket
from backend.turns.sandbox import sandbox, sandboxed_turn


@dataclass
class CaseOutcome:
    passed: bool
    failures: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0


async def prepare_eval_business() -> None:
    """Slots for the frozen eval weeks (idempotent): one read when they are there, as on every run but the
    first."""
    if not await business_seeded(timezone=EVAL_TIMEZONE, today=EVAL_NOW.date()):
        await seed_business(timezone=EVAL_TIMEZONE, today=EVAL_NOW.date())


async def run_case(case: GoldenCase, *, setup: AgentSetup) -> CaseOutcome:
    """Play every turn of the case and check each expectation; the database is left as it was."""
    outcome = CaseOutcome(passed=False)
    started = clock.perf_counter()
    async with sandbox() as connection:
        await create_given(connection=connection, case=case)
        conversation = await Conversation.create(
            channel=case.channel,
            thread_key=f"eval-{uuid.uuid4()}",
            customer=case.customer,
            last_message_at=case.clock,
            using_db=connection,
        )
        for number, turn in enumerate(case.turns, start=1):
            _, result = await sandboxed_turn(
                conversation_id=conversation.id,
                text=turn.customer,
                setup=setup,
                now=case.clock,
                tool_overrides=turn.tool_results,
            )
            # What the turn did comes with its outcome, nothing is read back. No outcome: a human has the
            # conversation.
            handed_off = result is None or result.handed_off
            record = TurnRecord(
                reply=result.reply if result else None,
                tools=result.tool_calls if result else [],
                violations=list(result.violations) if result else [],
                handed_off=handed_off,
            )
            outcome.transcript.append(
                {
                    "turn": number,
                    "customer": turn.customer,
                    "reply": record.reply,
                    "status": result.status.value if result else None,
                }
            )
            outcome.tool_calls += [{"turn": number, **call} for call in record.tools]
            outcome.violations += [{"turn": number, "rule": rule} for rule in record.violations]
            outcome.failures += [{"turn": number, **miss} for miss in check_turn(turn.expect, record)]
            if (
                case.evaluators or turn.expect.evaluators
            ):  # the evaluators of live traffic, on this replayed turn
                outcome.failures += [
                    {"turn": number, **miss}
                    for miss in await evaluator_misses(
                        case,
                        turn=turn,
                        number=number,
                        transcript=outcome.transcript,
                        tool_calls=outcome.tool_calls,
                        violations=outcome.violations,
                    )
                ]
        if case.final is not None:
            outcome.failures += await _check_final(connection, conversation.id, case)
    outcome.latency_ms = (clock.perf_counter() - started) * 1000
    outcome.passed = not outcome.failures
    return outcome


async def _check_final(connection, conversation_id: uuid.UUID, case: GoldenCase) -> list[dict[str, Any]]:
    misses: list[dict[str, Any]] = []
    final = case.final
    bookings = (
        await Booking.filter(conversation_id=conversation_id, status=BookingStatus.CONFIRMED)
        .using_db(connection)
        .prefetch_related("slot", "slot__service")
    )
    if final.booking == "none" and bookings:
        misses.append(
            {"turn": "final", "expectation": "booking", "expected": "none", "actual": len(bookings)}
        )
    elif final.booking not in (None, "none"):
        wanted = final.booking
        zone = ZoneInfo(EVAL_TIMEZONE)
        found = [
            {
                "service": b.slot.service.name,
                "date": b.slot.starts_at.astimezone(zone).date().isoformat(),
                "time": b.slot.starts_at.astimezone(zone).strftime("%H:%M"),
                "name": b.customer_name,
            }
            for b in bookings
        ]
        expected = {
            "service": wanted.service,
            "date": wanted.date.isoformat(),
            "time": wanted.time.strftime("%H:%M"),
            **({"name": wanted.name} if wanted.name else {}),
        }
        if not any(all(item[key] == value for key, value in expected.items()) for item in found):
            misses.append({"turn": "final", "expectation": "booking", "expected": expected, "actual": found})
    if final.tickets is not None:
        count = await Ticket.filter(conversation_id=conversation_id).using_db(connection).count()
        if count != final.tickets:
            misses.append(
                {"turn": "final", "expectation": "tickets", "expected": final.tickets, "actual": count}
            )
    return misses + await given_misses(connection=connection, case=case)
