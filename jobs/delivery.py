"""The delivery job: send one outbound message through its channel adapter, retried with backoff."""

from __future__ import annotations

import uuid
from typing import Any

from backend import faults
from backend.channels.delivery import service as delivery
from backend.channels.delivery.adapters import DeliveryError


async def deliver_message(ctx: dict[str, Any], *, message_id: str) -> str:
    """Deliver a reply; a transient provider failure raises so SAQ retries it, at most one send succeeds."""
    job = ctx["job"]
    faults.use_faults(await faults.load_faults(ctx["redis"]))
    outcome = await delivery.deliver_message(
        message_id=uuid.UUID(message_id), adapters=ctx["adapters"], attempt=job.attempts,
        final_attempt=job.attempts >= job.retries, hub=ctx["hub"],
    )
    if outcome == delivery.DeliveryOutcome.RETRY:
        raise DeliveryError(f"delivery of {message_id} failed on attempt {job.attempts}; retrying")
    return outcome.value
