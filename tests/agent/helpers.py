"""Shared steps for agent tests: a business with slots, a sender's message in, the reply out."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from backend.conversations.models import Conversation, Message, MessageDirection
from backend.evals.golden import EVAL_NOW, EVAL_TIMEZONE
from backend.ingest.models import IngestEvent, IngestStatus
from backend.scheduling import service as scheduling
from backend.scheduling.seed import seed_business
from tests.helpers import graphql, wait_until
from tests.ingest.documents import INGEST_EVENT, event

ZONE = ZoneInfo("America/New_York")


def weekday_ahead(*, min_days: int = 2) -> date:
    """A Monday–Friday at least `min_days` ahead in the business zone, so "on <weekday>" names it
    unambiguously."""
    day = datetime.now(ZONE).date() + timedelta(days=min_days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def open_business() -> None:
    await seed_business(timezone="America/New_York", today=datetime.now(ZONE).date())


async def say(
    client, key: str, *, sender: str, text: str, channel: str = "SMS", thread: str | None = None
) -> None:
    body = (
        await graphql(
            client,
            INGEST_EVENT,
            key=key,
            variables={"input": event(sender=sender, text=text, channel=channel, thread=thread)},
        )
    ).json()
    assert body["data"]["ingestEvent"]["__typename"] == "EventAccepted", body


async def replies_to(sender: str, *, count: int, timeout: float = 30) -> list[str]:
    """Wait until the conversation of `sender` holds `count` outbound messages; return their texts in
    order."""

    async def enough():
        conversation = await Conversation.get_or_none(customer=sender)
        if conversation is None:
            return None
        outbound = await Message.filter(
            conversation=conversation, direction=MessageDirection.OUTBOUND
        ).order_by("sequence")
        return [message.text for message in outbound] if len(outbound) >= count else None

    return await wait_until(enough, timeout=timeout, message=f"{count} replies to {sender}")


async def all_processed() -> bool:
    return not await IngestEvent.filter(status=IngestStatus.RECEIVED).exists()


async def hold_booking(service: str, day: date, at: time, *, phone: str) -> uuid.UUID:
    """A booking made before the conversation (from `phone`), as a customer would hold one (eval clock and
    zone)."""
    start = datetime.combine(day, at, ZONE)
    async with in_transaction() as connection:
        (slot, *_) = await scheduling.open_slots(
            connection=connection,
            service=service,
            start=start,
            end=start + timedelta(minutes=1),
            now=EVAL_NOW,
            timezone=EVAL_TIMEZONE,
        )
        outcome = await scheduling.book_slot(
            connection=connection,
            slot_id=slot.slot_id,
            customer_name="Ana Costa",
            customer_phone=phone,
            conversation_id=None,
            idempotency_key=f"held-{uuid.uuid4()}",
        )
    return outcome.booking_id
