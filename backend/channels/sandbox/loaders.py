"""Batch loads for the sandbox's outbox, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.channels.sandbox.models import SandboxMessage
from backend.db.lookup import rows_by_id


async def load_sandbox_messages_by_id(ids: Sequence[uuid.UUID]) -> list[SandboxMessage | None]:
    """Sandbox messages in the order of `ids` (None where there is none), for the request's DataLoader."""
    return await rows_by_id(SandboxMessage.all(), ids)
