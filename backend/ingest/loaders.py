"""Batch loads for ingest events and the conversations they belong to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.conversations.models import Conversation
from backend.db.lookup import rows_by_id
from backend.ingest.models import IngestEvent


async def load_ingest_events_by_id(ids: Sequence[uuid.UUID]) -> list[IngestEvent | None]:
    """Events in the order of `ids`, None where missing."""
    return await rows_by_id(IngestEvent.all(), ids)


async def load_conversations_by_thread(threads: Sequence[tuple[str, str]]) -> list[Conversation | None]:
    """Conversations by (channel, thread key), in key order; None until the event has been processed."""
    # One query on the (channel, thread_key) unique index; the rare cross-channel extra is dropped below.
    candidates = await Conversation.filter(
        channel__in={channel for channel, _ in threads}, thread_key__in={thread for _, thread in threads}
    )
    found = {(row.channel.value, row.thread_key): row for row in candidates}
    return [found.get(thread) for thread in threads]
