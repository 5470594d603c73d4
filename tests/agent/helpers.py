"""Shared steps for agent tests: a business with slots, a sender's message in, the reply out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.conversations.models import Conversation, Message, MessageDirection
from backend.ingest.models import IngestEvent, IngestStatus
from backend.scheduling.seed import seed_business
from tests.helpers import graphql, wait_until
from tests.ingest.documents import INGEST_EVENT, event

ZONE = ZoneInfo("America/New_York")


def weekday_ahead(*, min_days: int = 2) -> date:
    """A Monday–Friday at least `min_days` ahead in the business zone, so "on <weekday>" names it unambiguously."""
    day = datetime.now(ZONE).date() + timedelta(days=min_days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def open_business() -> None:
    await seed_business(timezone="America/New_York", today=datetime.now(ZONE).date())


async def say(client, key: str, *, sender: str, text: str, channel: str = "SMS", thread: str | None = None) -> None:
    body = (await graphql(client, INGEST_EVENT, key=key, variables={"input": event(sender=sender, text=text, channel=channel, thread=thread)})).json()
    assert body["data"]["ingestEvent"]["__typename"] == "EventAccepted", body


async def replies_to(sender: str, *, count: int, timeout: float = 30) -> list[str]:
    """Wait until the conversation of `sender` holds `count` outbound messages; return their texts in order."""

    async def enough():
        conversation = await Conversation.get_or_none(customer=sender)
        if conversation is None:
            return None
        outbound = await Message.filter(conversation=conversation, direction=MessageDirection.OUTBOUND).order_by("sequence")
        return [message.text for message in outbound] if len(outbound) >= count else None

    return await wait_until(enough, timeout=timeout, message=f"{count} replies to {sender}")


async def all_processed() -> bool:
    return not await IngestEvent.filter(status=IngestStatus.RECEIVED).exists()
