"""The delivery job: send one outbound message through its channel adapter, retried with backoff."""

from __future__ import annotations

import uuid
from typing import Any

from backend.channels.delivery import service as delivery
from jobs.beats import beating
from jobs.flags import job_faults


async def deliver_message(ctx: dict[str, Any], *, message_id: str) -> str:
    """Deliver a reply at most once; an attempt that settled nothing raises so SAQ retries it with backoff."""
    job = ctx["job"]
    await job_faults(ctx)
    async with beating(job):  # waiting to settle an earlier attempt can take a while: stay visibly alive
        outcome = await delivery.deliver_message(
            message_id=uuid.UUID(message_id),
            adapters=ctx["adapters"],
            max_attempts=ctx["app_settings"].delivery_attempts,
            hub=ctx["hub"],
        )
    if outcome == delivery.DeliveryOutcome.RETRY:
        raise delivery.DeliveryPending(
            f"delivery of {message_id} not settled on job attempt {job.attempts}; retrying"
        )
    return outcome.value
