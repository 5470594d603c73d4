"""Batch loads for tickets, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.db.lookup import rows_by_id
from backend.tickets.models import Ticket


async def load_tickets_by_id(ids: Sequence[uuid.UUID]) -> list[Ticket | None]:
    """Tickets in the order of `ids`, None where there is no such ticket."""
    return await rows_by_id(Ticket.all(), ids)


async def load_tickets_by_conversation(conversation_ids: Sequence[uuid.UUID]) -> list[list[Ticket]]:
    """Each conversation's tickets, newest first, in one query for all conversations."""
    grouped: dict[uuid.UUID, list[Ticket]] = {conversation_id: [] for conversation_id in conversation_ids}
    rows = await Ticket.filter(conversation_id__in=list(conversation_ids)).order_by("-created_at", "-id")
    for ticket in rows:
        grouped[ticket.conversation_id].append(ticket)  # type: ignore[attr-defined]
    return [grouped[conversation_id] for conversation_id in conversation_ids]
