"""The sandbox as a channel adapter: it answers like a provider (an id, latency, refusals) and records the
message.

It honours our Idempotency-Key as the chat and voice receivers must (one row per message id, whatever the
number of sends), so an attempt whose answer never came is settled by sending again, like theirs. Its refusals
are the retryable kind (a 503: nothing accepted), so a failure rate shows retries and backoff, not lost
replies.
"""

from __future__ import annotations

import asyncio
import random
import uuid

from tortoise import connections

from backend.channels.delivery.adapters import ChannelAdapter, DeliveryError, OutboundMessage
from backend.core.enums import Channel, DeliveryProvider

# One statement: a repeated send finds the row its first send wrote and gets the same provider id back.
_ACCEPT = """
INSERT INTO sandbox_messages (id, provider_id, channel, recipient, thread, text, requests, accepted_at)
VALUES ($1, $2, $3, $4, $5, $6, 1, now())
ON CONFLICT (id) DO UPDATE SET requests = sandbox_messages.requests + 1
RETURNING provider_id
"""


def new_provider_id() -> str:
    return "SBX" + uuid.uuid4().hex


class SandboxAdapter(ChannelAdapter):
    provider = DeliveryProvider.SANDBOX
    resends_are_safe = True

    def __init__(self, *, channel: Channel, latency_ms: float = 0, failure_rate: float = 0) -> None:
        self.channel = channel
        self._latency = latency_ms / 1000
        self._failure_rate = failure_rate

    async def send(self, message: OutboundMessage) -> str:
        if self._latency:
            await asyncio.sleep(self._latency)  # the provider's round trip; no connection is held meanwhile
        if self._failure_rate and random.random() < self._failure_rate:
            raise DeliveryError(
                f"sandbox provider answered 503 (a simulated outage: AGENTOPS_SANDBOX_FAILURE_RATE="
                f"{self._failure_rate:g})",
                maybe_sent=False,
            )
        rows = await connections.get("default").execute_query_dict(
            _ACCEPT,
            [
                uuid.UUID(message.message_id),
                new_provider_id(),
                self.channel.value,
                message.to,
                message.thread,
                message.text,
            ],
        )
        return str(rows[0]["provider_id"])
