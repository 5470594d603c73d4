"""Delivering one outbound message: sent at most once, never silently lost.

A message goes QUEUED → SENDING → SENT | FAILED. SENDING (with the attempt's number and time) is committed
before the provider is called, and every later write is conditional on that attempt still owning the row, so
two attempts can never both record an outcome. An attempt that finds SENDING knows an earlier one may have
reached the provider (its worker was SIGKILLed, its job timed out, the answer never came) and settles that
first (settling.py): a chat or voice receiver honours our Idempotency-Key, so it is sent again with the same
key; an SMS is looked up in the provider's Messages list; when nothing can tell, the message is UNCERTAIN and
waits for an operator (replies.py).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from enum import Enum

import structlog
from saq import Queue

from backend.channels.delivery.adapters import (
    ChannelAdapter,
    DeliveryError,
    DeliveryRejected,
    OutboundMessage,
)
from backend.conversations.models import DeliveryStatus, Message
from backend.core.enums import Channel, DeliveryProvider
from backend.core.faults import DELIVERY as DELIVERY_FAULT
from backend.core.faults import InjectedFault, current_faults
from backend.core.topics import CONVERSATION_UPDATED
from backend.events.hub import EventHub, SilentHub
from backend.jobqueue import JobOptions, enqueue_keyed
from backend.settings import Settings
from backend.telemetry.metrics import DELIVERIES

log = structlog.get_logger(__name__)
DELIVER_MESSAGE_JOB = "deliver_message"
# One provider call lasts at most this long (httpx's own timeouts are shorter), so an earlier attempt's call
# is over SETTLE_SECONDS after its SENDING, whatever happened to its worker: only then is an SMS looked up.
SEND_TIMEOUT_SECONDS = 15.0
SETTLE_SECONDS = SEND_TIMEOUT_SECONDS + 5.0
# A delivery job may wait out SETTLE_SECONDS, look the message up and send it: room for all three.
DELIVERY_JOB_TIMEOUT_SECONDS = 60
DELIVERY_HEARTBEAT_SECONDS = 10


class DeliveryOutcome(str, Enum):
    SENT = "SENT"
    ALREADY_DONE = "ALREADY_DONE"
    RETRY = "RETRY"
    FAILED = "FAILED"
    UNCERTAIN = "UNCERTAIN"


class DeliveryPending(RuntimeError):
    """This attempt did not settle the message; the job raises it so SAQ tries again with backoff."""


def outbound_of(message: Message) -> OutboundMessage:
    conversation = message.conversation
    return OutboundMessage(
        message_id=str(message.id),
        to=conversation.customer,
        thread=conversation.thread_key,
        text=message.text,
    )


async def deliver_message(
    *,
    message_id: uuid.UUID,
    adapters: dict[Channel, ChannelAdapter],
    max_attempts: int,
    hub: EventHub | SilentHub,
) -> DeliveryOutcome:
    """Send a QUEUED message, or settle a SENDING one an earlier attempt left, and record what happened."""
    from backend.channels.delivery.settling import settle_unfinished  # it records through this module

    message = await Message.get_or_none(id=message_id).prefetch_related("conversation")
    if message is None or message.delivery_status not in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
        return DeliveryOutcome.ALREADY_DONE  # sent, failed or uncertain before: never sent twice by a job
    channel = message.conversation.channel
    adapter = adapters.get(channel)
    if message.delivery_status == DeliveryStatus.SENDING:
        settled = await settle_unfinished(
            message=message, adapter=adapter, max_attempts=max_attempts, hub=hub
        )
        if settled is not None:
            return _counted(channel, settled)
    elif adapter is None:
        error = undeliverable_reason(channel)
        await Message.filter(id=message.id, delivery_status=DeliveryStatus.QUEUED).update(
            delivery_status=DeliveryStatus.FAILED, delivery_error=error
        )
        await _published(message, hub=hub, status=DeliveryStatus.FAILED)
        return _counted(channel, DeliveryOutcome.FAILED)
    attempt = await claim(message, provider=adapter.provider)
    if attempt is None:
        return DeliveryOutcome.ALREADY_DONE  # another attempt moved it first
    return _counted(
        channel,
        await _send(message, adapter=adapter, attempt=attempt, final=attempt >= max_attempts, hub=hub),
    )


async def _send(
    message: Message, *, adapter: ChannelAdapter | None, attempt: int, final: bool, hub: EventHub | SilentHub
) -> DeliveryOutcome:
    assert adapter is not None  # settle_unfinished answers a SENDING message that has no adapter any more
    try:
        await current_faults().check(
            DELIVERY_FAULT
        )  # a DELIVERY_FAILURE drill fails attempts like a provider would
        async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
            provider_id = await adapter.send(outbound_of(message))
    except DeliveryRejected as error:
        await record(message, attempt=attempt, status=DeliveryStatus.FAILED, error=str(error), hub=hub)
        return DeliveryOutcome.FAILED
    except (DeliveryError, InjectedFault, TimeoutError) as error:
        maybe_sent = error.maybe_sent if isinstance(error, DeliveryError) else isinstance(error, TimeoutError)
        reason = str(error) or "the provider did not answer in time"
        log.warning(
            "delivery.attempt_failed",
            message_id=str(message.id),
            attempt=attempt,
            maybe_sent=maybe_sent,
            final=final,
            error=reason,
        )
        if maybe_sent:  # it may have reached the provider: the next attempt settles it (or an operator does)
            status = DeliveryStatus.UNCERTAIN if final else DeliveryStatus.SENDING
        else:
            status = DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED
        await record(message, attempt=attempt, status=status, error=reason, hub=hub)
        if final:
            return DeliveryOutcome.UNCERTAIN if maybe_sent else DeliveryOutcome.FAILED
        return DeliveryOutcome.RETRY
    await record(message, attempt=attempt, status=DeliveryStatus.SENT, provider_id=provider_id, hub=hub)
    return DeliveryOutcome.SENT


async def claim(message: Message, *, provider: DeliveryProvider) -> int | None:
    """Commit SENDING for a new attempt with `provider`, if the row is still as this job read it; the
    attempt's number or None."""
    attempt = message.delivery_attempts + 1
    claimed = await Message.filter(
        id=message.id, delivery_status=message.delivery_status, delivery_attempts=message.delivery_attempts
    ).update(
        delivery_status=DeliveryStatus.SENDING,
        delivery_attempts=attempt,
        delivery_sending_at=datetime.now(UTC),
        delivery_provider=provider,
    )
    return attempt if claimed else None


async def record(
    message: Message,
    *,
    attempt: int,
    status: DeliveryStatus,
    hub: EventHub | SilentHub,
    error: str | None = None,
    provider_id: str | None = None,
) -> bool:
    """Write an attempt's outcome, only while that attempt still owns the row; False when it no longer
    does."""
    changes: dict = {"delivery_status": status, "delivery_error": error}
    if status == DeliveryStatus.SENT:
        changes.update(delivered_at=datetime.now(UTC), provider_message_id=provider_id)
    written = await Message.filter(
        id=message.id, delivery_status=DeliveryStatus.SENDING, delivery_attempts=attempt
    ).update(**changes)
    if not written:
        log.warning(
            "delivery.outcome_superseded", message_id=str(message.id), attempt=attempt, status=status.value
        )
        return False
    await _published(message, hub=hub, status=status)
    return True


async def _published(message: Message, *, hub: EventHub | SilentHub, status: DeliveryStatus) -> None:
    # Live views of the thread follow each reply from QUEUED to its outcome.
    await hub.publish(
        CONVERSATION_UPDATED, {"conversationId": str(message.conversation_id), "delivery": status.value}
    )


def _counted(channel: Channel, outcome: DeliveryOutcome) -> DeliveryOutcome:
    DELIVERIES.labels(channel.value, outcome.value).inc()
    return outcome


def delivery_options(settings: Settings) -> JobOptions:
    """deliver_message's retries, timeout, backoff and heartbeat (a killed worker's job is taken back in
    seconds)."""
    return JobOptions(
        function=DELIVER_MESSAGE_JOB,
        retries=settings.delivery_attempts,
        timeout=DELIVERY_JOB_TIMEOUT_SECONDS,
        retry_delay=settings.process_retry_delay_seconds,
        retry_backoff=settings.process_retry_max_delay_seconds,
        heartbeat=DELIVERY_HEARTBEAT_SECONDS,
    )


async def enqueue_deliveries(*, queue: Queue, settings: Settings, message_ids: list[uuid.UUID]) -> int:
    """One delivery job per message, keyed by its id; a Redis failure is left to the delivery reconciler."""
    jobs = {f"deliver:{message_id}": {"message_id": str(message_id)} for message_id in message_ids}
    return await enqueue_keyed(
        queue=queue, options=delivery_options(settings), jobs=jobs, failure_event="delivery.enqueue_failed"
    )


def undeliverable_reason(channel: Channel) -> str:
    """Why a reply on a channel with no adapter is FAILED when written (the turn's commit writes it so, not a
    job that could only fail)."""
    return (
        f"no delivery endpoint configured for {channel.value} (configure one, or set "
        "AGENTOPS_SANDBOX_DELIVERY=true to hand replies to the built-in sandbox)"
    )
