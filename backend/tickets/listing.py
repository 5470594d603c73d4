"""Listing tickets for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.db.keyset import Page, newest_first
from backend.tickets.models import Ticket, TicketPriority, TicketStatus


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
