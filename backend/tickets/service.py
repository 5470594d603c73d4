"""Opening tickets, once per tool call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.db.keyset import Page, newest_first
from backend.tickets.models import Ticket, TicketPriority, TicketStatus


async def open_ticket(
    *,
    connection: BaseDBAsyncClient,
    subject: str,
    description: str,
    priority: TicketPriority,
    conversation_id: uuid.UUID | None,
    idempotency_key: str,
) -> Ticket:
    """Create a ticket, or return the one this idempotency key already made."""
    existing = await Ticket.filter(idempotency_key=idempotency_key).using_db(connection).first()
    if existing is not None:
        return existing
    return await Ticket.create(
        subject=subject,
        description=description,
        priority=priority,
        conversation_id=conversation_id,
        idempotency_key=idempotency_key,
        using_db=connection,
    )


# Reading, for the API.


@dataclass(frozen=True)
class TicketCriteria:
    status: TicketStatus | None = None
    priority: TicketPriority | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def page_tickets(*, criteria: TicketCriteria, first: int, after: str | None) -> Page[Ticket]:
    """Tickets matching the criteria, newest first."""
    query = Ticket.all()
    if criteria.status:
        query = query.filter(status=criteria.status)
    if criteria.priority:
        query = query.filter(priority=criteria.priority)
    if criteria.created_after:
        query = query.filter(created_at__gte=criteria.created_after)
    if criteria.created_before:
        query = query.filter(created_at__lt=criteria.created_before)
    return await newest_first(query, time_field="created_at", first=first, after=after)
