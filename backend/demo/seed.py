"""Load the demo conversations from fixtures/; running it again adds nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise.transactions import in_transaction

from backend.channels.enums import Channel
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.settings import PROJECT_ROOT

DEMO_CONVERSATIONS = PROJECT_ROOT / "fixtures" / "demo" / "conversations.json"


async def seed_demo(*, path: Path = DEMO_CONVERSATIONS) -> int:
    """Create the demo conversations that do not exist yet; returns how many were created."""
    created = 0
    now = datetime.now(UTC)
    for spec in json.loads(path.read_text())["conversations"]:
        channel = Channel(spec["channel"])
        if await Conversation.exists(channel=channel, thread_key=spec["thread_key"]):
            continue
        times = [now - timedelta(minutes=message["minutes_ago"]) for message in spec["messages"]]
        async with in_transaction():
            conversation = await Conversation.create(
                channel=channel,
                thread_key=spec["thread_key"],
                customer=spec["customer"],
                status=ConversationStatus(spec["status"]),
                message_count=len(spec["messages"]),
                last_message_at=max(times),
            )
            await Message.bulk_create(
                [
                    Message(
                        conversation=conversation,
                        sequence=position,
                        author=MessageAuthor(message["author"]),
                        direction=(
                            MessageDirection.INBOUND
                            if message["author"] == MessageAuthor.CUSTOMER.value
                            else MessageDirection.OUTBOUND
                        ),
                        text=message["text"],
                        created_at=sent_at,
                    )
                    for position, (message, sent_at) in enumerate(zip(spec["messages"], times), start=1)
                ]
            )
        created += 1
    return created
