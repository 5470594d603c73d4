"""Opening tickets, once per tool call."""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.tickets.models import Ticket, TicketPriority


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
