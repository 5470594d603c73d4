"""The four tools: argument schemas (which LLM policies see as JSON schemas) and what each does."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from tortoise.backends.base.client import BaseDBAsyncClient

from backend.conversations.service import hand_off
from backend.scheduling import service as scheduling
from backend.tickets.models import TicketPriority
from backend.tickets.service import open_ticket

MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class ToolContext:
    connection: BaseDBAsyncClient
    idempotency_key: str
    conversation_id: uuid.UUID | None
    customer: str
    now: datetime
    timezone: str


class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckAvailability(_Arguments):
    """Open slots for a service between two dates (inclusive), optionally in one part of the day or from a time on."""

    service: str = Field(min_length=1, max_length=100)
    date_from: date
    date_to: date | None = None
    time_of_day: Literal["morning", "afternoon", "evening"] | None = None
    from_time: time | None = Field(default=None, description="Earliest local start time, e.g. 15:00")
    limit: int = Field(default=5, ge=1, le=20, description="How many slots at most, earliest first")


class BookAppointment(_Arguments):
    """Book an open slot (an id from check_availability) for the customer."""

    slot_id: uuid.UUID
    customer_name: str = Field(min_length=1, max_length=120)
    customer_phone: str | None = Field(default=None, max_length=32)


class CreateTicket(_Arguments):
    """Open a support ticket for a problem the agent cannot solve in the conversation."""

    subject: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=3, max_length=4000)
    priority: TicketPriority = TicketPriority.NORMAL


class HandoffToHuman(_Arguments):
    """Hand the conversation to a human colleague; the agent stays silent afterwards."""

    reason: str = Field(min_length=3, max_length=300)


def _slot_json(slot: scheduling.OpenSlot, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "slot_id": str(slot.slot_id),
        "service": slot.service,
        "staff": slot.staff,
        "starts_at": slot.starts_at.astimezone(zone).isoformat(),
        "ends_at": slot.ends_at.astimezone(zone).isoformat(),
    }


async def check_availability(args: CheckAvailability, context: ToolContext) -> dict[str, Any]:
    zone = ZoneInfo(context.timezone)
    last = args.date_to or args.date_from
    if last < args.date_from or (last - args.date_from).days > MAX_RANGE_DAYS:
        return {"error": f"date range must run forwards and span at most {MAX_RANGE_DAYS} days"}
    slots = await scheduling.open_slots(
        connection=context.connection,
        service=args.service,
        start=datetime.combine(args.date_from, time.min, zone),
        end=datetime.combine(last + timedelta(days=1), time.min, zone),
        now=context.now,
        timezone=context.timezone,
        time_of_day=args.time_of_day,
        from_time=args.from_time,
        limit=args.limit,
    )
    return {"slots": [_slot_json(slot, zone) for slot in slots]}


async def book_appointment(args: BookAppointment, context: ToolContext) -> dict[str, Any]:
    zone = ZoneInfo(context.timezone)
    slot = await scheduling.slot_details(connection=context.connection, slot_id=args.slot_id)
    if slot is None:
        return {"error": "no such slot"}
    if slot.starts_at <= context.now:
        return {"error": "that slot is in the past"}
    outcome = await scheduling.book_slot(
        connection=context.connection,
        slot_id=args.slot_id,
        customer_name=args.customer_name,
        customer_phone=args.customer_phone or (context.customer if context.customer.startswith("+") else None),
        conversation_id=context.conversation_id,
        idempotency_key=context.idempotency_key,
    )
    if outcome.slot_taken:
        return {"booked": False, "reason": "slot_taken", **_slot_json(slot, zone)}
    return {"booked": True, "booking_id": str(outcome.booking_id), **_slot_json(slot, zone)}


async def create_ticket(args: CreateTicket, context: ToolContext) -> dict[str, Any]:
    ticket = await open_ticket(
        connection=context.connection,
        subject=args.subject,
        description=args.description,
        priority=args.priority,
        conversation_id=context.conversation_id,
        idempotency_key=context.idempotency_key,
    )
    return {"ticket_id": str(ticket.id), "status": ticket.status.value, "priority": ticket.priority.value}


async def handoff_to_human(args: HandoffToHuman, context: ToolContext) -> dict[str, Any]:
    if context.conversation_id is not None:
        await hand_off(connection=context.connection, conversation_id=context.conversation_id, reason=args.reason)
    return {"handed_off": True}


@lru_cache(maxsize=None)
def _parameters(arguments: type[_Arguments]) -> dict[str, Any]:
    # Built once per tool: pydantic's schema generation costs more than the rest of a tool call (shared: read-only).
    return arguments.model_json_schema()


@dataclass(frozen=True)
class Tool:
    name: str
    arguments: type[_Arguments]
    run: Callable[[Any, ToolContext], Awaitable[dict[str, Any]]]
    # True: the tool changes something (a booking, a ticket, the conversation's owner). The ToolBox runs it in its
    # own transaction, once per (trigger, call position). False: a read, safe to repeat.
    side_effect: bool = True

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI-style function description of this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": (self.arguments.__doc__ or "").strip(),
                "parameters": _parameters(self.arguments),
            },
        }


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("check_availability", CheckAvailability, check_availability, side_effect=False),
        Tool("book_appointment", BookAppointment, book_appointment),
        Tool("create_ticket", CreateTicket, create_ticket),
        Tool("handoff_to_human", HandoffToHuman, handoff_to_human),
    )
}


@lru_cache(maxsize=1)
def _schemas() -> tuple[dict[str, Any], ...]:
    return tuple(tool.json_schema() for tool in TOOLS.values())


def tool_schemas() -> list[dict[str, Any]]:
    """Every tool's function description, as a model is offered them (built once: pydantic's schemas are costly)."""
    return list(_schemas())
