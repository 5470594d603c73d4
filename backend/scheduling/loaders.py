"""Batch loads for bookings and the slots they hold, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.scheduling.models import Booking, Slot


async def load_bookings_by_id(ids: Sequence[uuid.UUID]) -> list[Booking | None]:
    """Bookings in the order of `ids`, None where there is no such booking."""
    found = {booking.id: booking for booking in await Booking.filter(id__in=list(ids))}
    return [found.get(booking_id) for booking_id in ids]


async def load_slots_by_id(ids: Sequence[uuid.UUID]) -> list[Slot | None]:
    """Slots with their service and resource (one joined query), in the order of `ids`."""
    found = {
        slot.id: slot for slot in await Slot.filter(id__in=list(ids)).select_related("service", "resource")
    }
    return [found.get(slot_id) for slot_id in ids]


async def load_bookings_by_conversation(conversation_ids: Sequence[uuid.UUID]) -> list[list[Booking]]:
    """Each conversation's bookings, newest first, in one query for all conversations."""
    grouped: dict[uuid.UUID, list[Booking]] = {conversation_id: [] for conversation_id in conversation_ids}
    rows = await Booking.filter(conversation_id__in=list(conversation_ids)).order_by("-created_at", "-id")
    for booking in rows:
        grouped[booking.conversation_id].append(booking)  # type: ignore[attr-defined]
    return [grouped[conversation_id] for conversation_id in conversation_ids]
