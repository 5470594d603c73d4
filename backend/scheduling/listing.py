"""Listing bookings for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.db.keyset import Page, newest_first
from backend.scheduling.models import Booking, BookingStatus


@dataclass(frozen=True)
class BookingCriteria:
    status: BookingStatus | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def page_bookings(*, criteria: BookingCriteria, first: int, after: str | None) -> Page[Booking]:
    """Bookings matching the criteria, newest first."""
    query = Booking.all()
    if criteria.status:
        query = query.filter(status=criteria.status)
    if criteria.created_after:
        query = query.filter(created_at__gte=criteria.created_after)
    if criteria.created_before:
        query = query.filter(created_at__lt=criteria.created_before)
    return await newest_first(query, time_field="created_at", first=first, after=after)
