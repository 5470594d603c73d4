"""Delivering one outbound message: at most one successful send, every attempt recorded on the message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum

import redis.asyncio as aioredis
import structlog
from saq import Queue

from backend.channels.delivery.adapters import (
    ChannelAdapter,
    DeliveryError,
    DeliveryRejected,
    OutboundMessage,
)
from backend.channels.enums import Channel
from backend.conversations.models import DeliveryStatus, Message
from backend.conversations.service import CONVERSATION_UPDATED
from backend.events.hub import EventHub, SilentHub
from backend.faults import DELIVERY as DELIVERY_FAULT
from backend.faults import InjectedFault, current_faults
from backend.settings import Settings

log = structlog.get_logger(__name__)
DELIVER_MESSAGE_JOB = "deliver_message"


class DeliveryOutcome(str, Enum):
    SENT = "SENT"
    ALREADY_DONE = "ALREADY_DONE"
    RETRY = "RETRY"
    FAILED = "FAILED"


async def deliver_message(
    *, message_id: uuid.UUID, adapters: dict[Channel, ChannelAdapter], attempt: int, final_attempt: bool,
    hub: EventHub | SilentHub,
) -> DeliveryOutcome:
    """Send a QUEUED outbound message through its channel's adapter and record what happened."""
    message = await Message.get_or_none(id=message_id).prefetch_related("conversation")
    if message is None or message.delivery_status != DeliveryStatus.QUEUED:
        return DeliveryOutcome.ALREADY_DONE  # sent or failed before: never send twice
    conversation = message.conversation
    adapter = adapters.get(conversation.channel)
    if adapter is None:
        await _record(message, status=DeliveryStatus.FAILED, attempt=attempt, hub=hub,
                      error=f"no delivery endpoint configured for {conversation.channel.value}")
        return DeliveryOutcome.FAILED
    outbound = OutboundMessage(message_id=str(message.id), to=conversation.customer, thread=conversation.thread_key,
                               text=message.text)
    try:
        await current_faults().check(DELIVERY_FAULT)  # a DELIVERY_FAILURE drill fails attempts like a provider would
        provider_id = await adapter.send(outbound)
    except DeliveryRejected as error:
        await _record(message, status=DeliveryStatus.FAILED, attempt=attempt, error=str(error), hub=hub)
        return DeliveryOutcome.FAILED
    except (DeliveryError, InjectedFault) as error:
        status = DeliveryStatus.FAILED if final_attempt else DeliveryStatus.QUEUED
        await _record(message, status=status, attempt=attempt, error=str(error), hub=hub)
        log.warning("delivery.attempt_failed", message_id=str(message_id), attempt=attempt, error=str(error))
        return DeliveryOutcome.FAILED if final_attempt else DeliveryOutcome.RETRY
    await _record(message, status=DeliveryStatus.SENT, attempt=attempt, provider_id=provider_id, hub=hub)
    return DeliveryOutcome.SENT


async def _record(message: Message, *, status: DeliveryStatus, attempt: int, hub: EventHub | SilentHub,
                  error: str | None = None, provider_id: str | None = None) -> None:
    changes = {"delivery_status": status, "delivery_attempts": attempt, "delivery_error": error}
    if status == DeliveryStatus.SENT:
        changes.update(delivered_at=datetime.now(UTC), provider_message_id=provider_id)
    await Message.filter(id=message.id).update(**changes)
    # Live views of the thread follow each reply from QUEUED to SENT or FAILED.
    await hub.publish(CONVERSATION_UPDATED, {"conversationId": str(message.conversation_id), "delivery": status.value})


async def enqueue_deliveries(*, queue: Queue, settings: Settings, message_ids: list[uuid.UUID]) -> None:
    """One delivery job per message, keyed by its id; a Redis failure is left to the delivery reconciler."""
    for message_id in message_ids:
        try:
            await queue.enqueue(
                DELIVER_MESSAGE_JOB, key=f"deliver:{message_id}", message_id=str(message_id),
                retries=settings.delivery_attempts, timeout=30, retry_delay=settings.process_retry_delay_seconds,
                retry_backoff=settings.process_retry_max_delay_seconds,
            )
        except (aioredis.RedisError, OSError) as error:
            log.warning("delivery.enqueue_failed", message_id=str(message_id), error=str(error))


async def fail_undeliverable(*, message_ids: list[uuid.UUID], channel: Channel) -> None:
    """Replies on a channel with no adapter: FAILED now, with the reason, instead of a job that can only fail."""
    if message_ids:
        await Message.filter(id__in=message_ids, delivery_status=DeliveryStatus.QUEUED).update(
            delivery_status=DeliveryStatus.FAILED, delivery_error=f"no delivery endpoint configured for {channel.value}"
        )


async def queued_deliveries(*, older_than_seconds: int, limit: int = 1000) -> list[uuid.UUID]:
    """Outbound messages still QUEUED after a while: their job may have been lost with Redis."""
    cutoff = datetime.now(UTC).timestamp() - older_than_seconds
    return list(
        await Message.filter(delivery_status=DeliveryStatus.QUEUED, created_at__lt=datetime.fromtimestamp(cutoff, UTC))
        .order_by("created_at").limit(limit).values_list("id", flat=True)
    )
