"""Reading what the sandbox provider accepted: its outbox, as a customer's phone or chat window would show
it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from backend.channels.sandbox.models import SandboxMessage
from backend.core.enums import Channel
from backend.db.keyset import Page, newest_first
from backend.db.lookup import rows_by_id


@dataclass(frozen=True)
class SandboxCriteria:
    channel: Channel | None = None
    recipient: str | None = None


async def page_sandbox_messages(
    *, criteria: SandboxCriteria, first: int, after: str | None
) -> Page[SandboxMessage]:
    """What the sandbox accepted, newest first."""
    query = SandboxMessage.all()
    if criteria.channel is not None:
        query = query.filter(channel=criteria.channel)
    if criteria.recipient is not None:
        query = query.filter(recipient=criteria.recipient)
    return await newest_first(query, time_field="accepted_at", first=first, after=after)


async def load_sandbox_messages_by_id(ids: Sequence[uuid.UUID]) -> list[SandboxMessage | None]:
    """Sandbox messages in the order of `ids` (None where there is none), for the request's DataLoader."""
    return await rows_by_id(SandboxMessage.all(), ids)
