"""Replies as operators and the reconciler see them: listed by delivery status, resent knowingly, picked up
again.

UNCERTAIN replies wait for a person: the customer may or may not have the message, and only someone who can
check (the provider's console, the customer) should decide. `resend_reply` is that decision — it may reach the
customer twice, which is why it takes an explicit acknowledgement and records who made it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from saq import Queue
from tortoise import connections

from backend.channels.delivery.service import enqueue_deliveries
from backend.conversations.models import DeliveryStatus, Message, MessageDirection
from backend.core.enums import Channel
from backend.core.topics import CONVERSATION_UPDATED
from backend.db.keyset import Page, newest_first
from backend.events.hub import EventHub
from backend.jobqueue import unfinished_keys
from backend.settings import Settings

RESENDABLE = (DeliveryStatus.UNCERTAIN, DeliveryStatus.FAILED)
RECONCILE_BATCH = 1000


@dataclass(frozen=True)
class ReplyCriteria:
    delivery_status: DeliveryStatus | None = None
    channel: Channel | None = None


async def page_replies(*, criteria: ReplyCriteria, first: int, after: str | None) -> Page[Message]:
    """Outbound messages matching the criteria, newest first."""
    query = Message.filter(direction=MessageDirection.OUTBOUND)
    if criteria.delivery_status is not None:
        query = query.filter(delivery_status=criteria.delivery_status)
    if criteria.channel is not None:
        query = query.filter(conversation__channel=criteria.channel)
    return await newest_first(query, time_field="created_at", first=first, after=after)


async def count_by_delivery_status() -> dict[DeliveryStatus, int]:
    """How many replies are in each delivery status but SENT right now (the bulk; its index answers the
    rest)."""
    counts = {status: 0 for status in DeliveryStatus if status != DeliveryStatus.SENT}
    rows = await connections.get("default").execute_query_dict(
        "SELECT delivery_status, count(*) AS n FROM messages WHERE delivery_status = ANY($1::text[])"
        " GROUP BY delivery_status",
        [[status.value for status in counts]],
    )
    counts.update({DeliveryStatus(row["delivery_status"]): row["n"] for row in rows})
    return counts


async def resend_reply(
    *, message_id: uuid.UUID, actor: str, queue: Queue, settings: Settings, hub: EventHub
) -> tuple[Message | None, bool]:
    """Queue an UNCERTAIN or FAILED reply again, as `actor` decided; (message, whether it was queued now).

    Its attempts start over and the next job sends it without settling first: the operator has accepted that
    the customer may get it twice.
    """
    message = await Message.get_or_none(id=message_id, direction=MessageDirection.OUTBOUND)
    if message is None:
        return None, False
    queued = await Message.filter(id=message_id, delivery_status__in=list(RESENDABLE)).update(
        delivery_status=DeliveryStatus.QUEUED,
        delivery_attempts=0,
        delivery_error=None,
        delivery_sending_at=None,
        delivery_resent_by=actor[:100],
        delivery_resent_at=datetime.now(UTC),
    )
    if queued:
        await enqueue_deliveries(queue=queue, settings=settings, message_ids=[message_id])
        await hub.publish(
            CONVERSATION_UPDATED,
            {
                "conversationId": str(message.conversation_id),  # type: ignore[attr-defined]
                "delivery": DeliveryStatus.QUEUED.value,
            },
        )
    return await Message.get(id=message_id), bool(queued)


async def unfinished_deliveries(*, queue: Queue, older_than_seconds: int) -> list[uuid.UUID]:
    """Replies left QUEUED or SENDING longer than the threshold with no delivery job queued or running.

    Their job was lost (a Redis flush), gave up (SAQ ran out of retries while the message waited to be
    settled), or finished between this read and the enqueue — which the second read rules out, so a reply that
    was just sent is never given a second job.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    queued = await (
        Message.filter(delivery_status=DeliveryStatus.QUEUED, created_at__lt=cutoff)
        .order_by("created_at")
        .limit(RECONCILE_BATCH)
        .values_list("id", flat=True)
    )
    sending = await (
        Message.filter(delivery_status=DeliveryStatus.SENDING, delivery_sending_at__lt=cutoff)
        .order_by("delivery_sending_at")
        .limit(RECONCILE_BATCH)
        .values_list("id", flat=True)
    )
    candidates = [*queued, *sending]
    if not candidates:
        return []
    busy = await unfinished_keys(queue=queue, keys=[f"deliver:{message_id}" for message_id in candidates])
    idle = [message_id for message_id in candidates if f"deliver:{message_id}" not in busy]
    if not idle:
        return []
    still = set(
        await Message.filter(
            id__in=idle, delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
        ).values_list("id", flat=True)
    )
    return [message_id for message_id in idle if message_id in still]
