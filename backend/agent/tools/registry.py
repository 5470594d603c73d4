"""The agent's tools: argument schemas (which LLM policies see as JSON schemas) and what each does.

Side effects: book_appointment, cancel_booking, reschedule_booking, create_ticket and handoff_to_human write,
keyed by the call (ToolContext.idempotency_key), so a retried turn finds what the first attempt did.
Read-only: check_availability and find_bookings; running them again is harmless. `Tool.side_effect` says
which, so the runtime can give each effect its own short, keyed transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from tortoise.backends.base.client import BaseDBAsyncClient

from backend.conversations.service import hand_off
from backend.scheduling import service as scheduling
from backend.tickets.models import TicketPriority
from backend.tickets.service import open_ticket

MAX_RANGE_DAYS = 31
# find_bookings filters a customer's next bookings; nobody holds more than this many at once.
MAX_BOOKINGS_LOOKED_AT = 50


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
    # The model reads each arguments docstring verbatim (pydantic puts it in the JSON schema) and recorded
    # cassettes key on that schema: these lines are kept whole, however long.
    """Open slots for a service between two dates (inclusive), optionally in one part of the day or from a time on."""  # noqa: E501

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


class FindBookings(_Arguments):
    """The customer's upcoming confirmed bookings, earliest first, optionally of one service or on one day."""

    service: str | None = Field(default=None, min_length=1, max_length=100)
    day: date | None = Field(default=None, description="Only bookings starting on this local date")
    limit: int = Field(default=10, ge=1, le=20)


class CancelBooking(_Arguments):
    """Cancel one of the customer's upcoming bookings (booking_id from find_bookings); its slot is released."""  # noqa: E501

    booking_id: uuid.UUID


class RescheduleBooking(_Arguments):
    """Move a customer's booking (booking_id from find_bookings) to an open slot of its service (slot_id from
    check_availability); the old slot is released, or nothing changes."""

    booking_id: uuid.UUID
    slot_id: uuid.UUID


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
        customer_phone=args.customer_phone
        or (context.customer if context.customer.startswith("+") else None),
        conversation_id=context.conversation_id,
        idempotency_key=context.idempotency_key,
    )
    if outcome.slot_taken:
        return {"booked": False, "reason": "slot_taken", **_slot_json(slot, zone)}
    return {"booked": True, "booking_id": str(outcome.booking_id), **_slot_json(slot, zone)}


def _booking_json(booking: scheduling.BookingDetails, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "booking_id": str(booking.booking_id),
        "service": booking.service,
        "staff": booking.staff,
        "starts_at": booking.starts_at.astimezone(zone).isoformat(),
        "ends_at": booking.ends_at.astimezone(zone).isoformat(),
        "name": booking.customer_name,
    }


async def find_bookings(args: FindBookings, context: ToolContext) -> dict[str, Any]:
    zone = ZoneInfo(context.timezone)
    found = await scheduling.upcoming_bookings(
        connection=context.connection,
        customer=context.customer,
        now=context.now,
        limit=MAX_BOOKINGS_LOOKED_AT,
    )
    kept = [
        booking
        for booking in found
        if (args.service is None or booking.service.lower() == args.service.lower())
        and (args.day is None or booking.starts_at.astimezone(zone).date() == args.day)
    ]
    return {"bookings": [_booking_json(booking, zone) for booking in kept[: args.limit]]}


async def cancel_booking(args: CancelBooking, context: ToolContext) -> dict[str, Any]:
    zone = ZoneInfo(context.timezone)
    outcome = await scheduling.cancel_booking(
        connection=context.connection, booking_id=args.booking_id, customer=context.customer, now=context.now
    )
    if outcome.booking is None:  # not among the customer's bookings
        return {"cancelled": False, "reason": outcome.refusal.value, "booking_id": str(args.booking_id)}
    details = _booking_json(outcome.booking, zone)
    if not outcome.cancelled:
        return {"cancelled": False, "reason": outcome.refusal.value, **details}
    again = {"already_cancelled": True} if outcome.already_cancelled else {}
    return {"cancelled": True, **again, **details}


async def reschedule_booking(args: RescheduleBooking, context: ToolContext) -> dict[str, Any]:
    zone = ZoneInfo(context.timezone)
    outcome = await scheduling.reschedule_booking(
        connection=context.connection,
        booking_id=args.booking_id,
        slot_id=args.slot_id,
        customer=context.customer,
        now=context.now,
        idempotency_key=context.idempotency_key,
        conversation_id=context.conversation_id,
    )
    if not outcome.rescheduled:
        # The slot asked for (as book_appointment answers slot_taken) and the booking, which stays as it was.
        slot = await scheduling.slot_details(connection=context.connection, slot_id=args.slot_id)
        asked = _slot_json(slot, zone) if slot else {"slot_id": str(args.slot_id)}
        unchanged = {"booking": _booking_json(outcome.previous, zone)} if outcome.previous else {}
        return {"rescheduled": False, "reason": outcome.refusal.value, **asked, **unchanged}
    moved = {
        "rescheduled": True,
        **_booking_json(outcome.booking, zone),
        "slot_id": str(outcome.booking.slot_id),
    }
    if outcome.previous:  # "released": the old time is free again, which the customer may want to hear
        moved["previous"] = {**_booking_json(outcome.previous, zone), "released": True}
    return moved


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
        await hand_off(
            connection=context.connection, conversation_id=context.conversation_id, reason=args.reason
        )
    return {"handed_off": True}


@cache
def _parameters(arguments: type[_Arguments]) -> dict[str, Any]:
    # Built once per tool: pydantic's schema generation costs more than the rest of a tool call (shared:
    # read-only).
    return arguments.model_json_schema()


@dataclass(frozen=True)
class Tool:
    name: str
    arguments: type[_Arguments]
    run: Callable[[Any, ToolContext], Awaitable[dict[str, Any]]]
    # True: the tool changes something (a booking, a ticket, the conversation's owner). The ToolBox runs it in
    # its own transaction, once per (trigger, call position). False: a read, safe to repeat.
    side_effect: bool

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI-style function description of this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                # One line, however the docstring wraps.
                "description": " ".join((self.arguments.__doc__ or "").split()),
                "parameters": _parameters(self.arguments),
            },
        }


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("check_availability", CheckAvailability, check_availability, side_effect=False),
        Tool("book_appointment", BookAppointment, book_appointment, side_effect=True),
        Tool("find_bookings", FindBookings, find_bookings, side_effect=False),
        Tool("cancel_booking", CancelBooking, cancel_booking, side_effect=True),
        Tool("reschedule_booking", RescheduleBooking, reschedule_booking, side_effect=True),
        Tool("create_ticket", CreateTicket, create_ticket, side_effect=True),
        Tool("handoff_to_human", HandoffToHuman, handoff_to_human, side_effect=True),
    )
}


@lru_cache(maxsize=1)
def _schemas() -> tuple[dict[str, Any], ...]:
    return tuple(tool.json_schema() for tool in TOOLS.values())


def tool_schemas() -> list[dict[str, Any]]:
    """Every tool's function description, as a model is offered them (built once: pydantic's schemas are
    costly)."""
    return list(_schemas())
