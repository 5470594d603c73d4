"""Rows written straight into the tables at fixed past times (BASE + hours), for the list and filter tests:
what the workers would have made, without running them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.agent.models import AgentRun, RunStatus
from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.scheduling.models import Booking, Resource, Service, Slot
from backend.tickets.models import Ticket

BASE = datetime(2026, 3, 1, tzinfo=UTC)


async def conversation(customer: str, **fields) -> Conversation:
    return await Conversation.create(
        channel=Channel.SMS, thread_key=customer, customer=customer, last_message_at=BASE, **fields
    )


async def agent_run(conversation: Conversation, *, hours: int, **fields) -> AgentRun:
    values = {
        "policy": "rules",
        "prompt_name": "front-desk",
        "prompt_version": "v1",
        "status": RunStatus.OK,
        "latency_ms": 100.0,
        **fields,
    }
    run = await AgentRun.create(conversation=conversation, **values)
    await AgentRun.filter(id=run.id).update(created_at=BASE + timedelta(hours=hours))
    return run


async def slot(service: str, staff: str, *, hours: int) -> Slot:
    """A 30-minute slot a week after BASE (+ hours)."""
    offered, _ = await Service.get_or_create(name=service, defaults={"duration_minutes": 30})
    person, _ = await Resource.get_or_create(name=staff)
    starts = BASE + timedelta(days=7, hours=hours)
    return await Slot.create(
        service=offered, resource=person, starts_at=starts, ends_at=starts + timedelta(minutes=30)
    )


async def booking(name: str, *, hours: int, conversation: Conversation | None = None, **fields) -> Booking:
    """`name`'s haircut with Ana, booked at BASE + hours."""
    booked = await slot("haircut", "Ana", hours=hours)
    row = await Booking.create(
        slot=booked, conversation=conversation, customer_name=name, idempotency_key=name, **fields
    )
    await Booking.filter(id=row.id).update(created_at=BASE + timedelta(hours=hours))
    return row


async def ticket(subject: str, *, hours: int, conversation: Conversation | None = None, **fields) -> Ticket:
    row = await Ticket.create(
        subject=subject,
        description=f"about {subject}",
        conversation=conversation,
        idempotency_key=subject,
        **fields,
    )
    await Ticket.filter(id=row.id).update(created_at=BASE + timedelta(hours=hours))
    return row


def created_window(start_hours: float, end_hours: float) -> dict:
    """A filter's createdAfter/createdBefore, in hours after BASE."""
    return {
        "createdAfter": (BASE + timedelta(hours=start_hours)).isoformat(),
        "createdBefore": (BASE + timedelta(hours=end_hours)).isoformat(),
    }
