"""Settling an attempt that did not finish: a later attempt found the message SENDING and must learn the
outcome before anything is sent again.

- The receiver honours our Idempotency-Key (chat, voice): sending again with the same key is safe — it answers
  without delivering twice — so the message is simply sent again.
- The provider can be asked (SMS: the Messages list): once the earlier attempt's call must be over, the
  message is looked up by what we sent (recipient, our number, body, since SENDING). Found: SENT with the
  provider's id. Not there: it never arrived, so it is sent.
- Nothing can tell (no lookup, an inconclusive one, or no adapter any more): UNCERTAIN, for an operator to
  decide.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog

from backend.channels.delivery.adapters import ChannelAdapter, DeliveryError, LookupUnavailable
from backend.channels.delivery.service import SETTLE_SECONDS, DeliveryOutcome, outbound_of, record
from backend.conversations.models import DeliveryStatus, Message
from backend.core.topics import CONVERSATION_UPDATED
from backend.events.hub import EventHub, SilentHub

log = structlog.get_logger(__name__)


async def settle_unfinished(
    *, message: Message, adapter: ChannelAdapter | None, max_attempts: int, hub: EventHub | SilentHub
) -> DeliveryOutcome | None:
    """Settle a SENDING message left by an earlier attempt; None when it is safe to send it now."""
    attempt = message.delivery_attempts
    if adapter is None:
        await record(
            message,
            attempt=attempt,
            status=DeliveryStatus.UNCERTAIN,
            hub=hub,
            error="an attempt did not finish and no adapter is configured any more to find out",
        )
        return DeliveryOutcome.UNCERTAIN
    if adapter.resends_are_safe:
        return None  # the receiver delivers a message id at most once: sending again settles it
    since = message.delivery_sending_at or message.created_at
    wait = (since + timedelta(seconds=SETTLE_SECONDS) - datetime.now(UTC)).total_seconds()
    if wait > 0:  # the earlier attempt's call may still be on its way to the provider
        await asyncio.sleep(wait)
    known_ids = set(
        await Message.filter(conversation_id=message.conversation_id, provider_message_id__isnull=False)
        .exclude(id=message.id)
        .values_list("provider_message_id", flat=True)
    )
    try:
        provider_id = await adapter.find_sent(outbound_of(message), since=since, known_ids=known_ids)
    except LookupUnavailable as error:
        await record(
            message,
            attempt=attempt,
            status=DeliveryStatus.UNCERTAIN,
            hub=hub,
            error=f"an attempt did not finish and the provider cannot tell whether it arrived: {error}",
        )
        return DeliveryOutcome.UNCERTAIN
    except DeliveryError as error:
        return await _lookup_failed(
            message, attempt=attempt, max_attempts=max_attempts, error=str(error), hub=hub
        )
    if provider_id is not None:
        log.info(
            "delivery.settled_as_sent", message_id=str(message.id), attempt=attempt, provider_id=provider_id
        )
        await record(message, attempt=attempt, status=DeliveryStatus.SENT, provider_id=provider_id, hub=hub)
        return DeliveryOutcome.SENT
    log.info("delivery.settled_as_not_sent", message_id=str(message.id), attempt=attempt)
    return None


async def _lookup_failed(
    message: Message, *, attempt: int, max_attempts: int, error: str, hub: EventHub | SilentHub
) -> DeliveryOutcome:
    """Asking failed: counted as an attempt, so a provider that never answers ends UNCERTAIN, not in a
    loop."""
    counted = attempt + 1
    final = counted >= max_attempts
    status = DeliveryStatus.UNCERTAIN if final else DeliveryStatus.SENDING
    moved = await Message.filter(
        id=message.id, delivery_status=DeliveryStatus.SENDING, delivery_attempts=attempt
    ).update(delivery_status=status, delivery_attempts=counted, delivery_error=error)
    log.warning(
        "delivery.lookup_failed", message_id=str(message.id), attempt=counted, final=final, error=error
    )
    if moved and final:
        await hub.publish(
            CONVERSATION_UPDATED, {"conversationId": str(message.conversation_id), "delivery": status.value}
        )
    return DeliveryOutcome.UNCERTAIN if final else DeliveryOutcome.RETRY
