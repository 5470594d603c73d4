"""Batch loads for bookings and the slots they hold, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.db.lookup import rows_by_id
from backend.scheduling.models import Booking, Slot


async def load_bookings_by_id(ids: Sequence[uuid.UUID]) -> list[Booking | None]:
    """Bookings in the order of `ids`, None where there is no such booking."""
    return await rows_by_id(Booking.all(), ids)


async def load_slots_by_id(ids: Sequence[uuid.UUID]) -> list[Slot | None]:
    """Slots with their service and resource (one joined query), in the order of `ids`."""
    return await rows_by_id(Slot.all().select_related("service", "resource"), ids)


async def load_bookings_by_conversation(conversation_ids: Sequence[uuid.UUID]) -> list[list[Booking]]:
    """Each conversation's bookings, newest first, in one query for all conversations."""
    grouped: dict[uuid.UUID, list[Booking]] = {conversation_id: [] for conversation_id in conversation_ids}
    rows = await Booking.filter(conversation_id__in=list(conversation_ids)).order_by("-created_at", "-id")
    for booking in rows:
        grouped[booking.conversation_id].append(booking)  # type: ignore[attr-defined]
    return [grouped[conversation_id] for conversation_id in conversation_ids]
